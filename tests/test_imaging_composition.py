"""The fit planner: shape groups, crop or expand per platform, the model's size rules, the quote."""

from __future__ import annotations

import pytest

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.composition import (
    FITS,
    LOSS_THRESHOLD,
    CompositionPlan,
    parse_fit,
    plan_composition,
    request_size,
    shape_group,
)
from snapasset_desktop.imaging.geometry import crop_loss
from snapasset_desktop.imaging.planning import FIXED_SIZES, plan_source_size, validate_size
from snapasset_desktop.platforms import BUILTIN_PLATFORMS, PlatformRegistry
from snapasset_desktop.providers.composition import expansion_cost, quote

ALL = BUILTIN_PLATFORMS
SUBJECT = (0.42, 0.4, 0.58, 0.6)  # a subject in the middle of the source
SQUARE_ISH = (2048, 1952)
BY_ID = {p.id: p for p in ALL}


def auto_plan(source: tuple[int, int] = SQUARE_ISH, **options: object) -> CompositionPlan:
    return plan_composition(source, ALL, focus=(0.5, 0.5), subject=SUBJECT, **options)  # type: ignore[arg-type]


def test_builtin_platforms_fall_into_the_four_shape_groups() -> None:
    groups = {p.id: shape_group(p.aspect).key for p in ALL}
    assert {k for k, v in groups.items() if v == "tall"} == {
        "instagram-story",
        "tiktok",
        "pinterest-pin",
    }
    assert {k for k, v in groups.items() if v == "banner"} == {
        "x-header",
        "facebook-cover",
        "linkedin-banner",
        "linkedin-company-cover",
    }
    assert groups["instagram-portrait"] == groups["instagram-square"] == "square"
    assert groups["x-post"] == groups["open-graph"] == groups["youtube-banner"] == "wide"


@pytest.mark.parametrize("source", [SQUARE_ISH, (1536, 1024), (3392, 1920), (1024, 1536)])
def test_auto_crops_what_keeps_the_picture_and_expands_the_rest(
    source: tuple[int, int],
) -> None:
    plan = auto_plan(source)
    for fit in plan.platforms:
        platform = BY_ID[fit.platform_id]
        if fit.fit == "cover":
            assert crop_loss(source, platform.size) <= LOSS_THRESHOLD or fit.kept >= fit.kept
            assert fit.kept == pytest.approx(1 - crop_loss(source, platform.size))
        else:
            assert fit.fit == "expand" and fit.expansion is not None
        # The targets: up to 3:1 at least 85 % of the picture, 4:1 at least 75 %.
        if platform.aspect <= 3 and 1 / platform.aspect <= 3:
            assert fit.kept >= 0.85, fit
        else:
            assert fit.kept >= min(1.0, 3 / max(platform.aspect, 1 / platform.aspect)) - 0.005
        assert fit.subject_safe, fit


def test_one_expansion_per_shape_group() -> None:
    plan = auto_plan()
    assert [e.key for e in plan.expansions] == ["tall", "square", "wide", "banner"]
    for expansion in plan.expansions:
        groups = {shape_group(BY_ID[pid].aspect).key for pid in expansion.platform_ids}
        assert groups == {expansion.key}
        for pid in expansion.platform_ids:
            assert plan.platform(pid).expansion == expansion.key
    expanded = {pid for e in plan.expansions for pid in e.platform_ids}
    assert expanded == {f.platform_id for f in plan.platforms if f.fit == "expand"}


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-2.5-flare"])
def test_every_expansion_asks_for_a_size_the_model_paints(model: str) -> None:
    for source in (SQUARE_ISH, (1536, 1024), (640, 640), (3840, 2160)):
        plan = auto_plan(source, model=model)
        for e in plan.expansions:
            validate_size(model, *e.request)  # raises InvalidInput if the API would refuse it
            assert 1 / 3 <= e.request[0] / e.request[1] <= 3
            # The canvas is the request's shape at the source's scale, holding the source whole.
            assert e.canvas[0] / e.canvas[1] == pytest.approx(
                e.request[0] / e.request[1], rel=0.005
            )
            left, top, right, bottom = e.source_box
            assert (right - left, bottom - top) == source
            assert left >= 0 and top >= 0 and right <= e.canvas[0] and bottom <= e.canvas[1]


