"""What an image generation costs, in US dollars — an estimate, never an invoice.

OpenAI bills the GPT image models by tokens: text (and any input image) in,
image tokens out, and the image tokens grow with quality and pixel count.
When the API reports `usage` for a request we price those tokens; otherwise
we estimate the tokens from the quality and size. The rates below are
ESTIMATES from OpenAI's published list prices at the time of writing (USD per
million tokens); prices change and newer models may differ, so the monthly
budget they feed is a guard rail, not accounting. Unknown models are priced
like the dearest one we know, so a cap errs towards pausing early.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rates:
    """USD per million tokens (estimates)."""

    text_in: float
    image_in: float
    image_out: float


# Estimates. Keys are model-name prefixes, longest match wins.
RATES: dict[str, Rates] = {
    "gpt-image-1-mini": Rates(text_in=2.0, image_in=2.5, image_out=8.0),
    "gpt-image-1.5": Rates(text_in=5.0, image_in=8.0, image_out=32.0),
    "chatgpt-image": Rates(text_in=5.0, image_in=8.0, image_out=32.0),
    "gpt-image-1": Rates(text_in=5.0, image_in=10.0, image_out=40.0),
    "gpt-image-2": Rates(text_in=5.0, image_in=10.0, image_out=40.0),
}
FALLBACK = Rates(text_in=5.0, image_in=10.0, image_out=40.0)

# Estimated image tokens for one 1024×1024 image by quality; other sizes scale by
# pixel count. "auto" lets the model choose, so it is estimated as "high" (a cap
# should err towards pausing early).
TOKENS_1024: dict[str, int] = {"low": 272, "medium": 1056, "high": 4160}
TOKENS_1024_DEFAULT = TOKENS_1024["high"]
_SQUARE = 1024 * 1024


def rates_for(model: str) -> Rates:
    name = (model or "").strip().lower()
    matches = [prefix for prefix in RATES if name.startswith(prefix)]
    return RATES[max(matches, key=len)] if matches else FALLBACK


def _pixels(size: str) -> int:
    try:
        width, height = (int(part) for part in size.lower().split("x"))
    except (AttributeError, ValueError):
        return _SQUARE  # "auto" or unknown: a square, the API's usual default
    return max(1, width) * max(1, height)


def estimate_cost(model: str, quality: str, size: str, *, n: int = 1, prompt: str = "") -> float:
    """Estimated USD for `n` images of `size` ("WxH") at `quality` (no usage reported)."""
    rates = rates_for(model)
    per_image = TOKENS_1024.get((quality or "").lower(), TOKENS_1024_DEFAULT)
    image_tokens = per_image * _pixels(size) / _SQUARE * max(1, n)
    text_tokens = max(1, len(prompt) // 4)
    return (image_tokens * rates.image_out + text_tokens * rates.text_in) / 1_000_000


def cost_from_usage(model: str, usage: Mapping[str, Any]) -> float | None:
    """USD for the tokens the API reported; None when the usage has no token counts."""
    rates = rates_for(model)
    output = usage.get("output_tokens")
    total_in = usage.get("input_tokens")
    if not isinstance(output, int | float) and not isinstance(total_in, int | float):
        return None
    details = usage.get("input_tokens_details") or {}
    image_in = details.get("image_tokens") or 0
    text_in = details.get("text_tokens")
    if text_in is None:
        text_in = max(0, (total_in or 0) - image_in)
    cost = text_in * rates.text_in + image_in * rates.image_in + (output or 0) * rates.image_out
    return cost / 1_000_000


def request_cost(
    model: str,
    quality: str,
    size: str,
    *,
    n: int,
    prompt: str,
    usages: Iterable[Mapping[str, Any] | None],
) -> float:
    """The reported usage when the API gave it, otherwise the estimate."""
    reported = [cost_from_usage(model, usage) for usage in usages if usage]
    known = [cost for cost in reported if cost is not None]
    if known:
        return sum(known)
    return estimate_cost(model, quality, size, n=n, prompt=prompt)


@dataclass(frozen=True)
class TextRates:
    """USD per million tokens for a text model that reads images (estimates)."""

    input: float
    output: float


# Estimates, as above. Alt text (providers/alt_text.py) is written by a small vision model.
TEXT_RATES: dict[str, TextRates] = {
    "gpt-6-luna": TextRates(input=0.10, output=0.50),
    "gpt-5.6-luna": TextRates(input=0.20, output=1.20),
}
TEXT_FALLBACK = TextRates(input=2.0, output=10.0)  # priced like a larger model: a cap errs early
# A `detail: low` image plus the instructions, and two sentences back.
TEXT_ESTIMATE_TOKENS = (200, 80)


def text_request_cost(model: str, usage: Mapping[str, Any] | None) -> float:
    """USD for one text answer: its reported tokens, else a typical alt-text request's."""
    name = (model or "").strip().lower()
    matches = [prefix for prefix in TEXT_RATES if name.startswith(prefix)]
    rates = TEXT_RATES[max(matches, key=len)] if matches else TEXT_FALLBACK
    tokens_in, tokens_out = TEXT_ESTIMATE_TOKENS
    if usage and isinstance(usage.get("input_tokens"), int | float):
        tokens_in, tokens_out = usage["input_tokens"], usage.get("output_tokens") or 0
    return (tokens_in * rates.input + tokens_out * rates.output) / 1_000_000


def format_usd(amount: float) -> str:
    return f"${amount:,.0f}" if amount >= 10 and amount == int(amount) else f"${amount:,.2f}"


def cost_text(cost_usd: float | None) -> str | None:
    """What a job cost, written as the budget messages write money; None when it was free."""
    if not cost_usd or cost_usd <= 0:
        return None  # placeholder and imported images: nothing was paid
    # format_usd rounds to cents: a cheap low-quality image would read "$0.00", i.e. free.
    return "<$0.01" if cost_usd < 0.005 else format_usd(cost_usd)
