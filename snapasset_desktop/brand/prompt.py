"""A kit's palette and mood as prompt wording, so generated pictures fit the brand.

The suffix is shown to the designer, who may edit it before it is added to the prompt;
image models follow colour names better than hex codes, so each colour is named too.
"""

from __future__ import annotations

import colorsys

from snapasset_desktop.brand.kit import BrandKit

_HUES = (  # upper bound of the hue (degrees) → name
    (15, "red"),
    (40, "orange"),
    (65, "yellow"),
    (160, "green"),
    (190, "teal"),
    (255, "blue"),
    (290, "purple"),
    (335, "pink"),
    (360, "red"),
)


def colour_name(rgb: tuple[int, int, int]) -> str:
    """A plain name an image model knows for a colour: "deep blue", "pale yellow", "black"."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    if saturation < 0.12 or lightness < 0.06 or lightness > 0.96:
        if lightness < 0.12:
            return "black"
        if lightness > 0.92:
            return "white"
        return "dark grey" if lightness < 0.4 else "light grey" if lightness > 0.7 else "grey"
    degrees = hue * 360
    name = next(label for bound, label in _HUES if degrees < bound or bound == 360)
    if lightness < 0.3:
        return f"deep {name}"
    if lightness > 0.75:
        return f"pale {name}"
    return name


def prompt_suffix(kit: BrandKit) -> str:
    """ "Brand colours: blue (#2563eb), orange (#f59e0b)… Mood: warm, optimistic." """
    palette = kit.palette
    roles = ("primary", "secondary", "background", "text")
    colours = list(
        dict.fromkeys(
            f"{colour_name(palette.rgb(role))} ({getattr(palette, role)})" for role in roles
        )
    )
    suffix = f"Brand colours: {', '.join(colours)}."
    return f"{suffix} Mood: {kit.mood}." if kit.mood else suffix
