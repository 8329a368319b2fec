"""Planning the source size: least cropping, model constraints always honoured."""

from __future__ import annotations

import itertools

import pytest

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging import (
    crop_loss,
    plan_source_size,
    supports_arbitrary_sizes,
    validate_size,
)
from snapasset_desktop.imaging.geometry import cover_crop_size
from snapasset_desktop.imaging.planning import FIXED_SIZES, STANDARD_MAX_PIXELS
from snapasset_desktop.platforms import BUILTIN_PLATFORMS, PlatformRegistry, make_custom_platform

REGISTRY = PlatformRegistry()
FIXED_MODELS = ["gpt-image-1.5", "gpt-image-1-mini", "chatgpt-image-latest", "some-future-model"]
ARBITRARY_MODELS = ["gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-2.5-flare", "gpt-image-2.6"]


def _all_valid_sizes() -> list[tuple[int, int]]:
    sizes = []
    for width in range(16, 3841, 16):
        for height in range(16, 3841, 16):
            try:
                validate_size("gpt-image-2", width, height)
            except InvalidInput:
                continue
            sizes.append((width, height))
    return sizes


VALID_SIZES = _all_valid_sizes()


def _worst(size: tuple[int, int], ids: list[str]) -> float:
    return max(crop_loss(size, REGISTRY.get(i).size) for i in ids)


@pytest.mark.parametrize("model", ARBITRARY_MODELS)
def test_model_families(model: str) -> None:
    assert supports_arbitrary_sizes(model)


@pytest.mark.parametrize("model", [*FIXED_MODELS, "gpt-image-20", "dall-e-3"])
def test_fixed_size_models(model: str) -> None:
    assert not supports_arbitrary_sizes(model)


@pytest.mark.parametrize("platform", BUILTIN_PLATFORMS, ids=lambda p: p.id)
def test_single_platform_gets_its_aspect_at_a_size_that_covers_it(platform) -> None:
    plan = plan_source_size([platform])
    validate_size("gpt-image-2", plan.width, plan.height)
    best_possible = crop_loss((min(max(platform.aspect, 1 / 3), 3) * 1000, 1000), platform.size)
    assert plan.losses[platform.id] <= best_possible + 0.01
    assert plan.upscaled == []
    assert plan.width * plan.height <= STANDARD_MAX_PIXELS  # no experimental size needed


def test_examples_a_designer_would_check() -> None:
    assert plan_source_size(REGISTRY.resolve(["instagram-square"])).size_param == "1088x1088"
    assert plan_source_size(REGISTRY.resolve(["youtube-banner"])).size_param == "2560x1440"
    banner = plan_source_size(REGISTRY.resolve(["linkedin-banner"]))  # 4:1 → closest is 3:1
    assert banner.width == 3 * banner.height and banner.width >= 1584
    assert banner.losses["linkedin-banner"] == pytest.approx(0.25)


@pytest.mark.parametrize(
    "ids",
    [
        ["instagram-square", "instagram-story", "linkedin-banner"],
        ["instagram-square", "instagram-story", "youtube-banner"],
        ["instagram-portrait", "x-header"],
        ["tiktok", "linkedin-company-cover", "open-graph"],
    ],
)
def test_mixes_minimise_the_worst_loss_over_every_valid_size(ids: list[str]) -> None:
    plan = plan_source_size(REGISTRY.resolve(ids))
    best = min(_worst(size, ids) for size in VALID_SIZES)
    assert _worst((plan.width, plan.height), ids) <= best + 0.01


def test_square_story_and_banner_meet_in_the_middle() -> None:
    ids = ["instagram-square", "instagram-story", "linkedin-banner"]
    plan = plan_source_size(REGISTRY.resolve(ids))
    # Story (9:16) and banner (4:1) are equally far from the chosen aspect.
    assert plan.losses["instagram-story"] == pytest.approx(plan.losses["linkedin-banner"], abs=0.02)
    assert plan.losses["instagram-square"] < plan.losses["instagram-story"]


@pytest.mark.parametrize("model", ["gpt-image-2", "gpt-image-1.5"])
def test_constraints_hold_for_every_combination_of_up_to_three_platforms(model: str) -> None:
    for count in (1, 2, 3):
        for combo in itertools.combinations(BUILTIN_PLATFORMS, count):
            plan = plan_source_size(combo, model)
            validate_size(model, plan.width, plan.height)
            if model == "gpt-image-1.5":
                assert (plan.width, plan.height) in FIXED_SIZES
            assert set(plan.losses) == {p.id for p in combo}
            for platform in combo:
                assert plan.losses[platform.id] == crop_loss(
                    (plan.width, plan.height), platform.size
                )
                crop_w, crop_h = cover_crop_size((plan.width, plan.height), platform.size)
                big_enough = crop_w >= platform.width - 0.5 and crop_h >= platform.height - 0.5
                assert big_enough == (platform.id not in plan.upscaled)


def test_fixed_models_pick_the_closest_shape() -> None:
    def size(ids: list[str]) -> str:
        return plan_source_size(REGISTRY.resolve(ids), "gpt-image-1.5").size_param

    assert size(["instagram-square"]) == "1024x1024"
    assert size(["instagram-story"]) == "1024x1536"
    assert size(["youtube-thumbnail"]) == "1536x1024"
    assert plan_source_size(REGISTRY.resolve(["instagram-square"]), "gpt-image-1.5").upscaled == [
        "instagram-square"
    ]


def test_a_platform_larger_than_any_size_stays_non_experimental() -> None:
    poster = make_custom_platform("poster", 8000, 8000)
    plan = plan_source_size([poster])
    validate_size("gpt-image-2", plan.width, plan.height)
    assert plan.upscaled == ["poster"]
    assert plan.width == plan.height and plan.width * plan.height <= STANDARD_MAX_PIXELS


def test_experimental_size_only_to_avoid_upscaling() -> None:
    plan = plan_source_size(REGISTRY.resolve(["instagram-square", "instagram-story", "x-header"]))
    assert plan.upscaled == []
    assert plan.width * plan.height > STANDARD_MAX_PIXELS


def test_planning_is_deterministic() -> None:
    # How fast it plans is measured in bench/planning.py.
    combos = [
        *itertools.islice(itertools.combinations(BUILTIN_PLATFORMS, 3), 200),
        BUILTIN_PLATFORMS,
    ]
    first = [plan_source_size(c).size_param for c in combos]
    assert first == [plan_source_size(c).size_param for c in combos]


def test_no_platforms_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Pick at least one platform"):
        plan_source_size([])


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        ((1000, 1008), "multiples of 16"),
        ((3840, 1024), "at most 3 times"),
        ((3856, 2048), "largest size is 3840×2160"),
        ((2176, 2176), "largest size is 3840×2160"),
        ((512, 512), "at least 655,360 pixels"),
    ],
)
def test_validate_size_explains_the_rule(size: tuple[int, int], reason: str) -> None:
    with pytest.raises(InvalidInput, match=reason):
        validate_size("gpt-image-2", *size)


def test_validate_size_for_fixed_models() -> None:
    validate_size("gpt-image-1.5", 1536, 1024)
    with pytest.raises(InvalidInput, match="1024×1024, 1536×1024, 1024×1536 only"):
        validate_size("gpt-image-1.5", 1088, 1088)
