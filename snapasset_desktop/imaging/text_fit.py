"""Fitting text into a box: the largest size whose lines fit, broken so no word is orphaned.

Words are measured once at a reference size and scaled (a font's advances grow with its
size), so trying sizes costs arithmetic, not layout; the size found is then checked with
the real layout of each line (raqm: kerning, ligatures, right-to-left runs) and shrunk
until the ink fits. Lines are balanced — the narrowest width that keeps the same number
of lines — so a headline reads as a block, and a last line of one word takes a second
one from the line above when the width allows; a line fewer wins over at most a fifth
more size, since a headline broken after each word is harder to read. Text with no
spaces (Chinese, Japanese, Thai) breaks between characters. What fits at no size down
to the floor is shortened with an ellipsis, and says so: text never leaves its box.
"""

from __future__ import annotations

import functools
import io
import math
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import ImageFont

from snapasset_desktop.brand.fonts import FontFace, font_data, load_font

_REFERENCE_SIZE = 100
_FEWER_LINES_SIZE = 0.8  # a line fewer is worth up to a fifth of the size
_ELLIPSIS = "…"


@dataclass(frozen=True)
class FittedText:
    lines: tuple[str, ...]
    size: int  # pixels
    line_step: int  # baseline to baseline
    ascent: int
    descent: int
    ink: tuple[tuple[int, int, int, int], ...]  # each line's ink box, from its baseline start
    shortened: bool = False  # words were cut for an ellipsis
    below_minimum: bool = False  # smaller than the slot's readable minimum

    @property
    def width(self) -> int:
        return max((right - left for left, _, right, _ in self.ink), default=0)

    @property
    def height(self) -> int:
        """From the first line's ascent to the last one's descent, or its ink if lower."""
        if not self.lines:
            return 0
        last = max(self.descent, self.ink[-1][3])
        top = min(-self.ascent, self.ink[0][1])
        return (len(self.lines) - 1) * self.line_step + last - top


@dataclass(frozen=True)
class _Token:
    text: str
    joined: bool  # no space before it (a character of unspaced text, or the first word)


def fit_text(
    text: str,
    face: FontFace,
    box: tuple[int, int],
    *,
    max_size: int,
    min_size: int,
    floor: int,
    max_lines: int,
    line_spacing: float = 1.15,
) -> FittedText:
    """The largest size from `max_size` down to `floor` at which `text` fits `box` — or,
    within a fifth of it, the largest on fewer lines.

    Sizes below `min_size` are flagged `below_minimum`. At `floor` a word too long for
    the box breaks inside; what still doesn't fit is cut, with an ellipsis.
    """
    tokens = _tokens(text)
    max_size = max(floor, min(max_size, round(box[1] / _metrics(face)[2])))
    fitted = _largest(tokens, face, box, max_size, floor, max_lines, line_spacing)
    while fitted is not None and len(fitted.lines) > 1:
        # One line fewer reads better than a little more size ("Run / further").
        least = max(floor, math.ceil(_FEWER_LINES_SIZE * fitted.size))
        lines = len(fitted.lines) - 1
        fewer = _largest(
            tokens, face, box, fitted.size, least, lines, line_spacing, try_floor=False
        )
        if fewer is None:
            break
        fitted = fewer
    if fitted is not None:
        return _flagged(fitted, min_size)
    broken = _broken_words(tokens)
    fitted = _laid_out(broken, face, floor, box, max_lines, line_spacing)
    if fitted is None:
        fitted = _shortened(broken, face, box, floor, max_lines, line_spacing)
    return _flagged(fitted, min_size)


def _largest(
    tokens: tuple[_Token, ...],
    face: FontFace,
    box: tuple[int, int],
    max_size: int,
    floor: int,
    max_lines: int,
    line_spacing: float,
    *,
    try_floor: bool = True,
) -> FittedText | None:
    """The largest size from `max_size` down to `floor` whose whole words fit; None if none.

    Where the words' scaled widths fit at no size, only `floor` is laid out (the real
    layout can be a little narrower), and only if `try_floor`."""
    start = _estimate(tokens, face, box, max_size, floor, max_lines, line_spacing)
    if start is None:
        if not try_floor:
            return None
        start = floor
    for size in range(start, floor - 1, -1):
        fitted = _laid_out(tokens, face, size, box, max_lines, line_spacing)
        if fitted is not None:
            return fitted
    return None


def _flagged(fitted: FittedText, min_size: int) -> FittedText:
    return fitted if fitted.size >= min_size else replace(fitted, below_minimum=True)


def _estimate(
    tokens: tuple[_Token, ...],
    face: FontFace,
    box: tuple[int, int],
    max_size: int,
    floor: int,
    max_lines: int,
    line_spacing: float,
) -> int | None:
    """The largest size that fits by scaled reference widths; None if none does."""
    ascent, descent, _ = _metrics(face)
    low, high, best = floor, max_size, None
    while low <= high:
        middle = (low + high) // 2
        scale = middle / _REFERENCE_SIZE
        lines = _wrap(tokens, face, box[0] / scale, max_lines)
        tall = (len(lines) - 1) * middle * line_spacing + (ascent + descent) * scale
        if lines and len(lines) <= max_lines and tall <= box[1]:
            best, low = middle, middle + 1
        else:
            high = middle - 1
    return best


def _laid_out(
    tokens: tuple[_Token, ...],
    face: FontFace,
    size: int,
    box: tuple[int, int],
    max_lines: int,
    line_spacing: float,
) -> FittedText | None:
    """`tokens` wrapped at `size`, measured with the real layout; None when they don't fit."""
    scale = size / _REFERENCE_SIZE
    lines = _wrap(tokens, face, box[0] / scale, max_lines)
    if not lines or len(lines) > max_lines:
        return None
    ascent, descent = load_font(face, size).getmetrics()
    fitted = FittedText(
        lines=tuple(lines),
        size=size,
        line_step=round(size * line_spacing),
        ascent=ascent,
        descent=descent,
        ink=tuple(_ink(face, size, line) for line in lines),
    )
    return fitted if fitted.width <= box[0] and fitted.height <= box[1] else None


