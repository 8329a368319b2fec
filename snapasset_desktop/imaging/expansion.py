"""Expansion mechanics: what goes to the edit endpoint, and the original put back after.

`edit_inputs` places the source on the expansion's canvas at the size the model paints
(the new area pre-filled with a blurred mirror of the source, so the model continues
colours rather than inventing from grey) and makes the PNG mask in the convention of
OpenAI's edit endpoint: fully transparent where the model paints, opaque where the
picture stays. `paste_back` scales the model's answer to the canvas at the source's
scale and puts every original pixel back exactly — the model repaints unmasked pixels
too — with a short feathered seam that lies wholly in the new area, blending the
mirrored edge of the original into the painted one.

`encode_expanded` keeps an expanded picture as a PNG that says where the original sits
in it (a text chunk), so whoever holds the file — the library, a hand-back, the cloud —
can crop from it again without the plan that made it; `expanded_box` reads that back.

`edge_fill` is also the offline placeholder's whole expansion.
"""

from __future__ import annotations

import json
from io import BytesIO

from PIL import Image, ImageFilter, PngImagePlugin

from snapasset_desktop.imaging.composition import Expansion
from snapasset_desktop.imaging.placement import Box, Size

FEATHER = 0.03  # of the source's length along the expansion: the seam's width
MAX_FEATHER_PX = 96
_BLUR = 0.02  # of the canvas's short side: how soft the mirrored fill is
_BLUR_REDUCTION = 4  # the fill is blurred on a copy this many times smaller
_GEOMETRY_KEY = "snapasset-expansion"


def edit_inputs(source: Image.Image, expansion: Expansion) -> tuple[bytes, bytes]:
    """(image, mask) as PNG bytes at the size the model paints, source placed as planned."""
    box = _scaled_box(expansion)
    placed = source.resize(
        (box[2] - box[0], box[3] - box[1]), Image.Resampling.LANCZOS, reducing_gap=3.0
    )
    canvas = Image.new(_mode(source), expansion.request)
    canvas.paste(placed, box[:2])
    canvas = edge_fill(canvas, box)
    mask = Image.new("RGBA", expansion.request, (0, 0, 0, 0))
    mask.paste((0, 0, 0, 255), box)
    return _png(canvas), _png(mask)


def paste_back(source: Image.Image, painted: Image.Image, expansion: Expansion) -> Image.Image:
    """The expanded picture at the canvas size: the model's new area, the original pixels."""
    original = source.convert(_mode(source))
    result = painted.convert(original.mode).resize(expansion.canvas, Image.Resampling.LANCZOS)
    box = expansion.source_box
    for side in ("left", "top", "right", "bottom"):
        _feather_side(result, original, box, side, _feather(expansion))
    result.paste(original, box[:2])
    return result


def encode_expanded(image: Image.Image, expansion: Expansion) -> bytes:
    """The expanded picture as a PNG carrying the expansion's key and the original's box."""
    info = PngImagePlugin.PngInfo()
    geometry = {"key": expansion.key, "source_box": list(expansion.source_box)}
    info.add_text(_GEOMETRY_KEY, json.dumps(geometry))
    out = BytesIO()
    # Fast compression: a canvas is kept to be cropped again, not to be posted.
    image.save(out, "PNG", compress_level=1, pnginfo=info)
    return out.getvalue()


def expanded_box(data: bytes) -> Box | None:
    """Where the original sits in an expanded picture `encode_expanded` wrote; None when
    the file doesn't say (it was not written by it)."""
    try:
        # `encode_expanded` writes the chunk before the pixels, so it is in `info` at
        # once; `text` would decode the whole picture to look for chunks after them.
        with Image.open(BytesIO(data)) as image:
            text = image.info.get(_GEOMETRY_KEY)
        box = json.loads(text)["source_box"] if text else None
        left, top, right, bottom = (int(v) for v in box) if box else (0, 0, 0, 0)
    except (OSError, SyntaxError, ValueError, TypeError, KeyError):
        return None
    return (left, top, right, bottom) if right > left and bottom > top else None


