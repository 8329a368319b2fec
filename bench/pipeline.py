"""Pipeline speed: one source → every built-in platform as PNG, JPEG and WebP.

Compares, in one run on one machine: SnapAsset's render path (crop first, one
reducing resize per distinct size, fast encoder settings, platforms in
parallel) with a plain Pillow script (`ImageOps.fit` per target, default
encoder settings, one thread), and pyvips (`thumbnail` with a centre crop,
default settings) when it is installed. Ratios > 1 mean faster than the plain
script. Also checks PNG bytes against Pillow's default PNG and that the crops
look the same (PSNR against the plain script's pixels).

Run: `.venv/bin/python bench/pipeline.py` (about 4 minutes on 2 cores).
"""

from __future__ import annotations

import io
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageChops, ImageFilter, ImageOps, ImageStat

from bench._common import Table, interleaved, machine, spread
from snapasset_desktop.imaging.geometry import cover_box
from snapasset_desktop.imaging.render import RenderOptions, render_platforms
from snapasset_desktop.platforms import BUILTIN_PLATFORMS

FORMATS = {"png": ("PNG", {}), "jpeg": ("JPEG", {"quality": 90}), "webp": ("WEBP", {"quality": 90})}
SOURCES = ((1024, 1024), (1536, 1024), (2048, 2048))
REPEAT = 3
IDENTICAL_PSNR = 40.0  # dB: above this, differences are invisible


def photo_like(size: tuple[int, int]) -> Image.Image:
    """Noise with structure, so encoders work as hard as on a photo (a worst case for PNG)."""
    noise = Image.effect_noise(size, 64).convert("L")
    gradient = Image.linear_gradient("L").resize(size)
    base = Image.merge("RGB", (noise, gradient, noise.filter(ImageFilter.GaussianBlur(3))))
    return base.filter(ImageFilter.SMOOTH)


