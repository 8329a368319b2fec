"""The fit planner: for each platform, crop the source or expand it — and which expansions.

Fit policies: `cover` crops every platform (the crop placed by `placement`); `contain`
pads; `expand` extends the source to every platform's shape; `auto` crops where the crop
keeps the picture (it discards at most `threshold` of the source and the subject stays
in the safe area) and expands the rest.

Expansions are planned per shape group, not per platform: the platforms that must grow
the source the same way and whose shapes are alike (tall, square-ish, wide, banner)
share one canvas, as extreme as the group's most extreme member so every member crops
from it without losing any of the source. The image model paints 1:3 to 3:1 (fixed-size
models only 2:3 to 3:2), so a wider banner crops the last bit from a 3:1 canvas. The
canvas is the source's own scale (its pixels are pasted back one for one); `request` is
the size the model paints it at, within the model's size rules.

Pure arithmetic on sizes: the plan is cheap, deterministic and can be recomputed at any
time (a retry, a redo, a platform switched back to crop) from the same inputs.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.geometry import contain_frame, crop_loss
from snapasset_desktop.imaging.placement import (
    Box,
    Placement,
    Size,
    SubjectVisibility,
    place_crop,
    shown_in,
)
from snapasset_desktop.imaging.planning import (
    FIXED_SIZES,
    MAX_ASPECT,
    MAX_LONG_SIDE,
    MAX_PIXELS,
    MAX_SHORT_SIDE,
    MIN_PIXELS,
    STANDARD_MAX_PIXELS,
    STEP,
    supports_arbitrary_sizes,
)
from snapasset_desktop.platforms import Platform
from snapasset_desktop.safe_zones import Rect, UnsafeZone, zones_for

FITS = ("auto", "cover", "expand", "contain")
_FIT_NAMES = {"crop": "cover"}
LOSS_THRESHOLD = 0.15
MIN_GAIN = 0.01  # an expansion must add at least 1 % of the picture to be worth a call
_OFFSETS = 16  # source positions tried along a canvas (plus the centre)
_STRETCH = 1.15  # each more extreme canvas tried for a subject near an edge …
_STRETCHES = 3  # … up to this many times


@dataclass(frozen=True)
class ShapeGroup:
    key: str
    label: str  # "Expanding for tall formats"
    below: float  # aspects (width / height) under this belong here, unless a group before


SHAPE_GROUPS = (
    ShapeGroup("tall", "tall formats", 0.7),
    ShapeGroup("square", "square-ish formats", 1.43),
    ShapeGroup("wide", "wide formats", 2.5),
    ShapeGroup("banner", "banners", math.inf),
)


def shape_group(aspect: float) -> ShapeGroup:
    return next(group for group in SHAPE_GROUPS if aspect < group.below)


@dataclass(frozen=True)
class Expansion:
    """One call to the image API's edit endpoint: the source placed on a larger canvas."""

    key: str  # "tall", "square", "wide", "banner" (with "-taller"/"-wider" if a group splits)
    label: str
    platform_ids: tuple[str, ...]
    canvas: Size  # the expanded picture, at the source's scale
    source_box: Box  # where the source sits on the canvas, pixel for pixel
    request: Size  # the size the model paints the canvas at

    @property
    def size_param(self) -> str:
        return f"{self.request[0]}x{self.request[1]}"


@dataclass(frozen=True)
class PlatformFit(SubjectVisibility):
    platform_id: str
    fit: str  # "cover", "expand" or "contain"
    box: Box | None  # the crop: on the source, or on the expansion's canvas; None for contain
    kept: float  # share of the source's picture in the asset
    expansion: str | None = None  # key of the expansion it crops from
    hidden_by: tuple[UnsafeZone, ...] = ()
    # Where the subject shows in the platform's picture (fractions of it): what its crop
    # was placed around, and what its text layers keep off.
    subject: Rect | None = None


@dataclass(frozen=True)
class PlatformOverride:
    """What the designer set for one platform against the job's fit policy."""

    platform_id: str
    crop: bool = False  # switched back to crop, whatever the policy says
    focus: tuple[float, float] | None = None  # its own focal point (fractions of the source)


