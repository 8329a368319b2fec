"""What the detail pane shows of one job: its source and platform variants, loaded off-thread.

`JobDetailsLoader` reads the job and its assets and decodes a screen-sized copy
of the source in a worker, so even a 4K source never stalls the window.
`VariantModel` lists the source and every variant as cards (same roles as the
gallery, plus how much of the source each crop gives up).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtGui import QImage, QImageReader, QPixmap

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.formatting import file_size
from snapasset_desktop.imaging.geometry import crop_loss
from snapasset_desktop.library.models import AssetRecord, JobRecord
from snapasset_desktop.platforms import Platform
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.gallery.model import GalleryRole
from snapasset_desktop.ui.gallery.thumbnail_loader import ThumbnailLoader

log = logging.getLogger(__name__)

PREVIEW_SIDE = 1280  # the focal point editor's copy of the source, longest side

Index = QModelIndex | QPersistentModelIndex


@dataclass
class JobDetails:
    job: JobRecord
    assets: list[AssetRecord]  # the source first, then platforms in order
    source: QImage = field(default_factory=QImage)  # scaled copy; null when there is none
    source_size: tuple[int, int] = (0, 0)


def decode_scaled(path: Path, longest: int) -> QImage:
    """Decode `path` at most `longest` pixels on its longest side (reader-side scaling)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > longest:
        reader.setScaledSize(size.scaled(longest, longest, Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


class _Relay(QObject):
    loaded = Signal(int, object)  # ticket, JobDetails
    failed = Signal(int, str)  # ticket, message
    image = Signal(int, QImage)  # ticket, a full-size image (copy to clipboard)


class _LoadJob(QRunnable):
    def __init__(self, relay: _Relay, ctx: AppContext, ticket: int, job_id: str) -> None:
        super().__init__()
        self.relay, self.ctx, self.ticket, self.job_id = relay, ctx, ticket, job_id

    def run(self) -> None:
        library = self.ctx.library
        try:
            job = library.get_job(self.job_id)
            assets = library.assets_for_job(self.job_id, include_source=True)
            order = {p: i for i, p in enumerate(job.platforms)}
            assets.sort(key=lambda a: (not a.is_source, order.get(a.platform, 99), a.variant))
            details = JobDetails(job, assets)
            source = next((a for a in assets if a.is_source and a.variant == 0), None)
            if source is not None:
                details.source = decode_scaled(library.asset_path(source), PREVIEW_SIDE)
                details.source_size = (source.width, source.height)
        except SnapAssetError as exc:
            self.relay.failed.emit(self.ticket, exc.message)
            return
        except Exception as exc:  # never let a worker die silently
            log.exception("loading job details failed")
            self.relay.failed.emit(self.ticket, f"This job can't be shown: {exc}")
            return
        self.relay.loaded.emit(self.ticket, details)


class _DecodeJob(QRunnable):
    def __init__(self, relay: _Relay, ticket: int, path: Path) -> None:
        super().__init__()
        self.relay, self.ticket, self.path = relay, ticket, path

    def run(self) -> None:
        self.relay.image.emit(self.ticket, QImage(str(self.path)))


class JobDetailsLoader(QObject):
    """load(job_id) → `loaded(JobDetails)`; only the latest request's answer is delivered."""

    loaded = Signal(object)
    failed = Signal(str)
    imageReady = Signal(QImage)  # from decode_full()

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._relay = _Relay(self)
        self._relay.loaded.connect(self._loaded)
        self._relay.failed.connect(self._failed)
        self._relay.image.connect(self._image)
        self._ticket = 0
        self._image_ticket = 0

    def load(self, job_id: str) -> None:
        self._ticket += 1
        self.pool.start(_LoadJob(self._relay, self.ctx, self._ticket, job_id))

    def decode_full(self, path: Path) -> None:
        self._image_ticket += 1
        self.pool.start(_DecodeJob(self._relay, self._image_ticket, path))

    def wait(self, msecs: int = 3000) -> None:
        self.pool.waitForDone(msecs)

    @Slot(int, object)
    def _loaded(self, ticket: int, details: JobDetails) -> None:
        if ticket == self._ticket:
            self.loaded.emit(details)

    @Slot(int, str)
    def _failed(self, ticket: int, message: str) -> None:
        if ticket == self._ticket:
            self.failed.emit(message)

    @Slot(int, QImage)
    def _image(self, ticket: int, image: QImage) -> None:
        if ticket == self._image_ticket:
            self.imageReady.emit(image)


class VariantModel(QAbstractListModel):
    """The source and each platform variant of one job, as cards."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._assets: list[AssetRecord] = []
        self._platforms: dict[str, Platform] = {}
        self._fit = "cover"
        self._source_size = (0, 0)
        self._thumbs: dict[int, tuple[str, QPixmap]] = {}
        self._broken: set[int] = set()
        self.loader = ThumbnailLoader(
            ctx.library.thumbnails, ctx.paths.data_dir, self, target=QSize(360, 300)
        )
        self.loader.loaded.connect(self._thumbnail_loaded)
        self.loader.failed.connect(self._thumbnail_failed)

    def set_details(self, details: JobDetails | None) -> None:
        self.beginResetModel()
        self._assets = list(details.assets) if details else []
        self._platforms = {p.id: p for p in self.ctx.platforms.all()}
        self._fit = details.job.spec.render.fit if details else "cover"
        self._source_size = details.source_size if details else (0, 0)
        live = {a.id for a in self._assets}
        self._thumbs = {k: v for k, v in self._thumbs.items() if k in live}
        self._broken.clear()  # a re-render may have brought a missing file back
        self.endResetModel()

    def assets(self) -> list[AssetRecord]:
        return list(self._assets)

    def asset(self, row: int) -> AssetRecord:
        return self._assets[row]

    def row_of(self, asset_id: int) -> int | None:
        return next((r for r, a in enumerate(self._assets) if a.id == asset_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._assets)

    def label(self, asset: AssetRecord) -> str:
        if asset.is_source:
            return "Source" if asset.variant == 0 else f"Source {asset.variant + 1}"
        platform = self._platforms.get(asset.platform)
        return f"{platform.network} · {platform.label}" if platform else asset.platform

    def note(self, asset: AssetRecord) -> str:
        if asset.is_source:
            return "original"
        platform = self._platforms.get(asset.platform)
        if platform is None or not all(self._source_size):
            return ""
        if self._fit != "cover":
            return "padded"
        return f"crops {crop_loss(self._source_size, platform.size):.0%}"

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._assets):
            return None
        asset = self._assets[index.row()]
        match role:
            case Qt.ItemDataRole.DisplayRole | GalleryRole.PLATFORM:
                return self.label(asset)
            case Qt.ItemDataRole.DecorationRole:
                cached = self._thumbs.get(asset.id)
                if cached and cached[0] == asset.sha256:
                    return cached[1]
                if asset.id not in self._broken:
                    self.loader.request(asset)
                return None
            case Qt.ItemDataRole.ToolTipRole:
                return (
                    f"{self.label(asset)} — {asset.width} × {asset.height}, {asset.format.upper()}"
                )
            case GalleryRole.ASSET:
                return asset
            case GalleryRole.ASSET_ID:
                return asset.id
            case GalleryRole.SIZE:
                return f"{asset.width} × {asset.height}"
            case GalleryRole.FILE_SIZE:
                return file_size(asset.bytes)
            case GalleryRole.FAVOURITE:
                return asset.favourite
            case GalleryRole.NOTE:
                return self.note(asset)
            case GalleryRole.THUMB_STATE:
                if asset.id in self._broken:
                    return "broken"
                cached = self._thumbs.get(asset.id)
                return "ready" if cached and cached[0] == asset.sha256 else "loading"
        return None

    def set_favourite(self, asset_ids: Sequence[int], value: bool) -> None:
        for row, asset in enumerate(self._assets):
            if asset.id in asset_ids:
                asset.favourite = value
                self.dataChanged.emit(self.index(row), self.index(row))

    @Slot(int, str, QImage)
    def _thumbnail_loaded(self, asset_id: int, sha256: str, image: QImage) -> None:
        self._thumbs[asset_id] = (sha256, QPixmap.fromImage(image))
        self._touch(asset_id)

    @Slot(int)
    def _thumbnail_failed(self, asset_id: int) -> None:
        self._broken.add(asset_id)
        self._touch(asset_id)

    def _touch(self, asset_id: int) -> None:
        row = self.row_of(asset_id)
        if row is not None:
            self.dataChanged.emit(self.index(row), self.index(row))
