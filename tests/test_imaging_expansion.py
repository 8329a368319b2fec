"""Expansion mechanics: the canvas and mask sent, and the original pasted back pixel for pixel."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image, ImageChops

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.composition import Expansion, plan_composition
from snapasset_desktop.imaging.expansion import edge_fill, edit_inputs, paste_back
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.providers.base import (
    MAX_PROMPT_CHARS,
    ExpandRequest,
    expansion_prompt,
)
from snapasset_desktop.providers.composition import expand_source
from snapasset_desktop.providers.placeholder import PlaceholderProvider
from tests.helpers.images import noisy

SOURCE = (900, 600)


def expansion_for(platform_id: str, source: tuple[int, int] = SOURCE) -> Expansion:
    platforms = PlatformRegistry().resolve([platform_id])
    [expansion] = plan_composition(source, platforms, fit="expand").expansions
    return expansion


def opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image


@pytest.mark.parametrize("platform_id", ["instagram-story", "x-header"])
def test_the_mask_is_transparent_where_the_model_paints_and_opaque_where_it_keeps(
    platform_id: str,
) -> None:
    expansion = expansion_for(platform_id)
    image_png, mask_png = edit_inputs(noisy(SOURCE), expansion)
    image, mask = opened(image_png), opened(mask_png)
    assert image.format == mask.format == "PNG"
    assert image.size == mask.size == expansion.request
    assert mask.mode == "RGBA"
    alpha = mask.getchannel("A")
    levels = alpha.histogram()
    assert {i for i, count in enumerate(levels) if count} == {0, 255}  # nothing half-kept
    kept = alpha.getbbox()
    scale = expansion.request[0] / expansion.canvas[0]
    expected = tuple(round(v * scale) for v in expansion.source_box)
    assert kept == expected
    painted_area = alpha.crop(kept).histogram()[0]
    assert painted_area == 0  # the kept box is wholly opaque


def test_the_source_sits_where_the_mask_keeps_it() -> None:
    expansion = expansion_for("instagram-story")
    source = noisy(SOURCE)
    image_png, mask_png = edit_inputs(source, expansion)
    kept = opened(mask_png).getchannel("A").getbbox()
    placed = opened(image_png).crop(kept)
    expected = source.resize(placed.size, Image.Resampling.LANCZOS)
    assert ImageChops.difference(placed, expected).getbbox() is None


@pytest.mark.parametrize("platform_id", ["instagram-story", "x-header", "linkedin-banner"])
@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_paste_back_restores_every_original_pixel_and_feathers_only_the_new_area(
    platform_id: str, mode: str
) -> None:
    expansion = expansion_for(platform_id)
    source = noisy(SOURCE).convert(mode)
    if mode == "RGBA":
        source.putalpha(200)
    # What the model answers: a different picture everywhere, the kept area included.
    painted = noisy(expansion.request, seed=77)
    result = paste_back(source, painted, expansion)
    assert result.size == expansion.canvas and result.mode == mode
    box = expansion.source_box
    assert ImageChops.difference(result.crop(box), source).getbbox() is None
    # Outside a narrow seam the new area is the model's picture, untouched.
    model = painted.convert(mode).resize(expansion.canvas, Image.Resampling.LANCZOS)
    differs = ImageChops.difference(result, model).convert("L").point(lambda v: 255 if v else 0)
    seam = differs.getbbox()
    grows_sideways = expansion.canvas[0] > SOURCE[0]
    if grows_sideways:
        assert seam[0] >= box[0] - 96 and seam[2] <= box[2] + 96
    else:
        assert seam[1] >= box[1] - 96 and seam[3] <= box[3] + 96


def test_the_seam_continues_the_original_at_its_edge() -> None:
    expansion = expansion_for("instagram-story")
    source = Image.new("RGB", SOURCE, (200, 40, 40))
    painted = Image.new("RGB", expansion.request, (20, 20, 220))
    result = paste_back(source, painted, expansion)
    box = expansion.source_box
    middle = (box[0] + box[2]) // 2
    just_above, far_above = result.getpixel((middle, box[1] - 1)), result.getpixel((middle, 5))
    assert just_above[0] > 190 and just_above[2] < 50  # the original's colour at the edge
    assert far_above == (20, 20, 220)  # the model's colour beyond the seam


def test_edge_fill_mirrors_the_kept_area_into_the_rest() -> None:
    canvas = Image.new("RGB", (300, 100), (0, 0, 0))
    canvas.paste((250, 250, 250), (100, 0, 200, 100))
    filled = edge_fill(canvas, (100, 0, 200, 100))
    assert (
        ImageChops.difference(
            filled.crop((100, 0, 200, 100)), canvas.crop((100, 0, 200, 100))
        ).getbbox()
        is None
    )
    assert min(filled.convert("L").getextrema()) > 200  # no black left anywhere


def test_the_placeholder_expands_offline_and_keeps_the_picture() -> None:
    expansion = expansion_for("x-header")
    source = noisy(SOURCE)
    result = expand_source(
        PlaceholderProvider(), source, expansion, prompt="a fox", model="gpt-image-2"
    )
    assert result.size == expansion.canvas
    assert ImageChops.difference(result.crop(expansion.source_box), source).getbbox() is None
    left_strip = result.crop((0, 0, expansion.source_box[0], SOURCE[1])).convert("L")
    assert left_strip.getextrema()[1] > 0  # filled, not left empty


def test_the_placeholder_streams_previews_of_an_expansion() -> None:
    expansion = expansion_for("instagram-story")
    image, mask = edit_inputs(noisy(SOURCE), expansion)
    previews: list[int] = []
    result = PlaceholderProvider().expand(
        ExpandRequest(image, mask, "a fox", expansion.size_param, partial_images=2),
        on_partial=lambda index, data: previews.append(index),
    )
    assert previews == [0, 1]
    assert (result.width, result.height) == expansion.request


def test_the_placeholder_refuses_a_mask_that_does_not_fit() -> None:
    expansion = expansion_for("instagram-story")
    image, _ = edit_inputs(noisy(SOURCE), expansion)
    wrong = BytesIO()
    Image.new("RGBA", (64, 64)).save(wrong, "PNG")
    request = ExpandRequest(image, wrong.getvalue(), "a fox", expansion.size_param)
    with pytest.raises(InvalidInput, match="as big as the picture"):
        PlaceholderProvider().expand(request)


def test_the_expansion_prompt_says_how_and_what_within_the_limit() -> None:
    assert "transparent area" in expansion_prompt(None)
    assert expansion_prompt("  a red\n fox ").endswith("The picture: a red fox")
    assert len(expansion_prompt("word " * 20_000)) == MAX_PROMPT_CHARS
