"""Rendering a source for platforms: exact sizes, crops on the focus, padding, threads."""

from __future__ import annotations

import io
import threading
from dataclasses import replace

import pytest
from PIL import Image

from snapasset_desktop.errors import Canceled, InvalidInput
from snapasset_desktop.imaging import (
    AssetMetadata,
    RenderOptions,
    estimate_focal_point,
    render_platform,
    render_platforms,
)
from snapasset_desktop.platforms import BUILTIN_PLATFORMS, PlatformRegistry, make_custom_platform
from tests.helpers.images import halves, noisy, photo

SQUARE = make_custom_platform("square-100", 100, 100)
RED, BLUE = (255, 0, 0), (0, 0, 255)


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _close(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected, strict=False))


def test_options_are_normalised() -> None:
    options = RenderOptions(fit="Contain", pad="#FFF", format="JPG", quality=80, focus=(1, 0))
    assert (options.fit, options.pad, options.format, options.focus) == (
        "contain",
        "#fff",
        "jpeg",
        (1.0, 0.0),
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"fit": "stretch"}, "Fit is “auto”, “cover” \\(crop\\)"),
        ({"pad": "red"}, "The padding is a colour like #ffffff"),
        ({"pad": "#12345"}, "The padding is a colour like #ffffff"),
        ({"format": "gif"}, "PNG, JPEG or WebP"),
        ({"quality": 0}, "from 1 to 100"),
        ({"quality": 101}, "from 1 to 100"),
        ({"quality": True}, "from 1 to 100"),
        ({"focus": (1.5, 0.5)}, "focus point"),
        ({"focus": "middle"}, "focus point"),
        ({"threshold": 1.5}, "crop threshold is a share"),
        ({"threshold": True}, "crop threshold is a share"),
    ],
)
def test_bad_options_are_refused(changes: dict, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        RenderOptions(**changes)
    with pytest.raises(InvalidInput, match=message):
        replace(RenderOptions(), **changes)


@pytest.mark.parametrize("fmt", ["png", "jpeg", "webp"])
def test_every_builtin_platform_gets_its_exact_size_in_order(fmt: str) -> None:
    assets = render_platforms(photo((512, 384)), BUILTIN_PLATFORMS, RenderOptions(format=fmt))
    assert [a.platform_id for a in assets] == [p.id for p in BUILTIN_PLATFORMS]
    for asset, platform in zip(assets, BUILTIN_PLATFORMS, strict=True):
        image = _open(asset.data)
        assert image.size == platform.size == (asset.width, asset.height)
        assert asset.format == fmt
        assert image.format.lower() == fmt


def test_cover_crop_keeps_the_side_the_focus_is_on() -> None:
    source = halves((400, 100), RED, BLUE)
    right = render_platform(source, SQUARE, RenderOptions(), focus=(0.9, 0.5))
    left = render_platform(source, SQUARE, RenderOptions(), focus=(0.1, 0.5))
    assert _close(_open(right.data).getpixel((50, 50)), BLUE)
    assert _close(_open(left.data).getpixel((50, 50)), RED)
    assert right.crop_loss == pytest.approx(0.75)


def test_a_planned_crop_is_cut_where_it_was_placed() -> None:
    source = halves((400, 100), RED, BLUE)
    cards = [
        make_custom_platform("left-card", 100, 100),
        make_custom_platform("right-card", 100, 100),
    ]
    boxes = {"left-card": (0, 0, 100, 100), "right-card": (300, 0, 400, 100)}
    left, right = render_platforms(source, cards, RenderOptions(), boxes=boxes)
    # One size, two boxes: each platform is cut from its own, never the other's pixels.
    assert _close(_open(left.data).getpixel((50, 50)), RED)
    assert _close(_open(right.data).getpixel((50, 50)), BLUE)


def test_focus_none_means_the_estimated_focal_point() -> None:
    source = photo((600, 300), seed=4)
    estimated = estimate_focal_point(source)
    auto = render_platforms(source, [SQUARE], RenderOptions())
    explicit = render_platforms(source, [SQUARE], RenderOptions(focus=estimated))
    assert auto[0].data == explicit[0].data


def test_contain_with_a_colour_keeps_the_whole_image() -> None:
    source = halves((400, 100), RED, BLUE)
    asset = render_platform(
        source, SQUARE, RenderOptions(fit="contain", pad="#0f0"), focus=(0.5, 0.5)
    )
    image = _open(asset.data)
    assert image.size == (100, 100)
    assert asset.crop_loss == 0.0
    assert _close(image.getpixel((50, 5)), (0, 255, 0))  # padding above
    assert _close(image.getpixel((50, 95)), (0, 255, 0))  # and below
    assert _close(image.getpixel((2, 50)), RED)  # both halves are there
    assert _close(image.getpixel((97, 50)), BLUE)


def test_contain_with_blur_fills_with_the_image_darkened() -> None:
    source = halves((400, 100), RED, BLUE)
    options = RenderOptions(fit="contain", pad="blur", format="jpeg")
    image = _open(render_platform(source, SQUARE, options, focus=(0.5, 0.5)).data)
    assert image.size == (100, 100)
    assert _close(image.getpixel((2, 50)), RED) and _close(image.getpixel((97, 50)), BLUE)
    red, green, blue = image.getpixel((50, 5))
    assert max(red, green, blue) < 200 and (red, blue) != (0, 0)  # darkened, not a flat colour
    assert green < 40


def test_contain_transparent_pads_with_alpha() -> None:
    options = RenderOptions(fit="contain", pad="transparent")
    image = _open(render_platform(halves(), SQUARE, options, focus=(0.5, 0.5)).data)
    assert image.mode == "RGBA"
    assert image.getpixel((50, 2))[3] == 0 and image.getpixel((50, 50))[3] == 255


def test_transparent_source_stays_transparent_in_png() -> None:
    source = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    source.paste((10, 200, 10, 255), (50, 50, 150, 150))
    image = _open(render_platform(source, SQUARE, RenderOptions(), focus=(0.5, 0.5)).data)
    assert image.mode == "RGBA"
    assert image.getpixel((2, 2))[3] == 0 and image.getpixel((50, 50))[3] == 255


def test_each_asset_carries_its_platform_in_metadata() -> None:
    platforms = PlatformRegistry().resolve(["instagram-square", "x-post"])
    metadata = AssetMetadata(prompt="lighthouse", model="gpt-image-2", job_id="j1")
    assets = render_platforms(photo((300, 300)), platforms, RenderOptions(), metadata=metadata)
    for asset in assets:
        text = _open(asset.data).text
        assert text["platform"] == asset.platform_id
        assert (text["prompt"], text["job_id"]) == ("lighthouse", "j1")


def test_platform_size_limit_reaches_the_encoder() -> None:
    thumbnail = PlatformRegistry().get("youtube-thumbnail")  # 2 MB limit
    asset = render_platform(noisy((1280, 720)), thumbnail, RenderOptions(), focus=(0.5, 0.5))
    assert asset.warning is not None and "over its 2 MB limit" in asset.warning
    jpeg = render_platform(
        noisy((1280, 720)), thumbnail, RenderOptions(format="jpeg", quality=100), focus=(0.5, 0.5)
    )
    assert len(jpeg.data) <= 2 * 1024 * 1024 and jpeg.warning is None


def test_progress_is_reported_once_per_platform_in_order_on_the_caller_s_thread() -> None:
    calls: list[tuple[int, int, int]] = []
    render_platforms(
        photo((256, 256)),
        BUILTIN_PLATFORMS[:6],
        RenderOptions(),
        on_progress=lambda d, t: calls.append((d, t, threading.get_ident())),
        workers=3,
    )
    # The render threads end with the call: what progress writes to (the job's database
    # connection, say) must not be opened by them.
    assert calls == [(done, 6, threading.get_ident()) for done in range(1, 7)]


def test_cancel_before_start_raises_and_renders_nothing() -> None:
    calls: list[tuple[int, int]] = []
    with pytest.raises(Canceled):
        render_platforms(
            photo((256, 256)),
            BUILTIN_PLATFORMS,
            RenderOptions(),
            on_progress=lambda d, t: calls.append((d, t)),
            should_cancel=lambda: True,
        )
    assert calls == []


def test_cancel_midway_stops_the_remaining_platforms() -> None:
    asked = 0
    lock = threading.Lock()
    finished: list[int] = []

    def should_cancel() -> bool:
        nonlocal asked
        with lock:
            asked += 1
            return asked > 3

    with pytest.raises(Canceled):
        render_platforms(
            photo((256, 256)),
            BUILTIN_PLATFORMS,
            RenderOptions(format="jpeg"),
            on_progress=lambda d, t: finished.append(d),
            should_cancel=should_cancel,
            workers=1,
        )
    assert finished == [1, 2, 3]


def test_non_rgb_sources_are_accepted() -> None:
    grey = Image.new("L", (200, 100), 90)
    [asset] = render_platforms(grey, [SQUARE], RenderOptions(format="webp"))
    assert _close(_open(asset.data).convert("RGB").getpixel((50, 50)), (90, 90, 90), 3)


def test_no_platforms_renders_nothing() -> None:
    assert render_platforms(photo((64, 64)), [], RenderOptions()) == []
