"""A sentence where a traceback was: damaged queue, unwritable folders, odd input.

Each case runs the command as a designer would (in-process for speed, a subprocess where
the real stderr matters) and checks the one line it ends with, its exit status, and that
the library is as it was.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from snapasset_desktop.cli import main
from snapasset_desktop.paths import app_paths
from snapasset_desktop.queue.consumer import EmbeddedConsumer
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.images import photo
from tests.helpers.waiting import wait_for

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def placeholder(isolated_dirs: Path) -> None:
    write_settings(provider="placeholder")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """Exit status and stderr of one command, run in-process."""
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse refusals exit with 2
        code = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def run_process(*args: str | bytes, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "snapasset_desktop", *args],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )
    err = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err
    return result.returncode, err


def job_ids(capsys: pytest.CaptureFixture[str]) -> list[str]:
    assert main(["jobs", "--json"]) == 0
    return [job["id"] for job in json.loads(capsys.readouterr().out)]


def library_is_sound() -> bool:
    with sqlite3.connect(app_paths().library_db) as conn:
        return conn.execute("pragma integrity_check").fetchone()[0] == "ok"


def queue_two_jobs(capsys: pytest.CaptureFixture[str]) -> list[str]:
    for prompt in ("a lighthouse", "a harbour"):
        assert main(["generate", prompt, "-p", "x-post"]) == 0
    capsys.readouterr()
    return job_ids(capsys)


# -- queue.db -------------------------------------------------------------------------


def test_a_queue_db_that_is_not_a_database_is_set_aside_and_its_jobs_still_run(
    capsys: pytest.CaptureFixture[str],
) -> None:
    waiting = queue_two_jobs(capsys)
    queue_db = app_paths().queue_db
    queue_db.write_bytes(b"not a database, whatever it was " * 64)

    code, err = run(capsys, "jobs")
    assert (code, err) == (0, "")
    assert any(p.name.startswith("queue.db.damaged-") for p in queue_db.parent.iterdir())
    log_text = app_paths().log_file.read_text()
    assert "queue.db was damaged" in log_text and "file is not a database" in log_text

    write_settings(sweep_interval=0.3)
    ctx = AppContext.open()  # the sweeper sends the lost tasks again from the library
    consumer = EmbeddedConsumer(ctx.queue, concurrency=2)
    consumer.start()
    try:
        wait_for(lambda: all(ctx.jobs.get(j).status == "completed" for j in waiting))
    finally:
        consumer.stop()
        ctx.close()
    assert library_is_sound()


def test_a_queue_db_with_damaged_pages_is_set_aside_too(
    capsys: pytest.CaptureFixture[str],
) -> None:
    waiting = queue_two_jobs(capsys)
    queue_db = app_paths().queue_db
    with queue_db.open("r+b") as file:  # past the header: the schema page and beyond
        file.seek(100)
        file.write(b"\xa5" * 8000)
    assert run(capsys, "jobs") == (0, "")
    assert run(capsys, "generate", "a pier", "-p", "x-post")[0] == 0
    assert len(job_ids(capsys)) == len(waiting) + 1
    assert any(p.name.startswith("queue.db.damaged-") for p in queue_db.parent.iterdir())


# -- folders SnapAsset can't write ----------------------------------------------------


def blocked(tmp_path: Path, name: str) -> str:
    """A folder path SnapAsset can't create: a file is in the way."""
    (tmp_path / "blocked").write_text("a file where a folder should be")
    return str(tmp_path / "blocked" / name)


def test_a_library_folder_that_cannot_be_written_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SNAPASSET_DATA_DIR", blocked(tmp_path, "data"))
    code, err = run(capsys, "generate", "a lighthouse", "-p", "x-post")
    assert code == 1
    assert err.startswith("snapasset-desktop: SnapAsset can't write to its library folder")
    assert err.count("\n") == 1


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs POSIX permissions")
def test_a_read_only_library_folder_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queue_two_jobs(capsys)
    data_dir = app_paths().data_dir
    data_dir.chmod(0o500)
    try:
        code, err = run(capsys, "jobs")
    finally:
        data_dir.chmod(0o700)
    assert code == 1
    assert "can't write to its library folder" in err


