"""What installs carry and check: the self-test, the desktop entry, one version everywhere."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from snapasset_desktop import __version__
from snapasset_desktop.cli import main

ROOT = Path(__file__).resolve().parent.parent
PACKAGED = ROOT / "snapasset_desktop" / "resources" / "linux"
METAINFO = "io.snapasset.Desktop.metainfo.xml"


def self_test(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "snapasset_desktop", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env or dict(os.environ),
        timeout=90,
    )


def test_self_test_runs_a_job_end_to_end_without_touching_the_library(
    isolated_dirs: Path,
) -> None:
    result = self_test("--self-test")
    assert result.returncode == 0, result.stderr
    assert "self-test OK" in result.stdout
    assert "instagram-square 1080x1080" in result.stdout and "x-post 1600x900" in result.stdout
    # The user's folders (here: this test's) were never created.
    assert not (isolated_dirs / "data").exists() and not (isolated_dirs / "config").exists()


def test_self_test_keeps_its_library_when_asked(tmp_path: Path) -> None:
    keep = tmp_path / "kept"
    result = self_test("self-test", "--keep", str(keep))
    assert result.returncode == 0, result.stderr
    assert (keep / "data" / "library.db").is_file()
    kept = {p.name for p in (keep / "data" / "assets").rglob("*") if p.is_file()}
    made = {"source.png", "instagram-square.png", "x-post.png"}
    assert made <= kept  # with the expansions the two assets were cut from
    assert all(name.startswith("expanded_") for name in kept - made)
    assert (keep / "log" / "snapasset.jsonl").stat().st_size > 0


def test_self_test_fails_with_one_clear_line() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "xcb"  # asked for a real window where there is no display
    result = self_test("--self-test", env=env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "snapasset-desktop self-test FAILED: No display found, so the window can't open. "
        "Run SnapAsset from a desktop session, or use the command line "
        "(snapasset-desktop --help)."
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="desktop entries are Linux")
def test_install_desktop_entry_and_remove_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    share = tmp_path / "share with space"
    monkeypatch.setenv("XDG_DATA_HOME", str(share))
    monkeypatch.setattr(sys, "argv", [str(tmp_path / "bin" / "python")])  # not a launcher
    assert main(["install-desktop-entry"]) == 0
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(share / "applications" / "snapasset-desktop.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Exec"] == f"{sys.executable} -m snapasset_desktop"
    assert section["Icon"] == "snapasset-desktop"
    assert section["StartupWMClass"] == "snapasset-desktop"  # QGuiApplication.desktopFileName
    icons = share / "icons" / "hicolor"
    assert (icons / "scalable" / "apps" / "snapasset-desktop.svg").read_bytes().startswith(b"<svg")
    assert (icons / "256x256" / "apps" / "snapasset-desktop.png").read_bytes()[:4] == b"\x89PNG"
    assert (share / "metainfo" / METAINFO).is_file()
    assert "app menu" in capsys.readouterr().out

    assert main(["install-desktop-entry", "--remove"]) == 0
    assert not (share / "applications" / "snapasset-desktop.desktop").exists()
    assert not list(icons.rglob("snapasset-desktop.*"))


def test_exec_line_quotes_paths_with_spaces() -> None:
    from snapasset_desktop.cli.desktop import with_exec

    entry = with_exec(
        "[Desktop Entry]\nExec=snapasset-desktop\nName=SnapAsset\n", ["/opt/my apps/x"]
    )
    assert entry.splitlines() == ["[Desktop Entry]", 'Exec="/opt/my apps/x"', "Name=SnapAsset"]


def test_packaged_linux_files_are_the_ones_in_packaging() -> None:
    # The wheel carries copies of packaging/linux/; they must not drift apart.
    for name in ("snapasset-desktop.desktop", METAINFO):
        assert (PACKAGED / name).read_bytes() == (ROOT / "packaging" / "linux" / name).read_bytes()
    for size in (48, 256):
        packaged = PACKAGED / "icons" / f"snapasset-desktop-{size}.png"
        assert (
            packaged.read_bytes()
            == (ROOT / "packaging" / "icons" / "png" / f"{size}.png").read_bytes()
        )


def test_one_version_everywhere() -> None:
    releases = ET.parse(PACKAGED / METAINFO).getroot().find("releases")
    assert releases is not None
    assert releases[0].get("version") == __version__  # newest release first
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(__version__)}\]", changelog, re.MULTILINE)
