"""A job's inputs: one frozen, typed, versioned value, built once and read everywhere.

`services.requests.SpecBuilder` makes a spec from what a designer asked (the window,
the CLI, a batch file, an import), with the settings in force filling in the rest;
every layer after it — the runner, the views, cloud sync, the export manifest, the
CLI's JSON — reads the spec as it is, and none re-derives a default.

A spec is kept as JSON with its `version` (`to_dict`). `from_dict` reads every
version this SnapAsset knows, moving an older one forward a step at a time through
`_UPGRADES`; a newer version, a missing or unknown field or a malformed value is
refused with `SpecError`. Version 0 is the `params` dict jobs kept before the spec,
with the row's prompt, platforms and focal point (`from_legacy`).

To add a field: give it a place on `JobSpec` or a nested group, write it in `to_dict`
and read it in `_read`, raise `SPEC_VERSION`, and add the step from the previous version
to `_UPGRADES` — it gives specs made before the field the value those jobs had. The
builder decides the value for new jobs.

Version 2 adds the job's text layers (`brand.layers.TextLayers`: headline, subline,
call to action, brand kit, per-platform positions) and `prompt_suffix`, the words added
to the prompt for the kit's palette and mood ("" for none). Version 3 adds the fit
policy's threshold and per-platform overrides (`auto` and `expand` are fits of its own;
older jobs keep the cover or contain they had).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.composition import LOSS_THRESHOLD, PlatformOverride
from snapasset_desktop.imaging.render import RenderOptions
from snapasset_desktop.styles import apply_style

SPEC_VERSION = 3


class Provider(StrEnum):
    OPENAI = "openai"
    PLACEHOLDER = "placeholder"  # offline, free: a labelled picture at the planned size
    IMPORT = "import"  # the designer's own image: nothing is generated


class Quality(StrEnum):
    AUTO = "auto"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Background(StrEnum):
    AUTO = "auto"
    OPAQUE = "opaque"
    TRANSPARENT = "transparent"


class SpecError(InvalidInput):
    """A stored spec that can't be read as one."""

    kind = "damaged"


@dataclass(frozen=True)
class JobSpec:
    prompt: str
    platforms: tuple[str, ...]  # platform ids, in the designer's order
    provider: Provider
    model: str  # "" when no model paints (placeholder; an import the placeholder expands)
    size: tuple[int, int]  # the source: planned for a generation, the file's for an import
    quality: Quality
    background: Background
    variations: int
    partial_images: int  # previews streamed while generating
    style: str | None  # a style preset's name (styles.py), None for the prompt alone
    file_name: str | None  # the imported file's name
    # The fit policy, its threshold and per-platform overrides, pad, asset format and
    # quality; focus: the designer's, or None.
    render: RenderOptions
    layers: TextLayers  # drawn over every platform's picture after its crop (empty: none)
    prompt_suffix: str  # the brand's palette and mood as words added to the prompt ("": none)
    version: int = field(default=SPEC_VERSION, init=False)

    @property
    def generates(self) -> bool:
        """False for an import: its source is the designer's file."""
        return self.provider is not Provider.IMPORT

    @property
    def expander(self) -> Provider:
        """Who paints the job's expansions: its own provider; for an import, OpenAI when
        the builder gave it a model (there was a key), else the placeholder, offline."""
        if self.provider is not Provider.IMPORT:
            return self.provider
        return Provider.OPENAI if self.model else Provider.PLACEHOLDER

    @property
    def size_param(self) -> str:
        """The size as the image API takes it, e.g. "1536x1024"."""
        return f"{self.size[0]}x{self.size[1]}"

    @property
    def image_prompt(self) -> str:
        """The prompt as the image API gets it: the designer's words, the style preset's
        wording, then the brand's."""
        styled = apply_style(self.prompt, self.style)
        return f"{styled.rstrip()}\n\n{self.prompt_suffix}" if self.prompt_suffix else styled

    def source_label(self) -> str:
        """What made the source, as the views say it: "gpt-image-2", "placeholder",
        "imported beach.jpg"."""
        if self.provider is Provider.IMPORT:
            return f"imported {self.file_name or 'image'}"
        return self.model or self.provider.value

    def to_dict(self) -> dict[str, Any]:
        render = self.render
        return {
            "version": self.version,
            "prompt": self.prompt,
            "platforms": list(self.platforms),
            "provider": self.provider.value,
            "model": self.model,
            "size": list(self.size),
            "quality": self.quality.value,
            "background": self.background.value,
            "variations": self.variations,
            "partial_images": self.partial_images,
            "style": self.style,
            "file_name": self.file_name,
            "render": {
                "fit": render.fit,
                "pad": render.pad,
                "format": render.format,
                "quality": render.quality,
                "focus": list(render.focus) if render.focus else None,
                "threshold": render.threshold,
                "overrides": {
                    o.platform_id: {"crop": o.crop, "focus": list(o.focus) if o.focus else None}
                    for o in render.overrides
                },
            },
            "layers": self.layers.to_dict(),
            "prompt_suffix": self.prompt_suffix,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: object) -> JobSpec:
        """The spec in `data`, of this version or an older one; SpecError if it can't be."""
        if not isinstance(data, Mapping):
            raise _unreadable(f"a spec is a JSON object, not {type(data).__name__}")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise _unreadable(f"no readable version: {version!r}")
        if version > SPEC_VERSION:
            raise SpecError(
                "This job was made by a newer version of SnapAsset — update SnapAsset to use it.",
                detail=f"spec version {version}, this SnapAsset knows up to {SPEC_VERSION}",
            )
        try:
            current = dict(data)
            while current["version"] < SPEC_VERSION:
                current = _UPGRADES[current["version"]](current)
            return _read(current)
        except SpecError:
            raise
        except (InvalidInput, KeyError, TypeError, ValueError) as exc:
            raise _unreadable(f"version {version}: {type(exc).__name__}: {exc}") from exc

    @classmethod
    def from_json(cls, text: str) -> JobSpec:
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise _unreadable(f"not JSON: {exc}") from exc
        return cls.from_dict(data)

    @classmethod
    def from_legacy(
        cls,
        params: object,
        prompt: object,
        platforms: object,
        focus: tuple[float, float] | None,
    ) -> JobSpec:
        """A job kept before the spec: its `params` dict with the row's prompt, platform ids
        and focal point (version 0)."""
        legacy = {"params": params, "prompt": prompt, "platforms": platforms, "focus": focus}
        return cls.from_dict({"version": 0, **legacy})

    def with_focus(self, focus: tuple[float, float] | None) -> JobSpec:
        return replace(self, render=replace(self.render, focus=focus))

    def with_override(self, override: PlatformOverride) -> JobSpec:
        """This spec with the designer's `override` for one platform (see RenderOptions)."""
        return replace(self, render=self.render.with_override(override))

    def with_layers(self, layers: TextLayers) -> JobSpec:
        """This spec with other layers: texts, kit or positions edited after the job ran."""
        return replace(self, layers=layers)


