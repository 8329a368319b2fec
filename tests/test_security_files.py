"""Files: user-only permissions, export names that can't escape, bounded imports."""

from __future__ import annotations

import os
import stat
from datetime import datetime
from pathlib import Path

import pytest

from snapasset_desktop.errors import ImageError, InvalidInput
from snapasset_desktop.imaging.decode import MAX_FILE_BYTES
from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.library.naming import render, validate_template
from snapasset_desktop.paths import app_paths
from snapasset_desktop.services.context import AppContext
from tests.helpers.images import png_claiming

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix
def test_library_settings_and_log_are_the_users_alone(isolated_dirs: Path) -> None:
    old = os.umask(0o022)  # a common, permissive umask
    try:
        ctx = AppContext.open()
        try:
            ctx.settings.update(concurrency=2)
            ctx.library.list_jobs()
            ctx.queue.huey.pending_count()
            paths = ctx.paths
            for folder in (paths.data_dir, paths.config_dir, paths.log_dir, paths.tmp_dir):
                assert mode(folder) == 0o700, folder
            for file in (paths.library_db, paths.queue_db, paths.settings_file, paths.log_file):
                assert mode(file) == 0o600, file
        finally:
            ctx.close()
    finally:
        os.umask(old)


@posix
def test_loose_permissions_from_an_older_install_are_tightened_on_start(
    isolated_dirs: Path,
) -> None:
    paths = app_paths()
    for folder in (paths.data_dir, paths.config_dir, paths.log_dir):
        folder.mkdir(parents=True)
        folder.chmod(0o755)
    paths.settings_file.write_text("concurrency = 2\n", encoding="utf-8")
    paths.settings_file.chmod(0o644)
    paths.log_file.write_text("", encoding="utf-8")
    paths.log_file.chmod(0o666)
    ctx = AppContext.open()
    try:
        assert {mode(p) for p in (paths.data_dir, paths.config_dir, paths.log_dir)} == {0o700}
        assert mode(paths.settings_file) == mode(paths.log_file) == 0o600
        assert ctx.settings.current.concurrency == 2
    finally:
        ctx.close()


def hostile_asset(**values: str) -> AssetRecord:
    made = datetime(2026, 3, 9).timestamp()
    base = {
        "id": 1,
        "job_id": "j_1",
        "platform": "x-post",
        "variant": 0,
        "width": 10,
        "height": 10,
        "format": "png",
        "path": "a.png",
        "bytes": 1,
        "sha256": "0" * 64,
        "favourite": False,
        "warning": None,
        "created_at": made,
        "prompt": "p",
        "model": "m",
        "job_created_at": made,
    }
    return AssetRecord(**{**base, **values})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "template",
    [
        "{platform}\x00.png",
        "C:\\Windows\\{platform}",
        "\\\\server\\share\\{platform}",
        "/{platform}",
        "..",
        "{platform}/../../..",
        "aux/{platform}",
        "{platform}:stream",
    ],
)
def test_templates_that_could_escape_are_refused(template: str) -> None:
    with pytest.raises(InvalidInput):
        validate_template(template)


def test_values_from_the_library_cannot_add_folders(tmp_path: Path) -> None:
    hostile = hostile_asset(platform="../../etc/passwd", job_id="..\\..\\x", prompt="/root")
    name = render("{platform}/{job}_{prompt_slug}", hostile, 0, 1, "png")
    destination = tmp_path / "export"
    target = (destination / f"{name}.png").resolve()
    assert target.is_relative_to(destination.resolve())
    assert name.count("/") == 1  # only the template's own folder


def test_imports_are_bounded_in_bytes_and_pixels(isolated_dirs: Path, tmp_path: Path) -> None:
    ctx = AppContext.open()
    try:
        huge = tmp_path / "huge.png"
        with huge.open("wb") as handle:
            handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no real disk used
        with pytest.raises(ImageError, match=r"huge\.png is too large: an image can be at most"):
            ctx.jobs.import_image(huge, ["x-post"])
        bomb = tmp_path / "bomb.png"
        bomb.write_bytes(png_claiming(20_000, 20_000))
        with pytest.raises(ImageError, match="too large to open safely"):
            ctx.jobs.import_image(bomb, ["x-post"])
        assert ctx.library.list_jobs() == []  # nothing stored for either
    finally:
        ctx.close()