def _shortened(
    tokens: tuple[_Token, ...],
    face: FontFace,
    box: tuple[int, int],
    size: int,
    max_lines: int,
    line_spacing: float,
) -> FittedText:
    """The longest start of `tokens`, with an ellipsis, that fits at `size`."""
    for count in range(len(tokens) - 1, 0, -1):
        head = _joined(tokens[:count]).rstrip(" ,;:-–—") + _ELLIPSIS
        fitted = _laid_out(_tokens(head), face, size, box, max_lines, line_spacing)
        if fitted is not None:
            return replace(fitted, shortened=True)
    return FittedText((), size, round(size * line_spacing), 0, 0, (), shortened=True)


@functools.lru_cache(maxsize=256)
def _tokens(text: str) -> tuple[_Token, ...]:
    tokens: list[_Token] = []
    for word in text.split(" "):
        if not word:
            continue
        if _unspaced(word):
            tokens += [
                _Token(cluster, joined=position > 0 or not tokens)
                for position, cluster in enumerate(_clusters(word))
            ]
        else:
            tokens.append(_Token(word, joined=not tokens))
    return tuple(tokens)


def _broken_words(tokens: tuple[_Token, ...]) -> tuple[_Token, ...]:
    """Every word as its characters, so a line may break inside a word (the last resort)."""
    return tuple(
        _Token(cluster, joined=token.joined or position > 0)
        for token in tokens
        for position, cluster in enumerate(_clusters(token.text))
    )


def _unspaced(word: str) -> bool:
    """Scripts written without spaces between words break between any two characters."""
    return len(word) > 1 and any(_is_unspaced_char(c) for c in word)


def _is_unspaced_char(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR"))


def _clusters(word: str) -> list[str]:
    """Characters with their combining marks, so no break separates a mark from its letter."""
    clusters: list[str] = []
    for char in word:
        if clusters and unicodedata.category(char) in ("Mn", "Mc", "Me"):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _joined(tokens: Sequence[_Token]) -> str:
    return "".join(
        t.text if t.joined or index == 0 else " " + t.text for index, t in enumerate(tokens)
    )


def _wrap(tokens: tuple[_Token, ...], face: FontFace, width: float, max_lines: int) -> list[str]:
    """Balanced lines for `width` (at the reference size); [] when a token alone is wider."""
    if not tokens:
        return []
    widths = [_reference_width(face, t.text) for t in tokens]
    space = _reference_width(face, " ")
    if max(widths) > width:
        return []
    lines = _greedy(tokens, widths, space, width)
    if 1 < len(lines) <= max_lines:
        # The narrowest width that keeps as many lines: lines of even length.
        count, low, high = len(lines), max(widths), width
        for _ in range(12):
            middle = (low + high) / 2
            if len(_greedy(tokens, widths, space, middle)) <= count:
                high = middle
            else:
                low = middle
        lines = _without_orphan(_greedy(tokens, widths, space, high), tokens, widths, space, width)
    return [_joined([tokens[i] for i in line]) for line in lines]


def _greedy(
    tokens: tuple[_Token, ...], widths: list[float], space: float, width: float
) -> list[list[int]]:
    """Lines as lists of token indices, each filled as far as `width` allows."""
    lines: list[list[int]] = []
    used = 0.0
    for index, token in enumerate(tokens):
        gap = 0.0 if token.joined else space
        if lines and used + gap + widths[index] <= width:
            lines[-1].append(index)
            used += gap + widths[index]
        else:
            lines.append([index])
            used = widths[index]
    return lines


def _without_orphan(
    lines: list[list[int]],
    tokens: tuple[_Token, ...],
    widths: list[float],
    space: float,
    width: float,
) -> list[list[int]]:
    """A last line of one word takes the last word of the line above, when it fits."""
    if len(lines) < 2 or len(lines[-1]) != 1 or len(lines[-2]) < 3:
        return lines
    moved, last = lines[-2][-1], lines[-1][0]
    gap = 0.0 if tokens[last].joined else space
    if widths[moved] + gap + widths[last] > width:
        return lines
    return [*lines[:-2], lines[-2][:-1], [moved, last]]


@functools.lru_cache(maxsize=4096)
def _ink(face: FontFace, size: int, line: str) -> tuple[int, int, int, int]:
    """A line's ink box from its baseline start; platforms of one width share their lines."""
    # Whole pixels at run time; Pillow's stubs say float for the fractional layouts.
    left, top, right, bottom = load_font(face, size).getbbox(line, anchor="ls")
    return int(left), int(top), int(right), int(bottom)


_reference_lock = threading.Lock()


def _reference_width(face: FontFace, text: str) -> float:
    return _measured(face.path, text)


@functools.lru_cache(maxsize=8192)
def _measured(path: Path, text: str) -> float:
    with _reference_lock:  # one reference font per file, shared by threads: take turns
        return _reference_font(path).getlength(text)


@functools.lru_cache(maxsize=32)
def _reference_font(path: Path) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(io.BytesIO(font_data(path)), _REFERENCE_SIZE)


def _metrics(face: FontFace) -> tuple[float, float, float]:
    """Ascent and descent at the reference size, and the line height per pixel of size."""
    with _reference_lock:
        ascent, descent = _reference_font(face.path).getmetrics()
    return ascent, descent, (ascent + descent) / _REFERENCE_SIZE
