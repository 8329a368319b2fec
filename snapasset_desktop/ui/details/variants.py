"""What the detail pane shows of one job: its source and platform variants, loaded off-thread.

`JobDetailsLoader` reads the job and its assets and decodes a screen-sized copy
of the source off the GUI thread, so even a 4K source never stalls the window;
only the latest request's answer is shown.
`VariantModel` lists the source, each expansion of it, and every variant as cards
(same roles as the gallery, plus how each platform got its picture — cropped, and how
much of the source it gives up, or expanded — and the safe zones of its platform).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QImage, QImageReader, QPixmap

from snapasset_desktop.errors import SnapAssetError, UnknownPlatform
from snapasset_desktop.formatting import file_size
from snapasset_desktop.imaging.composition import SHAPE_GROUPS, CompositionPlan
from snapasset_desktop.library.models import AssetRecord, JobRecord
from snapasset_desktop.library.store import Library
from snapasset_desktop.platforms import Platform, PlatformRegistry
from snapasset_desktop.queue.expansion_stage import own_points, placed, plan_for
from snapasset_desktop.safe_zones import zones_for
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.gallery.model import GalleryRole
from snapasset_desktop.ui.gallery.thumbnail_loader import ThumbnailLoader

PREVIEW_SIDE = 1280  # the focal point editor's copy of the source, longest side
ZONES_ROLE = Qt.ItemDataRole.UserRole + 40  # a platform version's safe zones

Index = QModelIndex | QPersistentModelIndex


@dataclass
class JobDetails:
    job: JobRecord
    assets: list[AssetRecord]  # the source first, then platforms in order
    source: QImage = field(default_factory=QImage)  # scaled copy; null when there is none
    source_size: tuple[int, int] = (0, 0)
    plan: CompositionPlan | None = None  # how each platform gets its picture (None: padded)


def decode_scaled(path: Path, longest: int) -> QImage:
    """Decode `path` at most `longest` pixels on its longest side (reader-side scaling)."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    size = reader.size()
    if size.isValid() and max(size.width(), size.height()) > longest:
        reader.setScaledSize(size.scaled(longest, longest, Qt.AspectRatioMode.KeepAspectRatio))
    return reader.read()


def load_details(library: Library, registry: PlatformRegistry, job_id: str) -> JobDetails:
    """A pool thread: the job, its assets in order (the source, its expansions, then the
    platforms), a screen-sized copy of its source, and its composition."""
    job = library.get_job(job_id)
    assets = library.assets_for_job(job_id, include_source=True)
    order = {p: i for i, p in enumerate(job.platforms)}
    groups = {g.key: i for i, g in enumerate(SHAPE_GROUPS)}
    assets.sort(
        key=lambda a: (
            _rank(a),
            order.get(a.platform, groups.get((a.expansion_key or "").partition("-")[0], 99)),
            a.platform,
            a.variant,
        )
    )
    details = JobDetails(job, assets)
    source = next((a for a in assets if a.is_source and a.variant == 0), None)
    if source is not None:
        details.source = decode_scaled(library.asset_path(source), PREVIEW_SIDE)
        details.source_size = (source.width, source.height)
        details.plan = _plan(job, registry, details.source_size)
    return details


def _rank(asset: AssetRecord) -> int:
    return 0 if asset.is_source else 1 if asset.expansion_key is not None else 2


def _plan(
    job: JobRecord, registry: PlatformRegistry, size: tuple[int, int]
) -> CompositionPlan | None:
    """The composition the job's last run planned (None for a padded job)."""
    spec = job.spec
    if spec.render.fit == "contain":
        return None
    try:
        platforms = registry.resolve(spec.platforms)
    except UnknownPlatform:  # a custom preset deleted since
        return None
    focus = spec.render.focus or (job.focus_x or 0.5, job.focus_y or 0.5)
    plan = plan_for(spec, size, platforms, focus)
    return placed(plan, platforms, focus, own_points(spec))


class JobDetailsLoader(QObject):
    """load(job_id) → `loaded(JobDetails)`; only the latest request's answer is delivered."""

    loaded = Signal(object)
    failed = Signal(str)
    imageReady = Signal(QImage)  # from decode_full()

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

    def load(self, job_id: str) -> None:
        tasks.run(
            partial(load_details, self.ctx.library, self.ctx.platforms, job_id),
            owner=self,
            latest="details",
            done=self.loaded.emit,
            failed=self._failed,
        )

    def decode_full(self, path: Path) -> None:
        tasks.run(partial(QImage, str(path)), owner=self, latest="image", done=self.imageReady.emit)

    def wait(self, msecs: int = 3000) -> None:
        tasks.wait(self, msecs=msecs)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, SnapAssetError):
            self.failed.emit(exc.message)
        else:  # logged with its traceback where it happened
            self.failed.emit(f"This job can't be shown: {exc}")


class VariantModel(QAbstractListModel):
    """The source and each platform variant of one job, as cards."""

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._assets: list[AssetRecord] = []
        self._platforms: dict[str, Platform] = {}
        self._plan: CompositionPlan | None = None
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
        self._plan = details.plan if details else None
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
        number = f" {asset.variant + 1}" if asset.variant else ""
        if asset.is_source:
            return f"Source{number}"
        if asset.expansion_key is not None:
            return f"Expanded{number} · {_group_label(asset.expansion_key)}"
        platform = self._platforms.get(asset.platform)
        return f"{platform.network} · {platform.label}" if platform else asset.platform

    def note(self, asset: AssetRecord) -> str:
        if asset.is_source:
            return "original"
        if asset.expansion_key is not None:
            return "the source, made larger"
        if self._plan is None:
            return "padded" if asset.platform in self._platforms else ""
        fit = next((f for f in self._plan.platforms if f.platform_id == asset.platform), None)
        if fit is None:
            return ""
        if fit.expansion is not None:
            return f"expanded · keeps {fit.kept:.0%}"
        return f"crops {1 - fit.kept:.0%}"

    def fit_of(self, asset: AssetRecord) -> str | None:
        """How a platform version gets its picture: "cover", "expand", "contain" (None: not
        a platform version)."""
        if asset.is_original or asset.platform not in self._platforms:
            return None
        if self._plan is None:
            return "contain"
        fit = next((f for f in self._plan.platforms if f.platform_id == asset.platform), None)
        return fit.fit if fit else None

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
                size = f"{asset.width} × {asset.height}, {asset.format.upper()}"
                tip = f"{self.label(asset)} — {size}"
                return f"{tip}\n{asset.warning}" if asset.warning else tip
            case GalleryRole.WARNING:
                return asset.warning
            case _ if role == ZONES_ROLE:
                platform = self._platforms.get(asset.platform)
                return zones_for(platform) if platform and not asset.is_original else ()
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


def _group_label(key: str) -> str:
    """ "tall" → "tall formats"; a split group ("tall-wider") says which way it grew."""
    group, _, way = key.partition("-")
    label = next((g.label for g in SHAPE_GROUPS if g.key == group), group)
    return f"{label}, {way}" if way else label
