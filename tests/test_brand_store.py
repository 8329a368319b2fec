"""Brand kits in the library: stored as folders, shared as one `.snapkit` file, and the
`brand` command."""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest

from snapasset_desktop.brand.kit import DEFAULT_KIT, Palette
from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.cli import main
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library import snapkit
from snapasset_desktop.library.kits import UnknownKit
from snapasset_desktop.paths import AppPaths, app_paths
from snapasset_desktop.services.brand import BrandService
from tests.helpers.brand import DESIGNER_FONT, logo_png, make_kit


def service(base: Path) -> BrandService:
    return BrandService(AppPaths(base / "data", base / "config", base / "log"))


@pytest.fixture
def brand(tmp_path: Path) -> BrandService:
    return service(tmp_path / "one")


def test_kits_are_created_changed_listed_and_deleted(brand: BrandService, tmp_path: Path) -> None:
    kit = make_kit(brand, tmp_path)
    assert (kit.id, kit.name) == ("acme", "Acme")
    assert [item.name for item in kit.fonts] == ["Acme Serif"]
    assert kit.styles.headline.font == "Acme Serif"
    assert (kit.folder / "kit.json").is_file() and kit.file_path(kit.logos[0]).is_file()
    second = brand.create("Acme Outdoor")
    assert second.id == "acme-outdoor"
    with pytest.raises(InvalidInput, match=re.escape("already a brand kit called “Acme”")):
        brand.create("acme")
    changed = brand.update("Acme", palette=Palette(primary="#ff0000"), mood="bold")
    assert brand.kit("acme").palette.primary == "#ff0000" and changed.mood == "bold"
    assert [k.name for k in brand.kits()] == ["Acme", "Acme Outdoor"]
    assert brand.font_names("acme")[0] == "Acme Serif"
    brand.delete("acme-outdoor")
    assert [k.id for k in brand.kits()] == ["acme"]
    with pytest.raises(
        UnknownKit, match=re.escape("There is no brand kit called “Acm”. Did you mean “Acme”?")
    ):
        brand.kit("Acm")


def test_a_font_in_use_cannot_be_removed_but_a_logo_can(
    brand: BrandService, tmp_path: Path
) -> None:
    kit = make_kit(brand, tmp_path)
    with pytest.raises(InvalidInput, match=re.escape("uses the font “Acme Serif”")):
        brand.remove_font(kit.id, "Acme Serif")
    logo = kit.file_path(kit.logos[0])
    assert brand.remove_logo(kit.id, "acme").logos == ()
    assert not logo.exists()


@pytest.mark.parametrize(
    ("name", "data", "sentence"),
    [
        ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is an SVG; logos are PNG"),
        ("logo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64, "isn't a PNG"),
        ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "logo.png"),
    ],
)
def test_logos_that_cant_be_drawn_are_refused(
    brand: BrandService, tmp_path: Path, name: str, data: bytes, sentence: str
) -> None:
    kit = brand.create("Acme")
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InvalidInput, match=re.escape(sentence)):
        brand.add_logo(kit.id, path)
    assert brand.kit(kit.id).logos == ()


@pytest.mark.parametrize(
    ("head", "sentence"),
    [
        (b"wOF2", "is a web font (WOFF2)"),
        (b"ttcf", "is a font collection"),
        (b"%PDF", "isn't a font file SnapAsset can use"),
        (b"OTTO", "is damaged or isn't a font"),
    ],
)
def test_fonts_that_cant_be_used_are_refused(
    brand: BrandService, tmp_path: Path, head: bytes, sentence: str
) -> None:
    kit = brand.create("Acme")
    path = tmp_path / "font.otf"
    path.write_bytes(head + b"\0" * 200)
    with pytest.raises(InvalidInput, match=re.escape(sentence)):
        brand.add_font(kit.id, path)


def test_a_kit_travels_as_one_file_byte_for_byte(brand: BrandService, tmp_path: Path) -> None:
    kit = make_kit(brand, tmp_path)
    first = brand.export(kit.id, tmp_path / "acme")
    assert first.name == "acme.snapkit"
    with pytest.raises(InvalidInput, match=re.escape("already exists")):
        brand.export(kit.id, first)
    again = brand.export(kit.id, first, overwrite=True)
    assert again.read_bytes() == first.read_bytes() == snapkit.pack(kit)
    other = service(tmp_path / "two")
    imported = other.import_file(first)
    assert imported.to_dict() == kit.to_dict()
    for item in kit.files():
        assert imported.file_path(item).read_bytes() == kit.file_path(item).read_bytes()
    with pytest.raises(InvalidInput, match=re.escape("already a brand kit called “Acme”")):
        other.import_file(first)
    renamed = other.import_file(first, name="Acme (shared)")
    assert renamed.id == "acme-shared"
    replaced = other.import_file(first, replace=True)
    assert replaced.id == "acme" and len(other.kits()) == 2


