"""The imaging pipeline: decode a source, plan its size, compose and render it for every
platform, and draw its text layers.

Pillow only, no Qt, safe to call from worker threads. `decode` refuses bad or
hostile files with designer-readable `ImageError`s and `color` normalises to sRGB;
`planning` picks the source size to request; `focal` and `geometry` decide
what each platform's crop keeps; `composition` plans crop or expansion per shape
group, `expansion` builds an expansion's canvas and mask and pastes the original
back, `placement` puts each crop's subject inside the platform's safe area;
`render` resizes and pads in parallel, with `overlay` drawing the layers between
crop and encode (`layout` places them, `text_fit` fits the words, `painter`,
`backdrop` and `contrast` make them legible); `preflight` checks an export against
each platform's rules; `encode` writes PNG, JPEG or WebP with an sRGB profile and
provenance metadata.
"""

from __future__ import annotations

from snapasset_desktop.imaging.decode import MAX_FILE_BYTES, MAX_PIXELS, image_info, load_image
from snapasset_desktop.imaging.encode import (
    FORMATS,
    AssetMetadata,
    EncodedImage,
    encode_image,
    normalise_format,
)
from snapasset_desktop.imaging.focal import estimate_focal_point, parse_focus
from snapasset_desktop.imaging.geometry import contain_size, cover_box, crop_loss
from snapasset_desktop.imaging.planning import (
    SourcePlan,
    plan_source_size,
    supports_arbitrary_sizes,
    validate_size,
)
from snapasset_desktop.imaging.render import (
    RenderedAsset,
    RenderOptions,
    render_platform,
    render_platforms,
)

__all__ = [
    "FORMATS",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "AssetMetadata",
    "EncodedImage",
    "RenderOptions",
    "RenderedAsset",
    "SourcePlan",
    "contain_size",
    "cover_box",
    "crop_loss",
    "encode_image",
    "estimate_focal_point",
    "image_info",
    "load_image",
    "normalise_format",
    "parse_focus",
    "plan_source_size",
    "render_platform",
    "render_platforms",
    "supports_arbitrary_sizes",
    "validate_size",
]
