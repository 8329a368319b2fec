"""What every part of the Library shares: the paths, per-thread connections, transactions."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library.db import ConnectionHolder, sqlite_errors, transaction
from snapasset_desktop.paths import AppPaths

# Ids and platform names become folder and file names, so they must be safe on every OS.
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def check_name(value: str, what: str) -> str:
    if not isinstance(value, str) or not _SAFE_NAME.match(value) or ".." in value:
        raise InvalidInput(
            f"“{value}” can't be used as a {what}: use letters, digits, dashes and underscores."
        )
    return value


class LibraryBase:
    def __init__(self, paths: AppPaths) -> None:
        self.paths = paths
        self._connections = ConnectionHolder(paths.library_db)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with sqlite_errors(self.paths.library_db):
            yield self._connections.get()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with sqlite_errors(self.paths.library_db):
            conn = self._connections.get()
            with transaction(conn):
                yield conn

    def reader(self) -> AbstractContextManager[sqlite3.Connection]:
        """This thread's connection for reads (other packages' queries, e.g. the queue's)."""
        return self._read()

    def transaction(self) -> AbstractContextManager[sqlite3.Connection]:
        """This thread's connection inside BEGIN IMMEDIATE … COMMIT, for multi-step updates
        (e.g. the queue's claim); SQLite failures come out as StorageError."""
        return self._write()

    def _relative(self, path: Path) -> str:
        """How a file under the data dir is recorded: relative and posix, so the dir may move."""
        return path.relative_to(self.paths.data_dir).as_posix()
