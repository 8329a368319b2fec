"""Schema, pragmas and migrations of the library database."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from snapasset_desktop.errors import StorageError
from snapasset_desktop.library import Library
from snapasset_desktop.library.db import SCHEMA_VERSION, open_database
from snapasset_desktop.paths import app_paths
from tests.helpers.specs import make_spec


def test_fresh_database_is_at_the_latest_version_with_pragmas() -> None:
    path = app_paths().library_db
    conn = open_database(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] > 0
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert {"batches", "jobs", "assets", "events", "meta", "pacing"} <= tables
        assert {"assets_by_created", "assets_by_platform", "jobs_by_status"} <= tables
        assert isinstance(conn.execute("SELECT 1 AS one").fetchone(), sqlite3.Row)
    finally:
        conn.close()


def test_reopening_keeps_data_and_version() -> None:
    with Library.open() as library:
        library.create_job(make_spec("a fox", ["x-post"]))
    with Library.open() as library:
        assert len(library.list_jobs()) == 1


def test_a_version_1_library_is_upgraded_and_keeps_its_jobs() -> None:
    from snapasset_desktop.library.db import MIGRATIONS, _statements

    path = app_paths().library_db
    path.parent.mkdir(parents=True)
    raw = sqlite3.connect(path)
    for statement in _statements(MIGRATIONS[0]):
        raw.execute(statement)
    raw.execute(
        "INSERT INTO jobs (id, status, prompt, platforms, created_at, updated_at)"
        " VALUES ('j_old', 'completed', 'a fox', '[]', 1, 1)"
    )
    # Version 1 made the cloud tables on first use: a synced library already has them.
    raw.execute(
        "CREATE TABLE cloud_jobs (job_id TEXT NOT NULL, user_id TEXT NOT NULL, synced_at REAL,"
        " pulled INTEGER NOT NULL DEFAULT 0, error_kind TEXT, error_message TEXT, error_at REAL,"
        " PRIMARY KEY (job_id, user_id))"
    )
    raw.execute("INSERT INTO cloud_jobs (job_id, user_id, synced_at) VALUES ('j_old', 'u1', 5)")
    raw.execute("PRAGMA user_version = 1")
    raw.commit()
    raw.close()
    with Library.open() as library:
        assert [job.id for job in library.list_jobs()] == ["j_old"]
        with library.reader() as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            assert conn.execute("SELECT COUNT(*) FROM pacing").fetchone()[0] == 0
            assert conn.execute("SELECT COUNT(*) FROM cloud_files").fetchone()[0] == 0
            assert conn.execute("SELECT synced_at FROM cloud_jobs").fetchone()[0] == 5


def test_database_from_a_newer_version_is_refused() -> None:
    path = app_paths().library_db
    path.parent.mkdir(parents=True)
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StorageError, match="newer version of SnapAsset"):
        Library.open()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StorageError, match="damaged or is not a SnapAsset library"):
        open_database(path)


def test_status_check_constraint() -> None:
    conn = open_database(app_paths().library_db)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(
                "INSERT INTO jobs (id, status, prompt, platforms, created_at, updated_at) "
                "VALUES ('j1', 'exploded', 'p', '[]', 0, 0)"
            )
    finally:
        conn.close()


def test_each_thread_gets_its_own_connection() -> None:
    with Library.open() as library:
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                for i in range(10):
                    library.create_job(make_spec(f"prompt {n}-{i}", ["x-post"]))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert library.stats()["jobs"]["queued"] == 40
