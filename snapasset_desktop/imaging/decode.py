"""Decode untrusted images defensively into plain sRGB `RGB`/`RGBA` pixels.

Sources are generated images, downloads and whatever a designer drops on the
window, so every refusal (not an image, cut off, damaged, too large, missing)
becomes an `ImageError` with a sentence they understand. A file is read only if
it is a regular one, and at most `MAX_FILE_BYTES` of it; the pixel limit is
checked from the header, before any pixel is decoded, with our own limit
rather than by changing Pillow's global `MAX_IMAGE_PIXELS`.
"""

from __future__ import annotations

import io
import logging
import re
import struct
import zlib
from pathlib import Path
from typing import IO, cast

from PIL import ExifTags, Image, ImageFile, ImageOps, UnidentifiedImageError

from snapasset_desktop.errors import ImageError
from snapasset_desktop.imaging.color import to_srgb
from snapasset_desktop.user_files import safe_read

log = logging.getLogger(__name__)

MAX_PIXELS = 80_000_000
MAX_FILE_BYTES = 100 * 1024 * 1024

# Pillow plugin names we accept (the JPEG plugin also opens phones' MPO files).
_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "TIFF", "BMP")
_SUPPORTED_TEXT = "PNG, JPEG, WebP, GIF, TIFF, BMP"
# Orientations 5–8 swap width and height.
_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}
# Decoder failures Pillow and its codecs raise for corrupt data. The plugins parse
# headers in Python, so hostile bytes also surface as the errors of that parsing
# (a TIFF tag of the wrong type used as an offset raises TypeError).
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    struct.error,
    zlib.error,
    TypeError,
    IndexError,
    KeyError,
    ArithmeticError,
)

Source = bytes | bytearray | memoryview | Path | str


def load_image(source: Source, *, what: str = "image") -> Image.Image:
    """Decode `source` (bytes or a file path) into an sRGB `RGB` or `RGBA` image.

    EXIF orientation is applied, embedded ICC profiles are converted to sRGB,
    CMYK, 16-bit, palette and greyscale images are normalised, and alpha is
    kept only when some pixel is actually transparent. `what` names the image
    in error messages (a file name, or e.g. "the generated image").
    """
    name = _subject(source, what)
    with _open_checked(source, name) as image:
        try:
            image.load()
        except (Image.DecompressionBombError, MemoryError):
            raise _too_large(name, image.size) from None
        except _DECODE_ERRORS as exc:
            raise _damaged(name, exc) from exc
        _apply_orientation(image)
        try:
            return _normalise(image)
        except (ValueError, OSError) as exc:
            raise ImageError(
                f"{name} uses a colour format SnapAsset cannot convert ({image.mode}).",
                detail=repr(exc),
            ) from exc


def image_info(source: Source, *, what: str = "image") -> tuple[int, int, str]:
    """(width, height, format) from the header alone, width and height as displayed.

    The format is lower case ("png", "jpeg", "webp", "gif", "tiff", "bmp"). Raises
    `ImageError` for everything `load_image` refuses before decoding pixels.
    """
    name = _subject(source, what)
    with _open_checked(source, name) as image:
        width, height = image.size
        if _orientation(image) in _SWAPPING_ORIENTATIONS:
            width, height = height, width
        fmt = "jpeg" if image.format == "MPO" else (image.format or "").lower()
        return width, height, fmt


def _open_checked(source: Source, name: str) -> ImageFile.ImageFile:
    """Open the header and refuse anything we would not decode; pixels are not read yet."""
    stream = _stream(source, name)
    try:
        image = Image.open(stream, formats=_FORMATS)
    except (UnidentifiedImageError, *_DECODE_ERRORS):
        stream.close()
        raise ImageError(
            f"{name} is not an image SnapAsset can read (supported: {_SUPPORTED_TEXT}).",
            detail="Pillow could not identify the file",
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's own (global) limits refused it first; warnings turned into
        # errors by the host (`-W error`) land here too.
        stream.close()
        found = re.search(r"\((\d+) pixels\)", str(exc))
        pixels = f"{int(found[1]):,} pixels; " if found else ""
        raise ImageError(
            f"{name} is too large to open safely ({pixels}the limit is "
            f"{MAX_PIXELS // 1_000_000} megapixels).",
            detail=str(exc),
        ) from None
    width, height = image.size
    if width < 1 or height < 1:
        image.close()
        raise _damaged(name, ValueError(f"zero-sized image {width}x{height}"))
    if width * height > MAX_PIXELS:
        image.close()
        raise _too_large(name, image.size)
    return image


def _stream(source: Source, name: str) -> IO[bytes]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > MAX_FILE_BYTES:
            raise _file_too_large(name, len(data))
    else:
        data = safe_read(Path(source), MAX_FILE_BYTES, "an image", error=ImageError)
    if not data:
        raise ImageError(f"{name} is empty (0 bytes).", detail="no bytes to decode")
    return io.BytesIO(data)


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ExifTags.Base.Orientation, 1))
    except _DECODE_ERRORS as exc:
        log.info("ignoring unreadable EXIF: %s", exc)
        return 1