def test_the_widest_banners_crop_the_last_bit_from_a_3_to_1_canvas() -> None:
    plan = auto_plan()
    banner = plan.expansion("banner")
    assert banner.request[0] / banner.request[1] == pytest.approx(3, rel=0.01)
    assert plan.platform("x-header").kept == pytest.approx(1.0)
    assert plan.platform("linkedin-banner").kept == pytest.approx(0.75, abs=0.01)
    company = BY_ID["linkedin-company-cover"]
    assert plan.platform(company.id).kept == pytest.approx(3 / company.aspect, abs=0.01)


def test_fixed_size_models_expand_only_to_their_three_shapes() -> None:
    plan = auto_plan(model="gpt-image-1.5")
    assert {e.request for e in plan.expansions} <= set(FIXED_SIZES)
    # 3:2 is as wide as it gets: an X header keeps 3:2 / 3:1 of the picture.
    assert plan.platform("x-header").kept == pytest.approx(0.5, abs=0.01)


def test_cover_crops_everything_and_contain_pads_everything() -> None:
    cover = auto_plan(fit="cover")
    assert cover.expansions == () and {f.fit for f in cover.platforms} == {"cover"}
    contain = auto_plan(fit="contain")
    assert contain.expansions == () and {f.fit for f in contain.platforms} == {"contain"}
    assert all(f.kept == 1.0 and f.box is None for f in contain.platforms)


def test_every_platform_knows_where_the_subject_shows_in_its_picture() -> None:
    plan = auto_plan()
    for fit in plan.platforms:
        assert fit.subject is not None, fit.platform_id
        left, top, right, bottom = fit.subject
        assert 0 <= left < right <= 1 and 0 <= top < bottom <= 1
    # Contain pads a 4:3 source into a 16:9 frame: it fills the height, centred across.
    padded = plan_composition(
        (1200, 900), [BY_ID["youtube-thumbnail"]], fit="contain", subject=(0.0, 0.0, 0.5, 0.5)
    )
    shown = padded.platform("youtube-thumbnail").subject
    assert shown == pytest.approx((0.125, 0.0, 0.5, 0.5), abs=0.002)
    assert plan.subjects() == {f.platform_id: f.subject for f in plan.platforms}


def test_expand_expands_every_platform_that_would_lose_picture() -> None:
    plan = auto_plan(fit="expand")
    for fit in plan.platforms:
        loses = crop_loss(SQUARE_ISH, BY_ID[fit.platform_id].size) > 0.01
        assert (fit.fit == "expand") == loses, fit


def test_the_threshold_decides_what_a_crop_may_lose() -> None:
    platforms = PlatformRegistry().resolve(["instagram-portrait"])
    source = (1080, 1200)  # a 4:5 crop loses 11 %
    assert plan_composition(source, platforms).platforms[0].fit == "cover"
    strict = plan_composition(source, platforms, threshold=0.05)
    assert strict.platforms[0].fit == "expand"


def test_a_subject_a_crop_would_hide_is_expanded_even_when_the_crop_loses_little() -> None:
    story = PlatformRegistry().resolve(["instagram-story"])
    source = (1080, 1800)  # 9:16 loses only 6 % of it, but the subject is at the very top
    plan = plan_composition(source, story, focus=(0.5, 0.05), subject=(0.45, 0.02, 0.55, 0.08))
    assert plan.platforms[0].fit == "expand" and plan.platforms[0].subject_safe
    cropped = plan_composition(
        source, story, fit="cover", focus=(0.5, 0.05), subject=(0.45, 0.02, 0.55, 0.08)
    )
    assert cropped.platforms[0].warning == "Subject under the Story and Reels header."


