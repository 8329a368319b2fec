"""The JSON-lines log: one object per line, secrets never written."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from snapasset_desktop.logs import register_secret, setup_logging


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
