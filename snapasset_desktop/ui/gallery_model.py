"""GalleryModel: the library's assets as a paged Qt list model.

Rows are read a page at a time as the view scrolls (`canFetchMore`/`fetchMore`),
so a library of any size opens at once; each page is one indexed query of a
few milliseconds. Thumbnails come from a `ThumbnailLoader`; until one arrives
the row shows a placeholder, and only the most recently used are kept in
memory, up to THUMB_CACHE_BYTES. Finished jobs' assets are merged in place
(idempotently: the bridge may repeat itself), and rows can be hidden and shown
again for undoable deletes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import QImage, QPixmap

from snapasset_desktop.formatting import file_size
from snapasset_desktop.library.models import AssetQuery, AssetRecord, AssetSort
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.thumbnail_loader import PixmapCache, ThumbnailLoader

PAGE = 200
# Decoded thumbnails kept in memory: 192 of the largest (256 px square, 256 KB each), as
# many cards as a whole 4K screen at 1x shows, and far more of the usual non-square ones.
THUMB_CACHE_BYTES = 48 * 2**20
CARD_THUMB = QSize(360, 300)  # device pixels, a card's picture on a 2x screen: the most kept

Index = QModelIndex | QPersistentModelIndex


class GalleryRole(IntEnum):
    ASSET = Qt.ItemDataRole.UserRole + 1  # the AssetRecord
    ASSET_ID = Qt.ItemDataRole.UserRole + 2
    PLATFORM = Qt.ItemDataRole.UserRole + 3  # the platform's label ("X · Post image")
    SIZE = Qt.ItemDataRole.UserRole + 4  # "1600 × 900"
    FAVOURITE = Qt.ItemDataRole.UserRole + 5
    THUMB_STATE = Qt.ItemDataRole.UserRole + 6  # "loading" | "ready" | "broken"
    FILE_SIZE = Qt.ItemDataRole.UserRole + 7  # "412 KB"
    NOTE = Qt.ItemDataRole.UserRole + 8  # an extra word for the card (e.g. "crops 12%")


class GalleryModel(QAbstractListModel):
    totalChanged = Signal(int)  # assets matching the query (loaded or not)

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject | None = None,
        *,
        loader: ThumbnailLoader | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.query = AssetQuery()
        self.sort = AssetSort.NEWEST
        self.total = 0
        self._rows: list[AssetRecord] = []
        self._ids: set[int] = set()
        self._positions: dict[int, int] | None = None  # id -> row, rebuilt after moves
        self._offset = 0  # rows of the query read from the library so far
        self._exhausted = False
        self._hidden: dict[int, tuple[int, AssetRecord]] = {}  # id -> (row, asset)
        self._thumbs = PixmapCache(THUMB_CACHE_BYTES)
        self._broken: set[int] = set()
        self._labels = {p.id: f"{p.network} · {p.label}" for p in ctx.platforms.all()}
        self.loader = loader or ThumbnailLoader(
            ctx.library.thumbnails, ctx.paths.data_dir, self, target=CARD_THUMB
        )
        self.loader.loaded.connect(self._thumbnail_loaded)
        self.loader.failed.connect(self._thumbnail_failed)
        self.placeholder = _blank_pixmap()
        self.set_query(self.query, self.sort)

    # -- the query --------------------------------------------------------------------

    def set_query(self, query: AssetQuery, sort: AssetSort | str = AssetSort.NEWEST) -> None:
        """Show the assets matching `query`, sorted; starts again from the first page."""
        self.beginResetModel()
        self.query = query
        self.sort = AssetSort(sort)
        self._rows, self._ids, self._offset, self._exhausted = [], set(), 0, False
        self.loader.cancel_all()
        self.total = self.ctx.library.count_assets(query)
        self._append_page()
        self._positions = None
        self.endResetModel()
        self.totalChanged.emit(self.visible_total)

    def refresh(self) -> None:
        self.set_query(self.query, self.sort)

    @property
    def visible_total(self) -> int:
        return max(0, self.total - len(self._hidden))

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        page = self._read_page()
        if page:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self._take(page)
            self._positions = None
            self.endInsertRows()

    def _append_page(self) -> None:
        self._take(self._read_page())

    def _read_page(self) -> list[AssetRecord]:
        page = self.ctx.library.query_assets(
            self.query, sort=self.sort, limit=PAGE, offset=self._offset
        )
        self._offset += len(page)
        # The count is known: at exactly a page's multiple there is no empty page to read
        self._exhausted = len(page) < PAGE or self._offset >= self.total
        return [a for a in page if a.id not in self._ids and a.id not in self._hidden]

    def _take(self, assets: Iterable[AssetRecord]) -> None:
        for asset in assets:
            self._rows.append(asset)
            self._ids.add(asset.id)

    # -- finished jobs ----------------------------------------------------------------

    @Slot(str, str)
    def on_job_finished(self, job_id: str, status: str) -> None:
        """Merge a finished job's assets: new ones at the top (newest first), re-rendered
        ones updated in place. Safe to call any number of times for the same job."""
        if status == "completed":
            self.merge_job(job_id)

    def merge_job(self, job_id: str) -> int:
        """Returns how many rows were added."""
        found = self.ctx.library.query_assets(
            replace(self.query, job_ids=[job_id]), sort=self.sort, limit=500
        )
        fresh = [a for a in found if a.id not in self._ids and a.id not in self._hidden]
        for asset in found:
            if asset.id in self._ids:
                self._replace(asset)
        if not fresh:
            return 0
        self.total += len(fresh)
        self._offset += len(fresh)  # they are now ahead of the next page's offset too
        if self.sort == AssetSort.NEWEST:
            self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
            self._rows[0:0] = fresh
            self._ids.update(a.id for a in fresh)
            self._positions = None
            self.endInsertRows()
        elif self._exhausted and self.sort == AssetSort.OLDEST:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._take(fresh)
            self._positions = None
            self.endInsertRows()
        else:  # somewhere in the middle of an order: read it again
            self.refresh()
            return len(fresh)
        self.totalChanged.emit(self.visible_total)
        return len(fresh)

    def _replace(self, asset: AssetRecord) -> None:
        row = self.row_of(asset.id)
        if row is None:
            return
        old = self._rows[row]
        self._rows[row] = asset
        if old.sha256 != asset.sha256:
            self._thumbs.pop(asset.id)
            self._broken.discard(asset.id)
        index = self.index(row)
        self.dataChanged.emit(index, index)

    # -- reading rows -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def asset(self, row: int) -> AssetRecord:
        return self._rows[row]

    def assets(self, indexes: Iterable[Index]) -> list[AssetRecord]:
        return [self._rows[i.row()] for i in indexes if i.isValid() and i.row() < len(self._rows)]

    def row_of(self, asset_id: int) -> int | None:
        if asset_id not in self._ids:
            return None
        if self._positions is None:
            self._positions = {a.id: r for r, a in enumerate(self._rows)}
        return self._positions.get(asset_id)

    def platform_label(self, platform: str) -> str:
        return self._labels.get(platform, platform)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        asset = self._rows[index.row()]
        match role:
            case Qt.ItemDataRole.DisplayRole:
                return self.platform_label(asset.platform)
            case Qt.ItemDataRole.DecorationRole:
                return self.thumbnail(asset)
            case Qt.ItemDataRole.ToolTipRole:
                return self._tooltip(asset)
            case GalleryRole.ASSET:
                return asset
            case GalleryRole.ASSET_ID:
                return asset.id
            case GalleryRole.PLATFORM:
                return self.platform_label(asset.platform)
            case GalleryRole.SIZE:
                return f"{asset.width} × {asset.height}"
            case GalleryRole.FAVOURITE:
                return asset.favourite
            case GalleryRole.FILE_SIZE:
                return file_size(asset.bytes)
            case GalleryRole.THUMB_STATE:
                if asset.id in self._broken:
                    return "broken"
                return "ready" if self._thumbs.has(asset.id, asset.sha256) else "loading"
        return None

    def thumbnail(self, asset: AssetRecord) -> QPixmap:
        cached = self._thumbs.get(asset.id, asset.sha256)
        if cached is not None:
            return cached
        if asset.id not in self._broken:
            self.loader.request(asset)
        return self.placeholder

    def _tooltip(self, asset: AssetRecord) -> str:
        made = datetime.fromtimestamp(asset.created_at).strftime("%d %b %Y, %H:%M")
        prompt = asset.prompt if len(asset.prompt) < 160 else asset.prompt[:157] + "…"
        return (
            f"<b>{self.platform_label(asset.platform)}</b><br>"
            f"{asset.width} × {asset.height} · {asset.format.upper()} · "
            f"{file_size(asset.bytes)}<br>{made}<br><i>{_escape(prompt)}</i>"
        )

    @property
    def cached_thumbnails(self) -> int:
        """Decoded thumbnails held in memory (their bytes: `thumbnail_bytes`)."""
        return len(self._thumbs)

    @property
    def thumbnail_bytes(self) -> int:
        return self._thumbs.bytes

    def keep_thumbnails_for(self, rows: range) -> None:
        """Cancel thumbnail requests outside `rows` (the view's visible range, padded)."""
        top, bottom = max(0, rows.start), min(len(self._rows), rows.stop)
        self.loader.retain(self._rows[r].id for r in range(top, bottom))

    @Slot(int, str, QImage)
    def _thumbnail_loaded(self, asset_id: int, sha256: str, image: QImage) -> None:
        self._thumbs.put(asset_id, sha256, image)
        self._changed(asset_id)

    @Slot(int)
    def _thumbnail_failed(self, asset_id: int) -> None:
        self._broken.add(asset_id)
        self._changed(asset_id)

    def _changed(self, asset_id: int, roles: Sequence[int] = ()) -> None:
        row = self.row_of(asset_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index, list(roles))

    # -- changing rows ----------------------------------------------------------------

    def set_favourite(self, asset_ids: Sequence[int], value: bool) -> None:
        self.ctx.library.set_favourite(asset_ids, value)
        for asset_id in asset_ids:
            row = self.row_of(asset_id)
            if row is not None:
                self._rows[row].favourite = value
                self._changed(asset_id, [GalleryRole.FAVOURITE])
        if self.query.favourite is not None and self.query.favourite != value:
            self.refresh()  # they no longer match the filter

    def hide(self, asset_ids: Iterable[int]) -> list[AssetRecord]:
        """Take rows out of view (a delete waiting for its undo); returns what was hidden."""
        rows = sorted(
            (r for r in (self.row_of(i) for i in set(asset_ids)) if r is not None), reverse=True
        )
        hidden = []
        for row in rows:  # bottom up, so each row keeps the index it had on screen
            self.beginRemoveRows(QModelIndex(), row, row)
            asset = self._rows.pop(row)
            self._ids.discard(asset.id)
            self._positions = None
            self.endRemoveRows()
            self._hidden[asset.id] = (row, asset)
            hidden.insert(0, asset)
        if hidden:
            self.totalChanged.emit(self.visible_total)
        return hidden

    def unhide(self, asset_ids: Iterable[int]) -> None:
        """Put hidden rows back where they were (undo)."""
        entries = sorted(
            (self._hidden.pop(i) for i in list(asset_ids) if i in self._hidden),
            key=lambda entry: entry[0],
        )
        for row, asset in entries:
            row = min(row, len(self._rows))
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.insert(row, asset)
            self._ids.add(asset.id)
            self._positions = None
            self.endInsertRows()
        if entries:
            self.totalChanged.emit(self.visible_total)

    def forget(self, asset_ids: Iterable[int]) -> None:
        """Hidden rows were deleted for real."""
        for asset_id in asset_ids:
            if self._hidden.pop(asset_id, None) is not None:
                self.total -= 1
                self._offset = max(0, self._offset - 1)
            self._thumbs.pop(asset_id)
        self.totalChanged.emit(self.visible_total)

    # -- dragging out -----------------------------------------------------------------

    def flags(self, index: Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return ["text/uri-list"]

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        """The asset files as file URLs, so a file manager or another app copies them."""
        return self.mime_for(self.assets(indexes))

    def mime_for(self, assets: Iterable[AssetRecord]) -> QMimeData:
        mime = QMimeData()
        urls: dict[int, QUrl] = {}
        for asset in assets:
            urls.setdefault(asset.id, QUrl.fromLocalFile(str(self.ctx.library.asset_path(asset))))
        mime.setUrls(list(urls.values()))
        return mime


def _blank_pixmap() -> QPixmap:
    """The placeholder decoration: transparent, so the card's own loading look shows."""
    pixmap = QPixmap(8, 8)
    pixmap.fill(Qt.GlobalColor.transparent)
    return pixmap


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def date_range(choice: str, now: float | None = None) -> tuple[float | None, float | None]:
    """(date_from, date_to) for "any" | "today" | "7d" | "30d", local time."""
    now = time.time() if now is None else now
    if choice == "today":
        midnight = datetime.fromtimestamp(now).replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight.timestamp(), None
    days = {"7d": 7, "30d": 30}.get(choice)
    return (now - days * 86_400, None) if days else (None, None)
