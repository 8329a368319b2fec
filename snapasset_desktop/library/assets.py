"""Asset files and rows: save (idempotently), query for the gallery, favourite, delete.

A job's files live in its folder; each is keyed by (job, platform, variant), so
running a step again replaces the file and the row instead of adding one. The
job's generated source is stored the same way under the `source` platform, and each
expansion of it under `expanded_<shape group>`. An asset drawn with text layers keeps its
clean picture in the folder's `clean/`, under the same name, and the row records what was
drawn, so the layers can be drawn again without the source and exported beside the picture.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.decode import image_info
from snapasset_desktop.imaging.encode import normalise_format
from snapasset_desktop.library.base import check_name
from snapasset_desktop.library.files import atomic_write, safe_remove
from snapasset_desktop.library.jobs import JobsTable
from snapasset_desktop.library.models import (
    EXPANSION_PREFIX,
    SOURCE_PLATFORM,
    AssetQuery,
    AssetRecord,
    AssetSort,
    expansion_platform,
)
from snapasset_desktop.library.naming import extension

_SELECT = """
SELECT a.*, j.prompt AS prompt, json_extract(j.spec, '$.model') AS model,
       j.batch_id AS batch_id, j.created_at AS job_created_at
FROM assets a JOIN jobs j ON j.id = a.job_id
"""

_ORDER = {
    AssetSort.NEWEST: "a.created_at DESC, a.id DESC",
    AssetSort.OLDEST: "a.created_at ASC, a.id ASC",
    AssetSort.PLATFORM: "a.platform ASC, a.created_at DESC, a.id DESC",
    AssetSort.SIZE: "a.bytes DESC, a.id DESC",
}

_UPSERT = """
INSERT INTO assets (job_id, platform, variant, width, height, format, path, bytes, sha256,
                    warning, clean_path, layers, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (job_id, platform, variant) DO UPDATE SET
    width = excluded.width, height = excluded.height, format = excluded.format,
    path = excluded.path, bytes = excluded.bytes, sha256 = excluded.sha256,
    warning = excluded.warning, clean_path = excluded.clean_path, layers = excluded.layers,
    created_at = excluded.created_at
RETURNING id
"""
CLEAN_FOLDER = "clean"


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _ids(values: Iterable[Any]) -> str:
    # One JSON parameter instead of one `?` per id: no limit on how many are selected.
    return json.dumps(list(values))


def _where(query: AssetQuery) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    args: list[Any] = []
    if not query.include_sources:
        clauses.append("a.platform != ? AND a.platform NOT LIKE ? ESCAPE '\\'")
        args.extend((SOURCE_PLATFORM, _like(EXPANSION_PREFIX)[1:]))
    if query.platforms:
        clauses.append(f"a.platform IN ({', '.join('?' * len(query.platforms))})")
        args.extend(query.platforms)
    for word in query.text.split():
        clauses.append("j.prompt LIKE ? ESCAPE '\\'")
        args.append(_like(word))
    if query.date_from is not None:
        clauses.append("a.created_at >= ?")
        args.append(query.date_from)
    if query.date_to is not None:
        clauses.append("a.created_at < ?")
        args.append(query.date_to)
    if query.favourite is not None:
        clauses.append("a.favourite = ?")
        args.append(int(query.favourite))
    if query.job_ids:
        clauses.append("a.job_id IN (SELECT value FROM json_each(?))")
        args.append(_ids(query.job_ids))
    if query.batch_id is not None:
        clauses.append("j.batch_id = ?")
        args.append(query.batch_id)
    if query.asset_ids:
        clauses.append("a.id IN (SELECT value FROM json_each(?))")
        args.append(_ids(int(i) for i in query.asset_ids))
    if query.exclude_ids:
        clauses.append("a.id NOT IN (SELECT value FROM json_each(?))")
        args.append(_ids(int(i) for i in query.exclude_ids))
    return (f"WHERE {' AND '.join(clauses)}" if clauses else ""), args


def _sort(sort: AssetSort | str) -> str:
    try:
        return _ORDER[AssetSort(sort)]
    except ValueError:
        allowed = ", ".join(s.value for s in AssetSort)
        raise InvalidInput(f"“{sort}” is not a way to sort the gallery ({allowed}).") from None


def select_sql(
    query: AssetQuery,
    *,
    sort: AssetSort | str = AssetSort.NEWEST,
    limit: int = 200,
    offset: int = 0,
) -> tuple[str, list[Any]]:
    """The gallery's SELECT and its arguments (public so its query plan can be checked)."""
    where, args = _where(query)
    return f"{_SELECT} {where} ORDER BY {_sort(sort)} LIMIT ? OFFSET ?", [*args, limit, offset]


class AssetsTable(JobsTable):
    def save_asset(
        self,
        job_id: str,
        platform: str,
        data: bytes,
        *,
        fmt: str,
        width: int,
        height: int,
        variant: int = 0,
        warning: str | None = None,
        clean: bytes | None = None,
        layers: dict[str, Any] | None = None,
    ) -> AssetRecord:
        """Write `<platform>.<ext>` into the job's folder and record it (replacing any earlier).

        `clean`: the same picture without its text layers (same format), kept in `clean/`;
        `layers`: what was drawn on it. Without them, an earlier clean picture goes."""
        if platform == SOURCE_PLATFORM:
            raise InvalidInput(f"“{SOURCE_PLATFORM}” is reserved for the generated original.")
        check_name(platform, "platform name")
        return self._store(
            job_id, platform, variant, data, fmt, width, height, warning, clean, layers
        )

    def store_source(
        self,
        job_id: str,
        data: bytes,
        fmt: str,
        width: int | None = None,
        height: int | None = None,
        *,
        variant: int = 0,
    ) -> Path:
        """Keep the generated image before any resizing, so a retry never pays for it again.

        `source.<ext>` (variant > 0: `source-v<n>.<ext>`); the job records variant 0.
        Width and height are read from the image header when not given.
        """
        if width is None or height is None:
            width, height, _ = image_info(data, what="the source image")
        asset = self._store(job_id, SOURCE_PLATFORM, variant, data, fmt, width, height, None)
        if variant == 0:
            self.update_job(
                job_id, source_path=asset.path, source_width=width, source_height=height
            )
        return self.asset_path(asset)

    def store_expansion(
        self, job_id: str, key: str, data: bytes, *, width: int, height: int, variant: int = 0
    ) -> AssetRecord:
        """Keep a source expanded for a shape group the moment it is painted (a PNG that
        says where the original sits in it), so a retry or re-render never pays again."""
        platform = expansion_platform(key)
        return self._store(job_id, platform, variant, data, "png", width, height, None)

    def expanded_image(self, job_id: str, key: str, variant: int = 0) -> bytes | None:
        """The stored expansion of the job's source `variant` for shape group `key`."""
        platform = expansion_platform(key)
        for asset in self.assets_for_job(job_id, include_source=True):
            if asset.platform == platform and asset.variant == variant:
                try:
                    return self.asset_path(asset).read_bytes()
                except FileNotFoundError:
                    return None  # its file went missing: expand again
        return None

    def source_image_path(self, job_id: str) -> Path | None:
        """The stored source, if the job has one and its file is still on disk."""
        source = self.get_job(job_id).source_path
        if not source:
            return None
        path = self.paths.data_dir / source
        return path if path.is_file() else None

    def source_images(self, job_id: str) -> list[bytes]:
        """Every stored source of the job, by variant; empty unless all are still on disk."""
        sources = [a for a in self.assets_for_job(job_id, include_source=True) if a.is_source]
        try:
            return [self.asset_path(a).read_bytes() for a in sources]  # ordered by variant
        except FileNotFoundError:
            return []  # a file went missing: generate again rather than half a set

    def _store(
        self,
        job_id: str,
        platform: str,
        variant: int,
        data: bytes,
        fmt: str,
        width: int,
        height: int,
        warning: str | None,
        clean: bytes | None = None,
        layers: dict[str, Any] | None = None,
    ) -> AssetRecord:
        if not isinstance(variant, int) or variant < 0:
            raise InvalidInput(f"An asset variant is a whole number from 0, not {variant!r}.")
        job = self.get_job(job_id)
        fmt = normalise_format(fmt)
        stem = platform if variant == 0 else f"{platform}-v{variant}"
        folder = self.job_dir(job_id, job.created_at)
        path = folder / f"{stem}.{extension(fmt)}"
        relative = self._relative(path)
        clean_path = folder / CLEAN_FOLDER / path.name if clean is not None else None
        clean_relative = self._relative(clean_path) if clean_path is not None else None
        # The files first (slow, outside the lock), then the row points at complete files.
        if clean_path is not None and clean is not None:
            atomic_write(clean_path, clean)
        atomic_write(path, data)
        drawn = json.dumps(layers, ensure_ascii=False) if layers is not None else None
        key = (job_id, platform, variant)
        try:
            with self._write() as conn:
                if not conn.execute("SELECT 1 FROM jobs WHERE id = ?", (job_id,)).fetchone():
                    raise InvalidInput(
                        f"No job “{job_id}” in the library — it may have been deleted."
                    )
                old = conn.execute(
                    "SELECT path, clean_path FROM assets"
                    " WHERE job_id = ? AND platform = ? AND variant = ?",
                    key,
                ).fetchone()
                digest = hashlib.sha256(data).hexdigest()
                values = (*key, width, height, fmt, relative, len(data), digest, warning)
                row = (*values, clean_relative, drawn, time.time())
                asset_id = conn.execute(_UPSERT, row).fetchone()[0]
        except InvalidInput:  # the job was deleted while we wrote its files
            safe_remove(path)
            if clean_path is not None:
                safe_remove(clean_path)
            raise
        if old is not None:
            for previous, now in ((old["path"], relative), (old["clean_path"], clean_relative)):
                if previous and previous != now:  # the format changed, or the layers went
                    safe_remove(self.paths.data_dir / previous)
        return self.get_asset(asset_id)

    def get_asset(self, asset_id: int) -> AssetRecord:
        with self._read() as conn:
            row = conn.execute(f"{_SELECT} WHERE a.id = ?", (asset_id,)).fetchone()
        if row is None:
            raise InvalidInput(f"No asset #{asset_id} in the library — it may have been deleted.")
        return AssetRecord.from_row(row)

    def assets_for_job(self, job_id: str, *, include_source: bool = False) -> list[AssetRecord]:
        query = AssetQuery(job_ids=[job_id], include_sources=include_source)
        where, args = _where(query)
        with self._read() as conn:
            rows = conn.execute(
                f"{_SELECT} {where} ORDER BY a.platform, a.variant", args
            ).fetchall()
        return [AssetRecord.from_row(row) for row in rows]

    def query_assets(
        self,
        query: AssetQuery = AssetQuery(),  # noqa: B008 - frozen, so sharing it is safe
        *,
        sort: AssetSort | str = AssetSort.NEWEST,
        limit: int = 200,
        offset: int = 0,
    ) -> list[AssetRecord]:
        sql, args = select_sql(query, sort=sort, limit=limit, offset=offset)
        with self._read() as conn:
            rows = conn.execute(sql, args).fetchall()
        return [AssetRecord.from_row(row) for row in rows]

    def count_assets(self, query: AssetQuery = AssetQuery()) -> int:  # noqa: B008
        where, args = _where(query)
        with self._read() as conn:
            sql = f"SELECT COUNT(*) FROM assets a JOIN jobs j ON j.id = a.job_id {where}"
            return conn.execute(sql, args).fetchone()[0]

    def set_favourite(self, asset_ids: Sequence[int], value: bool) -> int:
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE assets SET favourite = ? WHERE id IN (SELECT value FROM json_each(?))",
                (int(value), _ids(int(i) for i in asset_ids)),
            )
        return cursor.rowcount

    def delete_assets(self, asset_ids: Sequence[int]) -> int:
        """Remove rows and files; the job row stays even when no asset is left."""
        ids = _ids(int(i) for i in asset_ids)
        with self._write() as conn:
            rows = conn.execute(
                "SELECT job_id, platform, path, clean_path FROM assets "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (ids,),
            ).fetchall()
            conn.execute("DELETE FROM assets WHERE id IN (SELECT value FROM json_each(?))", (ids,))
            sources = [row["job_id"] for row in rows if row["platform"] == SOURCE_PLATFORM]
            conn.execute(
                "UPDATE jobs SET source_path = NULL, source_width = NULL, source_height = NULL "
                "WHERE id IN (SELECT value FROM json_each(?))",
                (_ids(sources),),
            )
        for row in rows:
            safe_remove(self.paths.data_dir / row["path"])
            if row["clean_path"]:
                safe_remove(self.paths.data_dir / row["clean_path"])
        return len(rows)

    def asset_path(self, asset: AssetRecord) -> Path:
        return self.paths.data_dir / asset.path

    def clean_path(self, asset: AssetRecord) -> Path | None:
        """The asset's picture without its text layers; None when none were drawn."""
        return self.paths.data_dir / asset.clean_path if asset.clean_path else None
