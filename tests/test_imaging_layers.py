"""Text and logo layers on every platform: inside the safe area, legible, never overflowing,
any script, and a shared kit drawing the same pixels in another library."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.brand.fonts import raqm_available
from snapasset_desktop.brand.kit import DEFAULT_KIT, BrandKit
from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.imaging.geometry import cover_box
from snapasset_desktop.imaging.layers import LayeredImage, render_layers
from snapasset_desktop.imaging.planning import plan_source_size
from snapasset_desktop.paths import AppPaths
from snapasset_desktop.platforms import BUILTIN_PLATFORMS, PlatformRegistry, make_custom_platform
from snapasset_desktop.providers.placeholder import render_placeholder
from snapasset_desktop.safe_zones import zones_for
from snapasset_desktop.services.brand import BrandService
from tests.helpers.brand import inside, make_kit, measured_contrast, safe_area_pixels
from tests.helpers.images import photo

PLATFORMS = {p.id: p for p in BUILTIN_PLATFORMS}
LONG_HEADLINE = (
    "Everything you need for a winter of long walks, warm kitchens and late evenings, "
    "now in every store near you"
)[:120]


@cache
def source() -> Image.Image:
    planned = plan_source_size(BUILTIN_PLATFORMS, "gpt-image-2")
    return render_placeholder("a red fox in fresh snow at dawn", planned.width, planned.height)


def crop(platform_id: str, picture: Image.Image | None = None) -> Image.Image:
    picture = picture or source()
    size = PLATFORMS[platform_id].size
    return picture.resize(
        size, Image.Resampling.LANCZOS, box=cover_box(picture.size, size, (0.5, 0.5))
    )


@pytest.fixture
def brand(tmp_path: Path) -> BrandService:
    return BrandService(AppPaths(tmp_path / "data", tmp_path / "config", tmp_path / "log"))


@pytest.fixture
def kit(brand: BrandService, tmp_path: Path) -> BrandKit:
    return make_kit(brand, tmp_path)


def safe_pixels(platform_id: str) -> tuple[float, float, float, float]:
    return safe_area_pixels(PLATFORMS[platform_id])


@pytest.mark.parametrize("platform_id", list(PLATFORMS))
def test_every_platform_keeps_its_layers_in_the_safe_area_and_legible(
    platform_id: str, kit: BrandKit
) -> None:
    picture = crop(platform_id)
    layers = TextLayers(headline="Fresh snow, fresh start", cta="Shop the collection", kit=kit.id)
    result = render_layers(picture, PLATFORMS[platform_id], layers, kit)
    names = {layer.name for layer in result.layers}
    expected = {"headline", "logo"} | ({"cta"} if result.family != "thumbnail" else set())
    assert names == expected, result.notes
    area = safe_pixels(platform_id)
    for layer in result.layers:
        assert inside(layer.box, area), (layer.name, layer.box, area)
        if layer.text_box is not None:
            assert inside(layer.text_box, layer.box)
            ratio = measured_contrast(picture, result.image, layer.text_box, layer.colour)
            assert ratio >= 4.5, (layer.name, layer.backdrop, ratio)
    # The zones' own data agrees: nothing drawn is under or outside any of them.
    zones = zones_for(PLATFORMS[platform_id])
    for layer in result.layers:
        frame = PLATFORMS[platform_id].size
        fraction = tuple(v / frame[i % 2] for i, v in enumerate(layer.box))
        assert not any(zone.hides(fraction, (1 / frame[0], 1 / frame[1])) for zone in zones)


@pytest.mark.parametrize(
    ("cta", "with_kit"),
    [("Shop now", True), ("Shop now", False), ("Shop the collection", False)],
    ids=["short-kit", "short-own-look", "long-own-look"],
)
def test_a_call_to_action_reads_on_phones_wherever_the_frame_has_room(
    kit: BrandKit, with_kit: bool, cta: str
) -> None:
    layers = TextLayers(
        headline="Fresh snow, fresh start",
        subline="Warm layers",
        cta=cta,
        kit=kit.id if with_kit else None,
    )
    small = set()
    for platform_id, platform in PLATFORMS.items():
        notes = render_layers(
            crop(platform_id), platform, layers, kit if with_kit else DEFAULT_KIT
        ).notes
        if any("hard to read" in note for note in notes):
            small.add(platform_id)
    # The row a button sits in is as tall as a readable button, and the button may take
    # the row's width: at most the Facebook cover, whose phone crop leaves a thin band,
    # sets the words below that size.
    assert small <= {"facebook-cover"}


@pytest.mark.parametrize(
    "platform_id", ["instagram-story", "tiktok", "pinterest-pin", "x-post", "facebook-post"]
)
def test_with_a_button_the_logo_heads_the_words_and_the_button_keeps_the_row(
    kit: BrandKit, platform_id: str
) -> None:
    """Beside the button, a logo squeezed a long call to action below a readable size;
    under it, the two rose onto a story's subject."""
    layers = TextLayers(headline="Fresh snow", cta="Shop the collection", kit=kit.id)
    result = render_layers(crop(platform_id), PLATFORMS[platform_id], layers, kit)
    logo, headline, button = (result.layer(name) for name in ("logo", "headline", "cta"))
    assert logo is not None and headline is not None and button is not None
    assert logo.box[3] <= headline.box[1] and headline.box[3] <= button.box[1]
    if result.family == "tall":  # centred, on the safe area's middle
        centres = [(layer.box[0] + layer.box[2]) / 2 for layer in (logo, button)]
        assert abs(centres[0] - centres[1]) <= 2
    else:  # one edge
        assert abs(logo.box[0] - button.box[0]) <= 2
    assert not any("hard to read" in note for note in result.notes)