@dataclass(frozen=True)
class CompositionPlan:
    fit: str
    source: Size
    platforms: tuple[PlatformFit, ...]
    expansions: tuple[Expansion, ...]

    def platform(self, platform_id: str) -> PlatformFit:
        return next(p for p in self.platforms if p.platform_id == platform_id)

    def expansion(self, key: str) -> Expansion:
        return next(e for e in self.expansions if e.key == key)

    def subjects(self) -> dict[str, Rect | None]:
        """Where the subject shows in each platform's picture, by platform id."""
        return {p.platform_id: p.subject for p in self.platforms}


def parse_fit(value: str) -> str:
    """ "auto", "cover" (or "crop"), "expand" or "contain"; anything else is refused."""
    name = str(value).strip().lower()
    name = _FIT_NAMES.get(name, name)
    if name not in FITS:
        raise InvalidInput(
            f"Fit is “auto”, “cover” (crop), “expand” or “contain” (pad), not “{value}”."
        )
    return name


def plan_composition(
    source: Size,
    platforms: Sequence[Platform],
    *,
    fit: str = "auto",
    focus: tuple[float, float] = (0.5, 0.5),
    subject: Rect | None = None,
    threshold: float = LOSS_THRESHOLD,
    model: str = "gpt-image-2",
    cover_only: Collection[str] = (),
) -> CompositionPlan:
    """How each platform gets its picture from a `source` of this size (see the module doc).

    `focus` and `subject` are fractions of the source. `cover_only`: platforms that crop
    whatever the policy says (switched back to crop, or their expansion was refused).
    """
    fit = parse_fit(fit)
    if not 0 <= threshold < 1:
        raise InvalidInput("The crop threshold is a share of the picture from 0 to 1.")
    fits: dict[str, PlatformFit] = {}
    wanting: dict[tuple[str, bool], list[Platform]] = {}
    for platform in platforms:
        if fit == "contain":
            frame = contain_frame(source, platform.size)
            shown = shown_in(subject, source, frame)
            fits[platform.id] = PlatformFit(platform.id, "contain", None, 1.0, subject=shown)
            continue
        cover = crop_source(source, platform, focus, subject)
        fits[platform.id] = cover
        enough = threshold if fit == "auto" else MIN_GAIN
        if fit == "cover" or platform.id in cover_only:
            continue
        if 1 - cover.kept <= enough and cover.subject_safe:
            continue
        taller = platform.aspect <= source[0] / source[1]
        if 1 - cover.kept <= enough:  # only the subject is in the way: room where it's needed
            taller = _clearing_way(source, platform, taller, focus, subject, model)
        wanting.setdefault((shape_group(platform.aspect).key, taller), []).append(platform)
    expansions = []
    for (group_key, taller), members in sorted(wanting.items(), key=_group_order):
        split = (group_key, not taller) in wanting
        key = f"{group_key}-{'taller' if taller else 'wider'}" if split else group_key
        planned = _expand_group(key, source, members, taller, focus, subject, model, fits)
        if planned is not None:
            expansion, member_fits = planned
            expansions.append(expansion)
            fits.update(member_fits)
    ordered = tuple(fits[p.id] for p in platforms)
    return CompositionPlan(fit, source, ordered, tuple(expansions))


def _group_order(item: tuple[tuple[str, bool], list[Platform]]) -> tuple[int, bool]:
    (group_key, taller), _ = item
    return [g.key for g in SHAPE_GROUPS].index(group_key), not taller


def _fit(
    kind: str, platform: Platform, placed: Placement, kept: float, expansion: str | None = None
) -> PlatformFit:
    return PlatformFit(
        platform.id, kind, placed.box, kept, expansion, placed.hidden_by, placed.subject
    )


