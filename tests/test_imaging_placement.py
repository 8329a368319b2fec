"""Crop placement: the subject lands in each platform's safe area, or the asset says why not.

The end-to-end case works on pixels: a pure red square marks the subject near an edge of
a real source, every built-in platform's asset is rendered (cropped, or cropped from the
placeholder's expansion), and the red square is found in the asset and held against the
platform's zones.
"""

from __future__ import annotations

import pytest
from PIL import Image

from snapasset_desktop.imaging.composition import CompositionPlan, PlatformFit, plan_composition
from snapasset_desktop.imaging.geometry import cover_box
from snapasset_desktop.imaging.placement import place_crop
from snapasset_desktop.platforms import BUILTIN_PLATFORMS, PlatformRegistry
from snapasset_desktop.providers.composition import expand_source
from snapasset_desktop.providers.placeholder import PlaceholderProvider
from snapasset_desktop.safe_zones import UnsafeZone, hiding, zones_for
from tests.helpers.images import marked_source, red_mark

SOURCE = (960, 720)
ASSET_SIDE = 480  # assets are checked at most this big: zones are fractions
SUBJECT_SIDE = 0.08  # of the source's short side
NEAR_EDGES = {"top": (0.5, 0.07), "bottom": (0.5, 0.93), "left": (0.06, 0.5), "right": (0.94, 0.5)}


@pytest.mark.parametrize("focus", [(0.5, 0.5), (0.0, 1.0), (0.8, 0.3), (1.0, 0.0)])
@pytest.mark.parametrize("target", [(1080, 1920), (1584, 396), (1080, 1080), (851, 315)])
def test_without_zones_the_crop_is_cover_box(
    target: tuple[int, int], focus: tuple[float, float]
) -> None:
    placed = place_crop((2048, 1536), target, focus)
    assert placed.box == cover_box((2048, 1536), target, focus)
    assert placed.subject_safe and placed.warning is None


def test_zones_the_subject_already_clears_leave_the_crop_where_cover_box_puts_it() -> None:
    story = zones_for(PlatformRegistry().get("instagram-story"))
    placed = place_crop((2000, 1200), (1080, 1920), (0.5, 0.4), zones=story)
    assert placed.box == cover_box((2000, 1200), (1080, 1920), (0.5, 0.4))
    assert placed.subject_safe


def test_the_crop_moves_just_enough_to_clear_the_subject() -> None:
    # A 1:1 crop of a 2:1 source, subject near the right edge of where cover_box would cut.
    thumbnail_zones = (UnsafeZone("the badge", (0.8, 0.0, 1.0, 1.0)),)
    subject = (0.66, 0.45, 0.7, 0.55)
    centred = cover_box((2000, 1000), (1000, 1000), (0.5, 0.5))
    placed = place_crop(
        (2000, 1000), (1000, 1000), (0.5, 0.5), subject=subject, zones=thumbnail_zones
    )
    assert placed.subject_safe
    # Centred, the crop spans 500..1500 and the subject's right edge (1400 px) is at 90 %;
    # moved, it sits exactly at the zone's edge, 80 % across.
    assert centred[0] == 500 and placed.box[0] == 1400 - 800


def test_the_placement_says_where_the_subject_shows_in_its_crop() -> None:
    zones = (UnsafeZone("the badge", (0.8, 0.0, 1.0, 1.0)),)
    subject = (0.66, 0.45, 0.7, 0.55)
    placed = place_crop((2000, 1000), (1000, 1000), (0.5, 0.5), subject=subject, zones=zones)
    # The crop starts at 600 px: the subject's 1320..1400 px are 72..80 % across it.
    assert placed.subject == pytest.approx((0.72, 0.45, 0.8, 0.55))
    plain = place_crop((2000, 1000), (1000, 1000), (0.5, 0.5), subject=subject)
    assert plain.subject == pytest.approx((0.82, 0.45, 0.9, 0.55))  # cover_box: 500..1500
    cut_off = place_crop((2000, 1000), (1000, 1000), (0.2, 0.5), subject=(0.9, 0.4, 0.95, 0.6))
    assert cut_off.subject is None  # none of it is in the crop
    assert place_crop((2000, 1000), (1000, 1000), (0.5, 0.5)).subject is None


