"""Gallery thumbnails, made and decoded off the GUI thread.

A request goes to the library's thumbnail cache (rendered once, found again by
the image's sha256) in the thumbnails' own pool (`ui.tasks.THUMBNAILS`); the
small cached file is decoded there too (and scaled down to the card if bigger),
and only the finished QImage crosses to the GUI thread. Requests for the same
asset are merged, and those for cards scrolled out of view are cancelled: a
cancelled request never starts. On the GUI thread the pictures wait in a
`PixmapCache` bounded in bytes.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, QSize, Qt, Signal
from PySide6.QtGui import QImage, QPixmap

from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.library.thumbnails import ThumbnailCache
from snapasset_desktop.ui import tasks

log = logging.getLogger(__name__)

THUMB_SIZE = 256  # the cache's size: big enough for a card on a 2x screen


def make_thumbnail(cache: ThumbnailCache, path: Path, sha256: str, target: QSize) -> QImage:
    """A pool thread: the cached thumbnail (made once), no bigger than `target`; a null
    image when the file is missing or damaged (the card shows it broken)."""
    image = QImage()
    try:
        thumb = cache.get(path, THUMB_SIZE, key=sha256)
        image = QImage(str(thumb))
        # Down only: enlarging adds no detail (the card's painter scales anyway) but
        # costs memory: a 256 px thumbnail made 300×300 was 1.4× the bytes, a 96 px 10×.
        if not image.isNull() and _larger(image.size(), target):
            image = image.scaled(
                target,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
    except Exception as exc:
        log.debug("thumbnail failed for %s: %s", path.name, exc)
    return image


class ThumbnailLoader(QObject):
    """request(asset) → later `loaded(asset_id, sha256, image)` or `failed(asset_id)`."""

    loaded = Signal(int, str, QImage)
    failed = Signal(int)

    def __init__(
        self,
        cache: ThumbnailCache,
        data_dir: Path,
        parent: QObject | None = None,
        *,
        target: QSize | None = None,
    ) -> None:
        super().__init__(parent)
        self.cache = cache
        self.data_dir = data_dir
        self.target = target or QSize(THUMB_SIZE, THUMB_SIZE)
        self._requests: dict[int, tuple[str, tasks.Task]] = {}  # asset id -> (sha256, task)

    def request(self, asset: AssetRecord) -> None:
        """Queue the asset's thumbnail unless that version of it is already on its way."""
        asked = self._requests.get(asset.id)
        if asked is not None:
            if asked[0] == asset.sha256:
                return
            asked[1].cancel()  # re-rendered since: the old picture is no use
        work = partial(
            make_thumbnail, self.cache, self.data_dir / asset.path, asset.sha256, self.target
        )
        task = tasks.run(
            work,
            owner=self,
            pool=tasks.THUMBNAILS,
            done=partial(self._finished, asset.id, asset.sha256),
        )
        self._requests[asset.id] = (asset.sha256, task)

    def pending(self) -> int:
        return len(self._requests)

    def retain(self, asset_ids: Iterable[int]) -> int:
        """Cancel requests for assets not in `asset_ids` (scrolled away); returns how many.

        A request already being made finishes; its result is still delivered."""
        keep = set(asset_ids)
        dropped = [asset_id for asset_id in self._requests if asset_id not in keep]
        for asset_id in dropped:
            self._requests.pop(asset_id)[1].cancel()
        return len(dropped)

    def cancel_all(self) -> None:
        self.retain(())

    def shutdown(self, msecs: int = 3000) -> None:
        """Drop what waits and let running requests finish (call before the app quits)."""
        self.cancel_all()
        tasks.wait(self, msecs=msecs)

    def _finished(self, asset_id: int, sha256: str, image: QImage) -> None:
        asked = self._requests.get(asset_id)
        if asked is not None and asked[0] == sha256:
            del self._requests[asset_id]
        if image.isNull():
            self.failed.emit(asset_id)
        else:
            self.loaded.emit(asset_id, sha256, image)


class PixmapCache:
    """Decoded thumbnails by asset id, least recently used out first, bounded in bytes:
    a count is no bound, a card's picture weighs from a few KB to ~256 KB."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[int, tuple[str, QPixmap, int]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, asset_id: int, sha256: str) -> QPixmap | None:
        """That version of the asset's picture (now the most recently used), or None."""
        item = self._items.get(asset_id)
        if item is None or item[0] != sha256:
            return None
        self._items.move_to_end(asset_id)
        return item[1]

    def has(self, asset_id: int, sha256: str) -> bool:
        item = self._items.get(asset_id)
        return item is not None and item[0] == sha256

    def put(self, asset_id: int, sha256: str, image: QImage) -> None:
        """Keep the picture (on the GUI thread: it becomes a QPixmap), dropping the least
        recently used ones beyond `max_bytes` (never the one just put)."""
        self.pop(asset_id)
        size = image.sizeInBytes()
        self._items[asset_id] = (sha256, QPixmap.fromImage(image), size)
        self.bytes += size
        while self.bytes > self.max_bytes and len(self._items) > 1:
            _, (_, _, dropped) = self._items.popitem(last=False)
            self.bytes -= dropped

    def pop(self, asset_id: int) -> None:
        item = self._items.pop(asset_id, None)
        if item is not None:
            self.bytes -= item[2]


def _larger(size: QSize, target: QSize) -> bool:
    return target.isValid() and (size.width() > target.width() or size.height() > target.height())