def plain_pillow(source: Image.Image, fmt: str) -> int:
    name, options = FORMATS[fmt]
    total = 0
    for platform in BUILTIN_PLATFORMS:
        fitted = ImageOps.fit(source, platform.size, Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        fitted.save(buffer, name, **options)
        total += buffer.tell()
    return total


def snapasset(source: Image.Image, fmt: str) -> int:
    options = RenderOptions(format=fmt, quality=90, focus=(0.5, 0.5))
    return sum(len(a.data) for a in render_platforms(source, BUILTIN_PLATFORMS, options))


def pyvips_available() -> bool:
    try:
        import pyvips  # noqa: F401
    except (ImportError, OSError):  # OSError: the module is there, libvips is not
        return False
    return True


def pyvips_path(source_png: bytes, fmt: str) -> int:
    import pyvips

    total = 0
    suffix = {"png": ".png", "jpeg": ".jpg[Q=90]", "webp": ".webp[Q=90]"}[fmt]
    for platform in BUILTIN_PLATFORMS:
        image = pyvips.Image.thumbnail_buffer(
            source_png, platform.width, height=platform.height, crop="centre"
        )
        total += len(image.write_to_buffer(suffix))
    return total


def psnr(a: Image.Image, b: Image.Image) -> float:
    """Peak signal-to-noise ratio of two same-size RGB images, in dB (inf when equal)."""
    squares = ImageStat.Stat(ImageChops.difference(a, b)).rms
    mse = statistics.mean(value**2 for value in squares)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


def crop_check(source: Image.Image) -> tuple[float, float]:
    """(lowest PSNR against the plain script resampling the same whole-pixel box,
    lowest PSNR against `ImageOps.fit` itself, both blurred by 1.5 px).

    Our crop box is in whole source pixels, `ImageOps.fit`'s is fractional: on
    pixel noise a sub-pixel shift alone costs ~30 dB, while no eye can see it;
    the blur compares what a viewer sees."""
    options = RenderOptions(format="png", focus=(0.5, 0.5))
    ours = render_platforms(source, BUILTIN_PLATFORMS, options)
    same_box = seen = math.inf
    for platform, asset in zip(BUILTIN_PLATFORMS, ours, strict=True):
        mine = Image.open(io.BytesIO(asset.data)).convert("RGB")
        box = cover_box(source.size, platform.size, (0.5, 0.5))
        plain = source.resize(platform.size, Image.Resampling.LANCZOS, box=box)
        same_box = min(same_box, psnr(mine, plain))
        fitted = ImageOps.fit(source, platform.size, Image.Resampling.LANCZOS)
        blur = ImageFilter.GaussianBlur(1.5)
        seen = min(seen, psnr(mine.filter(blur), fitted.filter(blur)))
    return same_box, seen


def main() -> None:
    print(f"pipeline: {len(BUILTIN_PLATFORMS)} platforms × PNG, JPEG q90, WebP q90")
    print(f"machine: {machine()}")
    vips = pyvips_available()
    if not vips:
        print("pyvips not installed — skipped")
    for size in SOURCES:
        compare_source(size, vips)


def compare_source(size: tuple[int, int], vips: bool) -> None:
    source = photo_like(size)
    png = io.BytesIO()
    source.save(png, "PNG")
    source_png = png.getvalue()
    table = Table(f"Pipeline, source {size[0]}×{size[1]} → {len(BUILTIN_PLATFORMS)} platforms")
    totals: dict[str, float] = {"plain": 0.0, "ours": 0.0, "vips": 0.0}
    for fmt in FORMATS:
        sizes: dict[str, int] = {}
        fns = {
            "plain": lambda fmt=fmt, out=sizes: out.__setitem__("plain", plain_pillow(source, fmt)),
            "ours": lambda fmt=fmt, out=sizes: out.__setitem__("ours", snapasset(source, fmt)),
        }
        if vips:
            fns["vips"] = lambda fmt=fmt, out=sizes: out.__setitem__(
                "vips", pyvips_path(source_png, fmt)
            )
        times = interleaved(fns, repeat=REPEAT)
        medians = {name: statistics.median(values) for name, values in times.items()}
        for name, median in medians.items():
            totals[name] += median
        speedup = medians["plain"] / medians["ours"]
        table.add(
            f"{fmt} time (vs plain Pillow script)",
            spread(times["ours"]),
            spread(times["plain"]),
            f"{speedup:.2f}× faster",
            "≥ 3× (judged on all formats)",
        )
        bytes_ratio = sizes["ours"] / sizes["plain"]
        table.add(
            f"{fmt} bytes (vs plain Pillow script)",
            f"{sizes['ours'] / 1e6:.1f} MB",
            f"{sizes['plain'] / 1e6:.1f} MB",
            f"{bytes_ratio:.2f}×",
            "≤ 1.1×" if fmt == "png" else "",
            bytes_ratio <= 1.1 if fmt == "png" else None,
        )
        if vips:
            table.add(
                f"{fmt} time (vs pyvips)",
                spread(times["ours"]),
                spread(times["vips"]),
                f"{medians['vips'] / medians['ours']:.2f}× faster",
                "≥ 1× (judged on all formats)",
            )
    overall = totals["plain"] / totals["ours"]
    table.add(
        "all formats, time (vs plain Pillow script)",
        f"{totals['ours']:.2f} s",
        f"{totals['plain']:.2f} s",
        f"{overall:.2f}× faster",
        "≥ 3×",
        overall >= 3.0,
    )
    if vips:
        against_vips = totals["vips"] / totals["ours"]
        table.add(
            "all formats, time (vs pyvips)",
            f"{totals['ours']:.2f} s",
            f"{totals['vips']:.2f} s",
            f"{against_vips:.2f}× faster",
            "≥ 1×",
            against_vips >= 1.0,
        )
    same_box, seen = crop_check(source)
    table.add(
        "crops: PSNR vs plain resize of the same box",
        f"{same_box:.1f} dB",
        "",
        "",
        "identical (inf)",
        same_box == math.inf,
    )
    table.add(
        "crops: PSNR vs ImageOps.fit, 1.5 px blur",
        f"{seen:.1f} dB",
        "",
        "",
        f"≥ {IDENTICAL_PSNR:.0f} dB",
        seen >= IDENTICAL_PSNR,
    )
    table.print()


if __name__ == "__main__":
    main()
