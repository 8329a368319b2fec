"""The offline placeholder provider: exact sizes, stable output, previews and cancel."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from snapasset_desktop.errors import Canceled, InvalidInput
from snapasset_desktop.providers.base import ImageRequest
from snapasset_desktop.providers.placeholder import PlaceholderProvider


def opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize(
    ("size", "expected"),
    [("1536x1024", (1536, 1024)), ("1080x1920", (1080, 1920)), ("auto", (1024, 1024))],
)
@pytest.mark.parametrize(("output_format", "pil_format"), [("png", "PNG"), ("jpeg", "JPEG")])
def test_exact_size_and_format(
    size: str, expected: tuple[int, int], output_format: str, pil_format: str
) -> None:
    request = ImageRequest(prompt="Spring sale", size=size, output_format=output_format)
    [result] = PlaceholderProvider().generate(request)
    image = opened(result.data)
    assert image.size == expected == (result.width, result.height)
    assert image.format == pil_format and result.output_format == output_format
    assert result.usage is None


def test_webp_output() -> None:
    [result] = PlaceholderProvider().generate(
        ImageRequest(prompt="x", size="320x240", output_format="webp")
    )
    assert opened(result.data).format == "WEBP"


def test_tiny_and_extreme_sizes_render() -> None:
    for size in ("16x16", "1500x500", "500x1500"):
        [result] = PlaceholderProvider().generate(ImageRequest(prompt="banner " * 200, size=size))
        assert f"{result.width}x{result.height}" == size


def test_same_prompt_same_picture_different_prompt_different_picture() -> None:
    provider = PlaceholderProvider()
    first = provider.generate(ImageRequest(prompt="Autumn campaign", size="640x480"))[0]
    again = provider.generate(ImageRequest(prompt="Autumn campaign", size="640x480"))[0]
    other = provider.generate(ImageRequest(prompt="Winter campaign", size="640x480"))[0]
    assert first.data == again.data
    corner = (5, 5)
    assert opened(first.data).getpixel(corner) != opened(other.data).getpixel(corner)


def test_several_images_differ() -> None:
    results = PlaceholderProvider().generate(ImageRequest(prompt="x", size="256x256", n=3))
    assert len({result.data for result in results}) == 3


def test_previews_come_first_and_are_images() -> None:
    events: list[tuple[int, bytes]] = []
    [result] = PlaceholderProvider().generate(
        ImageRequest(prompt="x", size="800x600", partial_images=3),
        on_partial=lambda index, data: events.append((index, data)),
    )
    assert [index for index, _ in events] == [0, 1]  # capped at two
    previews = [opened(data) for _, data in events]
    assert all(preview.format == "PNG" for preview in previews)
    assert all(preview.size == (200, 150) for preview in previews)  # quarter size
    assert result.data not in {data for _, data in events}


def test_no_previews_unless_asked() -> None:
    events: list[int] = []
    PlaceholderProvider().generate(
        ImageRequest(prompt="x", size="64x64"), on_partial=lambda i, d: events.append(i)
    )
    assert events == []


def test_cancel_before_start_and_between_previews() -> None:
    provider = PlaceholderProvider()
    with pytest.raises(Canceled):
        provider.generate(ImageRequest(prompt="x"), should_cancel=lambda: True)
    events: list[int] = []
    with pytest.raises(Canceled):
        provider.generate(
            ImageRequest(prompt="x", size="64x64", partial_images=2),
            on_partial=lambda index, data: events.append(index),
            should_cancel=lambda: bool(events),
        )
    assert events == [0]


def test_bad_requests_are_refused() -> None:
    with pytest.raises(InvalidInput):
        PlaceholderProvider().generate(ImageRequest(prompt="   "))
    with pytest.raises(InvalidInput):
        PlaceholderProvider().generate(ImageRequest(prompt="x", size="big"))
