"""Encode finished assets: sRGB-tagged PNG, JPEG or WebP carrying their provenance.

Every file embeds the sRGB ICC profile and says where it came from (prompt,
model, job, platform, software): PNG as text chunks, JPEG and WebP as an XMP
packet plus EXIF. A job's alt text is the file's description for screen readers
and publishing tools: XMP `dc:description` and IPTC's "Alt Text (Accessibility)"
(`Iptc4xmpCore:AltTextAccessibility`, in the same packet), EXIF ImageDescription
in JPEG and WebP, and PNG's "Description" text; without alt text the description
is the prompt, as before. Encoder settings are explicit and chosen for speed, because
one job encodes up to a few dozen files. When a platform caps the file size,
lossy formats search for the highest quality that fits; a PNG that does not
fit is kept and carries a warning instead.
"""

from __future__ import annotations

import io
import unicodedata
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

from PIL import ExifTags, Image, PngImagePlugin

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.color import srgb_icc_bytes

FORMATS = ("png", "jpeg", "webp")
_ALIASES = {"jpg": "jpeg", "jpe": "jpeg", "jfif": "jpeg"}
_PIL_NAMES = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
_DISPLAY_NAMES = {"png": "PNG", "jpeg": "JPEG", "webp": "WebP"}
MIN_QUALITY = 40  # below this, artefacts cost more than the limit is worth
# JPEG and WebP keep EXIF and XMP in 64 KB segments; a prompt this long always fits.
_MAX_EMBEDDED_PROMPT = 4000


@dataclass(frozen=True)
class AssetMetadata:
    prompt: str = ""
    model: str = ""
    job_id: str = ""
    platform: str = ""
    software: str = "SnapAsset Desktop"
    alt_text: str = ""

    @property
    def description(self) -> str:
        return self.alt_text or self.prompt


@dataclass(frozen=True)
class EncodedImage:
    data: bytes
    format: str  # "png" | "jpeg" | "webp"
    width: int
    height: int
    quality: int | None  # None for PNG
    warning: str | None = None  # set when a platform's file-size limit could not be met


def normalise_format(name: str) -> str:
    """ "JPG", "jpeg", ".png" … → one of FORMATS; anything else is refused."""
    key = str(name).strip().lower().lstrip(".")
    key = _ALIASES.get(key, key)
    if key not in FORMATS:
        raise InvalidInput(f"SnapAsset saves PNG, JPEG or WebP files; “{name}” is not one of them.")
    return key


def encode_image(
    image: Image.Image,
    fmt: str,
    *,
    quality: int = 90,
    metadata: AssetMetadata | None = None,
    max_bytes: int | None = None,
    label: str = "",
) -> EncodedImage:
    """Encode `image` (RGB or RGBA, sRGB) as `fmt`, fitting `max_bytes` when given.

    `label` names the asset in a warning (e.g. "YouTube thumbnail").
    """
    fmt = normalise_format(fmt)
    if not 1 <= quality <= 100:
        raise InvalidInput(f"Image quality is a number from 1 to 100, not {quality}.")
    image = _prepare(image, fmt)
    metadata = metadata or AssetMetadata()
    if fmt == "png":
        data = _save(image, fmt, None, metadata)
        return EncodedImage(
            data, fmt, image.width, image.height, None, _limit_warning(fmt, data, max_bytes, label)
        )
    data = _save(image, fmt, quality, metadata)
    if max_bytes is None or len(data) <= max_bytes:
        return EncodedImage(data, fmt, image.width, image.height, quality, None)
    fitted_quality, data = _fit_quality(image, fmt, quality, metadata, max_bytes)
    warning = _limit_warning(fmt, data, max_bytes, label, lowest=fitted_quality)
    return EncodedImage(data, fmt, image.width, image.height, fitted_quality, warning)


def _prepare(image: Image.Image, fmt: str) -> Image.Image:
    """RGB for JPEG (alpha composited on white), RGB or RGBA for the others."""
    if image.mode not in ("RGB", "RGBA"):
        has_alpha = image.mode in ("LA", "PA", "RGBa", "La") or "transparency" in image.info
        image = image.convert("RGBA" if has_alpha else "RGB")
    if fmt == "jpeg" and image.mode == "RGBA":
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, image).convert("RGB")
    return image


def _save(image: Image.Image, fmt: str, quality: int | None, metadata: AssetMetadata) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, object] = {"icc_profile": srgb_icc_bytes()}
    if fmt == "png":
        # zlib's run-length strategy on PNG-filtered rows: measured on 18 platform sizes
        # (bench/pipeline.py) 7–9x faster than the default level 6, for files 1–9%
        # larger; plain deflate at level 1–2 was slower and 8–30% larger on graphics.
        options |= {
            "compress_level": 1,
            "compress_type": zlib.Z_RLE,
            "optimize": False,
            "pnginfo": _png_text(metadata),
        }
    elif fmt == "jpeg":
        options |= {
            "quality": quality,
            "optimize": False,  # an extra Huffman pass: ~5% smaller, noticeably slower
            "progressive": False,
            # 4:2:0, as Pillow's default and every platform's re-encode: full-resolution
            # colour (4:4:4) made files 1.7x larger and encoding slower, and the
            # platforms subsample it away when they recompress the upload anyway.
            "subsampling": 2,
            "exif": _exif(metadata),
            "xmp": _xmp(metadata),
        }
    else:
        options |= {
            "quality": quality,
            "lossless": False,
            # 0 fastest … 6 smallest; 2 is over 2x faster than the default 4 for ~2% size.
            "method": 2,
            "exif": _exif(metadata),
            "xmp": _xmp(metadata),
        }
    image.save(buffer, _PIL_NAMES[fmt], **options)
    return buffer.getvalue()