def _apply_orientation(image: Image.Image) -> None:
    if _orientation(image) == 1:
        return
    try:
        ImageOps.exif_transpose(image, in_place=True)
    except _DECODE_ERRORS as exc:
        log.info("ignoring EXIF orientation that could not be applied: %s", exc)


def _normalise(image: Image.Image) -> Image.Image:
    """Any decoded mode → sRGB `RGB`, or `RGBA` when there is real transparency."""
    icc = image.info.get("icc_profile")
    # A tRNS colour on 16-bit greyscale is too rare to be worth a special path.
    has_alpha = image.mode in ("RGBA", "RGBa", "LA", "La", "PA") or (
        "transparency" in image.info and not image.mode.startswith(("I", "F"))
    )
    if image.mode in ("P", "PA") or (has_alpha and image.mode not in ("RGBA", "LA")):
        # Palette and tRNS transparency become a real alpha channel here.
        image = image.convert("RGBA" if has_alpha else "RGB")
    alpha = image.getchannel("A") if has_alpha else None
    colour = _colour_part(image)
    result = to_srgb(colour, icc)
    if alpha is not None and cast("tuple[int, int]", alpha.getextrema())[0] < 255:
        result.putalpha(alpha)
    return result


def _colour_part(image: Image.Image) -> Image.Image:
    """The colour channels in a mode colour management understands: RGB, CMYK, L or LAB."""
    mode = image.mode
    if mode in ("RGB", "CMYK", "L", "LAB"):
        return image
    if mode == "RGBA":
        return image.convert("RGB")
    if mode == "LA":
        return image.convert("L")
    if mode.startswith("I") or mode == "F":
        return _to_8bit(image)
    return image.convert("RGB")  # "1", YCbCr, HSV…


def _to_8bit(image: Image.Image) -> Image.Image:
    """16-bit and 32-bit greyscale → L, scaled rather than clipped (Pillow clips)."""
    if image.mode.startswith("I;16"):
        image = image.convert("I")
        top = 65535.0
    else:
        low, high = cast("tuple[float, float]", image.getextrema())  # one band
        if image.mode == "F" and low >= 0 and high <= 1.0:
            top = 1.0
        elif high <= 255:
            top = 255.0
        else:
            top = 65535.0 if high <= 65535 else float(high)
    scale = 255.0 / top
    return image.point(lambda value: value * scale + 0.5).convert("L")


def _subject(source: Source, what: str) -> str:
    if what == "image" and isinstance(source, Path | str):
        return Path(source).name or str(source)
    if what == "image":
        return "This file"
    return what[:1].upper() + what[1:] if what.lower().startswith(("the ", "this ")) else what


def _too_large(name: str, size: tuple[int, int]) -> ImageError:
    width, height = size
    return ImageError(
        f"{name} is too large to open safely ({width:,} × {height:,} pixels; "
        f"the limit is {MAX_PIXELS // 1_000_000} megapixels).",
        detail=f"{width}x{height} > {MAX_PIXELS} pixels",
    )


def _file_too_large(name: str, size: int) -> ImageError:
    megabytes = 1024 * 1024
    return ImageError(
        f"{name} is too large to open safely ({size / megabytes:,.0f} MB; "
        f"the limit is {MAX_FILE_BYTES // megabytes} MB).",
        detail=f"{size} bytes",
    )


def _damaged(name: str, exc: BaseException) -> ImageError:
    text = str(exc).lower()
    if isinstance(exc, EOFError) or "truncated" in text or "broken data stream" in text:
        return ImageError(f"{name} looks cut off — the file is incomplete.", detail=repr(exc))
    return ImageError(f"{name} is damaged — SnapAsset could not decode it.", detail=repr(exc))
