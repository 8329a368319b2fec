"""Brand kits and a job's text layers as data: checked on the way in, versioned on the way out."""

from __future__ import annotations

import pytest

from snapasset_desktop.brand.fonts import bundled_fonts, fallback_face, inspect_font
from snapasset_desktop.brand.kit import (
    DEFAULT_KIT,
    KIT_VERSION,
    BrandKit,
    KitFile,
    Palette,
    TextStyle,
    TextStyles,
    kit_id_for,
)
from snapasset_desktop.brand.layers import LAYERS_VERSION, MAX_CHARS, TextLayers
from snapasset_desktop.brand.prompt import colour_name, prompt_suffix
from snapasset_desktop.errors import InvalidInput


def test_every_shipped_font_loads_and_carries_its_licence() -> None:
    faces = bundled_fonts()
    assert {"Inter Regular", "Inter Bold", "Caladea Bold", "Bebas Neue"} <= set(faces)
    for face in faces.values():
        assert face.path.is_file() and (face.path.parent / face.licence).is_file()
        text = (face.path.parent / face.licence).read_text(encoding="utf-8")
        assert "Open Font License" in text or "Bitstream" in text
        inspect_font(face.path.read_bytes(), face.path.name)
    assert fallback_face(bold=True).name == "DejaVu Sans Bold"
    total = sum(face.path.stat().st_size for face in faces.values())
    assert total < 3 * 2**20  # a few faces, not a font library


def test_a_kit_round_trips_through_its_document() -> None:
    kit = BrandKit(
        id="acme",
        name="  Acme   Outdoor ",
        palette=Palette(primary="#0A0", text="#FFFFFF"),
        styles=TextStyles(headline=TextStyle("Bebas Neue", case="upper", backdrop="plate")),
        logos=(KitFile("Main", "logos/main.png"),),
        mood="calm, crisp",
    )
    assert kit.name == "Acme Outdoor" and kit.palette.primary == "#00aa00"
    document = kit.to_dict()
    assert document["version"] == KIT_VERSION
    assert BrandKit.from_dict(document) == kit


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"palette": {"primary": "blue"}}, "The primary colour is written like #1f6feb"),
        ({"styles": {"headline": {"font": "Comic Sans"}}}, "neither in this kit nor one SnapAsset"),
        ({"styles": {"cta": {"font": "Inter Bold", "fill": "pink"}}}, "one of the kit's colours"),
        ({"version": 99}, "made by a newer version of SnapAsset"),
        ({"format": "something-else"}, "This isn't a SnapAsset brand kit."),
        ({"fonts": [{"name": "A", "file": "../../etc/passwd"}]}, "isn't a file name a brand kit"),
        ({"name": ""}, "A brand kit's name has 1 to 60 characters."),
    ],
)
def test_a_bad_kit_document_is_refused_with_a_sentence(change: dict, sentence: str) -> None:
    document = DEFAULT_KIT.to_dict() | {"id": "acme", "name": "Acme"}
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(document.get(key), dict):
            document[key] = document[key] | value
        else:
            document[key] = value
    with pytest.raises(InvalidInput) as refused:
        BrandKit.from_dict(document)
    assert sentence in refused.value.message


def test_kit_ids_come_from_names() -> None:
    assert kit_id_for("Café Noir & Co.") == "cafe-noir-co"
    assert kit_id_for("ブランド") == "kit"


def test_the_prompt_suffix_names_the_palette_and_the_mood() -> None:
    kit = BrandKit(
        id="acme",
        name="Acme",
        palette=Palette("#1d4ed8", "#facc15", "#ffffff", "#0b0b0b"),
        mood="warm, optimistic",
    )
    assert prompt_suffix(kit) == (
        "Brand colours: blue (#1d4ed8), yellow (#facc15), black (#0b0b0b), white (#ffffff). "
        "Mood: warm, optimistic."
    )
    assert colour_name((128, 128, 128)) == "grey"
    assert colour_name((120, 10, 10)) == "deep red"


def test_layers_round_trip_with_their_overrides() -> None:
    layers = (
        TextLayers(headline="  Fresh\n snow ", cta="Shop", kit="acme")
        .moved("instagram-story", "headline", (0.1, 0.2, 0.9, 0.3))
        .moved("x-post", "logo", [0.8, 0.8, 0.95, 0.95])
        .moved("instagram-story", "headline", (0.1, 0.25, 0.9, 0.35))  # the last drag wins
    )
    assert layers.headline == "Fresh snow"
    assert layers.override("instagram-story", "headline") == (0.1, 0.25, 0.9, 0.35)
    data = layers.to_dict()
    assert data["version"] == LAYERS_VERSION
    assert data["overrides"] == {
        "instagram-story": {"headline": [0.1, 0.25, 0.9, 0.35]},
        "x-post": {"logo": [0.8, 0.8, 0.95, 0.95]},
    }
    assert TextLayers.from_dict(data) == layers
    assert layers.reset("instagram-story").override("instagram-story", "headline") is None
    assert layers.reset("x-post", "logo").overrides == layers.reset("x-post").overrides
    assert TextLayers().is_empty and not TextLayers(kit="acme").is_empty


@pytest.mark.parametrize(
    ("data", "sentence"),
    [
        ({"headline": "x" * (MAX_CHARS["headline"] + 1)}, "A headline can be at most 120"),
        ({"overrides": {"x-post": {"sticker": [0, 0, 1, 1]}}}, "“sticker” isn't a layer"),
        ({"overrides": {"x-post": {"cta": [0, 0, 2, 1]}}}, "fractions of the picture from 0"),
        ({"overrides": {"x-post": {"cta": [0.5, 0, 0.5, 1]}}}, "needs some width and height"),
        ({"version": LAYERS_VERSION + 1}, "made by a newer version of SnapAsset"),
        ({"headline": 5}, "The text layers are damaged."),
    ],
)
def test_bad_layers_are_refused_with_a_sentence(data: dict, sentence: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        TextLayers.from_dict(data)
    assert sentence in refused.value.message
