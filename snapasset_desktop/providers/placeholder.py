"""The offline provider: an instant, free, labelled stand-in image at the requested size.

Designers use it to try platforms and layouts without a key or network. The
picture is deterministic for a prompt (same prompt, same colours), and carries
structure — rule-of-thirds grid, concentric rings, a centre mark — so crops
and focal points are visible in every platform variant. It expands a picture
offline too: the area the mask leaves to paint gets a blurred mirror of the rest.
"""

from __future__ import annotations

import colorsys
import hashlib
import textwrap
from functools import lru_cache
from io import BytesIO
from typing import cast

from PIL import Image, ImageChops, ImageDraw, ImageFont

from snapasset_desktop.errors import Canceled, InvalidInput
from snapasset_desktop.imaging.expansion import edge_fill
from snapasset_desktop.providers.base import (
    CancelCheck,
    ExpandRequest,
    GeneratedImage,
    ImageRequest,
    PartialCallback,
    WaitCallback,
    parse_size,
    validate_expand_request,
    validate_request,
)

AUTO_SIZE = (1024, 1024)
MAX_PARTIALS = 2  # enough to exercise the preview path; more would only cost time
PREVIEW_REDUCTION = 4
INK = (28, 32, 44)


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _palette(seed: bytes) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """Two soft neighbouring hues picked by the prompt's hash."""
    hue = seed[0] / 255
    shift = 0.08 + seed[1] / 255 * 0.17

    def rgb(h: float, s: float, v: float) -> tuple[int, int, int]:
        r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
        return round(r * 255), round(g * 255), round(b * 255)

    return rgb(hue, 0.30, 0.97), rgb(hue + shift, 0.48, 0.86)


def _gradient(size: tuple[int, int], seed: bytes) -> Image.Image:
    start, end = _palette(seed)
    ramp = Image.linear_gradient("L")  # 256×256, top to bottom
    vertical = ramp.resize(size, Image.Resampling.BILINEAR)
    horizontal = ramp.rotate(90).resize(size, Image.Resampling.BILINEAR)
    if seed[2] & 1:
        horizontal = horizontal.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    mask = ImageChops.add(vertical, horizontal, scale=2.0)  # diagonal blend
    return Image.composite(Image.new("RGB", size, end), Image.new("RGB", size, start), mask)


def _draw_structure(draw: ImageDraw.ImageDraw, width: int, height: int, line: int) -> None:
    faint, soft = (255, 255, 255, 70), (255, 255, 255, 120)
    for i in (1, 2):  # rule-of-thirds grid
        x, y = width * i // 3, height * i // 3
        draw.line([(x, 0), (x, height)], fill=faint, width=line)
        draw.line([(0, y), (width, y)], fill=faint, width=line)
    cx, cy = width // 2, height // 2
    step = max(8, min(width, height) // 10)
    for ring in range(1, max(width, height) // step + 1):  # concentric rings to the edges
        r = ring * step
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=faint, width=line)
    arm = step // 2  # centre mark
    draw.line([(cx - arm, cy), (cx + arm, cy)], fill=soft, width=line * 2)
    draw.line([(cx, cy - arm), (cx, cy + arm)], fill=soft, width=line * 2)
    inset = max(4, min(width, height) // 20)  # a "safe area" frame
    draw.rectangle([inset, inset, width - inset, height - inset], outline=soft, width=line)


def _mix(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, int, int]:
    # Pillow draws text opaquely even on an RGBA Draw, so faint text is a blended colour.
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a[:3], b[:3], strict=True))
    return r, g, bl


