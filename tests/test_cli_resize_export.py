"""The CLI end to end on real files: resize into the library, list, export."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.cli import main
from snapasset_desktop.paths import app_paths


def make_photo(path: Path, size: tuple[int, int] = (1600, 1200)) -> Path:
    """Left half blue, right half red, with a white marker near the right edge."""
    image = Image.new("RGB", size, (20, 40, 200))
    image.paste((200, 30, 30), (size[0] // 2, 0, size[0], size[1]))
    image.paste(
        (255, 255, 255),
        (int(size[0] * 0.85), size[1] // 2 - 40, int(size[0] * 0.85) + 80, size[1] // 2 + 40),
    )
    image.save(path, quality=95)
    return path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> object:
    assert main([*args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_platforms_lists_builtins(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, "platforms")
    ids = {p["id"]: p for p in data}
    assert ids["linkedin-banner"]["width"] == 1584
    assert ids["youtube-thumbnail"]["max_bytes"] == 2_000_000
    assert main(["platforms"]) == 0
    assert "instagram-story" in capsys.readouterr().out


def test_resize_crops_around_focus_and_exports_zip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = make_photo(tmp_path / "photo.jpg")
    result = run_json(
        capsys,
        "resize",
        str(photo),
        "-p",
        "instagram-story",
        "-p",
        "x-post",
        "-p",
        "linkedin-banner",
        "--focus",
        "0.8,0.5",
        "--fit",
        "cover",
    )
    assets = {a["platform"]: a for a in result["assets"]}
    assert {k: (a["width"], a["height"]) for k, a in assets.items()} == {
        "instagram-story": (1080, 1920),
        "x-post": (1600, 900),
        "linkedin-banner": (1584, 396),
    }
    data_dir = app_paths().data_dir
    for asset in assets.values():
        path = Path(asset["path"])
        assert data_dir in path.parents
        with Image.open(path) as image:
            assert image.size == (asset["width"], asset["height"])
    # The story is a narrow crop: around x=0.8 it shows the red (right) half only.
    with Image.open(assets["instagram-story"]["path"]) as story:
        red, _, blue = story.convert("RGB").getpixel((story.width // 2, 100))
        assert red > 150 and blue < 100

    bundle = tmp_path / "out" / "assets.zip"
    assert main(["export", "--zip", str(bundle)]) == 0
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert len([n for n in names if n != "manifest.json"]) == 3
    assert {row["platform"] for row in manifest} == set(assets)


def test_export_folder_with_template_and_csv_manifest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = make_photo(tmp_path / "beach.png", (1200, 1200))
    assert main(["resize", str(photo), "-p", "x-post", "-p", "open-graph", "--format", "webp"]) == 0
    capsys.readouterr()
    out = tmp_path / "export"
    summary = run_json(
        capsys,
        "export",
        "--to",
        str(out),
        "--template",
        "{platform}-{width}x{height}",
        "--format",
        "jpeg",
        "--manifest",
        "csv",
        "-p",
        "x-post",
    )
    assert [Path(f).name for f in summary["files"]] == ["x-post-1600x900.jpg"]
    assert (out / "x-post-1600x900.jpg").read_bytes()[:3] == b"\xff\xd8\xff"
    rows = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text())))
    assert rows[0]["platform"] == "x-post"


def test_export_prints_what_preflight_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["resize", str(make_photo(tmp_path / "city.png")), "-p", "tiktok"]) == 0
    capsys.readouterr()
    assert main(["export", "--to", str(tmp_path / "export"), "--template", "{platform}"]) == 0
    note = "TikTok video cover: saved as JPEG — TikTok doesn't take PNG"
    assert f"preflight: tiktok.jpg — {note}" in capsys.readouterr().out.splitlines()
    again = str(tmp_path / "again")
    summary = run_json(capsys, "export", "--to", again, "--template", "{platform}")
    assert summary["preflight"] == [{"file": "tiktok.jpg", "platform": "tiktok", "note": note}]
    assert main(["export", "--to", str(tmp_path / "as-is"), "--no-preflight"]) == 0
    written = [p.suffix for p in (tmp_path / "as-is").iterdir() if p.name != "manifest.json"]
    assert written == [".png"]


@pytest.mark.skipif(sys.platform == "win32", reason="creating symbolic links")
def test_export_through_a_link_in_the_folder_fails_with_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["resize", str(make_photo(tmp_path / "beach.png")), "-p", "x-post"]) == 0
    out, elsewhere = tmp_path / "export", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "x-post").symlink_to(elsewhere, target_is_directory=True)
    capsys.readouterr()
    assert main(["export", "--to", str(out), "--template", "{platform}/{job}"]) == 1
    err = capsys.readouterr().err
    assert "“x-post” in" in err and "doesn't export through links" in err
    assert "Traceback" not in err
    assert list(elsewhere.iterdir()) == []


def test_library_lists_and_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = make_photo(tmp_path / "city.jpg")
    assert main(["resize", str(photo), "-p", "x-post", "-p", "tiktok"]) == 0
    capsys.readouterr()
    assert len(run_json(capsys, "library")) == 2
    assert [a["platform"] for a in run_json(capsys, "library", "-p", "tiktok")] == ["tiktok"]
    assert run_json(capsys, "library", "--search", "nothing-like-this") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["resize", "{missing}", "-p", "x-post"], "no file"),
        (["resize", "{text}", "-p", "x-post"], "not an image"),
        (["resize", "{photo}", "-p", "x-pots"], "Did you mean “x-post”"),
        (["resize", "{photo}", "-p", "x-post", "--focus", "2,0"], "focus"),
        (["export", "--to", "{out}", "--template", "../{{platform}}"], "destination"),
        (["export", "--to", "{blocked}/sub"], "can't write"),
        (["platforms", "add", "hero", "0x400"], "more than 0"),
        (["generate", "   ", "-p", "x-post", "--provider", "placeholder"], "empty"),
    ],
)
def test_bad_input_gives_one_clear_line_and_keeps_the_library(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    photo = make_photo(tmp_path / "photo.jpg")
    assert main(["resize", str(photo), "-p", "x-post"]) == 0
    capsys.readouterr()
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "blocked").write_text("a file where a folder should be")
    fields = {
        "missing": tmp_path / "nope.jpg",
        "text": tmp_path / "notes.txt",
        "photo": photo,
        "out": tmp_path / "out",
        "blocked": tmp_path / "blocked",
    }
    code = None
    try:
        code = main([a.format(**fields) for a in args])
    except SystemExit as exit_:  # argparse type errors exit with 2
        code = exit_.code
    err = capsys.readouterr().err
    assert code != 0
    assert message.lower() in err.lower()
    assert "Traceback" not in err
    assert len(run_json(capsys, "library")) == 1


def test_module_entry_point_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "snapasset_desktop", "platforms", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert any(p["id"] == "tiktok" for p in json.loads(result.stdout))