def _tampered(data: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    entries = {info.filename: source.read(info) for info in source.infolist()}
    change(entries)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in entries.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def _bump_version(entries: dict[str, bytes]) -> None:
    manifest = json.loads(entries["manifest.json"])
    manifest["version"] = 99
    entries["manifest.json"] = json.dumps(manifest).encode()


def _flip_logo_byte(entries: dict[str, bytes]) -> None:
    name = next(n for n in entries if n.startswith("logos/"))
    body = bytearray(entries[name])
    body[-20] ^= 0xFF
    entries[name] = bytes(body)


def _rewrite_manifest_for_bad_logo(entries: dict[str, bytes]) -> None:
    name = next(n for n in entries if n.startswith("logos/"))
    entries[name] = b"\x89PNG\r\n\x1a\n" + b"\0" * 40
    manifest = json.loads(entries["manifest.json"])
    manifest["files"][name] = {"bytes": 48, "sha256": hashlib.sha256(entries[name]).hexdigest()}
    entries["manifest.json"] = json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        (_bump_version, "made by a newer version of SnapAsset"),
        (_flip_logo_byte, "was changed after the kit was exported"),
        (lambda e: e.update({"../evil.txt": b"x"}), "its files don't match its manifest"),
        (lambda e: e.pop("manifest.json"), "isn't a SnapAsset brand kit"),
        (_rewrite_manifest_for_bad_logo, "acme-logo.png"),
    ],
)
def test_a_damaged_or_foreign_kit_file_is_refused_and_nothing_is_stored(
    brand: BrandService, tmp_path: Path, change, sentence: str
) -> None:
    kit = make_kit(brand, tmp_path)
    path = tmp_path / "bad.snapkit"
    path.write_bytes(_tampered(snapkit.pack(kit), change))
    other = service(tmp_path / "two")
    with pytest.raises(InvalidInput, match=re.escape(sentence)):
        other.import_file(path)
    assert other.kits() == []
    brand_dir = tmp_path / "two" / "data" / "brand"
    assert not brand_dir.exists() or not any(brand_dir.iterdir())


def test_not_a_zip_at_all_is_one_sentence(brand: BrandService, tmp_path: Path) -> None:
    path = tmp_path / "notes.snapkit"
    path.write_text("hello")
    with pytest.raises(InvalidInput, match=re.escape("isn't a SnapAsset brand kit")):
        brand.import_file(path)


def test_layers_naming_a_kit_this_library_lacks_use_the_default_look_with_a_note(
    brand: BrandService, tmp_path: Path
) -> None:
    make_kit(brand, tmp_path)
    assert brand.kit_for(TextLayers(headline="Hi", kit="acme"))[0].id == "acme"
    assert brand.kit_for(TextLayers(headline="Hi")) == (DEFAULT_KIT, None)
    kit, note = brand.kit_for(TextLayers(headline="Hi", kit="gone"))
    assert kit is DEFAULT_KIT
    assert note == (
        "The brand kit “gone” isn't in this library, so the layers use SnapAsset's own look; "
        "import the kit to use it."
    )


def test_the_brand_command_lists_exports_and_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = app_paths()
    make_kit(BrandService(paths.ensure()), tmp_path)
    assert main(["brand", "list"]) == 0
    listed = capsys.readouterr().out
    assert "acme" in listed and "Acme" in listed
    monkeypatch.chdir(tmp_path)
    assert main(["brand", "export", "Acme"]) == 0
    assert "Exported the brand kit “Acme” to acme.snapkit." in capsys.readouterr().out
    assert main(["brand", "export", "Acme"]) == 1
    assert "acme.snapkit already exists" in capsys.readouterr().err
    assert main(["brand", "import", "acme.snapkit"]) == 1
    err = capsys.readouterr().err
    assert err == "snapasset-desktop: There is already a brand kit called “Acme”.\n"
    assert main(["brand", "import", "acme.snapkit", "--name", "Acme Two"]) == 0
    capsys.readouterr()  # the import's line
    assert main(["brand", "list", "--json"]) == 0
    kits = json.loads(capsys.readouterr().out)
    assert [kit["id"] for kit in kits] == ["acme", "acme-two"]
    assert main(["brand", "export", "nope"]) == 1
    assert capsys.readouterr().err == "snapasset-desktop: There is no brand kit called “nope”.\n"


def test_designer_font_is_named_by_its_family_and_style(brand: BrandService) -> None:
    kit = brand.create("Acme")
    assert brand.add_font(kit.id, DESIGNER_FONT).fonts[0].name == "Caladea Bold"
    assert logo_png()[:8] == b"\x89PNG\r\n\x1a\n"
