"""Pipeline speed: one source → every built-in platform as PNG, JPEG and WebP.

Compares, in one run on one machine: SnapAsset's render path (crop first, one
reducing resize, explicit fast encoder settings, platforms in parallel) with a
plain Pillow script (`ImageOps.fit` per target, default encoder settings, one
thread), and pyvips when it is installed. Ratios > 1 mean faster than the
plain script. Run: `.venv/bin/python bench/pipeline.py`.
"""

from __future__ import annotations

import io
import os
import statistics
import sys

from PIL import Image, ImageFilter, ImageOps

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import machine, measure, row
from snapasset_desktop.imaging.render import RenderOptions, render_platforms
from snapasset_desktop.platforms import BUILTIN_PLATFORMS

FORMATS = {"png": ("PNG", {}), "jpeg": ("JPEG", {"quality": 90}), "webp": ("WEBP", {"quality": 90})}


def photo_like(size: tuple[int, int]) -> Image.Image:
    """Noise with structure, so encoders work as hard as on a photo."""
    noise = Image.effect_noise(size, 64).convert("L")
    gradient = Image.linear_gradient("L").resize(size)
    base = Image.merge("RGB", (noise, gradient, noise.filter(ImageFilter.GaussianBlur(3))))
    return base.filter(ImageFilter.SMOOTH)


def plain_pillow(source: Image.Image, fmt: str) -> int:
    name, options = FORMATS[fmt]
    total = 0
    for platform in BUILTIN_PLATFORMS:
        fitted = ImageOps.fit(source, platform.size, Image.LANCZOS)
        buffer = io.BytesIO()
        fitted.save(buffer, name, **options)
        total += buffer.tell()
    return total


def snapasset(source: Image.Image, fmt: str) -> int:
    options = RenderOptions(format=fmt, quality=90, focus=(0.5, 0.5))
    return sum(len(a.data) for a in render_platforms(source, BUILTIN_PLATFORMS, options))


def pyvips_path(source_png: bytes, fmt: str) -> int | None:
    try:
        import pyvips
    except ImportError:
        return None
    total = 0
    suffix = {"png": ".png", "jpeg": ".jpg[Q=90]", "webp": ".webp[Q=90]"}[fmt]
    for platform in BUILTIN_PLATFORMS:
        image = pyvips.Image.thumbnail_buffer(
            source_png, platform.width, height=platform.height, crop="centre"
        )
        total += len(image.write_to_buffer(suffix))
    return total


def main() -> None:
    print(f"pipeline: {len(BUILTIN_PLATFORMS)} platforms · {machine()}")
    for size in ((1024, 1024), (1536, 1024), (2048, 2048)):
        source = photo_like(size)
        png = io.BytesIO()
        source.save(png, "PNG")
        print(f"\nsource {size[0]}×{size[1]}")
        for fmt in FORMATS:
            compare(source, png.getvalue(), fmt)


def compare(source: Image.Image, source_png: bytes, fmt: str) -> None:
    sizes: dict[str, int] = {}

    def timed(name: str, fn) -> list[float]:
        return measure(lambda: sizes.__setitem__(name, fn()), repeat=3)

    base = timed("plain", lambda: plain_pillow(source, fmt))
    ours = timed("ours", lambda: snapasset(source, fmt))
    median = statistics.median(base)
    print(row(f"  {fmt:5} plain Pillow script", base, extra=f"{sizes['plain'] / 1e6:6.1f} MB"))
    print(
        row(
            f"  {fmt:5} SnapAsset",
            ours,
            median,
            f"{sizes['ours'] / 1e6:6.1f} MB ({sizes['ours'] / sizes['plain']:.2f}× the bytes)",
        )
    )
    if pyvips_path(source_png, fmt) is not None:
        vips = timed("vips", lambda: pyvips_path(source_png, fmt))
        print(row(f"  {fmt:5} pyvips", vips, median, f"{sizes['vips'] / 1e6:6.1f} MB"))


if __name__ == "__main__":
    main()
