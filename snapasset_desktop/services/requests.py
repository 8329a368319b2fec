"""What a designer asks for, checked before anything is stored or queued.

`GenerationRequest.build` turns loose input (from the CLI, the window or a CSV
row) into a validated request, or raises `InvalidInput` with a sentence the
designer understands. Jobs store `request.params()`, so a job can always be
re-run or re-rendered with exactly what was asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.encode import normalise_format
from snapasset_desktop.imaging.planning import plan_source_size
from snapasset_desktop.imaging.render import RenderOptions
from snapasset_desktop.platforms import Platform, PlatformRegistry
from snapasset_desktop.providers import PROVIDERS
from snapasset_desktop.providers.base import MAX_PROMPT_CHARS, check_model, validate_prompt
from snapasset_desktop.settings import Settings
from snapasset_desktop.styles import apply_style, check_style

QUALITIES = ("auto", "low", "medium", "high")
BACKGROUNDS = ("auto", "opaque", "transparent")
MAX_VARIATIONS = 4
IMPORT_PROVIDER = "import"


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str
    platforms: tuple[Platform, ...]
    provider: str
    model: str
    quality: str = "auto"
    background: str = "auto"
    render: RenderOptions = field(default_factory=RenderOptions)
    variations: int = 1
    style: str | None = None  # a style preset (styles.py), applied to the prompt when sent

    @property
    def platform_ids(self) -> list[str]:
        return [p.id for p in self.platforms]

    @classmethod
    def build(
        cls,
        prompt: str,
        platform_ids: Sequence[str],
        *,
        registry: PlatformRegistry,
        settings: Settings,
        provider: str | None = None,
        model: str | None = None,
        quality: str | None = None,
        background: str | None = None,
        asset_format: str | None = None,
        image_quality: int | None = None,
        fit: str | None = None,
        pad: str | None = None,
        focus: tuple[float, float] | None = None,
        variations: int = 1,
        style: str | None = None,
    ) -> GenerationRequest:
        provider = (provider or settings.provider).strip().lower()
        if provider not in (*PROVIDERS, IMPORT_PROVIDER):
            raise InvalidInput(f"“{provider}” is not a provider; choose {' or '.join(PROVIDERS)}.")
        quality = _choice("quality", quality or settings.quality, QUALITIES)
        background = _choice("background", background or settings.background, BACKGROUNDS)
        if not 1 <= int(variations) <= MAX_VARIATIONS:
            raise InvalidInput(f"Variations must be between 1 and {MAX_VARIATIONS}.")
        render = RenderOptions(
            fit=fit or settings.fit,
            focus=focus,
            pad=pad or settings.pad_color,
            format=normalise_format(asset_format or settings.output_format),
            quality=image_quality if image_quality is not None else settings.image_quality,
        )
        style = check_style(style)
        prompt = prompt.strip() if provider == IMPORT_PROVIDER else validate_prompt(prompt)
        if style and len(apply_style(prompt, style)) > MAX_PROMPT_CHARS:
            raise InvalidInput(
                f"With the {style} style added your prompt is over the "
                f"{MAX_PROMPT_CHARS:,}-character limit; shorten it or pick no style."
            )
        return cls(
            prompt=prompt,
            platforms=tuple(registry.resolve(platform_ids)),
            provider=provider,
            model=check_model(model or settings.model) if provider == "openai" else (model or ""),
            quality=quality,
            background=background,
            render=render,
            variations=int(variations),
            style=style,
        )

    def params(self) -> dict[str, Any]:
        """What the job row keeps: enough to re-run or re-render this request."""
        plan = plan_source_size(self.platforms, self.model or "gpt-image-2")
        return {
            "provider": self.provider,
            "model": self.model,
            "size": plan.size_param,
            "quality": self.quality,
            "background": self.background,
            "asset_format": self.render.format,
            "image_quality": self.render.quality,
            "fit": self.render.fit,
            "pad": self.render.pad,
            "variations": self.variations,
            "style": self.style,
        }


def _choice(name: str, value: str, allowed: Sequence[str]) -> str:
    value = str(value).strip().lower()
    if value not in allowed:
        raise InvalidInput(
            f"The {name} “{value}” isn't one SnapAsset knows; choose {', '.join(allowed)}."
        )
    return value
