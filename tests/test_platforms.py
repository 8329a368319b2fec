"""Platform presets: built-ins, aliases, custom presets and their validation."""

from __future__ import annotations

import pytest

from snapasset_desktop.errors import InvalidInput, UnknownPlatform
from snapasset_desktop.platforms import (
    BUILTIN_PLATFORMS,
    PlatformRegistry,
    custom_presets,
    make_custom_platform,
    preset_id,
)

EXPECTED = {
    "instagram-square": (1080, 1080),
    "instagram-portrait": (1080, 1350),
    "instagram-grid": (1080, 1440),
    "instagram-story": (1080, 1920),
    "facebook-post": (1200, 630),
    "facebook-cover": (851, 315),
    "x-post": (1600, 900),
    "x-header": (1500, 500),
    "linkedin-post": (1200, 627),
    "linkedin-banner": (1584, 396),
    "linkedin-company-cover": (1128, 191),
    "youtube-thumbnail": (1280, 720),
    "youtube-banner": (2560, 1440),
    "pinterest-pin": (1000, 1500),
    "tiktok": (1080, 1920),
    "threads": (1080, 1350),
    "bluesky-card": (1200, 630),
    "open-graph": (1200, 630),
}


def test_builtins_have_the_published_sizes() -> None:
    assert {p.id: p.size for p in BUILTIN_PLATFORMS} == EXPECTED


def test_file_size_limits_come_from_the_preflight_rules() -> None:
    registry = PlatformRegistry()
    assert registry.get("youtube-thumbnail").max_bytes == 2_000_000
    assert registry.get("bluesky-card").max_bytes == 1_000_000
    assert registry.get("facebook-post").max_bytes == 4_000_000


def test_aliases_resolve_to_current_ids() -> None:
    registry = PlatformRegistry()
    assert registry.get("instagram-post").id == "instagram-square"
    assert registry.get("Twitter-Post").id == "x-post"


def test_resolve_keeps_order_and_drops_duplicates() -> None:
    registry = PlatformRegistry()
    ids = [
        p.id for p in registry.resolve(["x-post", "instagram-post", "instagram-square", "x-post"])
    ]
    assert ids == ["x-post", "instagram-square"]


def test_unknown_platform_suggests_the_close_one() -> None:
    with pytest.raises(UnknownPlatform, match="Did you mean “instagram-story”"):
        PlatformRegistry().get("instagram-stroy")


def test_resolve_needs_at_least_one() -> None:
    with pytest.raises(InvalidInput, match="at least one platform"):
        PlatformRegistry().resolve([])


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [
        (0, 100, "more than 0"),
        (-5, 100, "more than 0"),
        (20_000, 100, "at most 10,000"),
        ("wide", 100, "number of pixels"),
        (100.5, 100, "whole number"),
        (True, 100, "whole number"),
        (float("nan"), 100, "number of pixels"),
        (float("inf"), 100, "number of pixels"),
        ("1e400", 100, "number of pixels"),
        (100, "-inf", "number of pixels"),
    ],
)
def test_custom_preset_refuses_bad_sizes(width: object, height: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        make_custom_platform("newsletter", width, height)


def test_custom_preset_lifecycle_round_trips_through_settings() -> None:
    registry = PlatformRegistry()
    registry.add_custom(make_custom_platform("newsletter-hero", "1200", 400, label="Hero"))
    with pytest.raises(InvalidInput, match="already exists"):
        registry.add_custom(make_custom_platform("newsletter-hero", 10, 10))
    registry.update_custom(make_custom_platform("newsletter-hero", 1200, 500))
    reloaded = PlatformRegistry.from_settings(registry.custom_entries())
    assert reloaded.get("newsletter-hero").size == (1200, 500)
    reloaded.remove_custom("newsletter-hero")
    with pytest.raises(UnknownPlatform):
        reloaded.get("newsletter-hero")


def test_custom_preset_cannot_shadow_a_builtin_or_alias() -> None:
    registry = PlatformRegistry()
    for name in ("x-post", "instagram-post"):
        with pytest.raises(InvalidInput, match="built-in"):
            registry.add_custom(make_custom_platform(name, 100, 100))
    with pytest.raises(InvalidInput, match="cannot be deleted"):
        registry.remove_custom("x-post")


def test_broken_custom_entries_in_settings_are_skipped() -> None:
    registry = PlatformRegistry.from_settings(
        [
            {"id": "ok-one", "width": 10, "height": 10},
            {"id": "bad", "width": 0, "height": 5},
            {"nonsense": True},
            1,
            ["ok-two", 10, 10],
            {"id": "huge-limit", "width": 10, "height": 10, "max_bytes": float("inf")},
            {"id": "ok-one", "width": 20, "height": 20},
        ]
    )
    assert [p.id for p in registry.custom()] == ["ok-one"]


def test_each_refused_entry_says_why() -> None:
    reasons: list[str] = []
    entries = [
        {"id": "hero", "width": 1200, "height": 400},
        7,
        {"id": "x-post", "width": 1, "height": 1},
        {"id": "long", "width": 10, "height": 10, "label": "a" * 200},
        {"id": "no-size"},
    ]
    kept = custom_presets(entries, refused=lambda exc: reasons.append(exc.message))
    assert [p.id for p in kept] == ["hero"]
    assert len(reasons) == 4
    assert "table with an id, a width and a height" in reasons[0]
    assert "built-in" in reasons[1]
    assert "at most 80 characters" in reasons[2]
    assert "needs an id, a width and a height" in reasons[3]


def test_reserved_ids_are_refused() -> None:
    with pytest.raises(InvalidInput, match="keeps for itself"):
        make_custom_platform("source", 100, 100)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Newsletter Hero", "newsletter-hero"),
        ("  Café  Crème — wide!  ", "cafe-creme-wide"),
        ("Blog 2026 / cover", "blog-2026-cover"),
    ],
)
def test_a_preset_s_id_is_made_from_its_name(name: str, expected: str) -> None:
    assert preset_id(name) == expected
    assert make_custom_platform(preset_id(name), 100, 100, label=name).id == expected