def test_without_a_settings_folder_the_defaults_apply_and_saving_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SNAPASSET_CONFIG_DIR", blocked(tmp_path, "config"))
    assert run(capsys, "platforms") == (0, "")
    code, err = run(capsys, "platforms", "add", "hero", "1200x400")
    assert code == 1
    assert "can't write to its settings folder" in err
    assert library_is_sound()


def test_without_a_log_folder_commands_run_and_say_so_once(tmp_path: Path) -> None:
    code, err = run_process(
        "generate",
        "a lighthouse",
        "-p",
        "x-post",
        "--wait",
        env={"SNAPASSET_LOG_DIR": blocked(tmp_path, "log")},
    )
    assert code == 0
    assert err.count("the log can't be written") == 1, err
    assert "Logging error" not in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (ENOSPC on write)")
def test_a_full_log_disk_is_said_once_not_per_line(tmp_path: Path) -> None:
    log_dir = tmp_path / "full-log"
    log_dir.mkdir()
    (log_dir / "snapasset.jsonl").symlink_to("/dev/full")
    code, err = run_process(
        "generate",
        "a lighthouse",
        "-p",
        "x-post",
        "--wait",
        env={"SNAPASSET_LOG_DIR": str(log_dir)},
    )
    assert code == 0
    assert err.count("\n") == 1 and "No space left on device" in err, err


# -- odd input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("+1e20h", "isn't a time"),
        ("+nanm", "isn't a time"),
        ("+infd", "isn't a time"),
        ("9999-12-31T23:59", "up to a year ahead"),
    ],
)
def test_an_impossible_start_time_is_refused(
    capsys: pytest.CaptureFixture[str], when: str, message: str
) -> None:
    code, err = run(capsys, "generate", "a lighthouse", "-p", "x-post", "--at", when)
    assert code == 2
    assert message in err
    assert job_ids(capsys) == []


def test_text_that_is_not_utf8_is_refused_from_the_command_line(tmp_path: Path) -> None:
    code, err = run_process("generate", b"\xff\xfe lighthouse", "-p", "x-post")
    assert code == 1
    assert "“\\xff\\xfe lighthouse” has bytes that aren't UTF-8 text" in err
    name = os.fsencode(tmp_path) + b"/caf\xe9.png"  # Latin-1 "café": a valid Linux file name
    photo((64, 64)).save(name, "PNG")
    code, err = run_process("resize", name, "-p", "x-post")
    assert code == 1
    assert "caf\\xe9.png" in err and "rename the file" in err
    assert run_process("jobs", "--json")[0] == 0
    assert library_is_sound()


def test_an_export_name_over_the_file_name_limit_is_shortened(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "harbour.png"
    photo((400, 300)).save(source)
    assert run(capsys, "resize", str(source), "-p", "x-post")[0] == 0
    out = tmp_path / "out"
    for template in ("é" * 200, "日本語の名前 " * 30 + "{platform}"):
        assert run(capsys, "export", "--to", str(out), "--template", template) == (0, "")
    names = [p.name for p in out.iterdir() if p.suffix == ".png"]
    assert len(names) == 2
    assert all(len(os.fsencode(name)) <= 255 for name in names)


def test_a_csv_cell_over_the_csv_limit_is_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "campaign.csv"
    batch.write_text("prompt,platforms\na lighthouse,x-post\n" + "a" * 140_000 + ",x-post\n")
    code, err = run(capsys, "batch", str(batch))
    assert code == 1
    assert "Line 3 of the CSV can't be read (a cell over 128 KB)" in err
    assert job_ids(capsys) == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("redis://127.0.0.1:6379/0?bogus=1", "“bogus”"),
        ("redis://127.0.0.1:6379/0?ssl_check_hostname=true", "“ssl_check_hostname”"),
        ("redis://127.0.0.1:6379/0?db=first", "Invalid value for 'db'"),
        ("redis://127.0.0.1:99999/0", "should look like redis://host:6379/0"),
    ],
)
def test_a_redis_address_with_a_bad_option_is_a_sentence(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, url: str, message: str
) -> None:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", url)
    code, err = run(capsys, "generate", "a lighthouse", "-p", "x-post")
    assert code == 1
    assert message in err
    assert err.count("\n") == 1