@pytest.mark.parametrize("platform_id", ["instagram-story", "x-header", "linkedin-company-cover"])
@pytest.mark.parametrize(
    "headline",
    [
        LONG_HEADLINE,
        "تخفيضات الشتاء على كل شيء في المتجر هذا الأسبوع فقط",
        "מבצע חורף גדול בכל החנויות השבוע",
        "Winter sale 🎉❄️ everything must go 👩‍👩‍👧",
        "Antidisestablishmentarianismusbewegungsgesellschaftsvorsitzender",
    ],
    ids=["long", "arabic", "hebrew", "emoji", "one-long-word"],
)
def test_any_headline_fits_without_overflow(platform_id: str, headline: str) -> None:
    picture = crop(platform_id)
    layers = TextLayers(headline=headline, subline="Warm layers for cold mornings", cta="Shop")
    result = render_layers(picture, PLATFORMS[platform_id], layers)
    drawn = result.layer("headline")
    assert drawn is not None, result.notes
    area = safe_pixels(platform_id)
    assert inside(drawn.box, area) and inside(drawn.text_box, drawn.box)
    assert result.image.crop(drawn.text_box).getbbox() is not None
    assert measured_contrast(picture, result.image, drawn.text_box, drawn.colour) >= 4.5


def test_scripts_inter_lacks_are_set_in_the_fallback_and_say_so() -> None:
    assert raqm_available(), "Pillow without raqm lays right-to-left text out wrongly"
    layers = TextLayers(headline="מבצע חורף גדול", cta="Shop")
    result = render_layers(crop("instagram-square"), PLATFORMS["instagram-square"], layers)
    drawn = result.layer("headline")
    assert drawn is not None and drawn.font == "DejaVu Sans Bold"
    assert "The headline is set in DejaVu Sans Bold: Inter Bold has no letters for" in " ".join(
        result.notes
    )
    # Right to left: a centred or start-aligned Hebrew line ends at the right of its slot.
    assert drawn.text_box[2] > PLATFORMS["instagram-square"].width * 0.6


def test_characters_no_font_draws_are_left_out_with_a_note() -> None:
    layers = TextLayers(headline="Winter sale 🎉 now", cta="Shop")
    result = render_layers(crop("instagram-square"), PLATFORMS["instagram-square"], layers)
    drawn = result.layer("headline")
    assert drawn is not None and drawn.text == "Winter sale now"
    assert any(note.startswith("🎉 can't be drawn by the fonts here") for note in result.notes)


def test_a_missing_font_or_logo_file_is_a_note_not_a_failure(kit: BrandKit) -> None:
    kit.file_path(kit.fonts[0]).unlink()
    kit.file_path(kit.logos[0]).unlink()
    layers = TextLayers(headline="Fresh snow", kit=kit.id)
    result = render_layers(crop("x-post"), PLATFORMS["x-post"], layers, kit)
    drawn = result.layer("headline")
    assert drawn is not None and drawn.font == "Inter Bold"
    assert result.layer("logo") is None
    assert (
        "The font file of “Acme Serif” (Caladea-Bold.ttf) is missing from the kit “Acme”, "
        "so the headline is set in Inter Bold." in result.notes
    )
    assert "The logo file acme-logo.png is missing from the kit “Acme”." in result.notes


def test_a_kit_shared_as_a_file_draws_the_same_pixels_in_another_library(
    brand: BrandService, kit: BrandKit, tmp_path: Path
) -> None:
    shared = brand.export(kit.id, tmp_path / "acme")
    elsewhere = BrandService(AppPaths(tmp_path / "other", tmp_path / "c2", tmp_path / "l2"))
    imported = elsewhere.import_file(shared)
    assert imported.folder != kit.folder
    layers = TextLayers(headline="Fresh snow, fresh start", cta="Shop now", kit=kit.id)
    for platform_id in ("instagram-story", "linkedin-banner"):
        picture = crop(platform_id)
        here = render_layers(picture, PLATFORMS[platform_id], layers, kit)
        there = render_layers(picture, PLATFORMS[platform_id], layers, imported)
        assert here.image.tobytes() == there.image.tobytes()
        assert here.manifest() == there.manifest()


