"""Encoding assets: sRGB profile, readable provenance metadata, file-size limits."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging import AssetMetadata, encode_image, normalise_format
from snapasset_desktop.imaging.color import srgb_icc_bytes
from snapasset_desktop.imaging.encode import MIN_QUALITY
from tests.helpers.images import noisy, photo

PROMPT = 'A café at dawn, "soft" light <8k> & fog — 霧の朝'
METADATA = AssetMetadata(
    prompt=PROMPT, model="gpt-image-2", job_id="job-42", platform="instagram-square"
)
DC = "{http://purl.org/dc/elements/1.1/}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _xmp_description(xmp: bytes | str) -> str:
    root = ET.fromstring(
        xmp.encode() if isinstance(xmp, str) else xmp.split(b"?>", 1)[1].rsplit(b"<?", 1)[0]
    )
    item = root.find(f".//{DC}description/{RDF}Alt/{RDF}li")
    assert item is not None
    return item.text or ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [("png", "png"), ("JPG", "jpeg"), (".jpeg", "jpeg"), ("WebP", "webp"), (" jpe ", "jpeg")],
)
def test_normalise_format(name: str, expected: str) -> None:
    assert normalise_format(name) == expected


@pytest.mark.parametrize("name", ["gif", "", "tiff", "png8"])
def test_unknown_format_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput, match="SnapAsset saves PNG, JPEG or WebP files"):
        normalise_format(name)


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_every_format_embeds_the_srgb_profile_and_keeps_the_size(fmt: str) -> None:
    result = encode_image(photo((120, 80)), fmt, metadata=METADATA)
    image = _open(result.data)
    assert image.format == {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}[fmt]
    assert (result.width, result.height) == image.size == (120, 80)
    assert image.info["icc_profile"] == srgb_icc_bytes()
    assert result.warning is None
    assert result.quality == (None if fmt == "png" else 90)


def test_png_text_chunks_carry_the_provenance() -> None:
    image = _open(encode_image(photo((32, 32)), "png", metadata=METADATA).data)
    assert image.text["prompt"] == PROMPT
    assert image.text["model"] == "gpt-image-2"
    assert image.text["job_id"] == "job-42"
    assert image.text["platform"] == "instagram-square"
    assert image.text["Software"] == "SnapAsset Desktop"
    assert _xmp_description(image.text["XML:com.adobe.xmp"]) == PROMPT


@pytest.mark.parametrize("fmt", ["jpeg", "webp"])
def test_lossy_formats_carry_xmp_and_exif(fmt: str) -> None:
    image = _open(encode_image(photo((32, 32)), fmt, metadata=METADATA).data)
    xmp = image.info["xmp"]
    assert _xmp_description(xmp) == PROMPT  # exact, in any language
    assert b'snapasset:jobId="job-42"' in xmp and b'snapasset:platform="instagram-square"' in xmp
    exif = image.getexif()
    assert exif[0x010E].startswith('A cafe at dawn, "soft" light <8k> & fog')  # ASCII spelling
    assert exif[0x0131] == "SnapAsset Desktop"


def test_control_characters_in_a_prompt_still_make_valid_xmp() -> None:
    metadata = AssetMetadata(prompt="line one\nline\x00two\x1b")
    xmp = _open(encode_image(photo((16, 16)), "jpeg", metadata=metadata).data).info["xmp"]
    assert _xmp_description(xmp) == "line one\nlinetwo"


def test_very_long_prompt_fits_jpeg_segments() -> None:
    metadata = AssetMetadata(prompt="ü" * 40_000)
    image = _open(encode_image(photo((16, 16)), "jpeg", metadata=metadata).data)
    assert _xmp_description(image.info["xmp"]) == "ü" * 4000


def test_jpeg_composites_transparency_on_white_and_webp_keeps_it() -> None:
    image = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    image.paste((200, 0, 0, 255), (10, 0, 20, 20))
    jpeg = _open(encode_image(image, "jpeg").data)
    assert jpeg.mode == "RGB"
    assert min(jpeg.getpixel((2, 10))) > 245
    webp = _open(encode_image(image, "webp").data)
    assert webp.mode == "RGBA" and webp.getpixel((2, 10))[3] == 0


def test_lossy_size_limit_finds_the_highest_quality_that_fits() -> None:
    image = noisy((400, 400))
    unlimited = encode_image(image, "jpeg", quality=95)
    limit = len(unlimited.data) * 6 // 10
    fitted = encode_image(image, "jpeg", quality=95, max_bytes=limit)
    assert len(fitted.data) <= limit
    assert fitted.warning is None
    assert MIN_QUALITY <= fitted.quality < 95
    one_better = encode_image(image, "jpeg", quality=fitted.quality + 1)
    assert len(one_better.data) > limit


def test_impossible_lossy_limit_warns_at_the_lowest_quality() -> None:
    result = encode_image(noisy((300, 300)), "webp", max_bytes=2_000, label="Bluesky Link card")
    assert result.quality == MIN_QUALITY
    assert result.warning is not None
    assert result.warning.startswith("The WebP for Bluesky Link card is ")
    assert result.warning.endswith(
        "even at quality 40, over its 2 KB limit — the platform may refuse it."
    )


def test_png_over_its_limit_is_kept_with_a_warning() -> None:
    result = encode_image(noisy((1280, 720)), "png", max_bytes=2_000_000, label="YouTube thumbnail")
    assert len(result.data) > 2_000_000
    assert result.warning == (  # in decimal units, as platforms state their limits
        f"The PNG for YouTube thumbnail is {len(result.data) / 1_000_000:.1f} MB, "
        "over its 2 MB limit — choose JPEG or WebP for this platform."
    )


def test_bad_quality_is_refused() -> None:
    with pytest.raises(InvalidInput, match="from 1 to 100"):
        encode_image(photo((8, 8)), "jpeg", quality=0)
