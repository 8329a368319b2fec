"""Where a platform's crop goes so the subject lands in the platform's safe area.

The crop is the same largest platform-shaped box `geometry.cover_box` cuts; only its
position changes. It starts centred on the focal point (exactly `cover_box`), then moves
as little as it must so the subject sits inside a safe area (`safe_zones.safe_areas`).
On an expanded canvas it also keeps as much of the original picture as it can. When no
position clears the subject, the crop goes as close as it can and says which part of
the platform's interface covers it ("Subject under the Reels caption area."). The
placement says where the subject shows in the crop, so the text layers drawn on it keep
off the same subject the crop was placed around.

Coordinates: `focus` and `subject` are fractions (0..1) of the canvas being cropped;
boxes are (left, top, right, bottom) in its pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from snapasset_desktop.imaging.geometry import cover_box, cover_crop_size
from snapasset_desktop.safe_zones import (
    FULL_FRAME,
    Rect,
    UnsafeZone,
    hiding,
    safe_areas,
    warning_for,
)

Size = tuple[int, int]
Box = tuple[int, int, int, int]

_ROUNDING_PX = 1.0  # a subject edge a pixel into a zone is rounding, not a cover


class SubjectVisibility:
    """A crop's word on its subject: safe when no zone covers it (or crops it off), else the
    designer's warning naming those zones."""

    hidden_by: tuple[UnsafeZone, ...]

    @property
    def subject_safe(self) -> bool:
        return not self.hidden_by

    @property
    def warning(self) -> str | None:
        return warning_for(self.hidden_by)


@dataclass(frozen=True)
class Placement(SubjectVisibility):
    box: Box  # the crop, in canvas pixels
    hidden_by: tuple[UnsafeZone, ...] = ()  # zones over (or cropping off) the subject
    subject: Rect | None = None  # where the subject shows, as fractions of the crop


def place_crop(
    canvas: Size,
    target: Size,
    focus: tuple[float, float],
    *,
    subject: Rect | None = None,
    zones: Sequence[UnsafeZone] = (),
    keep: Box | None = None,
) -> Placement:
    """The `target`-shaped crop of `canvas` for a subject at `focus` (or in `subject`).

    `zones`: the platform's safe zones; none keeps `cover_box`'s placement. `keep`: the
    original picture's box on an expanded canvas, to lose as little of it as possible.
    """
    if not zones and keep is None:
        box = cover_box(canvas, target, focus)
        return Placement(box, subject=shown_in(subject, canvas, box))
    width, height = _crop_size(canvas, target)
    thing = subject if subject is not None else (focus[0], focus[1], focus[0], focus[1])
    pixels = (
        thing[0] * canvas[0],
        thing[1] * canvas[1],
        thing[2] * canvas[0],
        thing[3] * canvas[1],
    )
    ideal = (focus[0] * canvas[0] - width / 2, focus[1] * canvas[1] - height / 2)
    best: tuple[float, Box] | None = None
    fallback: Box | None = None
    keep_x, keep_y = ((keep[0], keep[2]), (keep[1], keep[3])) if keep else (None, None)
    for area in safe_areas(zones) or [FULL_FRAME]:
        left, fits_x = _axis(
            canvas[0], width, ideal[0], (pixels[0], pixels[2]), (area[0], area[2]), keep_x
        )
        top, fits_y = _axis(
            canvas[1], height, ideal[1], (pixels[1], pixels[3]), (area[1], area[3]), keep_y
        )
        box = (left, top, left + width, top + height)
        fallback = fallback or box  # the largest safe area, as near as it goes
        if fits_x and fits_y:
            moved = abs(left - ideal[0]) + abs(top - ideal[1])
            if best is None or moved < best[0]:
                best = (moved, box)
    chosen = best[1] if best else fallback
    assert chosen is not None  # there is always one area to try
    tolerance = (_ROUNDING_PX / width, _ROUNDING_PX / height)
    hidden = tuple(hiding(zones, _in_crop(thing, canvas, chosen), tolerance))
    return Placement(chosen, hidden, shown_in(subject, canvas, chosen))


def _crop_size(canvas: Size, target: Size) -> Size:
    crop_w, crop_h = cover_crop_size(canvas, target)
    return min(canvas[0], max(1, round(crop_w))), min(canvas[1], max(1, round(crop_h)))


def _axis(
    limit: int,
    length: int,
    ideal: float,
    subject: tuple[float, float],
    safe: tuple[float, float],
    keep: tuple[int, int] | None,
) -> tuple[int, bool]:
    """Start of the crop along one axis, and whether the subject fits its safe span.

    Each wish narrows the starts allowed, in order: inside the canvas; the subject inside
    the safe span; then as much of `keep` as fits. A wish that can't be met pins the
    start as near to it as the earlier wishes allow. The ideal start decides the rest.
    """
    low, high = 0.0, float(limit - length)
    # The starts that put the subject's span inside the safe span of the crop.
    first, last = subject[1] - safe[1] * length, subject[0] - safe[0] * length
    fits = first <= last + _ROUNDING_PX
    if first > last:  # wider than the safe span: centre it there
        first = last = (first + last) / 2
    low, high, reached = _narrow(low, high, first, last)
    if keep is not None:
        # Whole `keep` inside the crop when the crop is longer, else the crop inside `keep`.
        ends = sorted((float(keep[0]), float(keep[1] - length)))
        low, high, _ = _narrow(low, high, ends[0], ends[1])
    start = min(max(round(ideal), round(low)), round(high))
    return min(max(0, start), limit - length), fits and reached


def _narrow(low: float, high: float, first: float, last: float) -> tuple[float, float, bool]:
    """[low, high] ∩ [first, last], or the point of [low, high] nearest to it (and False)."""
    if last < low - _ROUNDING_PX:
        return low, low, False
    if first > high + _ROUNDING_PX:
        return high, high, False
    return max(low, min(first, high)), min(high, max(last, low)), True


def shown_in(subject: Rect | None, canvas: Size, box: Box) -> Rect | None:
    """The part of `subject` (fractions of the canvas) the crop `box` shows, as fractions
    of the crop; None when there is no subject or none of it shows."""
    if subject is None:
        return None
    left, top, right, bottom = (min(1.0, max(0.0, v)) for v in _in_crop(subject, canvas, box))
    return (left, top, right, bottom) if right > left and bottom > top else None


def _in_crop(thing: Rect, canvas: Size, box: Box) -> Rect:
    """`thing` (fractions of the canvas) as fractions of the crop `box`."""
    width, height = box[2] - box[0], box[3] - box[1]
    return (
        (thing[0] * canvas[0] - box[0]) / width,
        (thing[1] * canvas[1] - box[1]) / height,
        (thing[2] * canvas[0] - box[0]) / width,
        (thing[3] * canvas[1] - box[1]) / height,
    )
