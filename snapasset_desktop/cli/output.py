"""How the CLI talks: aligned tables for people, JSON for scripts, one-line errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    line = "  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True))
    print(line.rstrip())
    for row in cells:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


class ProgressLine:
    """A single self-rewriting progress line, only when stderr is a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self._last = ""

    def show(self, percent: float, text: str) -> None:
        if not self.enabled:
            return
        filled = int(percent / 5)
        line = f"[{'#' * filled}{'.' * (20 - filled)}] {percent:5.1f}%  {text}"[:100]
        if line != self._last:
            self.stream.write("\r" + line.ljust(len(self._last)))
            self.stream.flush()
            self._last = line

    def done(self) -> None:
        if self.enabled and self._last:
            self.stream.write("\r" + " " * len(self._last) + "\r")
            self.stream.flush()
            self._last = ""


def fail(message: str, code: int = 1) -> int:
    print(f"snapasset-desktop: {message}", file=sys.stderr)
    return code
