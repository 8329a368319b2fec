"""The Library: one object over the library database and the asset folders.

It is composed of the jobs, assets and events tables (one module each) and is
safe to use from many threads: each thread gets its own SQLite connection,
closed when the thread ends.
"""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import Any

from snapasset_desktop.brand.kit import BrandKit
from snapasset_desktop.library.alt_text import AltTextsTable
from snapasset_desktop.library.assets import AssetsTable
from snapasset_desktop.library.events import EventsTable
from snapasset_desktop.library.files import ensure_folder
from snapasset_desktop.library.kits import KitStore
from snapasset_desktop.library.models import (
    EXPANSION_PREFIX,
    JOB_STATUSES,
    SOURCE_PLATFORM,
    JobRecord,
)
from snapasset_desktop.library.thumbnails import ThumbnailCache
from snapasset_desktop.paths import AppPaths, app_paths

LIBRARY_ID_KEY = "library_id"


class Library(AssetsTable, EventsTable, AltTextsTable):
    def __init__(self, paths: AppPaths) -> None:
        super().__init__(paths)
        for folder in (paths.data_dir, paths.assets_dir, paths.thumbs_dir, paths.tmp_dir):
            ensure_folder(folder)
        self.thumbnails = ThumbnailCache(paths.thumbs_dir)
        self.kits = KitStore(paths.brand_dir)
        # Open now, so a newer or damaged database is refused at start, not mid-job.
        self._connections.get()

    @classmethod
    def open(cls) -> Library:
        """The library in the data dir in force (environment overrides first)."""
        return cls(app_paths())

    def close(self) -> None:
        self._connections.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        with self._read() as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row["value"] if row else default

    def set_meta(self, key: str, value: str | None) -> None:
        with self._write() as conn:
            if value is None:
                conn.execute("DELETE FROM meta WHERE key = ?", (key,))
            else:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )

    def brand_kit(self, job: JobRecord) -> tuple[BrandKit, str | None]:
        """The kit the job's layers are drawn in here, and a note when it isn't theirs."""
        return self.kits.kit_for(job.spec.layers)

    def library_id(self) -> str:
        """This library's lasting identity (a uuid made on first use): in Redis mode the
        jobs it submits carry it as their origin, so their assets find their way back."""
        existing = self.get_meta(LIBRARY_ID_KEY)
        if existing:
            return existing
        with self._write() as conn:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (LIBRARY_ID_KEY, uuid.uuid4().hex),
            )
            return conn.execute(
                "SELECT value FROM meta WHERE key = ?", (LIBRARY_ID_KEY,)
            ).fetchone()["value"]

    def stats(self) -> dict[str, Any]:
        """Jobs by status, asset and source counts (expansions count with the sources),
        and the bytes they take on disk."""
        with self._read() as conn:
            by_status = dict(conn.execute("SELECT status, COUNT(*) FROM jobs GROUP BY status"))
            assets, sources, total = conn.execute(
                "SELECT COALESCE(SUM(NOT (platform = :source OR platform GLOB :expanded)), 0), "
                "COALESCE(SUM(platform = :source OR platform GLOB :expanded), 0), "
                "COALESCE(SUM(bytes), 0) FROM assets",
                {"source": SOURCE_PLATFORM, "expanded": EXPANSION_PREFIX + "*"},
            ).fetchone()
        return {
            "jobs": {status: by_status.get(status, 0) for status in JOB_STATUSES},
            "assets": assets,
            "sources": sources,
            "bytes": total,
        }
