"""A job's text layers as the `Overlay` rendering draws between each platform's fit and
its encoding, and the same layers drawn again on a platform's clean picture.

The subject each platform's layers keep off is the one its crop was placed around
(`imaging.composition.PlatformFit.subject`, where it shows in the platform's picture),
so a crop that kept the subject clear of the platform's interface and the layers drawn
on it agree on where it is. A note about the kit itself (one this library lacks) leads
every platform's notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from PIL import Image

from snapasset_desktop.brand.kit import BrandKit
from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.imaging.encode import AssetMetadata
from snapasset_desktop.imaging.layers import LayeredImage, render_layers
from snapasset_desktop.imaging.render import (
    Overlay,
    RenderedAsset,
    RenderOptions,
    encode_platform,
)
from snapasset_desktop.platforms import Platform
from snapasset_desktop.safe_zones import Rect


def layers_overlay(
    layers: TextLayers,
    kit: BrandKit,
    *,
    subjects: Mapping[str, Rect | None],
    kit_note: str | None = None,
) -> Overlay | None:
    """What draws `layers` in `kit`'s look on each platform; None when nothing would be.

    `subjects`: where the subject shows in each platform's picture, by platform id
    (`CompositionPlan.subjects`); a platform without one has its layers placed freely.
    """
    if layers.is_empty:
        return None

    def draw(platform: Platform, image: Image.Image) -> LayeredImage:
        subject = subjects.get(platform.id)
        layered = render_layers(image, platform, layers, kit, subject=subject)
        return layered if kit_note is None else replace(layered, notes=(kit_note, *layered.notes))

    return draw


def redraw(
    clean: Image.Image,
    platform: Platform,
    overlay: Overlay,
    options: RenderOptions,
    *,
    clean_data: bytes,
    metadata: AssetMetadata | None = None,
) -> RenderedAsset:
    """A platform's asset again from its clean picture (`clean`, decoded from `clean_data`)
    with the layers `overlay` draws now: no fit, no source, only the layers and one encode."""
    layered = overlay(platform, clean)
    if layered is None:
        raise ValueError("an overlay for a redraw always draws")
    encoded = encode_platform(layered.image, platform, options, metadata)
    return RenderedAsset.encoded(
        platform, encoded, crop_loss=0.0, clean=clean_data, layers=layered.manifest()
    )
