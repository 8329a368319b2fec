"""The library's per-thread connections end with their threads, and running out of file
handles reads as what it is, not as an unwritable folder."""

from __future__ import annotations

import gc
import os
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest

from snapasset_desktop.errors import StorageError
from snapasset_desktop.library import Library
from snapasset_desktop.library.files import atomic_write
from snapasset_desktop.paths import app_paths

resource = pytest.importorskip("resource")  # POSIX: file-handle limits

FD_DIR = Path("/proc/self/fd")
needs_proc = pytest.mark.skipif(not FD_DIR.is_dir(), reason="counts open files in /proc")


def open_files() -> int:
    """Open files of this test's library (the database, its WAL and shared memory): other
    files of the process come and go with earlier tests' garbage and threads."""
    data_dir = str(app_paths().data_dir)
    count = 0
    for name in os.listdir(FD_DIR):
        try:
            count += os.readlink(FD_DIR / name).startswith(data_dir)
        except OSError:  # closed between the listing and the look
            continue
    return count


def connection_of_a_thread(library: Library) -> sqlite3.Connection:
    """The connection a short-lived thread used, once that thread has ended."""
    used: list[sqlite3.Connection] = []

    def work() -> None:
        with library.reader() as conn:
            conn.execute("SELECT COUNT(*) FROM jobs").fetchone()
            used.append(conn)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return used[0]


def test_a_thread_s_connection_is_closed_when_the_thread_ends() -> None:
    with Library.open() as library:
        conn = connection_of_a_thread(library)
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            conn.execute("SELECT 1")
        assert library.stats()["jobs"]["queued"] == 0  # this thread's own is untouched


@needs_proc
def test_threads_that_come_and_go_leave_no_files_open() -> None:
    def threads_come_and_go(library: Library) -> None:
        # A job's render pool: threads that each write, then end with the pool.
        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(lambda n: library.set_meta(f"key-{n}", "value"), range(6)))
        connection_of_a_thread(library)

    with Library.open() as library:
        before = open_files()
        for _ in range(20):
            threads_come_and_go(library)
        # 80 threads used the library: 240 more files when each kept its connection. SQLite
        # may keep a closed connection's files for the next to reuse while others hold
        # locks on them: at most those of the three threads that ran at once.
        assert open_files() - before <= 3 * 3


@needs_proc
def test_a_library_nobody_closed_closes_its_connection_once_dropped() -> None:
    Library.open().close()  # the database exists: only connections are counted
    before = open_files()
    for _ in range(10):
        Library.open().stats()
    gc.collect()
    assert open_files() == before


def test_closing_the_library_closes_living_threads_connections() -> None:
    library = Library.open()
    opened = threading.Event()
    finish = threading.Event()
    used: list[sqlite3.Connection] = []

    def work() -> None:
        with library.reader() as conn:
            used.append(conn)
        opened.set()
        finish.wait(10)

    thread = threading.Thread(target=work)
    thread.start()
    try:
        assert opened.wait(10)
        library.close()
        with pytest.raises(sqlite3.ProgrammingError, match="closed"):
            used[0].execute("SELECT 1")
    finally:
        finish.set()
        thread.join()


@contextmanager
def at_the_open_files_limit() -> Iterator[None]:
    """This process at its open-files limit, as a worker that leaked was."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    highest = max(int(name) for name in os.listdir(FD_DIR))
    fillers: list[int] = []
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(highest + 64, hard), hard))
    try:
        while True:
            try:
                fillers.append(os.open(os.devnull, os.O_RDONLY))
            except OSError:
                break
        yield
    finally:
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@needs_proc
def test_opening_the_library_without_file_handles_says_so() -> None:
    app_paths().ensure()  # the folders exist: only opening files can fail
    with at_the_open_files_limit(), pytest.raises(StorageError) as caught:
        Library.open()
    assert "too many files open" in caught.value.message
    assert "can't write" not in caught.value.message
    assert caught.value.transient  # handles come back as other work ends
    with Library.open() as library:  # and then it opens
        assert library.stats()["jobs"]["queued"] == 0


@needs_proc
def test_saving_a_file_without_file_handles_says_so(tmp_path: Path) -> None:
    with at_the_open_files_limit(), pytest.raises(StorageError) as caught:
        atomic_write(tmp_path / "asset.png", b"png")
    assert "too many files open" in caught.value.message
    assert caught.value.transient
    assert list(tmp_path.iterdir()) == []
