"""JSON-lines logging with secrets redacted.

One record per line (`timestamp`, `level`, `logger`, `message`, plus any
`extra` fields such as `job_id`), in a rotating file in the log dir. Anything
that looks like an API key or bearer token is masked before it is written.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import re
import time
from pathlib import Path
from typing import Any

from snapasset_desktop.paths import PRIVATE_FILE, private_dir, private_file

_SECRET_PATTERNS = (
    re.compile(r"sk-[A-Za-z0-9_\-]{8,}"),
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-]{8,}"),
    re.compile(r"eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"),
)
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_known_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Mask this exact value wherever it appears in the log from now on."""
    if value and len(value) >= 6:
        _known_secrets.add(value)


def redact(text: str) -> str:
    for secret in _known_secrets:
        text = text.replace(secret, "[redacted]")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "[redacted]", text)
    return text


class JsonLinesFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
            + f".{int(record.msecs):03d}",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, default=str, ensure_ascii=False))


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Creates each log file (and each rotation) 0600: the log names prompts and jobs."""

    def _open(self):  # type: ignore[no-untyped-def]
        return open(
            self.baseFilename,
            self.mode,
            encoding=self.encoding,
            errors=self.errors,
            opener=lambda name, flags: os.open(name, flags, PRIVATE_FILE),
        )


def setup_logging(log_dir: Path, *, level: int = logging.INFO) -> Path:
    """Send the app's log to a rotating JSON-lines file; returns its path."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "snapasset.jsonl"
    root = logging.getLogger("snapasset_desktop")
    for existing in [h for h in root.handlers if getattr(h, "_snapasset", None)]:
        if existing._snapasset == path:  # type: ignore[attr-defined]
            return path
        root.removeHandler(existing)  # the log dir changed (tests, a second library)
        existing.close()
    private_dir(log_dir)
    private_file(path)
    handler = _PrivateRotatingFileHandler(
        path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8"
    )
    handler.setFormatter(JsonLinesFormatter())
    handler._snapasset = path  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return path
