"""Safe zones: where a platform's own interface covers or crops a picture, and what is left.

The built-in figures live in `resources/safe_zones.toml`, each with its source and the
date it was checked; a custom preset may carry its own (`safe_zones` on the preset). A
zone is an overlay (the interface drawn over a box: a caption bar, a duration badge, a
profile photo) or a crop (a view that shows only part of the picture: the phone app, the
profile grid). Everything is in fractions of the platform's frame, so it holds at any
size. The safe area is the largest rectangle inside every crop and clear of every
overlay; crops place the subject there, overlays in the window draw the zones.
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import TYPE_CHECKING, Any

from snapasset_desktop.errors import InvalidInput

if TYPE_CHECKING:
    from snapasset_desktop.platforms import Platform

Rect = tuple[float, float, float, float]  # left, top, right, bottom, in 0..1 of the frame

FULL_FRAME: Rect = (0.0, 0.0, 1.0, 1.0)
BASES = ("official", "derived", "convention", "custom")
MAX_ZONES = 12  # a preset's zones: a handful of interface parts, not a drawing
_BANDS = ("top", "bottom", "left", "right")
_LABEL_CHARS = 80


@dataclass(frozen=True)
class UnsafeZone:
    """One part of the frame a platform covers (`overlay`) or leaves out (`crop`).

    For a crop, `rect` is what the view shows; the rest of the frame is cut off.
    """

    label: str
    rect: Rect
    kind: str = "overlay"
    basis: str = "custom"
    source: str = ""
    checked: str = ""
    note: str = ""

    def hides(self, box: Rect, tolerance: tuple[float, float] = (0.0, 0.0)) -> bool:
        """True when any of `box` (a subject, in frame fractions) is under or outside this zone.

        `tolerance` (x, y) forgives that much overlap: a pixel of rounding is not a cover.
        """
        left, top, right, bottom = self.rect
        tx, ty = tolerance
        if self.kind == "crop":
            return not (
                box[0] >= left - tx
                and box[2] <= right + tx
                and box[1] >= top - ty
                and box[3] <= bottom + ty
            )
        return (
            box[0] < right - tx
            and box[2] > left + tx
            and box[1] < bottom - ty
            and box[3] > top + ty
        )

    def to_entry(self) -> dict[str, Any]:
        """The zone as a preset's settings entry (round-trips through `parse_zones`)."""
        entry: dict[str, Any] = {"label": self.label}
        entry["visible" if self.kind == "crop" else "rect"] = list(self.rect)
        return entry


@dataclass(frozen=True)
class PlatformZones:
    """A built-in platform's zones with where they come from."""

    source: str
    checked: str
    note: str
    zones: tuple[UnsafeZone, ...]


def parse_zones(
    entries: Any, *, basis: str = "custom", source: str = "", checked: str = ""
) -> tuple[UnsafeZone, ...]:
    """Zones from their data entries, or InvalidInput saying what is wrong with one.

    An entry has a `label` and one of `band` + `depth`, `rect` or `visible` (see the data
    file's header). `basis`, `source` and `checked` are defaults an entry may override.
    """
    if not isinstance(entries, list | tuple):
        raise InvalidInput(
            "Safe zones are a list of zones, each with a label and a band, rect or visible area."
        )
    if len(entries) > MAX_ZONES:
        raise InvalidInput(f"A preset can have at most {MAX_ZONES} safe zones.")
    zones = tuple(_zone(entry, basis, source, checked) for entry in entries)
    if not safe_areas(zones):
        raise InvalidInput("These safe zones cover the whole picture; leave some of it free.")
    return zones


def _zone(entry: Any, basis: str, source: str, checked: str) -> UnsafeZone:
    if not isinstance(entry, Mapping):
        raise InvalidInput("A safe zone is a table with a label and a band, rect or visible area.")
    label = str(entry.get("label", "")).strip()
    if not label or len(label) > _LABEL_CHARS:
        raise InvalidInput(
            f"A safe zone needs a label of 1 to {_LABEL_CHARS} characters, like “the caption bar”."
        )
    shapes = [key for key in ("band", "rect", "visible") if key in entry]
    if len(shapes) != 1:
        raise InvalidInput(f"The safe zone “{label}” needs exactly one of band, rect or visible.")
    zone_basis = str(entry.get("basis", basis))
    if zone_basis not in BASES:
        raise InvalidInput(
            f"The safe zone “{label}” has basis “{zone_basis}”; use one of {', '.join(BASES)}."
        )
    shape = shapes[0]
    if shape == "band":
        rect, kind = _band(label, entry["band"], entry.get("depth")), "overlay"
    else:
        rect, kind = _rect(label, entry[shape]), "crop" if shape == "visible" else "overlay"
    return UnsafeZone(
        label=label,
        rect=rect,
        kind=kind,
        basis=zone_basis,
        source=str(entry.get("source", source)),
        checked=str(entry.get("checked", checked)),
        note=" ".join(str(entry.get("note", "")).split()),
    )


