"""Gallery thumbnails, made and decoded off the GUI thread.

A request goes to the library's thumbnail cache (rendered once, found again by
the image's sha256) in the loader's own two-thread pool; the small cached file
is decoded there too (and scaled down to the card if bigger), and only the
finished QImage crosses to the GUI thread. Requests for the same asset are
merged, and those for cards scrolled out of view are cancelled: a cancelled
request that reaches a thread returns at once without touching the disk. On the
GUI thread the pictures wait in a `PixmapCache` bounded in bytes.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QSize, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QImage, QPixmap

from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.library.thumbnails import ThumbnailCache

log = logging.getLogger(__name__)

THUMB_SIZE = 256  # the cache's size: big enough for a card on a 2x screen


class _Relay(QObject):
    """Carries a worker's result to the GUI thread (queued: it lives there)."""

    done = Signal(int, str, QImage)  # asset id, sha256, image (null when it failed)


class _Ticket:
    """One request as the GUI thread sees it; the runnable itself belongs to the pool."""

    __slots__ = ("cancelled", "sha256")

    def __init__(self, sha256: str) -> None:
        self.sha256 = sha256
        self.cancelled = False  # set on the GUI thread, read once by the worker


class _ThumbnailJob(QRunnable):
    def __init__(
        self,
        relay: _Relay,
        cache: ThumbnailCache,
        ticket: _Ticket,
        asset_id: int,
        path: Path,
        target: QSize,
    ) -> None:
        super().__init__()
        self.relay = relay
        self.cache = cache
        self.ticket = ticket
        self.asset_id = asset_id
        self.sha256 = ticket.sha256
        self.path = path
        self.target = target

    def run(self) -> None:
        if self.ticket.cancelled:
            return
        image = QImage()
        try:
            thumb = self.cache.get(self.path, THUMB_SIZE, key=self.sha256)
            image = QImage(str(thumb))
            # Down only: enlarging adds no detail (the card's painter scales anyway) but
            # costs memory: a 256 px thumbnail made 300×300 was 1.4× the bytes, a 96 px 10×.
            if not image.isNull() and _larger(image.size(), self.target):
                image = image.scaled(
                    self.target,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
        except Exception as exc:  # a missing or damaged file shows as a broken card
            log.debug("thumbnail failed for asset %s: %s", self.asset_id, exc)
        with suppress(RuntimeError):  # the loader was deleted while this ran (window closing)
            self.relay.done.emit(self.asset_id, self.sha256, image)


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
        threads: int = 2,
    ) -> None:
        super().__init__(parent)
        self.cache = cache
        self.data_dir = data_dir
        self.target = target or QSize(THUMB_SIZE, THUMB_SIZE)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._relay = _Relay(self)
        self._relay.done.connect(self._finished)
        self._tickets: dict[int, _Ticket] = {}

    def request(self, asset: AssetRecord) -> None:
        """Queue the asset's thumbnail unless that version of it is already on its way."""
        ticket = self._tickets.get(asset.id)
        if ticket is not None:
            if ticket.sha256 == asset.sha256:
                return
            ticket.cancelled = True  # re-rendered since: the old picture is no use
        ticket = self._tickets[asset.id] = _Ticket(asset.sha256)
        path = self.data_dir / asset.path
        self.pool.start(_ThumbnailJob(self._relay, self.cache, ticket, asset.id, path, self.target))

    def pending(self) -> int:
        return len(self._tickets)

    def retain(self, asset_ids: Iterable[int]) -> int:
        """Cancel requests for assets not in `asset_ids` (scrolled away); returns how many.

        A request already being made finishes; its result is still delivered."""
        keep = set(asset_ids)
        dropped = [asset_id for asset_id in self._tickets if asset_id not in keep]
        for asset_id in dropped:
            self._tickets.pop(asset_id).cancelled = True
        return len(dropped)

    def cancel_all(self) -> None:
        self.retain(())

    def shutdown(self, msecs: int = 3000) -> None:
        """Drop what waits and let running requests finish (call before the app quits)."""
        self.cancel_all()
        self.pool.waitForDone(msecs)

    @Slot(int, str, QImage)
    def _finished(self, asset_id: int, sha256: str, image: QImage) -> None:
        ticket = self._tickets.get(asset_id)
        if ticket is not None and ticket.sha256 == sha256:
            del self._tickets[asset_id]
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
