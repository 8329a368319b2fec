"""Crop and fit arithmetic: where a platform's frame sits inside a source image.

Pure functions on (width, height) tuples, shared by planning (which source
size to ask for) and rendering (which pixels to keep).
"""

from __future__ import annotations

Size = tuple[int, int]


def cover_crop_size(src: Size, target: Size) -> tuple[float, float]:
    """Exact (unrounded) size of the largest target-aspect frame inside `src`."""
    src_w, src_h = src
    aspect = target[0] / target[1]
    if src_w / src_h > aspect:
        return src_h * aspect, float(src_h)
    return float(src_w), src_w / aspect


def cover_box(src: Size, target: Size, focus: tuple[float, float]) -> tuple[int, int, int, int]:
    """The largest target-aspect box inside `src`, centred on `focus` as far as edges allow.

    `focus` is (x, y) in 0..1 of the source. Returns (left, top, right, bottom).
    """
    src_w, src_h = src
    crop_w, crop_h = cover_crop_size(src, target)
    width = min(src_w, max(1, round(crop_w)))
    height = min(src_h, max(1, round(crop_h)))
    left = _place(focus[0] * src_w, width, src_w)
    top = _place(focus[1] * src_h, height, src_h)
    return left, top, left + width, top + height


def crop_loss(src: Size, target: Size) -> float:
    """Fraction (0..1) of the source that a cover crop to `target`'s aspect discards."""
    crop_w, crop_h = cover_crop_size(src, target)
    return max(0.0, 1.0 - (crop_w * crop_h) / (src[0] * src[1]))


def contain_size(src: Size, target: Size) -> Size:
    """Size of `src` scaled to fit entirely inside `target`, keeping its aspect."""
    scale = min(target[0] / src[0], target[1] / src[1])
    width = min(target[0], max(1, round(src[0] * scale)))
    height = min(target[1], max(1, round(src[1] * scale)))
    return width, height


def contain_frame(src: Size, target: Size) -> tuple[int, int, int, int]:
    """What a contained platform's frame shows, in source pixels: the whole source, centred
    as `contain_size` fits it, and the padding around it (past the source's edges)."""
    fitted = contain_size(src, target)
    scale = fitted[0] / src[0]
    left = (target[0] - fitted[0]) / 2 / scale
    top = (target[1] - fitted[1]) / 2 / scale
    return round(-left), round(-top), round(src[0] + left), round(src[1] + top)


def _place(centre: float, length: int, limit: int) -> int:
    """Start of a span of `length` centred on `centre`, kept inside 0..limit."""
    return min(max(0, round(centre - length / 2)), limit - length)