def _unreadable(detail: str) -> SpecError:
    return SpecError(
        "SnapAsset can't read this job's settings; submit it again.", detail=f"job spec: {detail}"
    )


# -- reading the current version ---------------------------------------------------------

_FIELDS = frozenset(
    {
        "version",
        "prompt",
        "platforms",
        "provider",
        "model",
        "size",
        "quality",
        "background",
        "variations",
        "partial_images",
        "style",
        "file_name",
        "render",
        "layers",
        "prompt_suffix",
    }
)
_RENDER_FIELDS = frozenset({"fit", "pad", "format", "quality", "focus", "threshold", "overrides"})
_OVERRIDE_FIELDS = frozenset({"crop", "focus"})


def _read(data: dict[str, Any]) -> JobSpec:
    _exact_keys(data, _FIELDS, "spec")
    render = data["render"]
    if not isinstance(render, dict):
        raise TypeError("render is not an object")
    _exact_keys(render, _RENDER_FIELDS, "render")
    focus = render["focus"]
    return JobSpec(
        prompt=_text(data["prompt"], "prompt"),
        platforms=tuple(_text(p, "platform") for p in _list(data["platforms"], "platforms")),
        provider=Provider(data["provider"]),
        model=_text(data["model"], "model"),
        size=_size(data["size"]),
        quality=Quality(data["quality"]),
        background=Background(data["background"]),
        variations=_whole(data["variations"], "variations", low=1),
        partial_images=_whole(data["partial_images"], "partial_images", low=0),
        style=_optional_text(data["style"], "style"),
        file_name=_optional_text(data["file_name"], "file_name"),
        render=RenderOptions(
            fit=_text(render["fit"], "fit"),
            pad=_text(render["pad"], "pad"),
            format=_text(render["format"], "format"),
            quality=render["quality"],
            focus=None if focus is None else tuple(_list(focus, "focus")),
            threshold=render["threshold"],
            overrides=_overrides(render["overrides"]),
        ),
        layers=TextLayers.from_dict(data["layers"]),
        prompt_suffix=_text(data["prompt_suffix"], "prompt_suffix"),
    )