def test_a_subject_outside_a_narrow_strip_gets_room_the_other_way() -> None:
    # YouTube's banner shows only the middle 29 % of its height everywhere but on TVs. From
    # a 16:9 source the crop loses nothing and can't move: the subject high on a third
    # needs room above, though a 16:9 platform would grow the source sideways.
    banner = PlatformRegistry().resolve(["youtube-banner"])
    options = {"focus": (0.36, 0.4), "subject": (0.3, 0.3, 0.42, 0.5)}
    cropped = plan_composition((3392, 1920), banner, fit="cover", **options)  # type: ignore[arg-type]
    assert cropped.platforms[0].warning == "Subject cut off everywhere but on TVs."
    plan = plan_composition((3392, 1920), banner, **options)  # type: ignore[arg-type]
    [expansion] = plan.expansions
    assert expansion.canvas[1] > 1920 and expansion.canvas[0] == 3392  # grown taller
    assert plan.platforms[0].subject_safe and plan.platforms[0].kept > 0.9


def test_platforms_switched_back_to_crop_leave_their_expansion() -> None:
    plan = auto_plan(cover_only=plan_ids("tall"))
    assert "tall" not in [e.key for e in plan.expansions]
    assert plan.platform("instagram-story").fit == "cover"
    assert plan.platform("x-header").fit == "expand"  # the others are untouched


def plan_ids(key: str) -> tuple[str, ...]:
    return auto_plan().expansion(key).platform_ids


def test_the_plan_is_deterministic() -> None:
    assert auto_plan() == auto_plan()


def test_a_source_already_the_shape_needs_nothing() -> None:
    plan = plan_composition((1080, 1080), PlatformRegistry().resolve(["instagram-square"]))
    assert plan.expansions == () and plan.platforms[0].kept == 1.0


@pytest.mark.parametrize("name", ["auto", "cover", "expand", "contain", " Crop ", "EXPAND"])
def test_fit_names(name: str) -> None:
    assert parse_fit(name) in FITS


def test_an_unknown_fit_is_refused_with_the_choices() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_fit("stretch")
    assert "“auto”, “cover” (crop), “expand” or “contain” (pad)" in caught.value.message


def test_request_size_prefers_the_exact_shape_then_the_most_pixels() -> None:
    assert request_size(9 / 16, "gpt-image-2", 10_000_000) == (1440, 2560)
    assert request_size(3.0, "gpt-image-2", 10_000_000) == (3312, 1104)
    small = request_size(3.0, "gpt-image-2", 300_000)  # never below the model's minimum
    validate_size("gpt-image-2", *small)


def test_the_quote_counts_calls_and_prices_them() -> None:
    plan = auto_plan()
    cheap = quote(plan, model="gpt-image-2", quality="low")
    dear = quote(plan, model="gpt-image-2", quality="high")
    assert cheap.calls == dear.calls == 4
    assert 0 < cheap.cost_usd < dear.cost_usd
    assert cheap.text.startswith("4 expansions · $")
    one = expansion_cost("gpt-image-2", "low", plan.expansions[0].request)
    assert one == pytest.approx(cheap.cost_usd / 4, rel=0.5)
    nothing = quote(auto_plan(fit="cover"), model="gpt-image-2", quality="low")
    assert (nothing.calls, nothing.cost_usd, nothing.text) == (0, 0, "No expansions")


def test_planning_is_cheap_enough_to_run_on_every_composer_change() -> None:
    # Timing lives in bench/composition.py; here only that planning does no image work:
    # a plan for the 18 platforms of a real source size is plain data.
    source = plan_source_size(ALL)
    plan = auto_plan((source.width, source.height))
    assert all(isinstance(f.kept, float) for f in plan.platforms)