def _band(label: str, edge: Any, depth: Any) -> Rect:
    if edge not in _BANDS:
        raise InvalidInput(f"The safe zone “{label}” is a band along one of {', '.join(_BANDS)}.")
    size = _fraction(label, depth)
    if not 0 < size < 1:
        raise InvalidInput(
            f"The band “{label}” needs a depth between 0 and 1 (a fraction of the picture)."
        )
    return {
        "top": (0.0, 0.0, 1.0, size),
        "bottom": (0.0, 1.0 - size, 1.0, 1.0),
        "left": (0.0, 0.0, size, 1.0),
        "right": (1.0 - size, 0.0, 1.0, 1.0),
    }[edge]


def _rect(label: str, value: Any) -> Rect:
    if not isinstance(value, list | tuple) or len(value) != 4:
        raise InvalidInput(f"The safe zone “{label}” is four fractions: left, top, right, bottom.")
    left, top, right, bottom = (_fraction(label, v) for v in value)
    if not (left < right and top < bottom):
        raise InvalidInput(
            f"The safe zone “{label}” needs its right after its left and its bottom below its top."
        )
    return left, top, right, bottom


def _fraction(label: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInput(f"The safe zone “{label}” uses fractions of the picture from 0 to 1.")
    if not 0 <= value <= 1:
        raise InvalidInput(
            f"The safe zone “{label}” uses fractions of the picture from 0 to 1, not {value}."
        )
    return float(value)


@functools.cache
def builtin_zones() -> Mapping[str, PlatformZones]:
    """The built-in platforms' zones from the data file, read once."""
    text = (files("snapasset_desktop") / "resources" / "safe_zones.toml").read_text(
        encoding="utf-8"
    )
    table = tomllib.loads(text)
    found = {}
    for platform_id, data in table.items():
        source, checked = str(data["source"]), str(data["checked"])
        zones = parse_zones(data.get("zones", []), basis="official", source=source, checked=checked)
        found[platform_id] = PlatformZones(
            source, checked, " ".join(data.get("note", "").split()), zones
        )
    return found


def zones_for(platform: Platform) -> tuple[UnsafeZone, ...]:
    """A preset's own zones, else the built-in data for its id, else none."""
    if platform.safe_zones is not None:
        return platform.safe_zones
    known = builtin_zones().get(platform.id)
    return known.zones if known else ()


def safe_area(platform: Platform) -> Rect:
    """The largest rectangle of `platform`'s frame that no zone covers or crops off."""
    return safe_areas(zones_for(platform))[0]


def safe_areas(zones: Sequence[UnsafeZone]) -> list[Rect]:
    """Every maximal rectangle clear of `zones`, largest first ([] when nothing is clear).

    Overlays in a corner leave more than one: clear of a duration badge is everything
    above it, or everything to its left; a subject fits whichever it can.
    """
    return list(_safe_areas(tuple(zones)))


@functools.lru_cache(maxsize=256)  # placement asks for the same platforms' areas many times
def _safe_areas(zones: tuple[UnsafeZone, ...]) -> tuple[Rect, ...]:
    window = FULL_FRAME
    for zone in zones:
        if zone.kind == "crop":
            window = _intersection(window, zone.rect)
    if window[0] >= window[2] or window[1] >= window[3]:
        return ()
    areas = [window]
    for zone in zones:
        if zone.kind == "overlay":
            areas = _maximal([part for area in areas for part in _clear_of(area, zone.rect)])
    return tuple(sorted(areas, key=lambda r: (-(r[2] - r[0]) * (r[3] - r[1]), r)))


def hiding(
    zones: Iterable[UnsafeZone], box: Rect, tolerance: tuple[float, float] = (0.0, 0.0)
) -> list[UnsafeZone]:
    """The zones that cover or crop off any of `box`, one per label."""
    found: dict[str, UnsafeZone] = {}
    for zone in zones:
        if zone.label not in found and zone.hides(box, tolerance):
            found[zone.label] = zone
    return list(found.values())


def warning_for(zones: Sequence[UnsafeZone]) -> str | None:
    """ "Subject under the Reels caption area, and cut off on phones." — None when clear."""
    under = [zone.label for zone in zones if zone.kind != "crop"]
    cut_off = [zone.label for zone in zones if zone.kind == "crop"]
    parts = [f"under {_listed(under)}"] if under else []
    parts += [f"cut off {_listed(cut_off)}"] if cut_off else []
    return f"Subject {', and '.join(parts)}." if parts else None


def _listed(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _intersection(a: Rect, b: Rect) -> Rect:
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def _clear_of(area: Rect, block: Rect) -> list[Rect]:
    """The largest parts of `area` left, right, above and below `block` (or `area` itself)."""
    left, top, right, bottom = area
    if not (block[0] < right and block[2] > left and block[1] < bottom and block[3] > top):
        return [area]
    parts = [
        (left, top, block[0], bottom),
        (block[2], top, right, bottom),
        (left, top, right, block[1]),
        (left, block[3], right, bottom),
    ]
    return [p for p in parts if p[0] < p[2] and p[1] < p[3]]


def _maximal(areas: list[Rect]) -> list[Rect]:
    """`areas` without duplicates or any rectangle inside another."""
    unique = list(dict.fromkeys(areas))
    return [a for a in unique if not any(b != a and _inside(a, b) for b in unique)]


def _inside(a: Rect, b: Rect) -> bool:
    return b[0] <= a[0] and b[1] <= a[1] and a[2] <= b[2] and a[3] <= b[3]
