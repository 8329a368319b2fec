"""Gallery thumbnails in memory: never enlarged, and held within a byte budget."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.gallery.model import CARD_THUMB
from snapasset_desktop.ui.gallery.thumbnail_loader import THUMB_SIZE, PixmapCache
from tests.conftest import write_settings
from tests.test_ui_gallery import gallery, make_jobs, stop


@pytest.fixture
def ctx(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder")
    context = AppContext.open()
    yield context
    context.close()


def image(width: int, height: int = 100) -> QImage:
    picture = QImage(width, height, QImage.Format.Format_RGB32)
    picture.fill(QColor("teal"))
    return picture


def test_cache_drops_the_least_recently_used_beyond_its_bytes(qapp) -> None:
    one = image(100).sizeInBytes()  # 40,000 bytes
    cache = PixmapCache(max_bytes=3 * one)
    for asset_id in range(3):
        cache.put(asset_id, "v1", image(100))
    assert cache.get(0, "v1") is not None  # 0 is now the most recently used
    cache.put(3, "v1", image(100))
    assert (len(cache), cache.bytes) == (3, 3 * one)
    assert cache.get(1, "v1") is None and cache.has(0, "v1") and cache.has(3, "v1")

    cache.put(4, "v1", image(200))  # twice the bytes: two older ones make room
    kept = [asset_id for asset_id in range(5) if cache.has(asset_id, "v1")]
    assert kept == [3, 4] and cache.bytes == 3 * one
    assert cache.get(4, "v2") is None  # re-rendered since: that picture is stale
    cache.pop(4)
    assert (len(cache), cache.bytes) == (1, one)


def test_a_picture_bigger_than_the_budget_is_still_kept(qapp) -> None:
    cache = PixmapCache(max_bytes=1_000)
    cache.put(1, "v1", image(100))
    cache.put(2, "v1", image(100))
    assert len(cache) == 1 and cache.get(2, "v1") is not None


def test_loaded_thumbnails_are_not_enlarged_to_the_card(qtbot: QtBot, ctx) -> None:
    make_jobs(ctx, 1, platforms=("x-post", "instagram-square"))  # 1600×900 and 1080×1080
    view = gallery(qtbot, ctx)
    model = view.model
    try:
        qtbot.waitUntil(lambda: model.cached_thumbnails == 2, timeout=10_000)
        for row in range(2):
            pixmap = model.data(model.index(row), Qt.ItemDataRole.DecorationRole)
            # the cached thumbnail's own size (longest side 256), not stretched to 360×300
            assert max(pixmap.width(), pixmap.height()) == THUMB_SIZE < CARD_THUMB.width()
        assert model.thumbnail_bytes == 256 * 144 * 4 + 256 * 256 * 4
    finally:
        stop(view)
