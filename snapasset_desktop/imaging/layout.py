"""Where each layer goes on one platform: slots inside its safe area, clear of the subject.

The safe area (`safe_zones.safe_area`, the whole frame where a platform has no zones) is
inset by a margin, and a layout family arranges the slots in it by the frame's shape:

- tall (stories, TikTok, pins): the headline in the upper third, the subline under it,
  the call to action and the logo along the bottom of the safe area, centred;
- square (posts): the words in the upper part, the call to action and the logo in a row
  along the bottom, aligned to the start of the text;
- wide (link cards, X and LinkedIn posts) and banners (headers, covers): a column to one
  side of the subject, words above a row holding the call to action and the logo;
- thumbnail (YouTube): few, big words in a column beside the subject, and the logo.

Words keep off the subject as far as their least room allows (a column narrows, a band
shortens), and each family has two arrangements (top or bottom, one side or the other):
the one whose slots cover less of the subject wins, the first on a tie. Sizes are in
phone points (a phone shows about 390 across the part of the frame it crops to), so a
minimum means the same legibility on every platform. All arithmetic: a layout takes
microseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from snapasset_desktop.platforms import Platform
from snapasset_desktop.safe_zones import Rect, safe_area, zones_for

Box = tuple[int, int, int, int]

THUMBNAILS = frozenset({"youtube-thumbnail"})
_PHONE_POINTS = 390  # a phone shows a post, story or banner about this many points wide
_MARGIN = 0.04  # of the safe area's short side, inside it
_SUBLINE_ROOM = 400  # pixels of safe height a banner needs to hold a subline as well
_GAP = 0.02  # between slots, of the safe area's short side
_PAD = 0.015  # inside a slot, around letters, for a plate or a button
_BUTTON_HEIGHT = 2.2  # a button's height for its letters' size: line height and padding
_CREST = 0.7  # a logo over the words: this much of the button's row


@dataclass(frozen=True)
class SlotSizes:
    """Font sizes in pixels: `min_size` reads well on a phone, `floor` is the least drawn."""

    max_size: int
    min_size: int
    floor: int
    max_lines: int


@dataclass(frozen=True)
class Slot:
    box: Box
    align: str  # "start", "centre" or "end" (start follows the text's direction)
    anchor: str  # "top", "middle" or "bottom": where the text sits in the box
    sizes: SlotSizes


@dataclass(frozen=True)
class Layout:
    family: str
    safe: Box  # the safe area less the margin, in pixels
    slots: Mapping[str, Slot]  # by layer name: headline, subline, cta, logo
    left_out: Mapping[str, str]  # layers this family doesn't draw, and why
    gap: int
    pad: int  # room kept inside each slot for a plate or a button around the text
    frame: tuple[int, int]
    shown: float  # the share of the frame's width a phone shows

    def slot_at(self, layer: str, box: Box) -> Slot:
        """The slot for `layer` moved to `box` by the designer, sized as the layout sizes it."""
        template = self.slots.get(layer)
        sizes = template.sizes if template else _sizes(layer, self.family, self.frame, self.shown)
        align = template.align if template else "start"
        return Slot(box, align, "top", sizes)


def family_of(platform: Platform) -> str:
    """The layout family: by the frame's shape, and the safe area's for wide frames."""
    if platform.id in THUMBNAILS:
        return "thumbnail"
    if platform.aspect < 0.7:
        return "tall"
    left, top, right, bottom = safe_area(platform)
    shape = (right - left) * platform.width / ((bottom - top) * platform.height)
    if shape < 1.3:
        return "square"
    return "wide" if shape < 2.4 else "banner"


def plan_layout(
    platform: Platform,
    layers: frozenset[str] | set[str],
    *,
    subject: Rect | None = None,
    rtl: bool = False,
) -> Layout:
    """The slots of `layers` (names) on `platform`, away from `subject` (frame fractions)."""
    width, height = platform.size
    area = safe_area(platform)
    pixels = to_pixels(area, (width, height))
    short = min(pixels[2] - pixels[0], pixels[3] - pixels[1])
    margin = round(_MARGIN * short)
    safe = (pixels[0] + margin, pixels[1] + margin, pixels[2] - margin, pixels[3] - margin)
    family = family_of(platform)
    shown = _shown_width(platform)
    left_out = _left_out(family, layers, safe)
    pad = max(2, round(_PAD * short))
    button = _sizes("cta", family, (width, height), shown).min_size  # a readable button
    room = _Room(
        safe=safe,
        layers=frozenset(layers) - left_out.keys(),
        gap=max(2, round(_GAP * short)),
        frame=(width, height),
        rtl=rtl,
        subject=to_pixels(subject, (width, height)) if subject else None,
        least_row=round(_BUTTON_HEIGHT * button) + 2 * pad,
    )
    best = min(_ARRANGEMENTS[family](room), key=room.covered)
    slots = {
        name: Slot(box, align, anchor, _sizes(name, family, (width, height), shown))
        for name, (box, align, anchor) in best.items()
        if name in room.layers
    }
    return Layout(family, safe, slots, left_out, room.gap, pad, (width, height), shown)


_Placed = dict[str, tuple[Box, str, str]]  # layer → (box, align, anchor)


@dataclass(frozen=True)
class _Room:
    """What an arrangement works with: the safe box, the layers, and where the subject is."""

    safe: Box
    layers: frozenset[str]
    gap: int
    frame: tuple[int, int]
    rtl: bool
    subject: Box | None
    least_row: int  # a row that holds a call to action at its least readable size

    def covered(self, placed: _Placed) -> int:
        """Pixels of the subject under the slots' boxes."""
        if self.subject is None:
            return 0
        return sum(overlap(box, self.subject) for box, _, _ in placed.values())

    def above_subject(self, bottom: int, least: int) -> int:
        """`bottom` raised to clear the subject, but not above `least`."""
        if self.subject is None or self.subject[1] - self.gap >= bottom:
            return bottom
        return max(least, self.subject[1] - self.gap)

    def below_subject(self, top: int, most: int) -> int:
        """`top` lowered to clear the subject, but not below `most`."""
        if self.subject is None or self.subject[3] + self.gap <= top:
            return top
        return min(most, self.subject[3] + self.gap)


