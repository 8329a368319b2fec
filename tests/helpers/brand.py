"""Brand kits for tests: a logo PNG, a designer's font file, a kit in a library, and
legibility measured on rendered pixels alone."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from snapasset_desktop.brand.fonts import BUNDLED_DIR
from snapasset_desktop.brand.kit import BrandKit
from snapasset_desktop.imaging.contrast import contrast_ratio, relative_luminance
from snapasset_desktop.platforms import Platform
from snapasset_desktop.safe_zones import safe_area
from snapasset_desktop.services.brand import BrandService

# A font a designer adds to a kit (any TTF will do; this one ships, so tests need no other).
DESIGNER_FONT = BUNDLED_DIR / "Caladea-Bold.ttf"


def logo_png(
    size: tuple[int, int] = (600, 200), colour: tuple[int, int, int] = (37, 99, 235)
) -> bytes:
    """A logo with a transparent background: a disc and a bar in `colour`."""
    width, height = size
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, height - 1, height - 1), fill=(*colour, 255))
    draw.rounded_rectangle(
        (height + 20, height // 3, width - 1, 2 * height // 3), 20, fill=(*colour, 255)
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def make_kit(brand: BrandService, folder: Path, name: str = "Acme") -> BrandKit:
    """A kit with a logo and its own headline font, in `brand`'s library."""
    logo = folder / "acme-logo.png"
    logo.write_bytes(logo_png())
    kit = brand.create(name, mood="bright, friendly")
    kit = brand.add_logo(kit.id, logo, "Acme")
    kit = brand.add_font(kit.id, DESIGNER_FONT, "Acme Serif")
    styles = kit.styles
    headline = styles.headline.__class__(**{**styles.headline.to_dict(), "font": "Acme Serif"})
    return brand.update(kit.id, styles=styles.__class__(headline, styles.subline, styles.cta))


def measured_contrast(
    before: Image.Image, after: Image.Image, box: tuple[int, int, int, int], text: str
) -> float:
    """The contrast of `text` (#rrggbb) against 95 % of the pixels around its letters in
    `box` of `after`, found from the pixels alone: letters are what changed to the text's
    colour; what is within 2 pixels of them is their anti-aliased edge and left out."""
    colour = tuple(int(text[i : i + 2], 16) for i in (1, 3, 5))
    drawn = after.crop(box).convert("RGB")
    changed = ImageChops.difference(drawn, before.crop(box).convert("RGB")).convert("L")
    near = ImageChops.difference(drawn, Image.new("RGB", drawn.size, colour)).convert("L")
    letters = ImageChops.multiply(
        changed.point(lambda v: 255 if v > 8 else 0), near.point(lambda v: 255 if v < 96 else 0)
    )
    edges = letters.filter(ImageFilter.MaxFilter(5))
    assert letters.getbbox() is not None, "no letters drawn in the box"
    text_luminance = relative_luminance(colour)
    ratios = sorted(
        contrast_ratio(text_luminance, relative_luminance(pixel))
        for pixel, edge in zip(drawn.get_flattened_data(), edges.get_flattened_data(), strict=True)
        if not edge
    )
    assert ratios, "no background left around the letters"
    return ratios[int(len(ratios) * 0.05)]


def safe_area_pixels(platform: Platform) -> tuple[float, float, float, float]:
    """The platform's safe area (from the safe-zone data) in its pixels, rounded outwards."""
    left, top, right, bottom = safe_area(platform)
    return (
        int(left * platform.width),
        int(top * platform.height),
        -(-right * platform.width // 1),
        -(-bottom * platform.height // 1),
    )


def inside(box: tuple[int, int, int, int] | list[int], area: tuple[float, ...]) -> bool:
    return area[0] <= box[0] and area[1] <= box[1] and box[2] <= area[2] and box[3] <= area[3]
