"""What every image provider takes and gives: the request, the result, and their checks.

The checks here run before anything is queued or sent, so a bad prompt, a
retired model or a malformed size is refused with a sentence a designer
understands instead of costing a round trip (and money) to OpenAI.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from snapasset_desktop.errors import InvalidInput

# The GPT image models' prompt limit (openai SDK `images.generate`: "The maximum
# length is 32000 characters").
MAX_PROMPT_CHARS = 32_000

# Mirrors the SDK's `openai.types.image_model.ImageModel` literal (openai 3.57),
# split by its deprecation notes. A test keeps the two in step when the SDK moves.
SUPPORTED_MODELS: tuple[str, ...] = (
    "gpt-image-2",
    "gpt-image-2-2026-04-21",
    "gpt-image-2.5-sunburst",
    "gpt-image-2.5-sunburst-2026-09-08",
    "gpt-image-2.5-flare",
    "gpt-image-2.5-flare-2026-09-08",
    "gpt-image-2.6-sunburst",
    "gpt-image-2.6-flare",
    "gpt-image-1.5",
    "gpt-image-1-mini",
    "chatgpt-image-latest",
)
RETIRED_MODELS: tuple[str, ...] = ("dall-e-2", "dall-e-3", "gpt-image-1")

OUTPUT_FORMATS = ("png", "jpeg", "webp")
QUALITIES = ("auto", "low", "medium", "high", "xhigh", "max")
BACKGROUNDS = ("auto", "opaque", "transparent")
MAX_IMAGES_PER_REQUEST = 10  # the API's bound on `n`
MAX_PARTIAL_IMAGES = 3  # the API's bound on `partial_images`
MAX_SIDE = 8192  # far above any real model; only guards against absurd allocations

# Fine-tuned and OpenAI-compatible servers use names like "ft:gpt…:org::id" or
# "vendor/model"; anything of that shape is passed through for the server to judge.
_PLAUSIBLE_MODEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}")
_SIZE = re.compile(r"\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*")


@dataclass(frozen=True)
class ImageRequest:
    prompt: str
    model: str = "gpt-image-2"
    size: str = "1024x1024"  # "WxH" or "auto"
    quality: str = "auto"
    background: str = "auto"
    output_format: str = "png"
    n: int = 1
    partial_images: int = 0


@dataclass(frozen=True)
class ExpandRequest:
    """An expansion: `image` (PNG, the source placed on a larger canvas) and `mask` (PNG of
    the same size: fully transparent where the model paints, opaque where it keeps)."""

    image: bytes
    mask: bytes
    prompt: str
    size: str  # "WxH": the canvas, exactly the size of `image`
    model: str = "gpt-image-2"
    quality: str = "auto"
    output_format: str = "png"
    partial_images: int = 0


@dataclass
class GeneratedImage:
    data: bytes
    output_format: str
    width: int | None = None
    height: int | None = None
    usage: dict | None = None


PartialCallback = Callable[[int, bytes], None]  # (partial index, encoded image bytes)
CancelCheck = Callable[[], bool]
WaitCallback = Callable[[float], None]  # seconds the request waits for its turn (rate limit)


class ImageProvider(Protocol):
    name: str

    def generate(
        self,
        request: ImageRequest,
        *,
        on_partial: PartialCallback | None = None,
        should_cancel: CancelCheck | None = None,
        on_wait: WaitCallback | None = None,
    ) -> list[GeneratedImage]: ...

    def expand(
        self,
        request: ExpandRequest,
        *,
        on_partial: PartialCallback | None = None,
        should_cancel: CancelCheck | None = None,
        on_wait: WaitCallback | None = None,
    ) -> GeneratedImage: ...


_EXPANSION_PROMPT = (
    "Extend this picture beyond its edges into the transparent area. Continue the scene "
    "naturally with the same light, perspective, colours and style; keep the existing "
    "picture as it is; add no text, borders or frames."
)


def expansion_prompt(prompt: str | None) -> str:
    """An expansion's prompt: how to expand, then what the picture shows when it is known
    (an imported photo has no prompt)."""
    scene = " ".join((prompt or "").split())
    if not scene:
        return _EXPANSION_PROMPT
    lead = f"{_EXPANSION_PROMPT} The picture: "
    return lead + scene[: MAX_PROMPT_CHARS - len(lead)]


def validate_prompt(prompt: str) -> str:
    """The prompt as it will be sent: control characters gone, trimmed, within the limit."""
    text = prompt.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc").strip()
    if not text:
        raise InvalidInput("Write a prompt first — it can't be empty.")
    if len(text) > MAX_PROMPT_CHARS:
        raise InvalidInput(
            f"Your prompt is {len(text):,} characters long; the limit is "
            f"{MAX_PROMPT_CHARS:,}. Shorten it and try again."
        )
    return text


def check_model(model: str) -> str:
    """The model name to send; retired models and names that can't be models are refused."""
    name = (model or "").strip()
    if not name:
        raise InvalidInput("Pick an image model first, such as gpt-image-2.")
    if name.lower() in RETIRED_MODELS:
        raise InvalidInput(
            f"{name.lower()} was retired by OpenAI; pick a current GPT image model "
            "such as gpt-image-2."
        )
    if not _PLAUSIBLE_MODEL.fullmatch(name):
        raise InvalidInput(
            f"“{name}” isn't a model name; pick a GPT image model such as gpt-image-2."
        )
    return name


