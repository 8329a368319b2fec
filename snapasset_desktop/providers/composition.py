"""A job's composition through a provider: what it costs before Generate, and one expansion.

`quote` is what the composer shows before Generate ("2 expansions · $0.31");
`expand_source` is the work of one expansion stage: the source placed on the canvas,
the provider's edit, the original pixels pasted back; `refused_note` is what the job
says when OpenAI refuses one (its platforms are cropped instead).

An expansion is one call to the edit endpoint. It is priced as an estimate, like every
figure in `providers.pricing`: the painted canvas like a generated image of the request's
size and quality, plus the picture sent in as image input tokens. OpenAI publishes no
token rule for the GPT image models' input images; the estimate uses its rule for images
given to its vision models (fit in 2048 × 2048, shortest side to 768, 170 tokens per
512-pixel tile plus 85), which errs high for small pictures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image

from snapasset_desktop.imaging.composition import CompositionPlan, Expansion
from snapasset_desktop.imaging.decode import load_image
from snapasset_desktop.imaging.expansion import edit_inputs, paste_back
from snapasset_desktop.providers.base import (
    CancelCheck,
    ExpandRequest,
    ImageProvider,
    PartialCallback,
    WaitCallback,
    expansion_prompt,
)
from snapasset_desktop.providers.pricing import cost_text, estimate_cost, rates_for

_TILE = 512
_TILE_TOKENS = 170
_BASE_TOKENS = 85


@dataclass(frozen=True)
class CompositionQuote:
    calls: int  # edit requests the plan makes (the source's own generation not counted)
    cost_usd: float

    @property
    def text(self) -> str:
        if not self.calls:
            return "No expansions"
        plural = "s" if self.calls != 1 else ""
        return f"{self.calls} expansion{plural} · {cost_text(self.cost_usd) or '$0.00'}"


def quote(
    plan: CompositionPlan, *, model: str, quality: str, prompt: str = "", variations: int = 1
) -> CompositionQuote:
    """The calls and estimated USD of the plan's expansions, for each of `variations`
    pictures (every picture is expanded on its own)."""
    costs = [
        expansion_cost(model, quality, expansion.request, prompt=prompt)
        for expansion in plan.expansions
    ]
    return CompositionQuote(len(costs) * variations, sum(costs) * variations)


def expansion_cost(
    model: str, quality: str, request: tuple[int, int], *, prompt: str = ""
) -> float:
    """Estimated USD of one expansion painted at `request` (width, height)."""
    painted = estimate_cost(model, quality, f"{request[0]}x{request[1]}", prompt=prompt)
    return painted + input_image_tokens(request) * rates_for(model).image_in / 1_000_000


def input_image_tokens(size: tuple[int, int]) -> int:
    """Estimated tokens for a picture of `size` sent to the model (see the module doc)."""
    width, height = map(float, size)
    fit = min(1.0, 2048 / max(width, height))
    width, height = width * fit, height * fit
    shrink = min(1.0, 768 / min(width, height))
    tiles = math.ceil(width * shrink / _TILE) * math.ceil(height * shrink / _TILE)
    return _BASE_TOKENS + _TILE_TOKENS * tiles


def refused_note(expansion: Expansion) -> str:
    """The job's note when OpenAI refuses an expansion and its platforms crop instead."""
    return (
        f"OpenAI refused to extend the picture for the {expansion.label}, "
        "so they are cropped instead."
    )


def expand_source(
    provider: ImageProvider,
    source: Image.Image,
    expansion: Expansion,
    *,
    prompt: str | None,
    model: str,
    quality: str = "auto",
    partial_images: int = 0,
    on_partial: PartialCallback | None = None,
    should_cancel: CancelCheck | None = None,
    on_wait: WaitCallback | None = None,
) -> Image.Image:
    """The source expanded as `expansion` plans: one provider call, the original pasted back.

    `prompt` is what the source shows (None for an imported photo). Errors are the
    provider's (a refusal is a ProviderError of kind "refused", never transient).
    """
    image, mask = edit_inputs(source, expansion)
    request = ExpandRequest(
        image=image,
        mask=mask,
        prompt=expansion_prompt(prompt),
        size=expansion.size_param,
        model=model,
        quality=quality,
        partial_images=partial_images,
    )
    painted = provider.expand(
        request, on_partial=on_partial, should_cancel=should_cancel, on_wait=on_wait
    )
    answer = load_image(painted.data, what="expanded picture")
    return paste_back(source, answer, expansion)
