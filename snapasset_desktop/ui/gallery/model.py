"""GalleryModel: the library's assets as a Qt list model with every row, read lazily.

The model has a row for every asset matching the query from the start (one
COUNT), and reads the records a page at a time when the view first asks for
one of their rows (one indexed query of a few milliseconds); only the most
recently used PAGES_KEPT pages are held. The view lays the grid out once for
all rows — rows never arrive in pieces, so scrolling never relays out the grid
or loses its place. Thumbnails come from a `ThumbnailLoader`; until one
arrives the row shows a placeholder, and only the most recently used are kept
in memory, up to THUMB_CACHE_BYTES. Finished jobs' assets are merged in
(idempotently: the bridge may repeat itself), and rows can be hidden and shown
again for undoable deletes.
"""

from __future__ import annotations

import time
from collections import OrderedDict
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
from snapasset_desktop.library.db import LibraryClosed
from snapasset_desktop.library.models import AssetQuery, AssetRecord, AssetSort
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.gallery.thumbnail_loader import PixmapCache, ThumbnailLoader

PAGE = 200
PAGES_KEPT = 50  # records held: 10,000 rows (~1 KB each); a bigger library re-reads pages
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
    PROMPT = Qt.ItemDataRole.UserRole + 9  # the job's prompt, on one line
    JOB = Qt.ItemDataRole.UserRole + 10  # the job, as a card names it ("Job 31 Jan, 12:04")
    WARNING = Qt.ItemDataRole.UserRole + 11  # what the asset warns of (its subject hidden), or None


