"""Reading many prompts at once: pasted lines, a .txt file, or a CSV.

A CSV needs a `prompt` column and may have `platforms` (separated by spaces,
commas or semicolons); rows without platforms use the ones chosen for the
batch. It may have text layers too — `headline`, `subline`, `cta` and the kit
by name in `brand` — where a row's cell takes the place of the batch's choice.
Blank lines and `#` comments are skipped in text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.user_files import safe_read

MAX_BATCH = 10_000
MAX_FILE_BYTES = 50 * 1024 * 1024  # 10,000 prompts of 5,000 characters
_SPLIT = re.compile(r"[\s,;|]+")
LAYER_COLUMNS = ("headline", "subline", "cta", "brand")


@dataclass(frozen=True)
class BatchLine:
    number: int  # 1-based line or row, for messages
    prompt: str
    platforms: tuple[str, ...] = ()
    layers: tuple[tuple[str, str], ...] = ()  # (column, cell) of the layer columns it fills

    def options(self, batch: dict[str, Any]) -> dict[str, Any]:
        """The batch's build options with this row's layer cells in their place."""
        return batch | dict(self.layers)


def parse_text(text: str) -> list[BatchLine]:
    lines = [
        BatchLine(number, line.strip())
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    return _checked(lines)


def parse_csv(text: str) -> list[BatchLine]:
    reader = csv.DictReader(io.StringIO(text))
    columns = {(name or "").strip().lower(): name for name in _header(reader)}
    if "prompt" not in columns:
        raise InvalidInput(
            "The CSV needs a “prompt” column (and may have “platforms”, “headline”, "
            "“subline”, “cta” and “brand” columns)."
        )
    platform_column = columns.get("platforms") or columns.get("platform")
    layer_columns = [(name, columns[name]) for name in LAYER_COLUMNS if name in columns]
    lines = []
    for number, row in enumerate(_rows(reader), start=2):
        prompt = (row.get(columns["prompt"]) or "").strip()
        if not prompt:
            continue
        platforms = (
            _SPLIT.split((row.get(platform_column) or "").strip()) if platform_column else []
        )
        cells = ((name, (row.get(column) or "").strip()) for name, column in layer_columns)
        layers = tuple((name, cell) for name, cell in cells if cell)
        lines.append(BatchLine(number, prompt, tuple(p for p in platforms if p), layers))
    return _checked(lines)


def _rows(reader: csv.DictReader) -> Iterator[dict[str, str]]:
    """The rows, or one sentence for the row the csv module can't read (a cell over its
    128 KB limit — no prompt is that long — or a stray line break)."""
    try:
        yield from reader
    except csv.Error as exc:
        too_long = "field larger" in str(exc)
        reason = f"a cell over {csv.field_size_limit() // 1024} KB" if too_long else "not CSV"
        raise InvalidInput(  # the failing row starts after the last one read
            f"Line {reader.line_num + 1} of the CSV can't be read ({reason}); "
            "fix it and try again.",
            detail=str(exc),
        ) from None


def _header(reader: csv.DictReader) -> list[str]:
    try:
        return list(reader.fieldnames or [])
    except csv.Error as exc:
        raise InvalidInput(
            "The CSV's first line (its column names) can't be read; fix it and try again.",
            detail=str(exc),
        ) from None


def read_batch_file(path: Path) -> list[BatchLine]:
    raw = safe_read(path, MAX_FILE_BYTES, "a batch file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} isn't a text file SnapAsset can read (UTF-8).") from None
    return parse_csv(text) if path.suffix.lower() == ".csv" else parse_text(text)


def _checked(lines: list[BatchLine]) -> list[BatchLine]:
    if not lines:
        raise InvalidInput("There are no prompts in that batch.")
    if len(lines) > MAX_BATCH:
        raise InvalidInput(
            f"A batch can hold up to {MAX_BATCH:,} prompts; this one has "
            f"{len(lines):,}. Split it into smaller batches."
        )
    return lines