def _overrides(value: object) -> tuple[PlatformOverride, ...]:
    if not isinstance(value, dict):
        raise TypeError(f"overrides is not an object: {value!r}")
    found = []
    for platform_id, override in value.items():
        if not isinstance(override, dict):
            raise TypeError(f"the override of {platform_id} is not an object")
        _exact_keys(override, _OVERRIDE_FIELDS, "override")
        crop, focus = override["crop"], override["focus"]
        if not isinstance(crop, bool):
            raise TypeError(f"crop is not true or false: {crop!r}")
        found.append(
            PlatformOverride(
                _text(platform_id, "platform"),
                crop=crop,
                focus=None if focus is None else _pair(focus, "focus"),
            )
        )
    return tuple(found)


def _pair(value: object, name: str) -> tuple[float, float]:
    items = _list(value, name)
    if len(items) != 2 or not all(isinstance(v, int | float) for v in items):
        raise ValueError(f"{name} is not two numbers: {value!r}")
    return float(items[0]), float(items[1])


def _exact_keys(data: Mapping[str, Any], expected: frozenset[str], what: str) -> None:
    missing, unknown = expected - data.keys(), data.keys() - expected
    if missing or unknown:
        raise ValueError(f"{what} fields: missing {sorted(missing)}, unknown {sorted(unknown)}")


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} is not text: {value!r}")
    return value


def _optional_text(value: object, name: str) -> str | None:
    return None if value is None else _text(value, name)


def _list(value: object, name: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise TypeError(f"{name} is not a list: {value!r}")
    return list(value)


def _whole(value: object, name: str, *, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} is not a whole number from {low}: {value!r}")
    return value


def _size(value: object) -> tuple[int, int]:
    sides = _list(value, "size")
    if len(sides) != 2:
        raise ValueError(f"size is not [width, height]: {value!r}")
    return _whole(sides[0], "width", low=1), _whole(sides[1], "height", low=1)


# -- older versions ----------------------------------------------------------------------

# What the readers of a params dict took for a key it lacked (a dict written by an early
# version, or trimmed by cloud sync); its OpenAI jobs ran on this model when none was named.
_LEGACY_MODEL = "gpt-image-2"
_LEGACY_PARAMS: dict[str, Any] = {
    "provider": "openai",
    "size": "1024x1024",
    "quality": "auto",
    "background": "auto",
    "variations": 1,
    "partial_images": 2,
    "style": None,
    "file_name": None,
    "fit": "cover",
    "pad": "#ffffff",
    "asset_format": "png",
    "image_quality": 90,
}


def _from_params(old: dict[str, Any]) -> dict[str, Any]:
    """Version 0 → 1: the params dict, read as its readers did. A placeholder job made
    in the window kept the composer's model though none was used; it keeps none now."""
    params = old["params"]
    if not isinstance(params, dict):
        raise TypeError(f"params is not an object: {params!r}")
    value = _LEGACY_PARAMS | {k: v for k, v in params.items() if k in _LEGACY_PARAMS}
    provider = value["provider"]
    model = (params.get("model") or _LEGACY_MODEL) if provider == Provider.OPENAI else ""
    width, _, height = _text(value["size"], "size").lower().partition("x")
    focus = old["focus"]
    return {
        "version": 1,
        "prompt": old["prompt"],
        "platforms": old["platforms"],
        "provider": provider,
        "model": model,
        "size": [int(width), int(height)],
        "quality": value["quality"],
        "background": value["background"],
        "variations": value["variations"],
        "partial_images": value["partial_images"],
        "style": value["style"],
        "file_name": value["file_name"],
        "render": {
            "fit": value["fit"],
            "pad": value["pad"],
            "format": value["asset_format"],
            "quality": value["image_quality"],
            "focus": None if focus is None else list(focus),
        },
    }


def _without_layers(old: dict[str, Any]) -> dict[str, Any]:
    """Version 1 → 2: jobs made before text layers drew none and added nothing to the
    prompt for a brand."""
    return old | {"version": 2, "layers": TextLayers().to_dict(), "prompt_suffix": ""}


def _fit_policy(old: dict[str, Any]) -> dict[str, Any]:
    """Version 2 → 3: the fit policy's threshold and per-platform overrides. A job of
    version 1 or 2 cropped (cover) or padded (contain) as its fit said, and still does."""
    render = old["render"]
    if not isinstance(render, dict):
        raise TypeError("render is not an object")
    upgraded = render | {"threshold": LOSS_THRESHOLD, "overrides": {}}
    return old | {"version": 3, "render": upgraded}


# Index n: the step from version n to n + 1.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    0: _from_params,
    1: _without_layers,
    2: _fit_policy,
}