def edge_fill(canvas: Image.Image, keep: Box) -> Image.Image:
    """`canvas` with everything outside `keep` filled by a blurred mirror of what's inside."""
    filled = canvas.copy()
    band = filled.crop((0, keep[1], filled.width, keep[3]))
    _reflect(band, keep[0], keep[2], horizontal=True)
    filled.paste(band, (0, keep[1]))
    _reflect(filled, keep[1], keep[3], horizontal=False)
    small = filled.reduce(_BLUR_REDUCTION) if min(filled.size) >= 4 * _BLUR_REDUCTION else filled
    radius = max(1.0, _BLUR * min(small.size))
    soft = small.filter(ImageFilter.GaussianBlur(radius)).resize(
        filled.size, Image.Resampling.BILINEAR
    )
    soft.paste(canvas.crop(keep), keep[:2])
    return soft


def _reflect(image: Image.Image, start: int, end: int, *, horizontal: bool) -> None:
    """Fill `image` outside [start, end) along one axis with mirrored copies of that span."""
    axis = 0 if horizontal else 1
    span = end - start
    if span <= 0:
        return
    tile = image.crop((start, 0, end, image.height) if horizontal else (0, start, image.width, end))
    flip = Image.Transpose.FLIP_LEFT_RIGHT if horizontal else Image.Transpose.FLIP_TOP_BOTTOM
    mirrored = tile.transpose(flip)
    for direction in (-1, 1):
        position, copy = start if direction < 0 else end, 0
        while 0 < position < image.size[axis]:
            piece = mirrored if copy % 2 == 0 else tile
            at = position - span if direction < 0 else position
            image.paste(piece, (at, 0) if horizontal else (0, at))
            position += direction * span
            copy += 1


def _feather_side(
    result: Image.Image, source: Image.Image, box: Box, side: str, feather: int
) -> None:
    """Blend the source's mirrored edge into `result` just outside `box` on one side."""
    horizontal = side in ("left", "right")
    room = {
        "left": box[0],
        "top": box[1],
        "right": result.width - box[2],
        "bottom": result.height - box[3],
    }[side]
    width = min(feather, room, source.width if horizontal else source.height)
    if width <= 0:
        return
    edge = {
        "left": (0, 0, width, source.height),
        "right": (source.width - width, 0, source.width, source.height),
        "top": (0, 0, source.width, width),
        "bottom": (0, source.height - width, source.width, source.height),
    }[side]
    at = {
        "left": (box[0] - width, box[1]),
        "right": (box[2], box[1]),
        "top": (box[0], box[1] - width),
        "bottom": (box[0], box[3]),
    }[side]
    flip = Image.Transpose.FLIP_LEFT_RIGHT if horizontal else Image.Transpose.FLIP_TOP_BOTTOM
    mirrored = source.crop(edge).transpose(flip)
    region = (at[0], at[1], at[0] + mirrored.width, at[1] + mirrored.height)
    blended = Image.composite(mirrored, result.crop(region), _ramp(mirrored.size, side))
    result.paste(blended, at)


def _ramp(size: Size, side: str) -> Image.Image:
    """White (the mirrored original) where the strip touches the original, black at its far
    end; `linear_gradient` runs black at the top to white at the bottom."""
    gradient = Image.linear_gradient("L")
    oriented = {
        "top": gradient,
        "bottom": gradient.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
        "left": gradient.rotate(90),
        "right": gradient.rotate(-90),
    }[side]
    return oriented.resize(size, Image.Resampling.BILINEAR)


def _feather(expansion: Expansion) -> int:
    box = expansion.source_box
    grows_sideways = expansion.canvas[0] > box[2] - box[0]
    length = box[2] - box[0] if grows_sideways else box[3] - box[1]
    return min(MAX_FEATHER_PX, max(4, round(FEATHER * length)))


def _scaled_box(expansion: Expansion) -> Box:
    """The source's box on the canvas at the request's size."""
    sx = expansion.request[0] / expansion.canvas[0]
    sy = expansion.request[1] / expansion.canvas[1]
    left, top, right, bottom = expansion.source_box
    return round(left * sx), round(top * sy), round(right * sx), round(bottom * sy)


def _mode(image: Image.Image) -> str:
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    return "RGBA" if has_alpha else "RGB"


def _png(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, "PNG", compress_level=1)
    return out.getvalue()
