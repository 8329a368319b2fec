"""What a job asks to be drawn over its pictures: texts, a kit, and positions a designer set.

`TextLayers` is a frozen value with a versioned dict form, made to sit on the job's
spec: the headline, subline and call to action, the brand kit (by id; none is SnapAsset's
own look), whether to draw the kit's logo, and per-platform overrides of where a layer
goes (a box dragged in the editor, in fractions of that platform's frame). Every
platform without an override follows its layout (`imaging.layout`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from snapasset_desktop.errors import InvalidInput

LAYERS_VERSION = 1
TEXT_LAYERS = ("headline", "subline", "cta")
LAYER_NAMES = (*TEXT_LAYERS, "logo")
MAX_CHARS = {"headline": 120, "subline": 240, "cta": 40}
_WORDS = {"headline": "A headline", "subline": "A subline", "cta": "A call to action"}
_KIT_ID_CHARS = 48
_MIN_SIDE = 0.01  # an override smaller than 1 % of the frame can't hold anything

Rect = tuple[float, float, float, float]  # left, top, right, bottom in 0..1 of the frame


@dataclass(frozen=True)
class PositionOverride:
    """Where the designer put one layer on one platform."""

    platform: str
    layer: str
    box: Rect

    def __post_init__(self) -> None:
        if self.layer not in LAYER_NAMES:
            raise InvalidInput(
                f"“{self.layer}” isn't a layer; layers are {', '.join(LAYER_NAMES)}."
            )
        if not isinstance(self.platform, str) or not self.platform.strip():
            raise InvalidInput("A layer's position belongs to a platform.")
        object.__setattr__(self, "box", _rect(self.box))


def _rect(value: Any) -> Rect:
    try:
        left, top, right, bottom = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InvalidInput(
            "A layer's position is four fractions: left, top, right, bottom."
        ) from None
    numbers = (left, top, right, bottom)
    if not all(math.isfinite(v) and 0.0 <= v <= 1.0 for v in numbers):
        raise InvalidInput("A layer's position uses fractions of the picture from 0 to 1.")
    if right - left < _MIN_SIDE or bottom - top < _MIN_SIDE:
        raise InvalidInput("A layer's position needs some width and height.")
    return numbers


@dataclass(frozen=True)
class TextLayers:
    headline: str = ""
    subline: str = ""
    cta: str = ""
    kit: str | None = None  # a brand kit's id; None: SnapAsset's own look
    logo: bool = True  # draw the kit's logo (a kit without one draws none)
    overrides: tuple[PositionOverride, ...] = ()

    def __post_init__(self) -> None:
        for name in TEXT_LAYERS:
            # One line of words: the layout decides where lines break.
            text = " ".join(str(getattr(self, name)).split())
            if len(text) > MAX_CHARS[name]:
                raise InvalidInput(
                    f"{_WORDS[name]} can be at most {MAX_CHARS[name]} characters; "
                    f"this one has {len(text)}."
                )
            object.__setattr__(self, name, text)
        kit = None if self.kit is None else str(self.kit).strip() or None
        if kit is not None and len(kit) > _KIT_ID_CHARS:
            raise InvalidInput("That isn't the name of a brand kit.")
        object.__setattr__(self, "kit", kit)
        object.__setattr__(self, "logo", bool(self.logo))
        latest: dict[tuple[str, str], PositionOverride] = {}
        for override in self.overrides:
            latest[(override.platform, override.layer)] = override
        object.__setattr__(self, "overrides", tuple(latest[key] for key in sorted(latest)))

    @property
    def texts(self) -> dict[str, str]:
        """The layers that have words, by name."""
        return {name: getattr(self, name) for name in TEXT_LAYERS if getattr(self, name)}

    @property
    def is_empty(self) -> bool:
        """True when nothing would be drawn: no words, and no kit logo asked for."""
        return not self.texts and not (self.kit and self.logo)

    def override(self, platform_id: str, layer: str) -> Rect | None:
        return next(
            (o.box for o in self.overrides if (o.platform, o.layer) == (platform_id, layer)),
            None,
        )

    def moved(self, platform_id: str, layer: str, box: Rect) -> TextLayers:
        """These layers with `layer` put at `box` on `platform_id` (an editor's drag)."""
        return replace(self, overrides=(*self.overrides, PositionOverride(platform_id, layer, box)))

    def reset(self, platform_id: str, layer: str | None = None) -> TextLayers:
        """Back to the layout for one layer on a platform, or for all of its layers."""
        kept = tuple(
            o
            for o in self.overrides
            if o.platform != platform_id or (layer is not None and o.layer != layer)
        )
        return replace(self, overrides=kept)

    def to_dict(self) -> dict[str, Any]:
        overrides: dict[str, dict[str, list[float]]] = {}
        for o in self.overrides:
            overrides.setdefault(o.platform, {})[o.layer] = list(o.box)
        return {
            "version": LAYERS_VERSION,
            "headline": self.headline,
            "subline": self.subline,
            "cta": self.cta,
            "kit": self.kit,
            "logo": self.logo,
            "overrides": overrides,
        }

    @classmethod
    def from_dict(cls, data: Any) -> TextLayers:
        """Layers from their dict form, or InvalidInput saying what is wrong with it."""
        if not isinstance(data, Mapping):
            raise InvalidInput("The text layers are damaged.")
        version = data.get("version", LAYERS_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise InvalidInput("The text layers are damaged.")
        if version > LAYERS_VERSION:
            raise InvalidInput(
                "These text layers were made by a newer version of SnapAsset — update "
                "SnapAsset to use them."
            )
        overrides = data.get("overrides") or {}
        if not isinstance(overrides, Mapping) or not all(
            isinstance(boxes, Mapping) for boxes in overrides.values()
        ):
            raise InvalidInput("The text layers' positions are damaged.")
        texts = {name: data.get(name) or "" for name in TEXT_LAYERS}
        if not all(isinstance(text, str) for text in texts.values()):
            raise InvalidInput("The text layers are damaged.")
        return cls(
            **texts,
            kit=data.get("kit"),
            logo=data.get("logo", True),
            overrides=tuple(
                PositionOverride(str(platform), str(layer), box)
                for platform, boxes in overrides.items()
                for layer, box in boxes.items()
            ),
        )