def parse_size(size: str) -> tuple[int, int] | None:
    """(width, height) for "WxH", None for "auto"; anything else is refused."""
    if size.strip().lower() == "auto":
        return None
    match = _SIZE.fullmatch(size)
    if match:
        width, height = int(match[1]), int(match[2])
        if 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE:
            return width, height
    raise InvalidInput(
        f"The size “{size}” isn't valid; use width x height in pixels such as 1536x1024, or auto."
    )


def _one_of(value: str, choices: tuple[str, ...], what: str) -> str:
    cleaned = value.strip().lower()
    if cleaned not in choices:
        raise InvalidInput(f"“{value}” isn't a {what}; choose one of {', '.join(choices)}.")
    return cleaned


def validate_request(request: ImageRequest, *, needs_model: bool = True) -> ImageRequest:
    """A cleaned copy of the request, or InvalidInput saying what to fix; `needs_model`:
    False for a provider that uses no model (the placeholder)."""
    parsed = parse_size(request.size)
    output_format = _one_of(request.output_format, OUTPUT_FORMATS, "supported image format")
    background = _one_of(request.background, BACKGROUNDS, "background setting")
    if background == "transparent" and output_format == "jpeg":
        raise InvalidInput(
            "JPEG can't be transparent; choose PNG or WebP for a see-through background."
        )
    if not 1 <= request.n <= MAX_IMAGES_PER_REQUEST:
        raise InvalidInput(f"Ask for between 1 and {MAX_IMAGES_PER_REQUEST} images at a time.")
    if not 0 <= request.partial_images <= MAX_PARTIAL_IMAGES:
        raise InvalidInput(f"Live previews can be 0 to {MAX_PARTIAL_IMAGES} per image.")
    return replace(
        request,
        prompt=validate_prompt(request.prompt),
        model=check_model(request.model) if needs_model else request.model,
        size="auto" if parsed is None else f"{parsed[0]}x{parsed[1]}",
        quality=_one_of(request.quality, QUALITIES, "quality setting"),
        background=background,
        output_format=output_format,
    )


def validate_expand_request(request: ExpandRequest, *, needs_model: bool = True) -> ExpandRequest:
    """A cleaned copy of an expansion request, or InvalidInput saying what to fix;
    `needs_model`: False for a provider that paints without one (the placeholder)."""
    size = parse_size(request.size)
    if size is None:
        raise InvalidInput("An expansion needs the canvas size in pixels, such as 1440x2560.")
    if not request.image or not request.mask:
        raise InvalidInput("An expansion needs the picture and its mask.")
    if not 0 <= request.partial_images <= MAX_PARTIAL_IMAGES:
        raise InvalidInput(f"Live previews can be 0 to {MAX_PARTIAL_IMAGES} per image.")
    return replace(
        request,
        prompt=validate_prompt(request.prompt),
        model=check_model(request.model) if needs_model else request.model,
        size=f"{size[0]}x{size[1]}",
        quality=_one_of(request.quality, QUALITIES, "quality setting"),
        output_format=_one_of(request.output_format, OUTPUT_FORMATS, "supported image format"),
    )
