"""What a designer asks for, made into a job's spec: the one way in, whatever the entry point.

`SpecBuilder.build` turns loose input — from the window's composer, the batch
dialog, the CLI's generate, resize and batch, an imported image, the self-test —
into a `JobSpec`, or raises `InvalidInput` with a sentence the designer
understands. What was not asked comes from the settings in force, here and
nowhere else. `rebuild` takes the same path for a job that exists: an edit and
retry changes some of its inputs and keeps the rest, and a retry after a failure
the settings may have fixed since takes what the failure was about from them again.

Text layers come in as loose words too — `headline`, `subline`, `cta`, `brand` (a kit's
name or id) — and leave as the spec's `TextLayers`, the kit named by its id; a kit this
library lacks is refused with a sentence. `brand_prompt` adds the kit's palette and mood
to the prompt (`prompt_suffix` is that suffix as the designer edited it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

from snapasset_desktop.brand.kit import DEFAULT_KIT, BrandKit
from snapasset_desktop.brand.layers import PositionOverride, TextLayers
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.composition import PlatformOverride
from snapasset_desktop.imaging.planning import plan_source_size
from snapasset_desktop.imaging.render import RenderOptions
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.providers import PROVIDERS
from snapasset_desktop.providers.base import MAX_PROMPT_CHARS, check_model, validate_prompt
from snapasset_desktop.services.brand import BrandService
from snapasset_desktop.settings import Settings
from snapasset_desktop.spec import Background, JobSpec, Provider, Quality
from snapasset_desktop.styles import check_style

QUALITIES = tuple(quality.value for quality in Quality)
# An imported file's assets keep its format unless another is asked: a JPEG photo stays
# JPEG (as PNG it was 2.9 MB), a PNG keeps its sharp edges and transparency. A file in a
# format SnapAsset doesn't write (GIF, TIFF, BMP) takes the settings' format.
KEPT_IMPORT_FORMATS = frozenset({"jpeg", "png", "webp"})
BACKGROUNDS = tuple(background.value for background in Background)
MAX_VARIATIONS = 4
MAX_SUFFIX_CHARS = 600  # a palette and a mood: a few dozen words
IMPORT_PROVIDER = Provider.IMPORT

# Failures the settings may have fixed since (a key added, another provider or model
# chosen), with the inputs they were about: a retry takes those from the settings again.
FIXED_BY_SETTINGS: dict[str, tuple[str, ...]] = {
    "auth": ("provider",),
    "permission": ("provider", "model"),
    "unknown_model": ("provider", "model"),
}


def _no_key() -> bool:
    return False


@dataclass(frozen=True)
class SpecBuilder:
    registry: PlatformRegistry
    settings: Settings
    brand: BrandService  # the library's kits, which a job's layers may name
    # Whether an OpenAI key is there: an import is expanded by OpenAI with one, offline
    # without. Asked only when an import is built (a keyring can be slow to answer).
    has_openai_key: Callable[[], bool] = _no_key

    def build(
        self,
        prompt: str,
        platform_ids: Sequence[str],
        *,
        provider: str | None = None,
        model: str | None = None,
        quality: str | None = None,
        background: str | None = None,
        asset_format: str | None = None,
        image_quality: int | None = None,
        fit: str | None = None,
        fit_threshold: float | None = None,
        fit_overrides: Sequence[PlatformOverride] = (),
        pad: str | None = None,
        focus: tuple[float, float] | None = None,
        variations: int | None = None,
        style: str | None = None,
        file_name: str | None = None,
        source_size: tuple[int, int] | None = None,
        headline: str | None = None,
        subline: str | None = None,
        cta: str | None = None,
        brand: str | None = None,
        logo: bool | None = None,
        overrides: Sequence[PositionOverride] = (),
        brand_prompt: bool = False,
        prompt_suffix: str | None = None,
        file_format: str | None = None,
    ) -> JobSpec:
        """The spec for this input; None (or no value) takes the settings' value.

        An import (provider "import") names its file, the file's size and format (which
        its assets keep unless `asset_format` says otherwise); its model is the one that
        expands it (OpenAI's, when the settings name OpenAI and there is a key; none, for
        the placeholder). The rest is planned: the source size from the platforms, for
        the model that will paint it (the placeholder plans as that model would, so
        layouts match). `fit_overrides` are what the designer set per platform against
        the fit policy; `logo` (default yes) draws the kit's logo; `overrides` are layer
        positions a designer dragged. Both are kept for the platforms the job still has."""
        settings = self.settings
        chosen = _provider(provider or settings.provider)
        platforms = tuple(self.registry.resolve(platform_ids))
        platform_ids = tuple(p.id for p in platforms)
        if asset_format is None and chosen is Provider.IMPORT:
            asset_format = file_format if file_format in KEPT_IMPORT_FORMATS else None
        kit = self._kit(brand)
        layers = self.checked_layers(
            TextLayers(
                headline=headline or "",
                subline=subline or "",
                cta=cta or "",
                kit=None if kit is DEFAULT_KIT else kit.id,
                logo=True if logo is None else logo,
                overrides=tuple(overrides),
            ),
            platform_ids,
        )
        common: dict[str, Any] = {
            "platforms": platform_ids,
            "provider": chosen,
            "quality": Quality(_choice("quality", quality or settings.quality, QUALITIES)),
            "background": Background(
                _choice("background", background or settings.background, BACKGROUNDS)
            ),
            "render": RenderOptions(
                fit=fit or settings.fit,
                threshold=settings.fit_threshold if fit_threshold is None else fit_threshold,
                overrides=tuple(o for o in fit_overrides if o.platform_id in platform_ids),
                focus=focus,
                pad=pad or settings.pad_color,
                format=asset_format or settings.output_format,
                quality=image_quality if image_quality is not None else settings.image_quality,
            ),
            "layers": layers,
        }
        if chosen is Provider.IMPORT:
            if file_name is None or source_size is None:
                raise ValueError("an import names its file and the file's size")
            if model is None and settings.provider == Provider.OPENAI and self.has_openai_key():
                model = settings.model
            return JobSpec(
                prompt=prompt.strip() or PurePath(file_name).stem,
                model=check_model(model) if model else "",
                size=source_size,
                variations=1,
                partial_images=0,
                style=None,
                file_name=file_name,
                prompt_suffix="",  # nothing is generated
                **common,
            )
        count = 1 if variations is None else int(variations)
        if not 1 <= count <= MAX_VARIATIONS:
            raise InvalidInput(f"Variations must be between 1 and {MAX_VARIATIONS}.")
        style = check_style(style)
        prompt = validate_prompt(prompt)
        suffix = self._suffix(kit, brand_prompt, prompt_suffix)
        painter = model or settings.model
        if chosen is Provider.OPENAI:
            painter = check_model(painter)
        plan = plan_source_size(platforms, painter)
        spec = JobSpec(
            prompt=prompt,
            model=painter if chosen is Provider.OPENAI else "",
            size=(plan.width, plan.height),
            variations=count,
            partial_images=settings.partial_images,
            style=style,
            file_name=None,
            prompt_suffix=suffix,
            **common,
        )
        if len(spec.image_prompt) > MAX_PROMPT_CHARS:
            added = " and ".join(
                what for what, there in (("style", style), ("brand's words", suffix)) if there
            )
            raise InvalidInput(
                f"With the {added} added your prompt is over the {MAX_PROMPT_CHARS:,}-character "
                "limit; shorten it, or add less to it."
            )
        return spec

    def checked_layers(self, layers: TextLayers, platform_ids: Sequence[str]) -> TextLayers:
        """`layers` for a job of these platforms: their kit must be in this library (named
        by its id), and positions set for other platforms go."""
        kit = self._kit(layers.kit)
        kept = tuple(o for o in layers.overrides if o.platform in platform_ids)
        return replace(layers, kit=None if kit is DEFAULT_KIT else kit.id, overrides=kept)

    def _kit(self, ref: str | None) -> BrandKit:
        """The kit a job's layers name (SnapAsset's own look when none is named)."""
        if ref is None or not str(ref).strip():
            return DEFAULT_KIT
        return self.brand.kit(str(ref))

    def _suffix(self, kit: BrandKit, brand_prompt: bool, edited: str | None) -> str:
        """The brand's words for the prompt: as the designer edited them, else the kit's
        own when asked for, else none."""
        if edited is not None:
            text = " ".join(str(edited).split())
        elif brand_prompt:
            if kit is DEFAULT_KIT:
                raise InvalidInput("Choose a brand kit to add its colours and mood to the prompt.")
            text = self.brand.prompt_suffix(kit.id)
        else:
            return ""
        if len(text) > MAX_SUFFIX_CHARS:
            raise InvalidInput(
                f"The brand's words for the prompt can be at most {MAX_SUFFIX_CHARS} "
                f"characters; these are {len(text)}."
            )
        return text

    def rebuild(self, spec: JobSpec, **changes: Any) -> JobSpec:
        """`spec` with `changes` (values as `build` takes them, `prompt` and `platform_ids`
        too; None takes the settings' value again), checked and planned like a new job."""
        inputs = _inputs(spec) | changes
        return self.build(inputs.pop("prompt"), inputs.pop("platform_ids"), **inputs)

    def with_settings_after(self, spec: JobSpec, failure_kind: str | None) -> JobSpec:
        """`spec` with the inputs a failure of this kind was about taken from the settings
        again (the same spec when the settings can't have fixed it)."""
        fixable = FIXED_BY_SETTINGS.get(failure_kind or "", ())
        if fixable and not spec.generates:
            fixable = ("model",)  # an import stays one: who expands it is what may change
        return self.rebuild(spec, **dict.fromkeys(fixable)) if fixable else spec


def _inputs(spec: JobSpec) -> dict[str, Any]:
    """A spec as the loose input that builds it again."""
    render, layers = spec.render, spec.layers
    return {
        "prompt": spec.prompt,
        "platform_ids": list(spec.platforms),
        "provider": spec.provider.value,
        "model": spec.model or None,
        "quality": spec.quality.value,
        "background": spec.background.value,
        "asset_format": render.format,
        "image_quality": render.quality,
        "fit": render.fit,
        "fit_threshold": render.threshold,
        "fit_overrides": render.overrides,
        "pad": render.pad,
        "focus": render.focus,
        "variations": spec.variations,
        "style": spec.style,
        "file_name": spec.file_name,
        "source_size": spec.size if spec.provider is Provider.IMPORT else None,
        "headline": layers.headline,
        "subline": layers.subline,
        "cta": layers.cta,
        "brand": layers.kit,
        "logo": layers.logo,
        "overrides": layers.overrides,
        "prompt_suffix": spec.prompt_suffix,
    }


def _provider(name: str) -> Provider:
    key = str(name).strip().lower()
    if key not in (*PROVIDERS, Provider.IMPORT):
        raise InvalidInput(f"“{name}” is not a provider; choose {' or '.join(PROVIDERS)}.")
    return Provider(key)


def _choice(name: str, value: str, allowed: Sequence[str]) -> str:
    value = str(value).strip().lower()
    if value not in allowed:
        raise InvalidInput(
            f"The {name} “{value}” isn't one SnapAsset knows; choose {', '.join(allowed)}."
        )
    return value