def _fit_quality(
    image: Image.Image, fmt: str, quality: int, metadata: AssetMetadata, max_bytes: int
) -> tuple[int, bytes]:
    """The highest quality in MIN_QUALITY..quality-1 whose file fits, else the smallest tried."""
    low, high = MIN_QUALITY, quality - 1
    best: tuple[int, bytes] | None = None
    smallest: tuple[int, bytes] | None = None
    while low <= high:
        middle = (low + high) // 2
        data = _save(image, fmt, middle, metadata)
        if smallest is None or len(data) < len(smallest[1]):
            smallest = (middle, data)
        if len(data) <= max_bytes:
            best, low = (middle, data), middle + 1
        else:
            high = middle - 1
    if best is not None:
        return best
    if smallest is None or smallest[0] != MIN_QUALITY:
        smallest = (MIN_QUALITY, _save(image, fmt, MIN_QUALITY, metadata))
    return smallest


def _limit_warning(
    fmt: str, data: bytes, max_bytes: int | None, label: str, *, lowest: int | None = None
) -> str | None:
    if max_bytes is None or len(data) <= max_bytes:
        return None
    name = _DISPLAY_NAMES[fmt]
    what = label or "this image"
    size, limit = size_text(len(data)), size_text(max_bytes)
    if fmt == "png":
        return (
            f"The PNG for {what} is {size}, over its {limit} limit — "
            "choose JPEG or WebP for this platform."
        )
    return (
        f"The {name} for {what} is {size} even at quality {lowest}, over its {limit} limit — "
        "the platform may refuse it."
    )


def size_text(size: int) -> str:
    """Decimal units, as platforms state their limits: 2 MB, 2.6 MB, or 850 KB."""
    if size < 1_000_000:
        return f"{size / 1000:.0f} KB"
    value = size / 1_000_000
    return f"{value:.0f} MB" if abs(value - round(value)) < 0.05 else f"{value:.1f} MB"


def _png_text(metadata: AssetMetadata) -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    fields = {
        "prompt": metadata.prompt,
        "Description": metadata.alt_text,
        "model": metadata.model,
        "job_id": metadata.job_id,
        "platform": metadata.platform,
        "Software": metadata.software,
    }
    for key, value in fields.items():
        if value:
            # iTXt is UTF-8, so prompts in any language survive intact.
            info.add_itxt(key, value)
    info.add_itxt("XML:com.adobe.xmp", _xmp(metadata, limit=None).decode("utf-8"))
    return info


def _exif(metadata: AssetMetadata) -> Image.Exif:
    exif = Image.Exif()
    if metadata.description:
        # EXIF text is ASCII; the exact text lives in the XMP packet.
        exif[ExifTags.Base.ImageDescription] = _ascii(metadata.description[:_MAX_EMBEDDED_PROMPT])
    if metadata.software:
        exif[ExifTags.Base.Software] = _ascii(metadata.software)
    return exif


def _xmp(metadata: AssetMetadata, *, limit: int | None = _MAX_EMBEDDED_PROMPT) -> bytes:
    description = metadata.description if limit is None else metadata.description[:limit]
    elements = _lang_alt("dc:description", description)
    if metadata.alt_text:
        elements += _lang_alt("Iptc4xmpCore:AltTextAccessibility", metadata.alt_text)
        prompt = metadata.prompt if limit is None else metadata.prompt[:limit]
        elements += f"<snapasset:prompt>{_xml(prompt)}</snapasset:prompt>" if prompt else ""
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about=""'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f' xmlns:Iptc4xmpCore="{_IPTC_CORE}"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/"'
        ' xmlns:snapasset="https://snapasset.app/ns/1.0/"'
        f' xmp:CreatorTool="{_xml(metadata.software)}"'
        f' snapasset:model="{_xml(metadata.model)}"'
        f' snapasset:jobId="{_xml(metadata.job_id)}"'
        f' snapasset:platform="{_xml(metadata.platform)}">'
        f"{elements}"
        "</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


_IPTC_CORE = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _lang_alt(name: str, text: str) -> str:
    """An XMP language-alternative property with its default-language value."""
    if not text:
        return ""
    return f'<{name}><rdf:Alt><rdf:li xml:lang="x-default">{_xml(text)}</rdf:li></rdf:Alt></{name}>'


def embedded_alt_text(image: Image.Image) -> str | None:
    """The alt text an opened PNG, JPEG or WebP carries in its XMP (None: none, or no XMP)."""
    packet = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    if not packet:
        return None
    raw = packet.encode("utf-8") if isinstance(packet, str) else bytes(packet)
    start, end = raw.find(b"<x:xmpmeta"), raw.rfind(b"</x:xmpmeta>")
    if start < 0 or end < 0:
        return None
    try:
        root = ET.fromstring(raw[start : end + len(b"</x:xmpmeta>")])
    except ET.ParseError:
        return None
    item = root.find(f".//{{{_IPTC_CORE}}}AltTextAccessibility/{{{_RDF}}}Alt/{{{_RDF}}}li")
    return item.text or None if item is not None else None


_XML_ENTITIES = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
# XML 1.0 forbids most control characters; a pasted prompt may contain them.
_XML_FORBIDDEN = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


def _xml(text: str) -> str:
    """Text safe inside an XML attribute or element."""
    return escape(text.translate(_XML_FORBIDDEN), _XML_ENTITIES)


def _ascii(text: str) -> str:
    """Closest ASCII spelling: "café" → "cafe"; what has none becomes "?"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.encode("ascii", "replace").decode("ascii")
