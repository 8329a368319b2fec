"""What a job's composition costs, shown before Generate: "2 expansions · $0.31".

An expansion is one call to the edit endpoint. It is priced as an estimate, like every
figure in `services.pricing`: the painted canvas like a generated image of the request's
size and quality, plus the picture sent in as image input tokens. OpenAI publishes no
token rule for the GPT image models' input images; the estimate uses its rule for images
given to its vision models (fit in 2048 × 2048, shortest side to 768, 170 tokens per
512-pixel tile plus 85), which errs high for small pictures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from snapasset_desktop.imaging.composition import CompositionPlan
from snapasset_desktop.services.pricing import cost_text, estimate_cost, rates_for

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


def quote(plan: CompositionPlan, *, model: str, quality: str, prompt: str = "") -> CompositionQuote:
    """The calls and estimated USD of the plan's expansions."""
    costs = [
        expansion_cost(model, quality, expansion.request, prompt=prompt)
        for expansion in plan.expansions
    ]
    return CompositionQuote(len(costs), sum(costs))


def expansion_cost(
    model: str, quality: str, request: tuple[int, int], *, prompt: str = ""
) -> float:
    """Estimated USD of one expansion painted at `request` (width, height)."""
    painted = estimate_cost(model, quality, f"{request[0]}x{request[1]}", prompt=prompt)
    return painted + input_image_tokens(request) * rates_for(model).image_in / 1_000_000


def input_image_tokens(size: tuple[int, int]) -> int:
    """Estimated tokens for a picture of `size` sent to the model (see the module doc)."""
    width, height = size
    fit = min(1.0, 2048 / max(width, height))
    width, height = width * fit, height * fit
    shrink = min(1.0, 768 / min(width, height))
    tiles = math.ceil(width * shrink / _TILE) * math.ceil(height * shrink / _TILE)
    return _BASE_TOKENS + _TILE_TOKENS * tiles
