"""Decoding untrusted images: every refusal is an ImageError a designer can read."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.errors import ImageError
from snapasset_desktop.imaging import MAX_FILE_BYTES, image_info, load_image
from tests.helpers.images import encoded, halves, photo, png_claiming, swapped_primaries_icc


def test_not_an_image_names_the_file_and_the_supported_formats(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just words")
    with pytest.raises(ImageError) as caught:
        load_image(path)
    assert caught.value.message == (
        "notes.txt is not an image SnapAsset can read (supported: PNG, JPEG, WebP, GIF, TIFF, BMP)."
    )


def test_formats_outside_the_list_are_refused_even_when_pillow_reads_them() -> None:
    with pytest.raises(ImageError, match="is not an image SnapAsset can read"):
        load_image(encoded(photo((32, 32)), "PPM"))


def test_what_names_the_image_in_messages() -> None:
    with pytest.raises(ImageError) as caught:
        load_image(b"<html>rate limited</html>", what="the generated image")
    assert caught.value.message.startswith("The generated image is not an image")


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_file_looks_cut_off(fmt: str) -> None:
    data = encoded(photo((256, 256)), fmt)
    with pytest.raises(ImageError) as caught:
        load_image(data[: len(data) // 2], what="photo.jpg")
    assert caught.value.message == "photo.jpg looks cut off — the file is incomplete."
    assert caught.value.detail


def test_huge_dimensions_are_refused_from_the_header_alone() -> None:
    with pytest.raises(ImageError) as caught:
        load_image(png_claiming(9_000, 9_000), what="bomb.png")
    assert caught.value.message == (
        "bomb.png is too large to open safely (9,000 × 9,000 pixels; the limit is 80 megapixels)."
    )


def test_pillows_own_bomb_error_becomes_an_image_error() -> None:
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ImageError, match=r"too large to open safely \(900,000,000 pixels"):
        load_image(png_claiming(30_000, 30_000), what="bomb.png")
    assert before == Image.MAX_IMAGE_PIXELS  # no global state changed


def test_bomb_warning_turned_into_an_error_by_the_host_is_still_an_image_error() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with pytest.raises(ImageError, match="too large to open safely"):
            load_image(png_claiming(10_000, 10_000))


def test_empty_bytes_and_empty_file(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=r"^This file is empty \(0 bytes\)\.$"):
        load_image(b"")
    path = tmp_path / "blank.png"
    path.write_bytes(b"")
    with pytest.raises(ImageError, match=r"^blank\.png is empty"):
        load_image(path)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=r"^There is no file called .*gone\.png\.$"):
        load_image(tmp_path / "gone.png")
    with pytest.raises(ImageError, match="is a folder, not an image"):
        load_image(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "locked.png"
    path.write_bytes(encoded(photo((16, 16)), "PNG"))
    path.chmod(0)
    try:
        with pytest.raises(ImageError, match=r"isn't allowed to read .*locked\.png"):
            load_image(path)
    finally:
        path.chmod(0o600)


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.tif"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    with pytest.raises(
        ImageError, match=r"^huge\.tif is too large: an image can be at most 100 MB\.$"
    ):
        load_image(path)


def test_path_and_bytes_decode_the_same(tmp_path: Path) -> None:
    data = encoded(photo((64, 48)), "PNG")
    path = tmp_path / "a.png"
    path.write_bytes(data)
    from_path, from_bytes = load_image(path), load_image(data)
    assert from_path.mode == from_bytes.mode == "RGB"
    assert from_path.tobytes() == from_bytes.tobytes()


def test_cmyk_jpeg_becomes_rgb_with_the_right_colours() -> None:
    cmyk = Image.new("CMYK", (32, 32), (0, 255, 255, 0))  # no cyan, full magenta+yellow: red
    image = load_image(encoded(cmyk, "JPEG", quality=95))
    assert image.mode == "RGB"
    red, green, blue = image.getpixel((16, 16))
    assert red > 200 and green < 60 and blue < 60


def test_16_bit_greyscale_is_scaled_not_clipped() -> None:
    deep = Image.new("I;16", (3, 1))
    for x, value in enumerate((65535, 32768, 300)):
        deep.putpixel((x, 0), value)
    image = load_image(encoded(deep, "PNG"))
    assert image.mode == "RGB"
    assert [image.getpixel((x, 0))[0] for x in range(3)] == [255, 128, 1]


def test_palette_with_transparency_becomes_rgba() -> None:
    palette = Image.new("P", (4, 4), 1)
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.putpixel((0, 0), 0)
    image = load_image(encoded(palette, "PNG", transparency=0))
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0))[3] == 0
    assert image.getpixel((3, 3)) == (255, 0, 0, 255)


def test_palette_gif_without_transparency_is_rgb() -> None:
    image = load_image(encoded(halves((40, 10)).convert("P"), "GIF"))
    assert image.mode == "RGB"
    assert image.getpixel((0, 5)) == (255, 0, 0)


def test_alpha_is_kept_only_when_something_is_transparent() -> None:
    opaque = Image.new("RGBA", (8, 8), (10, 20, 30, 255))
    assert load_image(encoded(opaque, "PNG")).mode == "RGB"
    grey_alpha = Image.new("LA", (8, 8), (100, 128))
    image = load_image(encoded(grey_alpha, "PNG"))
    assert image.mode == "RGBA"
    assert image.getpixel((1, 1)) == (100, 100, 100, 128)
    assert load_image(encoded(Image.new("L", (8, 8), 7), "PNG")).getpixel((0, 0)) == (7, 7, 7)


def test_exif_orientation_is_applied() -> None:
    stored = Image.new("RGB", (200, 100), (0, 0, 255))
    stored.paste((255, 0, 0), (0, 0, 20, 20))  # marker at the stored top-left
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90° clockwise
    data = encoded(stored, "JPEG", exif=exif, quality=95)
    image = load_image(data)
    assert image.size == (100, 200)
    assert image.getpixel((95, 5))[0] > 200  # the marker is now top-right
    assert image.getpixel((5, 5))[2] > 200
    assert image_info(data) == (100, 200, "jpeg")


def test_embedded_profile_is_converted_to_srgb() -> None:
    tagged = Image.new("RGB", (8, 8), (200, 0, 0))
    for fmt in ("PNG", "JPEG", "WEBP", "TIFF"):
        red, green, _ = load_image(
            encoded(tagged, fmt, icc_profile=swapped_primaries_icc())
        ).getpixel((4, 4))
        assert green > 200 and red < 30, fmt  # its "red" primary is sRGB green


def test_srgb_profile_round_trips_unchanged() -> None:
    from snapasset_desktop.imaging.color import srgb_icc_bytes

    source = photo((32, 32))
    image = load_image(encoded(source, "PNG", icc_profile=srgb_icc_bytes()))
    assert image.tobytes() == source.tobytes()


def test_broken_profile_is_ignored_not_fatal() -> None:
    source = Image.new("RGB", (8, 8), (12, 34, 56))
    image = load_image(encoded(source, "PNG", icc_profile=b"not a profile at all"))
    assert image.getpixel((0, 0)) == (12, 34, 56)


def test_image_info_reads_the_header() -> None:
    assert image_info(encoded(photo((64, 40)), "WEBP")) == (64, 40, "webp")
    with pytest.raises(ImageError, match="too large"):
        image_info(png_claiming(9_000, 9_000))