class GalleryModel(QAbstractListModel):
    totalChanged = Signal(int)  # assets shown (matching the query, not hidden)

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
        self.total = 0  # rows: assets matching the query, less the hidden ones
        self.pages_read = 0  # queries made for rows, since the model was made
        self._pages: OrderedDict[int, list[AssetRecord]] = OrderedDict()  # page -> records
        self._rows_of: dict[int, int] = {}  # asset id -> row, for the pages held
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
        """Show the assets matching `query`, sorted."""
        sort = AssetSort(sort)
        self.beginResetModel()
        self.query, self.sort = query, sort
        self.loader.cancel_all()
        self._drop_pages()
        self.total = self.ctx.library.count_assets(self.shown_query())
        self.endResetModel()
        self.totalChanged.emit(self.total)

    def refresh(self) -> None:
        self.set_query(self.query, self.sort)

    def shown_query(self) -> AssetQuery:
        """The query as the rows show it: without the hidden assets (what "export what is on
        screen" exports)."""
        return replace(self.query, exclude_ids=tuple(self._hidden)) if self._hidden else self.query

    def _drop_pages(self) -> None:
        """Forget the records read so far (rows moved): pages are read again when shown."""
        self._pages.clear()
        self._rows_of.clear()

    def _page(self, number: int) -> list[AssetRecord]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        page = self.ctx.library.query_assets(
            self.shown_query(), sort=self.sort, limit=PAGE, offset=number * PAGE
        )
        self.pages_read += 1
        self._pages[number] = page
        self._rows_of.update((asset.id, number * PAGE + n) for n, asset in enumerate(page))
        while len(self._pages) > PAGES_KEPT:
            _, old = self._pages.popitem(last=False)
            for asset in old:
                self._rows_of.pop(asset.id, None)
        return page

    def _at(self, row: int) -> AssetRecord | None:
        """The asset on `row`, read with its page if needed; None past the end (the library
        lost rows behind our back: the next refresh counts again)."""
        if not 0 <= row < self.total:
            return None
        try:
            page = self._page(row // PAGE)
        except LibraryClosed:
            return None  # the app is closing: a last paint shows an empty card
        return page[row % PAGE] if row % PAGE < len(page) else None

    def _held(self, row: int) -> AssetRecord | None:
        """The asset on `row` if its page is held; never reads."""
        page = self._pages.get(row // PAGE)
        return page[row % PAGE] if page is not None and row % PAGE < len(page) else None

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
            replace(self.shown_query(), job_ids=[job_id]), sort=self.sort, limit=500
        )
        if not found:
            return 0
        total = self.ctx.library.count_assets(self.shown_query())
        added = total - self.total
        if added > 0 and self.sort == AssetSort.NEWEST:  # the newest: on top
            self.beginInsertRows(QModelIndex(), 0, added - 1)
            self.total = total
            self._drop_pages()
            self.endInsertRows()
        elif added == 0:  # re-rendered: the same rows, new pictures
            for asset in found:
                if asset.id in self._rows_of:
                    self._thumbs.pop(asset.id)
                    self._broken.discard(asset.id)
            self._drop_pages()
            if self.total:
                self.dataChanged.emit(self.index(0), self.index(self.total - 1))
            return 0
        else:  # somewhere in the middle of an order, or rows went missing: count again
            self.refresh()
            return max(0, added)
        self.totalChanged.emit(self.total)
        return added

    # -- reading rows -----------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.total

    def asset(self, row: int) -> AssetRecord:
        asset = self._at(row)
        if asset is None:
            raise IndexError(f"no asset on row {row}")
        return asset

    def assets(self, indexes: Iterable[Index]) -> list[AssetRecord]:
        found = (self._at(i.row()) for i in indexes if i.isValid())
        return [asset for asset in found if asset is not None]

    def row_of(self, asset_id: int) -> int | None:
        """The asset's row, if its page has been read (the rows on and near the screen)."""
        return self._rows_of.get(asset_id)

    def platform_label(self, platform: str) -> str:
        return self._labels.get(platform, platform)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        asset = self._at(index.row())
        if asset is None:
            return None
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
            case GalleryRole.PROMPT:
                return " ".join(asset.prompt.split())
            case GalleryRole.JOB:
                return job_label(asset)
            case GalleryRole.WARNING:
                return asset.warning
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
        warning = f"<br><b>{_escape(asset.warning)}</b>" if asset.warning else ""
        return (
            f"<b>{self.platform_label(asset.platform)}</b><br>"
            f"{asset.width} × {asset.height} · {asset.format.upper()} · "
            f"{file_size(asset.bytes)}<br>{made} · {job_label(asset)}<br>"
            f"<i>{_escape(prompt)}</i>{warning}"
        )

    @property
    def cached_thumbnails(self) -> int:
        """Decoded thumbnails held in memory (their bytes: `thumbnail_bytes`)."""
        return len(self._thumbs)

    @property
    def thumbnail_bytes(self) -> int:
        return self._thumbs.bytes

    @property
    def records_held(self) -> int:
        """Asset records held in memory (at most PAGES_KEPT pages)."""
        return sum(len(page) for page in self._pages.values())

    def keep_thumbnails_for(self, rows: range) -> None:
        """Cancel thumbnail requests outside `rows` (the view's visible range, padded)."""
        top, bottom = max(0, rows.start), min(self.total, rows.stop)
        held = (self._held(r) for r in range(top, bottom))
        self.loader.retain(asset.id for asset in held if asset is not None)

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
            held = self._held(row) if row is not None else None
            if held is not None:
                held.favourite = value
                self._changed(asset_id, [GalleryRole.FAVOURITE])
        if self.query.favourite is not None and self.query.favourite != value:
            self.refresh()  # they no longer match the filter

    def hide(self, asset_ids: Iterable[int]) -> list[AssetRecord]:
        """Take rows out of view (a delete waiting for its undo); returns what was hidden."""
        rows = sorted(
            (r for r in (self.row_of(i) for i in set(asset_ids)) if r is not None), reverse=True
        )
        found = [(row, self._held(row)) for row in rows]
        hidden = []
        for row, asset in found:  # bottom up, so each row keeps the index it had on screen
            if asset is None:
                continue
            self.beginRemoveRows(QModelIndex(), row, row)
            self._hidden[asset.id] = (row, asset)
            self.total -= 1
            self._drop_pages()
            self.endRemoveRows()
            hidden.insert(0, asset)
        if hidden:
            self.totalChanged.emit(self.total)
        return hidden

    def unhide(self, asset_ids: Iterable[int]) -> None:
        """Put hidden rows back where they were (undo)."""
        entries = sorted(
            ((i, self._hidden[i][0]) for i in set(asset_ids) if i in self._hidden),
            key=lambda entry: entry[1],
        )
        for asset_id, row in entries:
            row = min(row, self.total)
            self.beginInsertRows(QModelIndex(), row, row)
            del self._hidden[asset_id]
            self.total += 1
            self._drop_pages()
            self.endInsertRows()
        if entries:
            self.totalChanged.emit(self.total)

    def forget(self, asset_ids: Iterable[int]) -> None:
        """Hidden rows were deleted for real."""
        for asset_id in asset_ids:
            self._hidden.pop(asset_id, None)  # the library no longer has it: nothing to hide
            self._thumbs.pop(asset_id)
        self.totalChanged.emit(self.total)

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


def job_label(asset: AssetRecord) -> str:
    """The job on a card: when it was made (its cards share it), e.g. "Job 31 Jan, 12:04"."""
    made = datetime.fromtimestamp(asset.job_created_at or asset.created_at)
    return f"Job {made:%d %b, %H:%M}"


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