def test_layers_keep_off_the_subject_where_the_layout_has_room() -> None:
    layers = TextLayers(headline="Fresh snow, fresh start", subline="Warm layers", cta="Shop")
    platform = PLATFORMS["x-post"]
    for subject, side in (((0.05, 0.2, 0.35, 0.8), "right"), ((0.65, 0.2, 0.95, 0.8), "left")):
        result = render_layers(crop("x-post"), platform, layers, subject=subject)
        assert not result.subject_covered, result.notes
        headline = result.layer("headline")
        assert headline is not None
        centre = (headline.box[0] + headline.box[2]) / 2
        assert (centre > platform.width / 2) == (side == "right")
    crowded = render_layers(crop("x-post"), platform, layers, subject=(0.05, 0.05, 0.95, 0.95))
    assert crowded.subject_covered
    assert any("cover part of the subject" in note for note in crowded.notes)


def test_stories_put_the_headline_in_the_upper_third() -> None:
    platform = PLATFORMS["instagram-story"]
    result = render_layers(crop(platform.id), platform, TextLayers(headline="Fresh snow"))
    headline = result.layer("headline")
    assert headline is not None and headline.box[3] <= platform.height / 3
    assert result.family == "tall"


def test_thumbnails_say_what_they_leave_out() -> None:
    platform = PLATFORMS["youtube-thumbnail"]
    layers = TextLayers(headline="Snow day", subline="A long quiet walk", cta="Watch")
    result = render_layers(crop(platform.id), platform, layers)
    assert [layer.name for layer in result.layers] == ["headline"]
    assert (
        "The subline is left out of the YouTube thumbnail: thumbnails read best with a few "
        "big words." in result.notes
    )


def test_a_layer_the_designer_moved_goes_where_they_put_it_and_says_what_covers_it() -> None:
    platform = PLATFORMS["instagram-story"]
    layers = TextLayers(headline="Fresh snow").moved(
        platform.id, "headline", (0.1, 0.85, 0.9, 0.97)
    )
    result = render_layers(crop(platform.id), platform, layers)
    headline = result.layer("headline")
    assert headline is not None and headline.moved
    assert headline.box[1] >= 0.85 * platform.height - 1
    assert "The headline is under the Story reply bar." in result.notes
    back = render_layers(crop(platform.id), platform, layers.reset(platform.id))
    assert back.layer("headline").box[3] <= platform.height / 3  # type: ignore[union-attr]


def test_the_picture_given_is_not_changed_and_transparent_pictures_work() -> None:
    platform = PLATFORMS["instagram-square"]
    picture = crop(platform.id).convert("RGBA")
    picture.putalpha(128)
    before = picture.tobytes()
    result = render_layers(picture, platform, TextLayers(headline="Fresh", cta="Shop"))
    assert picture.tobytes() == before
    assert result.image.mode == "RGBA" and result.image.tobytes() != before


def test_a_busy_dark_picture_gets_only_what_it_needs() -> None:
    """White letters on a dark photo need no scrim; on a light one they get one."""
    platform = PLATFORMS["instagram-square"]
    dark = photo(platform.size).point(lambda v: v // 6)
    plain = render_layers(dark, platform, TextLayers(headline="Fresh snow"))
    assert plain.layer("headline").backdrop == "none"  # type: ignore[union-attr]
    light = Image.new("RGB", platform.size, (235, 240, 245))
    veiled = render_layers(light, platform, TextLayers(headline="Fresh snow"))
    drawn = veiled.layer("headline")
    assert drawn is not None and drawn.backdrop in ("scrim", "plate")
    assert measured_contrast(light, veiled.image, drawn.text_box, drawn.colour) >= 4.5


def test_the_manifest_records_text_font_and_box_per_layer(kit: BrandKit) -> None:
    platform = PLATFORMS["linkedin-post"]
    layers = TextLayers(headline="Fresh snow", cta="Shop now", kit=kit.id)
    result: LayeredImage = render_layers(crop(platform.id), platform, layers, kit)
    manifest = result.manifest()
    assert manifest["platform"] == "linkedin-post" and manifest["layout"] == "wide"
    headline = next(entry for entry in manifest["layers"] if entry["layer"] == "headline")
    assert headline["text"] == "Fresh snow" and headline["font"] == "Acme Serif"
    assert headline["box_fraction"] == [
        round(v / platform.size[i % 2], 4) for i, v in enumerate(headline["box"])
    ]
    assert headline["contrast"] >= 4.5
    logo = next(entry for entry in manifest["layers"] if entry["layer"] == "logo")
    assert "text" not in logo


def test_custom_presets_without_zones_use_the_whole_frame_with_margins() -> None:
    preset = make_custom_platform("newsletter-hero", 1200, 400)
    registry = PlatformRegistry([preset])
    platform = registry.get("newsletter-hero")
    picture = photo(platform.size)
    result = render_layers(
        picture, platform, TextLayers(headline="Fresh snow", cta="Read"), DEFAULT_KIT
    )
    for layer in result.layers:
        assert inside(layer.box, (1, 1, platform.width - 1, platform.height - 1))