def _tall(room: _Room) -> list[_Placed]:
    x0, y0, x1, y1 = room.safe
    tall = room.frame[1]
    row_height = round(0.07 * tall)
    crest, below_crest, room = _crested(room, room.safe, row_height, "centre")
    row = _row(room, room.safe, row_height, "centre")
    # The headline ends at the upper third, or as much lower as the logo above it takes.
    third = max(round(tall / 3), y0 + round(0.2 * (y1 - y0))) + below_crest - y0
    words = third
    if "subline" in room.layers:
        words = room.above_subject(third + round(0.09 * tall), third + round(0.05 * tall))
    top = _stack((x0, below_crest, x1, min(words, y1)), room.layers, third)
    bottom_edge = _row_top(row, y1) - room.gap
    start = room.below_subject(bottom_edge - round(0.28 * tall), bottom_edge - round(0.16 * tall))
    bottom = _stack((x0, max(below_crest, start), x1, bottom_edge), room.layers, None, "bottom")
    return [
        _aligned({**crest, **top, **row}, "centre"),
        _aligned({**crest, **bottom, **row}, "centre"),
    ]


def _crested(room: _Room, region: Box, row_height: int, align: str) -> tuple[_Placed, int, _Room]:
    """With a button and a logo, the logo over the words at the top of `region`, so the
    button has the bottom row to itself (beside it, the logo squeezed a long call to
    action below a readable size; under it, the two rose onto a story's subject).
    The logo's slot (or none), where the words may start, and the room for the row."""
    if not {"cta", "logo"} <= room.layers:
        return {}, region[1], room
    x0, y0, x1, _ = region
    height = round(_CREST * max(row_height, room.least_row))
    width = min(3 * height, round(0.28 * (x1 - x0)))
    starts = {"centre": (x0 + x1 - width) // 2, "start": x1 - width if room.rtl else x0}
    left = starts[align]
    crest: _Placed = {"logo": ((left, y0, left + width, y0 + height), align, "middle")}
    return crest, y0 + height + room.gap, replace(room, layers=room.layers - {"logo"})


def _square(room: _Room) -> list[_Placed]:
    x0, y0, x1, y1 = room.safe
    high = y1 - y0
    row = _row(room, room.safe, round(0.11 * high), "start")
    top_edge = room.above_subject(y0 + round(0.45 * high), y0 + round(0.3 * high))
    top = _stack((x0, y0, x1, top_edge), room.layers, None)
    bottom_edge = _row_top(row, y1) - room.gap
    start = room.below_subject(bottom_edge - round(0.45 * high), bottom_edge - round(0.3 * high))
    bottom = _stack((x0, start, x1, bottom_edge), room.layers, None, "bottom")
    return [_aligned({**top, **row}, "start"), _aligned({**bottom, **row}, "start")]


def _columns(
    widest: float, row_share: float, *, crested: bool = False
) -> Callable[[_Room], list[_Placed]]:
    """A column beside the subject on either side, at most `widest` of the safe width;
    `crested`: a logo heads the column when there is a button, which keeps the row."""

    def arrange(room: _Room) -> list[_Placed]:
        found = []
        for side in _sides(room, widest):
            height = round(row_share * (side[3] - side[1]))
            crest, top, in_row = (
                _crested(room, side, height, "start") if crested else ({}, side[1], room)
            )
            row = _row(in_row, side, height, "start")
            words = (side[0], top, side[2], _row_top(row, side[3]) - room.gap)
            found.append(_aligned({**crest, **_stack(words, room.layers, None), **row}, "start"))
        return found

    return arrange


def _thumbnail(room: _Room) -> list[_Placed]:
    y0, y1 = room.safe[1], room.safe[3]
    logo = round(0.11 * room.frame[1])
    found = []
    for left, _, right, _ in _sides(room, 0.62, narrowest=0.5):
        placed: _Placed = {}
        top = y0
        if "logo" in room.layers:
            placed["logo"] = ((left, y0, min(right, left + 3 * logo), y0 + logo), "start", "top")
            top = y0 + logo + room.gap
        placed["headline"] = ((left, top, right, y1), "start", "middle")
        found.append(placed)
    return found


def _sides(room: _Room, widest: float, narrowest: float = 0.38) -> list[Box]:
    """A column at the start and one at the end of the safe box, each as wide as the room
    beside the subject allows (between `narrowest` and `widest` of the safe width)."""
    x0, y0, x1, y1 = room.safe
    span = x1 - x0
    least, most = round(narrowest * span), round(widest * span)
    if room.subject is None:
        left_width = right_width = most
    else:
        left_width = min(most, max(least, room.subject[0] - room.gap - x0))
        right_width = min(most, max(least, x1 - room.subject[2] - room.gap))
    sides = [(x0, y0, x0 + left_width, y1), (x1 - right_width, y0, x1, y1)]
    return sides[::-1] if room.rtl else sides


def _stack(region: Box, layers: frozenset[str], split: int | None, anchor: str = "top") -> _Placed:
    """Headline over subline in `region`: split at `split`, or 70/30."""
    x0, y0, x1, y1 = region
    if "subline" not in layers:
        return {"headline": ((x0, y0, x1, y1), "start", anchor)}
    cut = split if split is not None and y0 < split < y1 else y0 + round(0.7 * (y1 - y0))
    # A stack at the bottom still reads top down: the subline hangs under the headline.
    return {
        "headline": ((x0, y0, x1, cut), "start", anchor),
        "subline": ((x0, cut, x1, y1), "start", "top"),
    }


def _row(room: _Room, region: Box, height: int, align: str) -> _Placed:
    """The call to action and the logo side by side along the bottom of `region`; a
    centred row holds one of them, centred (`_tall` sets the logo over the words when
    there is a button)."""
    x0, _, x1, y1 = region
    top = y1 - max(height, room.least_row)
    placed: _Placed = {}
    if "logo" in room.layers:
        width = min(3 * height, round(0.28 * (x1 - x0)))
        if align == "centre":
            left, logo_align = (x0 + x1 - width) // 2, "centre"
        else:
            left, logo_align = (x0 if room.rtl else x1 - width), "end"  # at the row's end
        placed["logo"] = ((left, top, left + width, y1), logo_align, "middle")
    if "cta" in room.layers:
        # The slot is the room a button may take; the button itself hugs its words, so a
        # long call to action ("Shop the collection") keeps a readable size.
        logo = placed.get("logo")
        width = x1 - x0 - (logo[0][2] - logo[0][0] + room.gap if logo else 0)
        left = x1 - width if room.rtl else x0
        placed["cta"] = ((left, top, left + width, y1), align, "middle")
    return placed


def _row_top(row: _Placed, fallback: int) -> int:
    return min((box[1] for box, _, _ in row.values()), default=fallback)


def _aligned(placed: _Placed, align: str) -> _Placed:
    return {
        name: (box, align if name in ("headline", "subline") else slot_align, anchor)
        for name, (box, slot_align, anchor) in placed.items()
    }


_ARRANGEMENTS: dict[str, Callable[[_Room], list[_Placed]]] = {
    "tall": _tall,
    "square": _square,
    "wide": _columns(0.55, 0.16, crested=True),
    "banner": _columns(0.62, 0.3),
    "thumbnail": _thumbnail,
}


def _left_out(family: str, layers: frozenset[str] | set[str], safe: Box) -> dict[str, str]:
    out = {}
    if family == "thumbnail":
        for name in ("subline", "cta"):
            if name in layers:
                out[name] = "thumbnails read best with a few big words"
    elif family == "banner" and "subline" in layers and safe[3] - safe[1] < _SUBLINE_ROOM:
        out["subline"] = "the banner has no room for it"
    return out


# Font sizes by layer, in phone points: the largest, the least that reads well, the least drawn.
_POINTS = {
    "headline": (34, 16, 10),
    "subline": (22, 12, 9),
    "cta": (20, 13, 9),
    "logo": (0, 0, 0),
}
_LINES = {
    "tall": {"headline": 4, "subline": 3},
    "square": {"headline": 4, "subline": 3},
    "wide": {"headline": 3, "subline": 2},
    "banner": {"headline": 2, "subline": 1},
    "thumbnail": {"headline": 3, "subline": 1},
}


def _sizes(layer: str, family: str, frame: tuple[int, int], shown: float) -> SlotSizes:
    per_point = shown * frame[0] / _PHONE_POINTS
    largest, readable, least = (round(p * per_point) for p in _POINTS[layer])
    if family == "thumbnail" and layer == "headline":
        readable = round(24 * per_point)  # few, big words: read at a glance in a list
    if family == "tall" and layer == "headline":
        largest = round(44 * per_point)  # a story fills the phone: its headline may too
    lines = 1 if layer in ("cta", "logo") else _LINES[family][layer]
    least = max(12, least)
    return SlotSizes(max(least, largest), max(least, readable), least, lines)


def _shown_width(platform: Platform) -> float:
    """The share of the frame's width the narrowest view shows (a phone's crop of a banner)."""
    crops = [zone.rect for zone in zones_for(platform) if zone.kind == "crop"]
    return min((right - left for left, _, right, _ in crops), default=1.0)


def to_pixels(rect: Rect, frame: tuple[int, int]) -> Box:
    """`rect`, in fractions of the frame, as a box of the frame's pixels."""
    return (
        round(rect[0] * frame[0]),
        round(rect[1] * frame[1]),
        round(rect[2] * frame[0]),
        round(rect[3] * frame[1]),
    )


def overlap(a: Box, b: Box) -> int:
    """The area two boxes share, in pixels."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(0, width) * max(0, height)
