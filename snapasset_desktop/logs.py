"""JSON-lines logging with secrets redacted.

One record per line (`timestamp`, `level`, `logger`, `message`, plus any
`extra` fields such as `job_id`), in a rotating file in the log dir. Anything
that looks like an API key or bearer token is masked before it is written.

A log that can't be written (a full disk, a folder that can't be created)
never stops the app: stderr hears it once, records are dropped until a write
works again, and the log then says how many were lost.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import logging.handlers
import os
import re
import sys
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


class LogFile(logging.handlers.RotatingFileHandler):
    """The rotating log file, created 0600 (the log names prompts and jobs) with its folder.

    While it can't be written it counts what it drops instead of printing Python's
    "--- Logging error ---" for every record: one line on stderr when writing fails, one
    record in the log ("… lost") when it works again."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            path, maxBytes=5 * 1024 * 1024, backupCount=5, encoding="utf-8", delay=True
        )
        self.path = path
        self.lost = 0  # records dropped since writing failed; 0 while the log works

    def start(self) -> None:
        """Open the file now, so a log that can't be written is reported at start."""
        try:
            self.stream = self._open()
        except OSError as exc:
            self._failed(exc)

    def _open(self) -> io.TextIOWrapper:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        private_dir(self.path.parent)
        stream = open(  # noqa: SIM115 -- the handler keeps it open
            self.baseFilename,
            "a",  # what a rotating handler's mode always is
            encoding=self.encoding,
            errors=self.errors,
            opener=lambda name, flags: os.open(name, flags, PRIVATE_FILE),
        )
        if self.lost and not _ends_line(self.path):
            stream.write("\n")  # a line cut short by the failure ends here, not in the next
        return stream

    def emit(self, record: logging.LogRecord) -> None:
        if self.lost:
            lost = self.lost
            super().emit(self._lost_note(lost))
            if self.lost > lost:  # still failing: this record is lost too
                self.lost = lost + 1
                return
            self.lost = 0
        super().emit(record)

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as exc:
            self._failed(exc)

    def close(self) -> None:
        with contextlib.suppress(OSError):  # still full: what was buffered is lost, as said
            super().close()

    def handleError(self, record: logging.LogRecord) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):
            super().handleError(record)  # a bug in a log call: Python's report helps
            return
        self._failed(exc)

    def _failed(self, exc: OSError) -> None:
        stream, self.stream = self.stream, None  # reopened on the next record
        if stream is not None:
            with contextlib.suppress(OSError, ValueError):
                stream.close()
        if not self.lost and sys.stderr is not None:
            reason = exc.strerror or type(exc).__name__
            with contextlib.suppress(OSError, ValueError):
                print(
                    f"snapasset-desktop: the log can't be written to {self.path} ({reason}); "
                    "SnapAsset carries on without it.",
                    file=sys.stderr,
                )
        self.lost += 1

    def _lost_note(self, lost: int) -> logging.LogRecord:
        return logging.makeLogRecord(
            {
                "name": __name__,
                "levelno": logging.WARNING,
                "levelname": "WARNING",
                "msg": "the log could not be written for a while",
                "records_lost": lost,
            }
        )


def _ends_line(path: Path) -> bool:
    with contextlib.suppress(OSError), open(path, "rb") as file:
        if file.seek(0, os.SEEK_END) == 0:
            return True
        file.seek(-1, os.SEEK_END)
        return file.read(1) == b"\n"
    return True


def setup_logging(log_dir: Path, *, level: int = logging.INFO) -> Path:
    """Send the app's log to a rotating JSON-lines file; returns its path."""
    path = log_dir / "snapasset.jsonl"
    root = logging.getLogger("snapasset_desktop")
    for existing in [h for h in root.handlers if isinstance(h, LogFile)]:
        if existing.path == path:
            return path
        root.removeHandler(existing)  # the log dir changed (tests, a second library)
        existing.close()
    private_dir(log_dir)
    private_file(path)
    handler = LogFile(path)
    handler.setFormatter(JsonLinesFormatter())
    handler.start()
    root.addHandler(handler)
    root.setLevel(level)
    return path
