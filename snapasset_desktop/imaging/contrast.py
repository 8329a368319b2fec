"""Legibility as a number: WCAG contrast between text and the pixels behind it.

WCAG 2 defines contrast between two colours; a picture behind text has thousands. The
figure here is the contrast the text colour keeps against 95 % of the pixels under the
text (`COVERAGE`): a few specks of highlight don't make a line unreadable, a bright band
across it does. Pixels are measured on a reduced copy of the region (a few thousand
pixels), in 256 steps of linear luminance, so a measurement costs a fraction of a
millisecond.
"""

from __future__ import annotations

import bisect
import math

from PIL import Image

WCAG_AA = 4.5  # normal text; large text needs 3:1, which 4.5:1 meets too
COVERAGE = 0.95
_SAMPLE_PIXELS = 6000
_OPACITY_STEP = 1 / 16

RGB = tuple[int, int, int]


def _linear(channel: float) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2's relative luminance of an sRGB colour, 0 (black) to 1 (white)."""
    r, g, b = (_linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: float, b: float) -> float:
    """WCAG contrast of two luminances: 1 (same) to 21 (black on white)."""
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


def colour_contrast(a: RGB, b: RGB) -> float:
    return contrast_ratio(relative_luminance(a), relative_luminance(b))


def best_on(colours: list[RGB], text: RGB) -> RGB:
    """Of `colours`, the one `text` reads best on."""
    return max(colours, key=lambda colour: colour_contrast(colour, text))


def backdrop_contrast(region: Image.Image, text: RGB) -> float:
    """The contrast `text` keeps against `COVERAGE` of the pixels of `region`."""
    return _contrast_of(_sample(region), relative_luminance(text))


def scrim_opacity(
    region: Image.Image, text: RGB, scrim: RGB, target: float
) -> tuple[float, float] | None:
    """The least opacity (0..1, in steps of 1/16) of a `scrim`-coloured veil over `region`
    that lifts the text's contrast to `target`, and the contrast it gives; None when only
    an opaque one would (or not even that)."""
    sample = _sample(region)
    text_luminance = relative_luminance(text)
    if colour_contrast(scrim, text) < target:
        return None
    # First estimate on the pixel that decides (the one at the coverage quantile, taken
    # as a grey), then check on the pixels and thicken the veil until they agree.
    worst = _encoded(_quantile_luminance(sample, text_luminance))
    opacity = _least_opacity(worst, text_luminance, scrim, target)
    solid = Image.new("RGB", sample.size, scrim)
    while opacity < 1.0:
        reached = _contrast_of(Image.blend(sample, solid, opacity), text_luminance)
        if reached >= target:
            return opacity, reached
        opacity = min(1.0, opacity + _OPACITY_STEP)
    return None


def _least_opacity(grey: float, text_luminance: float, scrim: RGB, target: float) -> float:
    low, high = 0.0, 1.0
    for _ in range(12):
        middle = (low + high) / 2
        r, g, b = (grey * (1 - middle) + channel * middle for channel in scrim)
        blended = (r, g, b)
        if contrast_ratio(relative_luminance(blended), text_luminance) >= target:
            high = middle
        else:
            low = middle
    return high


def _encoded(luminance: float) -> float:
    """The sRGB grey level (0..255) of a luminance."""
    value = luminance * 12.92 if luminance <= 0.0031308 else 1.055 * luminance ** (1 / 2.4) - 0.055
    return 255 * value


def _sample(region: Image.Image) -> Image.Image:
    rgb = region if region.mode == "RGB" else region.convert("RGB")
    factor = math.ceil(math.sqrt(rgb.width * rgb.height / _SAMPLE_PIXELS))
    # reduce() averages whole blocks: several times faster than a resize to the same size.
    return rgb.reduce(factor) if factor > 1 else rgb


def _contrast_of(sample: Image.Image, text_luminance: float) -> float:
    return contrast_ratio(text_luminance, _quantile_luminance(sample, text_luminance))


def _quantile_luminance(sample: Image.Image, text_luminance: float) -> float:
    """The luminance of the pixel at the coverage quantile, counted from the text's."""
    counts = _luminance_histogram(sample)
    allowed = sum(counts) * (1 - COVERAGE)
    # Contrast falls as a pixel's luminance nears the text's: walk the bins from the
    # text's luminance outwards, nearest first, until more than `allowed` pixels are seen.
    levels = _LEVELS
    above = bisect.bisect_left(levels, text_luminance)
    below = above - 1
    seen = 0
    while True:
        take_below = above >= _BINS or (
            below >= 0 and text_luminance - levels[below] <= levels[above] - text_luminance
        )
        index = below if take_below else above
        if take_below:
            below -= 1
        else:
            above += 1
        seen += counts[index]
        if seen > allowed:
            return levels[index]


def _luminance_histogram(sample: Image.Image) -> list[int]:
    """Pixels by luminance in 256 linear steps: each channel to linear light, then weighted.

    Steps of 1/255 put a measured ratio within about 2 % of the exact one near 4.5:1.
    """
    linear = sample.point(_LINEAR_LUT)
    return linear.convert("L", _LUMINANCE_MATRIX).histogram()


_BINS = 256
_LEVELS = tuple(index / 255 for index in range(_BINS))
_LINEAR_LUT = [round(255 * _linear(value)) for value in range(256)] * 3
_LUMINANCE_MATRIX = (0.2126, 0.7152, 0.0722, 0.0)
