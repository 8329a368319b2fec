"""Export file names from a template such as "{prompt_slug}_{platform}_{width}x{height}".

A template is checked before anything is written: only known fields, no
formatting tricks, and every name must stay inside the export folder and be
legal on Windows, macOS and Linux alike (the files may be shared).
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library.models import AssetRecord

DEFAULT_TEMPLATE = "{prompt_slug}_{platform}_{width}x{height}"
FIELDS = ("date", "prompt_slug", "platform", "width", "height", "job", "n", "format", "ext")
SLUG_LENGTH = 40
# Bytes of UTF-8 (file systems count bytes, not characters: "é" is two), leaving room for
# " (12)" and the extension under the usual 255-byte limit.
_MAX_PART = 180
_MAX_DEPTH = 8  # subfolders a template may make: each part's bound then bounds the whole path
_WORD_END = re.compile(r"[\s_\-.,;]")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
_FORBIDDEN = set('<>:"|?*')
_SAMPLE = {
    "date": "2026-01-31",
    "prompt_slug": "a-sample-prompt",
    "platform": "instagram-square",
    "width": "1080",
    "height": "1080",
    "job": "j_20260131_120000000_abc123",
    "n": "01",
    "format": "png",
    "ext": "png",
}


def slugify(text: str, max_length: int = SLUG_LENGTH) -> str:
    """ASCII words joined by dashes: "Café at dusk!" → "cafe-at-dusk". A long prompt ends
    with its last whole word that fits ("…-over-a", not "…-over-a-c") when one ends in the
    last third, as `shorten` cuts a name."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        end = slug.rfind("-", 0, max_length + 1)  # a dash just past the limit: a whole word
        slug = slug[:end] if end >= max_length * 2 // 3 else slug[:max_length]
    return slug.rstrip("-") or "image"


def extension(fmt: str) -> str:
    return "jpg" if fmt == "jpeg" else fmt


def validate_template(template: str) -> None:
    """Refuse a template that could name a file badly; the message says how to fix it."""
    if not isinstance(template, str) or not template.strip():
        raise InvalidInput("The file name pattern is empty — try “{prompt_slug}_{platform}”.")
    if any(ord(char) < 32 or ord(char) == 127 for char in template):
        raise InvalidInput("The file name pattern contains invisible control characters.")
    if "\\" in template:
        raise InvalidInput("Use “/” for subfolders in the file name pattern, not “\\”.")
    if template.startswith(("/", "~")):
        raise InvalidInput(
            "The file name pattern must stay inside the destination folder — remove the leading "
            f"“{template[0]}”."
        )
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise InvalidInput(
            "The file name pattern has an unmatched “{” or “}” — fields look like {platform}."
        ) from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in FIELDS:
            allowed = ", ".join(f"{{{field}}}" for field in FIELDS)
            shown = f"{{{name}}}" if name else "{}"
            raise InvalidInput(f"{shown} is not a field SnapAsset knows. Use {allowed}.")
        if spec or conversion:
            raise InvalidInput(f"Write {{{name}}} plainly, without “:” or “!” formatting.")
    bad = sorted(_FORBIDDEN.intersection("".join(literal for literal, *_ in parsed)))
    if bad:
        raise InvalidInput(
            f"File names can't contain {' '.join(bad)} — remove them from the pattern."
        )
    parts = template.format_map(_SAMPLE).split("/")
    if len(parts) > _MAX_DEPTH + 1:
        raise InvalidInput(f"The file name pattern can make at most {_MAX_DEPTH} subfolders.")
    for part in parts:
        _check_part(part)


def _check_part(part: str) -> None:
    if not part.strip():
        raise InvalidInput("The file name pattern makes an empty file or folder name.")
    if part.strip() in (".", ".."):
        raise InvalidInput(
            "The file name pattern must stay inside the destination folder — "
            f"remove “{part.strip()}”."
        )
    if part.split(".")[0].strip().upper() in _RESERVED:
        raise InvalidInput(f"“{part}” is a name Windows reserves — pick another.")


def render(template: str, asset: AssetRecord, index: int, count: int, fmt: str) -> str:
    """The relative file name (with "/" for subfolders, without extension) for one asset."""
    made = datetime.fromtimestamp(asset.job_created_at or asset.created_at)
    values = {
        "date": f"{made:%Y-%m-%d}",
        "prompt_slug": slugify(asset.prompt),
        "platform": asset.platform,
        "width": str(asset.width),
        "height": str(asset.height),
        "job": asset.job_id,
        "n": str(index + 1).zfill(len(str(count))),
        "format": fmt,
        "ext": extension(fmt),
    }
    # Values come from the library; make sure none can add a folder or an illegal character.
    values = {key: re.sub(r'[/\\<>:"|?*\x00-\x1f]', "-", value) for key, value in values.items()}
    return "/".join(_tidy_part(part) for part in template.format_map(values).split("/"))


def _tidy_part(part: str) -> str:
    # Windows drops trailing dots and spaces, which would merge names that differ only there.
    part = shorten(part, _MAX_PART).rstrip(" .") or "image"
    if part.split(".")[0].strip().upper() in _RESERVED:
        part = f"{part}_"
    return part


def shorten(text: str, max_bytes: int) -> str:
    """`text` cut to at most `max_bytes` of UTF-8, never inside a character, and at the end
    of a word when one ends in the last third."""
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    cut = raw[:max_bytes].decode("utf-8", "ignore")
    ends = [m.start() for m in _WORD_END.finditer(cut) if m.start() >= len(cut) * 2 // 3]
    return cut[: ends[-1]] if ends else cut


class UniqueNames:
    """Hands out names, adding " (2)", " (3)"… on a clash, compared without case
    (macOS and Windows folders ignore it). `taken` reports names already on disk."""

    def __init__(self, taken: Callable[[str], bool] | None = None) -> None:
        self._used: set[str] = set()
        self._taken = taken or (lambda name: False)

    def claim(self, stem: str, suffix: str, *, taken: Callable[[str], bool] | None = None) -> str:
        """A free name; `taken` replaces the names-on-disk check for this one claim."""
        on_disk = taken or self._taken
        candidate = f"{stem}{suffix}"
        number = 1
        while candidate.casefold() in self._used or on_disk(candidate):
            number += 1
            candidate = f"{stem} ({number}){suffix}"
        self._used.add(candidate.casefold())
        return candidate


def preview(
    template: str,
    assets: Sequence[AssetRecord],
    fmt: str | None,
    count: int,
    *,
    format_of: Callable[[AssetRecord, str], str] | None = None,
) -> list[str]:
    """The first `count` names an export would write (clashes inside the export resolved).
    `format_of(asset, asked)`: the format it will really be written in, if not `asked`."""
    validate_template(template)
    names = UniqueNames()
    result = []
    for index, asset in enumerate(assets[:count]):
        out = fmt or asset.format
        out = format_of(asset, out) if format_of else out
        result.append(
            names.claim(render(template, asset, index, len(assets), out), f".{extension(out)}")
        )
    return result