def test_a_subject_the_crop_cannot_clear_gets_a_warning_naming_the_zone() -> None:
    story = zones_for(PlatformRegistry().get("instagram-story"))
    # The crop is the source's full width and can't go above the top edge.
    placed = place_crop((2000, 4000), (1080, 1920), (0.5, 0.03), zones=story)
    assert placed.box[1] == 0
    assert placed.warning == "Subject under the Story and Reels header."


def test_a_corner_badge_is_cleared_by_moving_either_way() -> None:
    thumbnail = zones_for(PlatformRegistry().get("youtube-thumbnail"))
    # Low and right in a tall source: the 16:9 crop can only move up and down.
    low_right = (0.88, 0.70, 0.95, 0.78)
    placed = place_crop((1600, 2000), (1280, 720), (0.9, 0.74), subject=low_right, zones=thumbnail)
    assert placed.subject_safe


def test_on_an_expanded_canvas_the_crop_keeps_the_whole_original_when_it_fits() -> None:
    canvas, original = (1000, 2000), (0, 700, 1000, 1400)
    placed = place_crop((1000, 2000), (1000, 1250), (0.5, 0.36), keep=original)
    top, bottom = placed.box[1], placed.box[3]
    assert top <= original[1] and bottom >= original[3]
    assert canvas[1] >= bottom


def _asset(fit: PlatformFit, source: Image.Image, expanded: dict[str, Image.Image], size):
    """The platform's asset as the pipeline renders it (its crop, one resize), smaller."""
    canvas = expanded[fit.expansion] if fit.expansion else source
    scale = min(1.0, ASSET_SIDE / max(size))
    small = (round(size[0] * scale), round(size[1] * scale))
    return canvas.resize(small, Image.Resampling.LANCZOS, box=fit.box)


def _expanded(plan: CompositionPlan, source: Image.Image) -> dict[str, Image.Image]:
    provider = PlaceholderProvider()
    return {
        e.key: expand_source(provider, source, e, prompt="a marked subject", model="gpt-image-2")
        for e in plan.expansions
    }


def _warned(edge: str, fit: str) -> set[str]:
    """Render every built-in platform with the subject near `edge`; check each asset's mark
    against its zones and return the platforms whose asset carries a warning."""
    centre = NEAR_EDGES[edge]
    source, subject = marked_source(SOURCE, centre, SUBJECT_SIDE)
    plan = plan_composition(SOURCE, BUILTIN_PLATFORMS, fit=fit, focus=centre, subject=subject)
    expanded = _expanded(plan, source)
    warned = set()
    for platform in BUILTIN_PLATFORMS:
        placed = plan.platform(platform.id)
        asset = _asset(placed, source, expanded, platform.size)
        found = red_mark(asset)
        assert found is not None, f"{platform.id} ({fit}): the subject is not in the asset"
        zones = zones_for(platform)
        rounding = (2 / asset.width, 2 / asset.height)
        if placed.subject_safe:
            assert hiding(zones, found, rounding) == [], f"{platform.id} ({fit})"
        else:
            assert placed.warning and hiding(zones, found), f"{platform.id} ({fit})"
            warned.add(platform.id)
    return warned


@pytest.mark.parametrize("edge", sorted(NEAR_EDGES))
def test_a_subject_near_each_edge_lands_in_every_safe_area_or_the_asset_warns(edge: str) -> None:
    cropped = _warned(edge, "cover")
    composed = _warned(edge, "auto")
    # Expanding gives crops room: never a warning a crop alone would not have had.
    assert composed <= cropped
    assert len(composed) < len(cropped) or not cropped