def _expand_group(
    key: str,
    source: Size,
    members: list[Platform],
    taller: bool,
    focus: tuple[float, float],
    subject: Rect | None,
    model: str,
    covers: dict[str, PlatformFit],
) -> tuple[Expansion, dict[str, PlatformFit]] | None:
    """The group's canvas and its members' crops from it; members that gain nothing from
    it keep their crop, and a canvas nobody gains from is not planned."""
    while members:
        extreme = min(p.aspect for p in members) if taller else max(p.aspect for p in members)
        best: tuple[tuple[int, int], Expansion, dict[str, PlatformFit]] | None = None
        for stretch, aspect in enumerate(_canvas_aspects(extreme, taller, model)):
            planned = _expansion(key, source, members, taller, aspect, focus, subject, model)
            if planned is None:
                continue
            score = (sum(f.subject_safe for f in planned[1].values()), -stretch)
            if best is None or score > best[0]:
                best = (score, *planned)
            if score[0] == len(members):
                break  # every subject clear: more room would only cost pixels
        if best is None:
            return None
        expansion, fits = best[1], best[2]
        gaining = [p for p in members if _gains(fits[p.id], covers[p.id])]
        if len(gaining) == len(members):
            return expansion, fits
        members = gaining
    return None


def _clearing_way(
    source: Size,
    platform: Platform,
    taller: bool,
    focus: tuple[float, float],
    subject: Rect | None,
    model: str,
) -> bool:
    """Whether to grow the source taller for a platform whose crop loses little but hides
    the subject: the way its shape grows when that clears the subject, else the other way
    (YouTube's banner shows only the middle strip of a 16:9 crop: room above or below)."""
    for way in (taller, not taller):
        for aspect in _canvas_aspects(platform.aspect, way, model):
            planned = _expansion("", source, [platform], way, aspect, focus, subject, model)
            if planned is not None and planned[1][platform.id].subject_safe:
                return way
    return taller


def _canvas_aspects(extreme: float, taller: bool, model: str) -> list[float]:
    """The canvas shapes to try: the most extreme member's own, then a little more room at
    a time for a subject near an edge — all within what the model paints."""
    if not supports_arbitrary_sizes(model):
        shapes = [w / h for w, h in FIXED_SIZES]
        return [min(shapes) if taller else max(shapes)]
    aspects: list[float] = []
    for stretch in range(_STRETCHES + 1):
        if taller:
            aspect = max(extreme / _STRETCH**stretch, 1 / MAX_ASPECT)
        else:
            aspect = min(extreme * _STRETCH**stretch, MAX_ASPECT)
        if aspect not in aspects:
            aspects.append(aspect)
    return aspects


def _expansion(
    key: str,
    source: Size,
    members: list[Platform],
    taller: bool,
    aspect: float,
    focus: tuple[float, float],
    subject: Rect | None,
    model: str,
) -> tuple[Expansion, dict[str, PlatformFit]] | None:
    """The group's canvas of this shape, or None when it is no bigger than the source."""
    source_aspect = source[0] / source[1]
    if (aspect >= source_aspect) if taller else (aspect <= source_aspect):
        return None
    canvas_pixels = source[0] * source[0] / aspect if taller else source[1] ** 2 * aspect
    request = request_size(aspect, model, round(canvas_pixels))
    canvas = _canvas(source, request, taller)
    source_box, fits = _best_position(canvas, source, members, taller, focus, subject, key)
    label = shape_group(members[0].aspect).label
    ids = tuple(p.id for p in members)
    return Expansion(key, label, ids, canvas, source_box, request), fits


def _canvas(source: Size, request: Size, taller: bool) -> Size:
    """The request's shape at the source's scale, never smaller than the source."""
    width, height = source
    if taller:
        return width, max(height, round(width * request[1] / request[0]))
    return max(width, round(height * request[0] / request[1])), height


