"""What goes behind text so it reads: nothing, a shadow, a scrim or a plate, in the kit's colours.

The contrast of the letters' colour against the pixels under them is measured first
(`contrast.backdrop_contrast`); only when it falls short is the kit style's backdrop
added, each a step surer than the last: a soft shadow hugging the letters, a veil of the
fill colour just opaque enough (`contrast.scrim_opacity`), an opaque plate. Each step is
measured on the pixels it leaves, so the figure reported is the one a reader gets. The
target is set a tenth above WCAG's 4.5:1, so a measurement on slightly different pixels
(the reader's eye, a test's) still finds AA.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter

from snapasset_desktop.imaging.contrast import (
    RGB,
    WCAG_AA,
    backdrop_contrast,
    colour_contrast,
    scrim_opacity,
)

TARGET = WCAG_AA * 1.1
STEPS = ("shadow", "scrim", "plate")
_SHADOW_STRENGTH = 0.85
_BLACK, _WHITE = (0, 0, 0), (255, 255, 255)

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Backdrop:
    kind: str  # "none", "shadow", "scrim" or "plate"
    colour: RGB | None
    box: Box | None  # the scrim's or plate's rectangle
    contrast: float
    substituted: bool = False  # the kit's fill colour didn't contrast with the text


def make_legible(
    image: Image.Image,
    text_box: Box,
    backdrop_box: Box,
    glyphs: Callable[[], Image.Image],
    text: RGB,
    fill: RGB,
    preferred: str,
    radius: int,
) -> Backdrop:
    """Draw onto `image` what the text in `text_box` needs to read, and say what it was.

    `glyphs()` gives the letters' coverage (mode L, the size of `text_box`); `backdrop_box`
    is where a scrim or plate may go; `preferred` is the style's backdrop, tried first.
    """
    region = image.crop(text_box)
    plain = backdrop_contrast(region, text)
    if plain >= TARGET:
        return Backdrop("none", None, None, plain)
    colour, substituted = fill, False
    if colour_contrast(fill, text) < TARGET:
        colour, substituted = _contrasting(text), True
    for step in STEPS[STEPS.index(preferred) :]:
        if step == "shadow":
            shaded = _with_shadow(region, glyphs(), colour, radius)
            measured = backdrop_contrast(shaded, text)
            if measured >= TARGET:
                image.paste(shaded, text_box[:2])
                return Backdrop("shadow", colour, None, measured, substituted)
        elif step == "scrim":
            found = scrim_opacity(region, text, colour, TARGET)
            if found is not None:
                opacity, measured = found
                _veil(image, backdrop_box, colour, opacity, radius)
                return Backdrop("scrim", colour, backdrop_box, measured, substituted)
        else:
            _veil(image, backdrop_box, colour, 1.0, radius)
            return Backdrop(
                "plate", colour, backdrop_box, colour_contrast(colour, text), substituted
            )
    raise AssertionError("the plate always ends the steps")


def button(
    image: Image.Image, box: Box, fill: RGB, text: RGB, radius: int
) -> tuple[RGB, float, bool]:
    """A call-to-action button in `fill`; the letters' colour (the style's, or black or
    white when the style's doesn't read on it), their contrast, and whether it changed."""
    _veil(image, box, fill, 1.0, radius)
    if colour_contrast(fill, text) >= WCAG_AA:
        return text, colour_contrast(fill, text), False
    better = _contrasting(fill)
    return better, colour_contrast(fill, better), True


def _contrasting(colour: RGB) -> RGB:
    """Black or white, whichever reads better on (or under) `colour`."""
    return max((_BLACK, _WHITE), key=lambda option: colour_contrast(option, colour))


def _with_shadow(region: Image.Image, glyphs: Image.Image, colour: RGB, radius: int) -> Image.Image:
    halo = glyphs.filter(ImageFilter.MaxFilter(3)).filter(ImageFilter.GaussianBlur(radius))
    halo = halo.point(lambda value: min(255, round(value * 2 * _SHADOW_STRENGTH)))
    shaded = region.copy()
    shaded.paste(colour, (0, 0, *region.size), halo)
    return shaded


def _veil(image: Image.Image, box: Box, colour: RGB, opacity: float, radius: int) -> None:
    """A rounded rectangle of `colour` at `opacity` over `box` of `image`."""
    width, height = box[2] - box[0], box[3] - box[1]
    corner = min(radius, width // 2, height // 2)
    if opacity >= 1.0:
        ImageDraw.Draw(image).rounded_rectangle(
            (box[0], box[1], box[2] - 1, box[3] - 1), radius=corner, fill=colour
        )
        return
    mask = Image.new("L", (width, height), 0)
    ImageDraw.Draw(mask).rounded_rectangle(
        (0, 0, width - 1, height - 1), radius=corner, fill=round(255 * opacity)
    )
    image.paste(colour, box, mask)
