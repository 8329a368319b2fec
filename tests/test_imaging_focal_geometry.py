"""Focal point estimate, focus parsing, and the crop/fit arithmetic."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging import (
    contain_size,
    cover_box,
    crop_loss,
    estimate_focal_point,
    parse_focus,
)
from tests.helpers.images import noisy


def _scene(size: int, centre: tuple[float, float], background_grain: bool) -> Image.Image:
    """A smooth gradient with a bright, detailed square centred at `centre` (0..1)."""
    image = Image.linear_gradient("L").resize((size, size)).convert("RGB")
    if background_grain:
        image = Image.blend(image, noisy((size, size), seed=5), 0.15)
    side = size // 7
    detail = noisy((side, side), seed=9)
    draw = ImageDraw.Draw(detail)
    for step in range(0, side, 12):
        draw.line((0, step, side, side - step), fill=(255, 255, 0), width=3)
    image.paste(detail, (round(centre[0] * size - side / 2), round(centre[1] * size - side / 2)))
    return image


@pytest.mark.parametrize("grain", [False, True])
@pytest.mark.parametrize("centre", [(0.75, 0.3), (0.2, 0.8)])
def test_focal_point_finds_the_detailed_square(centre: tuple[float, float], grain: bool) -> None:
    x, y = estimate_focal_point(_scene(1024, centre, grain))
    assert abs(x - centre[0]) < 0.05 and abs(y - centre[1]) < 0.05


def test_flat_image_focuses_on_the_centre() -> None:
    assert estimate_focal_point(Image.new("RGB", (300, 200), (40, 50, 60))) == (0.5, 0.5)


def test_even_texture_stays_near_the_centre() -> None:
    x, y = estimate_focal_point(noisy((512, 512), seed=3))
    assert abs(x - 0.5) < 0.1 and abs(y - 0.5) < 0.1


def test_transparent_background_does_not_attract_the_focus() -> None:
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    image.paste(noisy((60, 60)).convert("RGBA"), (300, 40))
    x, y = estimate_focal_point(image)
    assert abs(x - 0.825) < 0.06 and abs(y - 0.175) < 0.06


def test_focal_point_is_deterministic() -> None:
    # How fast it finds the point is measured in bench/planning.py.
    image = _scene(2048, (0.6, 0.4), background_grain=True)
    assert estimate_focal_point(image) == estimate_focal_point(image)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.8,0.5", (0.8, 0.5)), (" 0 , 1 ", (0.0, 1.0)), ("0.25 0.75", (0.25, 0.75))],
)
def test_parse_focus_accepts_two_numbers(text: str, expected: tuple[float, float]) -> None:
    assert parse_focus(text) == expected


@pytest.mark.parametrize("text", ["", "0.5", "a,b", "0.5,0.5,0.5", "1.2,0.5", "-0.1,0", "nan,0.5"])
def test_parse_focus_refuses_garbage(text: str) -> None:
    with pytest.raises(InvalidInput, match="The focus point is two numbers from 0 to 1"):
        parse_focus(text)


def test_cover_box_follows_the_focus_and_stops_at_edges() -> None:
    src, square = (400, 100), (50, 50)
    assert cover_box(src, square, (0.5, 0.5)) == (150, 0, 250, 100)
    assert cover_box(src, square, (0.9, 0.5)) == (300, 0, 400, 100)  # clamped at the right
    assert cover_box(src, square, (0.1, 0.5)) == (0, 0, 100, 100)
    assert cover_box(src, square, (0.3, 0.0)) == (70, 0, 170, 100)


def test_cover_box_is_the_largest_box_of_the_target_aspect() -> None:
    for src in [(1024, 1024), (1536, 1024), (1088, 1920), (333, 777)]:
        for target in [(1080, 1350), (1584, 396), (1080, 1920), (1200, 630), (5, 5)]:
            left, top, right, bottom = cover_box(src, target, (0.7, 0.2))
            width, height = right - left, bottom - top
            assert left >= 0 and top >= 0 and right <= src[0] and bottom <= src[1]
            assert width == src[0] or height == src[1]  # touches two opposite edges
            assert abs(width / height - target[0] / target[1]) < 2 / min(width, height)


def test_crop_loss() -> None:
    assert crop_loss((2000, 1000), (500, 500)) == pytest.approx(0.5)
    assert crop_loss((1600, 900), (1280, 720)) == 0.0
    assert crop_loss((1000, 1000), (1584, 396)) == pytest.approx(0.75)


def test_contain_size_fits_inside_and_keeps_aspect() -> None:
    assert contain_size((400, 100), (100, 100)) == (100, 25)
    assert contain_size((1024, 1024), (1584, 396)) == (396, 396)
    assert contain_size((1536, 1024), (1080, 1920)) == (1080, 720)
    assert contain_size((5000, 1), (100, 100)) == (100, 1)