def _best_position(
    canvas: Size,
    source: Size,
    members: list[Platform],
    taller: bool,
    focus: tuple[float, float],
    subject: Rect | None,
    key: str,
) -> tuple[Box, dict[str, PlatformFit]]:
    """Where on the canvas the source goes: the most members with the subject safe, then
    the most picture kept, then nearest the centre."""
    axis = 1 if taller else 0
    room = canvas[axis] - source[axis]
    offsets = sorted({round(room * i / _OFFSETS) for i in range(_OFFSETS + 1)} | {room // 2})
    best: tuple[tuple[int, float, float], Box, dict[str, PlatformFit]] | None = None
    for offset in offsets:
        box = (
            (0, offset, source[0], offset + source[1])
            if taller
            else (offset, 0, offset + source[0], source[1])
        )
        fits = {p.id: _crop_expanded(canvas, source, box, p, focus, subject, key) for p in members}
        score = (
            sum(f.subject_safe for f in fits.values()),
            round(sum(f.kept for f in fits.values()), 6),
            -abs(offset - room / 2),
        )
        if best is None or score > best[0]:
            best = (score, box, fits)
    assert best is not None  # offsets always holds at least the centre
    return best[1], best[2]


def crop_source(
    source: Size, platform: Platform, focus: tuple[float, float], subject: Rect | None = None
) -> PlatformFit:
    """The platform's crop of the source itself, placed in its safe area as the plan does."""
    placed = place_crop(source, platform.size, focus, subject=subject, zones=zones_for(platform))
    return _fit("cover", platform, placed, 1 - crop_loss(source, platform.size))


def crop_expansion(
    expansion: Expansion,
    source: Size,
    platform: Platform,
    focus: tuple[float, float],
    subject: Rect | None = None,
) -> PlatformFit:
    """The platform's crop of an expansion's canvas (`focus` and `subject` on the source),
    keeping as much of the original as it can, as the plan does."""
    canvas, box = expansion.canvas, expansion.source_box
    return _crop_expanded(canvas, source, box, platform, focus, subject, expansion.key)


def _crop_expanded(
    canvas: Size,
    source: Size,
    box: Box,
    platform: Platform,
    focus: tuple[float, float],
    subject: Rect | None,
    key: str,
) -> PlatformFit:
    def on_canvas(x: float, y: float) -> tuple[float, float]:
        return (box[0] + x * source[0]) / canvas[0], (box[1] + y * source[1]) / canvas[1]

    moved_subject = None
    if subject is not None:
        moved_subject = (*on_canvas(subject[0], subject[1]), *on_canvas(subject[2], subject[3]))
    placed = place_crop(
        canvas,
        platform.size,
        on_canvas(*focus),
        subject=moved_subject,
        zones=zones_for(platform),
        keep=box,
    )
    crop = placed.box
    overlap_w = max(0, min(crop[2], box[2]) - max(crop[0], box[0]))
    overlap_h = max(0, min(crop[3], box[3]) - max(crop[1], box[1]))
    kept = overlap_w * overlap_h / (source[0] * source[1])
    return _fit("expand", platform, placed, kept, key)


def _gains(expanded: PlatformFit, cover: PlatformFit) -> bool:
    """An expansion is worth it for a platform that keeps more picture or clears its subject."""
    if len(expanded.hidden_by) > len(cover.hidden_by):
        return False
    return expanded.kept >= cover.kept + MIN_GAIN or (
        expanded.subject_safe and not cover.subject_safe
    )


def request_size(aspect: float, model: str, canvas_pixels: int) -> Size:
    """The size to ask the model for: the shape nearest `aspect` (to 0.1 %), then the most
    pixels up to the canvas's own and to the standard (non-experimental) sizes — or, for a
    canvas smaller than the model paints, the fewest pixels it accepts."""
    if not supports_arbitrary_sizes(model):
        return min(FIXED_SIZES, key=lambda s: abs(math.log(s[0] / s[1] / aspect)))
    budget = min(STANDARD_MAX_PIXELS, canvas_pixels)
    sizes = [
        (width, height)
        for height in range(STEP, MAX_LONG_SIDE + 1, STEP)
        if _paintable(width := round(height * aspect / STEP) * STEP, height)
    ]

    def error(size: Size) -> float:
        return round(abs(math.log(size[0] / size[1] / aspect)), 3)

    within = [size for size in sizes if size[0] * size[1] <= budget]
    if within:
        return min(within, key=lambda size: (error(size), -size[0] * size[1]))
    return min(sizes, key=lambda size: (error(size), size[0] * size[1]))


def _paintable(width: int, height: int) -> bool:
    """The GPT image 2 size rules (imaging.planning): sides, shape and pixel count."""
    long_side, short_side = max(width, height), min(width, height)
    return (
        short_side >= STEP
        and long_side <= MAX_ASPECT * short_side
        and long_side <= MAX_LONG_SIDE
        and short_side <= MAX_SHORT_SIDE
        and MIN_PIXELS <= width * height <= MAX_PIXELS
    )
