"""Exporting real assets to folders and ZIPs: manifests, conversion, failures, cancel."""

from __future__ import annotations

import csv
import io
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.errors import Canceled, InvalidInput, StorageError
from snapasset_desktop.imaging.color import srgb_icc_bytes
from snapasset_desktop.library import AssetRecord, Library
from snapasset_desktop.library.export import Exporter, ExportOptions
from tests.helpers.specs import custom_spec, make_spec


def png(size: tuple[int, int] = (400, 200), noise: bool = False) -> bytes:
    """An asset as the pipeline writes one: sRGB-tagged, so preflight keeps it as it is."""
    image = (
        Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
        if noise
        else Image.new("RGB", size, "teal")
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG", icc_profile=srgb_icc_bytes())
    return buffer.getvalue()


@pytest.fixture
def library() -> Iterator[Library]:
    with Library.open() as lib:
        yield lib


@pytest.fixture
def assets(library: Library) -> list[AssetRecord]:
    fox = library.create_job(
        make_spec("A red fox", ["x-post", "threads"], provider="openai", style="vivid")
    )
    lake = library.create_job(make_spec('=HYPERLINK("evil")', ["x-post"], provider="openai"))
    return [
        library.save_asset(fox.id, "x-post", png(), fmt="png", width=400, height=200),
        library.save_asset(fox.id, "threads", png(), fmt="png", width=400, height=200),
        library.save_asset(lake.id, "x-post", png(), fmt="png", width=400, height=200),
    ]


def test_folder_export_with_json_manifest(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    destination = tmp_path / "out" / "campaign"
    progress: list[tuple[int, int]] = []
    result = Exporter(library).export(
        assets, ExportOptions(destination=destination), on_progress=lambda *p: progress.append(p)
    )
    assert result.files == [
        "a-red-fox_x-post_400x200.png",
        "a-red-fox_threads_400x200.png",
        "hyperlink-evil_x-post_400x200.png",
    ]
    assert progress == [(1, 3), (2, 3), (3, 3)]
    assert result.manifest == "manifest.json" and result.warnings == []
    for name, item in zip(result.files, assets, strict=True):
        assert (destination / name).read_bytes() == library.asset_path(item).read_bytes()
    text = (destination / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    assert manifest[0]["prompt"] == "A red fox" and manifest[0]["model"] == "gpt-image-2"
    assert {row["file"] for row in manifest} == set(result.files)
    assert "vivid" not in text and "partial_images" not in text  # the rest of the spec stays out


def test_zip_export_with_csv_manifest(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    target = tmp_path / "export.zip"
    options = ExportOptions(
        destination=target, as_zip=True, manifest="csv", template="{platform}/{n}"
    )
    result = Exporter(library).export(assets, options)
    with zipfile.ZipFile(target) as archive:
        assert archive.namelist() == [
            "x-post/1.png",
            "threads/2.png",
            "x-post/3.png",
            "manifest.csv",
        ]
        manifest = archive.read("manifest.csv").decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(manifest)))
        assert archive.read("threads/2.png") == library.asset_path(assets[1]).read_bytes()
    assert [row["file"] for row in rows] == result.files
    assert rows[2]["prompt"].startswith("'=")  # a spreadsheet shows it, never runs it
    assert "vivid" not in manifest
    assert [p.name for p in tmp_path.glob("*.part")] == []


def test_conversion_to_jpeg_writes_jpeg(library: Library, tmp_path: Path) -> None:
    job = library.create_job(custom_spec("noise", "newsletter-hero"))
    noisy = library.save_asset(
        job.id, "newsletter-hero", png((96, 96), noise=True), fmt="png", width=96, height=96
    )
    result = Exporter(library).export(
        [noisy], ExportOptions(destination=tmp_path / "o", format="jpg")
    )
    assert result.files == ["noise_newsletter-hero_96x96.jpg"]
    assert (tmp_path / "o" / result.files[0]).read_bytes()[:3] == b"\xff\xd8\xff"


def test_a_custom_limit_that_cant_be_met_leaves_the_file_out(
    library: Library, tmp_path: Path
) -> None:
    job = library.create_job(custom_spec("noise", "newsletter-hero"))
    noisy = library.save_asset(
        job.id, "newsletter-hero", png((96, 96), noise=True), fmt="png", width=96, height=96
    )
    exporter = Exporter(library, limits={"newsletter-hero": 1_000})
    result = exporter.export([noisy], ExportOptions(destination=tmp_path / "o", format="jpg"))
    assert result.files == []
    # Noise can't fit 1 kB: said, not hidden, and no file the platform would refuse.
    [warning] = result.warnings
    assert warning.startswith("Custom newsletter-hero: not exported — ")
    assert warning.endswith("over this preset's 1 KB limit")


def test_collisions_get_numbered_and_existing_files_survive(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    destination = tmp_path / "out"
    destination.mkdir()
    (destination / "x-post.png").write_bytes(b"designer's own file")
    result = Exporter(library).export(
        assets, ExportOptions(destination=destination, template="{platform}", manifest=None)
    )
    assert result.files == ["x-post (2).png", "threads.png", "x-post (3).png"]
    assert (destination / "x-post.png").read_bytes() == b"designer's own file"
    assert result.manifest is None and not (destination / "manifest.json").exists()


def test_missing_asset_file_is_skipped_with_a_warning(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    library.asset_path(assets[1]).unlink()
    result = Exporter(library).export(assets, ExportOptions(destination=tmp_path / "out"))
    assert len(result.files) == 2 and "threads" not in " ".join(result.files)
    assert len(result.warnings) == 1 and "missing" in result.warnings[0]


@pytest.mark.parametrize("as_zip", [False, True])
def test_unwritable_destination_raises_storage_error(
    library: Library, assets: list[AssetRecord], tmp_path: Path, as_zip: bool
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_bytes(b"x")
    destination = blocker / ("out.zip" if as_zip else "out")
    with pytest.raises(StorageError) as caught:
        Exporter(library).export(assets, ExportOptions(destination=destination, as_zip=as_zip))
    assert "SnapAsset can't" in caught.value.message
    assert blocker.read_bytes() == b"x"


def test_destination_that_is_a_file_or_folder_is_refused(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    a_file = tmp_path / "taken"
    a_file.write_bytes(b"x")
    with pytest.raises(StorageError, match="it is a file"):
        Exporter(library).export(assets, ExportOptions(destination=a_file))
    with pytest.raises(InvalidInput, match="choose a file name for the ZIP"):
        Exporter(library).export(assets, ExportOptions(destination=tmp_path, as_zip=True))


@pytest.mark.parametrize("as_zip", [False, True])
def test_cancel_mid_export_leaves_nothing(
    library: Library, assets: list[AssetRecord], tmp_path: Path, as_zip: bool
) -> None:
    export_dir = tmp_path / "exports"
    destination = export_dir / ("all.zip" if as_zip else "all")
    done: list[int] = []
    with pytest.raises(Canceled):
        Exporter(library).export(
            assets,
            ExportOptions(destination=destination, as_zip=as_zip),
            on_progress=lambda n, total: done.append(n),
            should_cancel=lambda: len(done) >= 2,
        )
    assert done == [1, 2]
    leftovers = list(export_dir.rglob("*")) if export_dir.exists() else []
    assert leftovers == []


def test_zip_replaces_an_older_zip_only_when_complete(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    target = tmp_path / "e.zip"
    target.write_bytes(b"old archive")
    with pytest.raises(Canceled):
        Exporter(library).export(
            assets, ExportOptions(destination=target, as_zip=True), should_cancel=lambda: True
        )
    assert target.read_bytes() == b"old archive"
    Exporter(library).export(assets, ExportOptions(destination=target, as_zip=True))
    assert zipfile.is_zipfile(target)


def test_nothing_to_export_and_bad_manifest(library: Library, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="at least one"):
        Exporter(library).export([], ExportOptions(destination=tmp_path))
    with pytest.raises(InvalidInput, match="JSON or CSV"):
        Exporter(library).export([], ExportOptions(destination=tmp_path, manifest="xml"))


def test_files_already_in_the_folder_are_found_then_kept_replaced_or_skipped(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    exporter, folder = Exporter(library), tmp_path / "campaign"
    options = ExportOptions(destination=folder, template="{platform}_{n}")
    assert exporter.existing_files(assets, options) == []
    first = exporter.export(assets, options)
    assert exporter.existing_files(assets, options) == [*first.files, "manifest.json"]
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    (folder / first.files[0]).unlink()
    skipped = exporter.export(assets, replace(options, existing="skip"))
    assert skipped.files == first.files[:1] and skipped.skipped == first.files[1:]
    assert skipped.manifest == "manifest (2).json"  # this export's own list, beside the older
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name in before} == before
    all_there = exporter.export(assets, replace(options, existing="skip"))
    assert all_there.files == [] and all_there.manifest is None  # no list of nothing

    (folder / "manifest (2).json").unlink()
    (folder / first.files[0]).write_bytes(b"an older export")
    replaced = exporter.export(assets, replace(options, existing="replace"))
    assert replaced.files == first.files and replaced.manifest == "manifest.json"
    assert sorted(p.name for p in folder.iterdir()) == sorted(before)  # no " (2)" copies
    assert (folder / first.files[0]).read_bytes() == before[first.files[0]]

    kept = exporter.export(assets, options)  # "keep": both, as before
    assert kept.files == [name.replace(".png", " (2).png") for name in first.files]
    with pytest.raises(InvalidInput, match="kept, replaced or skipped"):
        exporter.export(assets, replace(options, existing="overwrite"))


def test_a_replacing_export_that_stops_puts_the_older_files_back(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    folder = tmp_path / "campaign"
    options = ExportOptions(destination=folder, template="{platform}_{n}", manifest=None)
    first = Exporter(library).export(assets, options)
    for name in first.files:
        (folder / name).write_bytes(f"older {name}".encode())
    done: list[int] = []
    with pytest.raises(Canceled):
        Exporter(library).export(
            assets,
            replace(options, existing="replace"),
            on_progress=lambda n, _total: done.append(n),
            should_cancel=lambda: len(done) >= 2,
        )
    assert sorted(p.name for p in folder.iterdir()) == sorted(first.files)  # no copies left
    assert all((folder / n).read_bytes() == f"older {n}".encode() for n in first.files)


def test_an_existing_zip_is_found(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    options = ExportOptions(destination=tmp_path / "campaign.zip", as_zip=True)
    assert Exporter(library).existing_files(assets, options) == []
    Exporter(library).export(assets, options)
    assert Exporter(library).existing_files(assets, options) == ["campaign.zip"]


links = pytest.mark.skipif(os.name != "posix", reason="creating symbolic links")


@links
def test_a_link_inside_the_export_folder_is_never_written_through(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    destination, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    destination.mkdir()
    elsewhere.mkdir()
    (destination / "threads").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(StorageError) as caught:
        Exporter(library).export(
            assets, ExportOptions(destination=destination, template="{platform}/{n}")
        )
    assert caught.value.message == (
        f"“threads” in {destination} is a link to another place, and SnapAsset doesn't "
        "export through links — remove it or choose another folder."
    )
    assert list(elsewhere.iterdir()) == []
    # All or nothing: what the export wrote before it met the link is gone again.
    assert sorted(p.name for p in destination.iterdir()) == ["threads"]


@links
def test_a_link_where_a_file_would_go_is_left_alone(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    destination, outside = tmp_path / "out", tmp_path / "precious.png"
    destination.mkdir()
    outside.write_bytes(b"not to be overwritten")
    (destination / "threads.png").symlink_to(outside)
    (destination / "x-post.png").symlink_to(tmp_path / "missing.png")  # broken, still a name
    result = Exporter(library).export(
        assets, ExportOptions(destination=destination, template="{platform}", manifest=None)
    )
    assert result.files == ["x-post (2).png", "threads (2).png", "x-post (3).png"]
    assert outside.read_bytes() == b"not to be overwritten"
    assert not (tmp_path / "missing.png").exists()


@links
def test_a_zip_over_a_link_replaces_the_link_not_its_target(
    library: Library, assets: list[AssetRecord], tmp_path: Path
) -> None:
    outside, target = tmp_path / "precious.zip", tmp_path / "export.zip"
    outside.write_bytes(b"not to be overwritten")
    target.symlink_to(outside)
    Exporter(library).export(assets, ExportOptions(destination=target, as_zip=True))
    assert outside.read_bytes() == b"not to be overwritten"
    assert not target.is_symlink() and zipfile.is_zipfile(target)
