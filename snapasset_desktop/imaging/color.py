"""Colour management: every image leaves the pipeline in sRGB, and says so.

Sources may carry any embedded ICC profile (Display P3 from a phone, Adobe RGB
from a camera, a CMYK press profile); they are converted to sRGB once, at
decode. Outputs embed the sRGB profile so browsers and design tools show the
colours the designer saw.
"""

from __future__ import annotations

import io
import logging
from functools import cache
from typing import cast

from PIL import Image, ImageCms

log = logging.getLogger(__name__)

# ICC colour-space signatures and the Pillow modes that can feed each one.
_SPACE_MODES = {"RGB ": ("RGB",), "CMYK": ("CMYK",), "GRAY": ("L",)}


@cache
def srgb_profile() -> ImageCms.ImageCmsProfile:
    """The built-in sRGB profile, made once (profiles are immutable)."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@cache
def srgb_icc_bytes() -> bytes:
    """The sRGB profile as bytes, for embedding in every saved asset."""
    return srgb_profile().tobytes()


@cache
def _lab_to_srgb() -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(
        ImageCms.createProfile("LAB"), srgb_profile(), "LAB", "RGB", ImageCms.Intent.PERCEPTUAL
    )


def to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Convert `image` (mode RGB, CMYK, L or LAB) from its embedded profile to sRGB RGB.

    A missing, broken or mismatched profile is not the designer's problem: the
    pixels are then taken as sRGB already (what every browser does). LAB (from
    TIFF) needs no profile; Pillow's own LAB → RGB conversion garbles colours.
    """
    if image.mode == "LAB":
        return _lab_to_srgb().apply(image)
    profile = _parse_profile(icc) if icc else None
    if profile is None or image.mode not in _SPACE_MODES.get(profile.profile.xcolor_space, ()):
        return image.convert("RGB")
    if _is_srgb(profile):
        return image.convert("RGB")
    try:
        converted = ImageCms.profileToProfile(
            image,
            profile,
            srgb_profile(),
            renderingIntent=ImageCms.Intent.PERCEPTUAL,
            outputMode="RGB",
        )
        return cast(Image.Image, converted)  # None only when converting in place
    except ImageCms.PyCMSError as exc:
        log.warning("colour conversion to sRGB failed, keeping pixels as they are: %s", exc)
        return image.convert("RGB")


def is_srgb_icc(icc: bytes | None) -> bool:
    """Whether an embedded profile is sRGB (ours, or any other that names itself so)."""
    if not icc:
        return False
    if icc == srgb_icc_bytes():
        return True
    profile = _parse_profile(icc)
    return profile is not None and _is_srgb(profile)


def _parse_profile(icc: bytes) -> ImageCms.ImageCmsProfile | None:
    try:
        return ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (ImageCms.PyCMSError, OSError, ValueError) as exc:
        log.warning("ignoring an unreadable embedded ICC profile: %s", exc)
        return None


def _is_srgb(profile: ImageCms.ImageCmsProfile) -> bool:
    # Converting sRGB to sRGB costs time for nothing; the common profiles all
    # name themselves "sRGB …" (IEC61966-2.1, "sRGB built-in", Apple's "sRGB IEC…").
    description = (profile.profile.profile_description or "").strip().lower()
    return description.startswith("srgb")