def _draw_label(image: Image.Image, prompt: str) -> None:
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    short = min(width, height)
    text_size = max(10, short // 22)
    font = _font(text_size)
    chars_per_line = max(8, int(width * 0.7 / (text_size * 0.55)))
    lines = textwrap.wrap(" ".join(prompt.split()), chars_per_line) or [""]
    max_lines = max(1, int(height * 0.45 / (text_size * 1.3)))
    if len(lines) > max_lines:
        last = textwrap.shorten(
            lines[max_lines - 1] + " " + lines[max_lines], chars_per_line, placeholder=" …"
        )
        lines = [*lines[: max_lines - 1], last]
    body = "\n".join(lines)
    spacing = text_size // 3
    label_font = _font(max(9, text_size * 2 // 3))
    size_label = f"{width} x {height}"

    box = draw.multiline_textbbox((0, 0), body, font=font, spacing=spacing, align="center")
    label_box = draw.textbbox((0, 0), size_label, font=label_font)
    text_w = max(box[2] - box[0], label_box[2] - label_box[0])
    text_h = (box[3] - box[1]) + spacing * 2 + (label_box[3] - label_box[1])
    pad = text_size
    left, top = (width - text_w) // 2, (height - text_h) // 2
    draw.rounded_rectangle(
        [left - pad, top - pad, left + text_w + pad, top + text_h + pad],
        radius=pad,
        fill=(255, 255, 255, 190),
    )
    draw.multiline_text(
        (width // 2, top - box[1]),
        body,
        font=font,
        fill=INK,
        spacing=spacing,
        anchor="ma",
        align="center",
    )
    draw.text(
        (width // 2, top + text_h),
        size_label,
        font=label_font,
        fill=_mix(INK, (255, 255, 255), 0.35),
        anchor="md",
    )
    margin = max(6, short // 30)
    # The picture is RGB: a pixel is a tuple of three ints.
    corner = cast("tuple[int, ...]", image.getpixel((width - margin, height - margin)))
    draw.text(
        (width - margin, height - margin),
        "PLACEHOLDER",
        font=_font(max(8, short // 45)),
        fill=_mix(corner, INK, 0.3),
        anchor="rd",
    )


def render_placeholder(prompt: str, width: int, height: int, variant: int = 0) -> Image.Image:
    """The stand-in picture for a prompt; `variant` varies the colours for n > 1."""
    seed = hashlib.sha256(f"{variant}:{prompt}".encode()).digest()
    image = _gradient((width, height), seed)
    draw = ImageDraw.Draw(image, "RGBA")  # RGBA fills blend onto the RGB picture
    _draw_structure(draw, width, height, line=max(1, min(width, height) // 400))
    _draw_label(image, prompt)
    return image


def _encode(image: Image.Image, output_format: str) -> bytes:
    out = BytesIO()
    if output_format == "jpeg":
        image.save(out, "JPEG", quality=90)
    elif output_format == "webp":
        image.save(out, "WEBP", quality=85, method=0)
    else:
        image.save(out, "PNG", compress_level=1)  # speed over size: it's a stand-in
    return out.getvalue()


def _preview(image: Image.Image, coarseness: int) -> Image.Image:
    """A blurred quarter-size preview, like the early frames OpenAI streams.

    Quarter size keeps partials nearly free to encode (a full-size PNG costs ~40 ms).
    """
    small = image.reduce(PREVIEW_REDUCTION)
    tiny = small.resize(
        (max(1, small.width // coarseness), max(1, small.height // coarseness)),
        Image.Resampling.BILINEAR,
    )
    return tiny.resize(small.size, Image.Resampling.BILINEAR)


class PlaceholderProvider:
    """Offline, instant, no key: renders a labelled image at the requested size."""

    name = "placeholder"

    def generate(
        self,
        request: ImageRequest,
        *,
        on_partial: PartialCallback | None = None,
        should_cancel: CancelCheck | None = None,
        on_wait: WaitCallback | None = None,
    ) -> list[GeneratedImage]:
        request = validate_request(request, needs_model=False)
        width, height = parse_size(request.size) or AUTO_SIZE

        def check_cancel() -> None:
            if should_cancel is not None and should_cancel():
                raise Canceled()

        results = []
        for index in range(request.n):
            check_cancel()
            image = render_placeholder(request.prompt, width, height, variant=index)
            if on_partial is not None:
                partials = min(request.partial_images, MAX_PARTIALS)
                for partial in range(partials):
                    coarseness = 8 if partial < partials - 1 else 3  # coarse, then finer
                    on_partial(partial, _encode(_preview(image, coarseness), request.output_format))
                    check_cancel()
            results.append(
                GeneratedImage(
                    data=_encode(image, request.output_format),
                    output_format=request.output_format,
                    width=width,
                    height=height,
                )
            )
        return results

    def expand(
        self,
        request: ExpandRequest,
        *,
        on_partial: PartialCallback | None = None,
        should_cancel: CancelCheck | None = None,
        on_wait: WaitCallback | None = None,
    ) -> GeneratedImage:
        """The picture with the mask's transparent area filled by a blurred mirror of the rest."""
        request = validate_expand_request(request, needs_model=False)
        if should_cancel is not None and should_cancel():
            raise Canceled()
        size = parse_size(request.size) or AUTO_SIZE
        picture = _opened(request.image, "picture")
        mask = _opened(request.mask, "mask")
        if mask.size != picture.size or "A" not in mask.getbands():
            raise InvalidInput(
                "The expansion mask must be a PNG with transparency, as big as the picture."
            )
        keep = mask.getchannel("A").point(lambda alpha: 255 if alpha else 0).getbbox()
        if keep is None:
            raise InvalidInput("The expansion mask keeps nothing of the picture.")
        scale_x, scale_y = size[0] / picture.width, size[1] / picture.height
        keep = (
            round(keep[0] * scale_x),
            round(keep[1] * scale_y),
            round(keep[2] * scale_x),
            round(keep[3] * scale_y),
        )
        mode = "RGBA" if request.output_format != "jpeg" and "A" in picture.getbands() else "RGB"
        expanded = edge_fill(picture.convert(mode).resize(size, Image.Resampling.LANCZOS), keep)
        if on_partial is not None:  # as generate: coarse previews, then finer
            partials = min(request.partial_images, MAX_PARTIALS)
            for partial in range(partials):
                coarseness = 8 if partial < partials - 1 else 3
                on_partial(partial, _encode(_preview(expanded, coarseness), request.output_format))
                if should_cancel is not None and should_cancel():
                    raise Canceled()
        return GeneratedImage(
            data=_encode(expanded, request.output_format),
            output_format=request.output_format,
            width=size[0],
            height=size[1],
        )


def _opened(data: bytes, what: str) -> Image.Image:
    try:
        image = Image.open(BytesIO(data))
        image.load()
    except (OSError, SyntaxError, ValueError) as exc:
        raise InvalidInput(
            f"The expansion's {what} isn't a readable image.", detail=f"{type(exc).__name__}: {exc}"
        ) from exc
    return image
