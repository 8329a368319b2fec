"""The JSON-lines log: one object per line, secrets never written, a failing disk said once."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from snapasset_desktop.logs import JsonLinesFormatter, LogFile, register_secret, setup_logging


def test_log_lines_are_json_and_redacted(tmp_path: Path) -> None:
    path = setup_logging(tmp_path)
    log = logging.getLogger("snapasset_desktop.test")
    secret = "sk-test-" + "a1b2c3d4e5f6g7h8"
    register_secret("custom-secret-value")
    log.warning("key %s rejected", secret, extra={"job_id": "j1", "auth": "Bearer abcdefghijkl"})
    log.info("value custom-secret-value here")
    for handler in logging.getLogger("snapasset_desktop").handlers:
        handler.flush()
    text = path.read_text()
    assert secret not in text
    assert "abcdefghijkl" not in text
    assert "custom-secret-value" not in text
    entries = [json.loads(line) for line in text.splitlines()]
    first = entries[-2]
    assert first["level"] == "warning"
    assert first["job_id"] == "j1"
    assert "[redacted]" in first["message"]


def _flush_log() -> None:
    for handler in logging.getLogger("snapasset_desktop").handlers:
        handler.flush()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (ENOSPC on write)")
def test_a_full_disk_is_said_once_then_the_log_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The log file is /dev/full: every write fails with "No space left on device".
    tmp_path.joinpath("snapasset.jsonl").symlink_to("/dev/full")
    device_mode = os.stat("/dev/full").st_mode
    path = setup_logging(tmp_path)
    log = logging.getLogger("snapasset_desktop.test")
    for n in range(50):
        log.warning("line %d", n)
    _flush_log()
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert "the log can't be written" in err and "No space left on device" in err
    assert "Logging error" not in err
    assert os.stat("/dev/full").st_mode == device_mode  # the log's 0600 never went through

    path.unlink()  # space again
    log.warning("back")
    _flush_log()
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    assert [e["message"] for e in entries] == ["the log could not be written for a while", "back"]
    assert entries[0]["records_lost"] == 50
    assert capsys.readouterr().err == ""


def test_a_log_folder_that_cannot_be_made_is_said_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "blocked").write_text("a file where the log folder should be")
    setup_logging(tmp_path / "blocked" / "log")
    assert "the log can't be written" in capsys.readouterr().err
    for n in range(20):
        logging.getLogger("snapasset_desktop.test").error("line %d", n)
    assert capsys.readouterr().err == ""


def test_a_cut_line_is_ended_before_the_log_resumes(tmp_path: Path) -> None:
    path = tmp_path / "snapasset.jsonl"
    path.write_text('{"message": "cut sho')  # what a write interrupted by a full disk leaves
    handler = LogFile(path)
    handler.setFormatter(JsonLinesFormatter())
    handler.lost = 3
    handler.emit(logging.makeLogRecord({"msg": "after"}))
    handler.close()
    lines = path.read_text().splitlines()
    assert lines[0] == '{"message": "cut sho'
    assert [json.loads(line)["message"] for line in lines[1:]] == [
        "the log could not be written for a while",
        "after",
    ]
