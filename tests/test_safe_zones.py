"""Safe zones: the data is complete and sourced, the geometry right, presets carry theirs."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.platforms import BUILTIN_PLATFORMS, PlatformRegistry, make_custom_platform
from snapasset_desktop.safe_zones import (
    BASES,
    UnsafeZone,
    builtin_zones,
    hiding,
    parse_zones,
    safe_area,
    safe_areas,
    warning_for,
    zones_for,
)
from snapasset_desktop.settings import SettingsStore, load_settings


def test_every_builtin_platform_has_an_entry_with_source_and_date() -> None:
    data = builtin_zones()
    assert set(data) == {p.id for p in BUILTIN_PLATFORMS}  # no platform missing, none stray
    for platform_id, entry in data.items():
        checked = datetime.date.fromisoformat(entry.checked)
        assert datetime.date(2026, 1, 1) <= checked <= datetime.date.today(), platform_id
        assert entry.source.startswith("https://"), platform_id
        assert entry.note, platform_id  # what the platform shows, even when nothing is covered
        for zone in entry.zones:
            assert zone.source.startswith("https://"), (platform_id, zone.label)
            assert zone.checked == entry.checked
            assert zone.basis in BASES and zone.basis != "custom"


def test_figures_that_are_not_published_say_how_they_were_found() -> None:
    for platform_id, entry in builtin_zones().items():
        for zone in entry.zones:
            if zone.basis != "official":
                assert len(zone.note) > 20, (platform_id, zone.label)


def test_every_builtin_platform_keeps_a_usable_safe_area() -> None:
    for platform in BUILTIN_PLATFORMS:
        left, top, right, bottom = safe_area(platform)
        assert (right - left) * (bottom - top) >= 0.15, platform.id


def test_story_safe_area_is_what_meta_publishes() -> None:
    story = PlatformRegistry().get("instagram-story")
    # 14 % top, 35 % bottom (Reels is stricter than the Story's 20 %), 6 % each side.
    assert safe_area(story) == pytest.approx((0.06, 0.14, 0.94, 0.65))


def test_a_corner_badge_leaves_two_safe_areas() -> None:
    thumbnail = PlatformRegistry().get("youtube-thumbnail")
    above, beside = safe_areas(zones_for(thumbnail))[:2]
    assert above == pytest.approx((0.0, 0.0, 1.0, 0.83))  # everything over the badge
    assert beside == pytest.approx((0.0, 0.0, 0.83, 0.98))  # or left of it, over the bar


def test_warning_names_every_zone_over_the_subject_once() -> None:
    story = zones_for(PlatformRegistry().get("instagram-story"))
    low_subject = (0.4, 0.85, 0.5, 0.95)
    assert warning_for(hiding(story, low_subject)) == (
        "Subject under the Story reply bar and the Reels caption area."
    )
    banner = zones_for(PlatformRegistry().get("youtube-banner"))
    assert warning_for(hiding(banner, (0.05, 0.45, 0.1, 0.5))) == "Subject cut off on phones."
    assert warning_for(hiding(banner, (0.45, 0.1, 0.5, 0.2))) == (
        "Subject cut off everywhere but on TVs."
    )
    assert hiding(banner, (0.45, 0.45, 0.55, 0.55)) == []
    header = zones_for(PlatformRegistry().get("x-header"))
    assert warning_for(hiding(header, (0.1, 0.85, 0.2, 0.95))) == (
        "Subject under the profile photo, and cut off on phones."
    )


def test_a_pixel_of_rounding_is_not_a_cover() -> None:
    caption = UnsafeZone("the caption", (0.0, 0.8, 1.0, 1.0))
    touching = (0.4, 0.6, 0.5, 0.8005)
    assert caption.hides(touching)
    assert not caption.hides(touching, tolerance=(0.001, 0.001))


def test_a_custom_preset_carries_its_own_zones_through_settings(tmp_path: Path) -> None:
    entry = {
        "id": "newsletter-hero",
        "width": 1200,
        "height": 600,
        "safe_zones": [
            {"label": "the logo bar", "band": "top", "depth": 0.1},
            {"label": "in the mail preview", "visible": [0.1, 0.0, 0.9, 1.0]},
        ],
    }
    path = tmp_path / "settings.toml"
    SettingsStore(path).update(custom_platforms=[entry])
    registry = PlatformRegistry.from_settings(load_settings(path).custom_platforms)
    hero = registry.get("newsletter-hero")
    assert [(z.label, z.kind, z.basis) for z in zones_for(hero)] == [
        ("the logo bar", "overlay", "custom"),
        ("in the mail preview", "crop", "custom"),
    ]
    assert safe_area(hero) == pytest.approx((0.1, 0.1, 0.9, 1.0))


def test_a_custom_preset_without_zones_has_none() -> None:
    plain = make_custom_platform("plain", 800, 800)
    assert zones_for(plain) == ()
    assert safe_area(plain) == (0.0, 0.0, 1.0, 1.0)


@pytest.mark.parametrize(
    ("entries", "says"),
    [
        ({"label": "x"}, "a list of zones"),
        ([{"band": "top", "depth": 0.1}], "needs a label"),
        ([{"label": "bar", "band": "middle", "depth": 0.1}], "band along one of"),
        ([{"label": "bar", "band": "top", "depth": 1.5}], "from 0 to 1, not 1.5"),
        ([{"label": "bar", "band": "top", "depth": float("nan")}], "fractions of the picture"),
        ([{"label": "bar", "band": "top"}], "fractions of the picture"),
        ([{"label": "box", "rect": [0.5, 0.5, 0.2, 0.9]}], "right after its left"),
        ([{"label": "box", "rect": [0.1, 0.1]}], "four fractions"),
        ([{"label": "both", "band": "top", "depth": 0.1, "rect": [0, 0, 1, 1]}], "exactly one"),
        ([{"label": "box", "rect": [0, 0, 1, 1]}], "cover the whole picture"),
        ([{"label": "bar", "band": "top", "depth": 0.1, "basis": "rumour"}], "basis"),
        ([{"label": f"bar {i}", "band": "top", "depth": 0.01} for i in range(13)], "at most 12"),
    ],
)
def test_bad_zones_are_refused_with_a_sentence(entries: object, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_zones(entries)
    assert says in caught.value.message


def test_a_preset_with_bad_zones_is_refused_whole() -> None:
    with pytest.raises(InvalidInput, match="band along one of"):
        make_custom_platform("odd", 800, 800, safe_zones=[{"label": "x", "band": "up"}])
