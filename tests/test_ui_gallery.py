"""The gallery: paging 10,000 assets, filters, real thumbnails, live merges, drag-out, undo."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QListView, QToolButton
from pytestqt.qtbot import QtBot

from snapasset_desktop.library.db import open_database
from snapasset_desktop.library.models import AssetQuery, AssetSort
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.bridge import EngineBridge
from snapasset_desktop.ui.gallery.model import PAGE, GalleryRole
from snapasset_desktop.ui.gallery.view import GalleryView
from tests.conftest import write_settings
from tests.helpers.specs import make_spec

PLATFORMS = ("x-post", "instagram-square", "youtube-thumbnail", "threads")


@pytest.fixture
def ctx(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder")
    context = AppContext.open()
    yield context
    context.close()


@pytest.fixture
def bridge(ctx: AppContext) -> Iterator[EngineBridge]:
    engine = EngineBridge(ctx.queue)
    yield engine
    engine.close()


def make_jobs(ctx: AppContext, count: int, platforms=("x-post", "instagram-story")) -> list[str]:
    """Real jobs through the real queue code, run synchronously (placeholder provider)."""
    ids = []
    for n in range(count):
        job = ctx.jobs.submit(ctx.specs.build(f"harbour at dawn number {n}", list(platforms)))
        assert ctx.queue.executor.execute(job.id) == "completed"
        ids.append(job.id)
    return ids


def seed_rows(ctx: AppContext, jobs: int) -> None:
    """Bulk rows straight into library.db (4 assets a job; files are not needed to page)."""
    start = time.time() - jobs * 60
    prompts = ["a red fox in snow", "neon city at night", "summer sale banner", "a calm lake"]
    specs = [make_spec(prompt, PLATFORMS).to_json() for prompt in prompts]
    job_rows, asset_rows = [], []
    for j in range(jobs):
        created = start + j * 60
        job_rows.append(
            (
                f"job{j:05d}",
                "completed",
                prompts[j % 4],
                json.dumps(PLATFORMS),
                specs[j % 4],
                created,
            )
        )
        for p in PLATFORMS:
            path = f"assets/x/{j}/{p}.png"
            asset_rows.append((f"job{j:05d}", p, 1600, 900, "png", path, 1000 + j, "0" * 64,
                               int(j % 10 == 0), created + 1))  # fmt: skip
    conn = open_database(ctx.library.paths.library_db)
    with conn:
        conn.executemany(
            "INSERT INTO jobs (id, status, prompt, platforms, spec, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?6)",
            job_rows,
        )
        conn.executemany(
            "INSERT INTO assets (job_id, platform, width, height, format, path, bytes, sha256, "
            "favourite, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            asset_rows,
        )
    conn.close()


def gallery(qtbot: QtBot, ctx: AppContext, bridge: EngineBridge | None = None) -> GalleryView:
    view = GalleryView(ctx, bridge)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    qtbot.waitExposed(view)
    return view


def stop(view: GalleryView) -> None:
    view.model.loader.shutdown()


def test_ten_thousand_assets_open_at_once_and_page_on_demand(qtbot: QtBot, ctx) -> None:
    seed_rows(ctx, 2_500)
    view = gallery(qtbot, ctx)  # how fast the first screen comes: bench/gui.py
    model = view.model
    try:
        # Every row from the start; records are read only for the pages on screen.
        assert (model.total, model.rowCount()) == (10_000, 10_000)
        qtbot.waitUntil(lambda: model.pages_read >= 1)  # the first screen's page
        assert model.pages_read <= 2 and model.records_held <= 2 * PAGE
        view.list.scrollToBottom()  # the oldest asset (id 1) is on the last row
        qtbot.waitUntil(lambda: model.row_of(1) == 9_999)
        assert model.records_held <= 3 * PAGE  # the bottom page read, none in between
        last = model.asset(9_999)
        assert last.job_id == "job00000"  # oldest last
        first = model.asset(0)
        assert first.job_id == "job02499"  # newest first
        assert view.count.text().startswith("10,000 assets")

        model.set_query(AssetQuery(platforms=["x-post"], favourite=True), AssetSort.NEWEST)
        assert model.total == 250 and model.rowCount() == 250
        assert {model.data(model.index(r), GalleryRole.PLATFORM) for r in range(250)} == {
            "X · Post image"
        }
        model.set_query(AssetQuery(text="fox"), AssetSort.OLDEST)
        assert model.total == 2_500 and model.asset(0).job_id == "job00000"
    finally:
        stop(view)


def test_filter_bar_narrows_the_grid(qtbot: QtBot, ctx) -> None:
    seed_rows(ctx, 40)  # 160 assets
    view = gallery(qtbot, ctx)
    model = view.model
    try:
        search = view.findChild(QLineEdit, "searchEdit")
        qtbot.keyClicks(search, "fox")
        qtbot.waitUntil(lambda: model.total == 40)  # after the debounce
        assert all("fox" in model.asset(r).prompt for r in range(model.rowCount()))

        platform = view.findChild(QComboBox, "platformFilter")
        platform.setCurrentIndex(platform.findData(["threads"]))
        assert model.total == 10
        view.findChild(QToolButton, "favouriteFilter").click()
        assert model.total == 2  # jobs 0 and 20: fox prompts that are favourites
        sort = view.findChild(QComboBox, "sortCombo")
        sort.setCurrentIndex(sort.findData("oldest"))
        assert model.sort == AssetSort.OLDEST

        search.setText("no such words")
        qtbot.waitUntil(lambda: view.empty.isVisible())
        assert "Nothing matches" in view.empty.heading.text()
        view.empty.clearButton.click()
        assert model.total == 160 and view.list.isVisible()
    finally:
        stop(view)


def test_empty_library_says_so(qtbot: QtBot, ctx) -> None:
    view = gallery(qtbot, ctx)
    assert view.empty.isVisible() and "library is empty" in view.empty.heading.text()
    assert not view.empty.clearButton.isVisible()


def test_thumbnails_load_off_thread_for_real_assets(qtbot: QtBot, ctx) -> None:
    make_jobs(ctx, 3)
    view = gallery(qtbot, ctx)
    model = view.model
    try:
        assert model.rowCount() == 6
        placeholder = model.placeholder.cacheKey()

        def all_ready() -> bool:
            return all(
                model.data(model.index(r), Qt.ItemDataRole.DecorationRole).cacheKey() != placeholder
                for r in range(model.rowCount())
            )

        qtbot.waitUntil(all_ready, timeout=10_000)
        pixmap = model.data(model.index(0), Qt.ItemDataRole.DecorationRole)
        asset = model.asset(0)
        # aspect kept: a 1600×900 X post stays landscape, a story stays portrait
        assert (pixmap.width() > pixmap.height()) == (asset.width > asset.height)
        assert model.data(model.index(0), GalleryRole.THUMB_STATE) == "ready"
        assert model.loader.pending() == 0
    finally:
        stop(view)


def test_scrolled_away_thumbnail_requests_are_cancelled(qtbot: QtBot, ctx) -> None:
    seed_rows(ctx, 100)  # no files: every request would fail, but most never run
    view = gallery(qtbot, ctx)
    model = view.model
    try:
        for row in range(model.rowCount()):
            model.data(model.index(row), Qt.ItemDataRole.DecorationRole)  # ask for all
        model.keep_thumbnails_for(range(0, 10))
        assert model.loader.pending() <= 10 + tasks.THREADS[tasks.THUMBNAILS]
        qtbot.waitUntil(lambda: model.loader.pending() == 0)
        assert model.data(model.index(0), GalleryRole.THUMB_STATE) == "broken"  # no file
    finally:
        stop(view)


def test_finished_job_appears_at_the_top_once(qtbot: QtBot, ctx, bridge) -> None:
    make_jobs(ctx, 1)
    view = gallery(qtbot, ctx, bridge)
    model = view.model
    try:
        assert model.rowCount() == 2
        job = ctx.jobs.submit(ctx.specs.build("a new lighthouse", ["youtube-thumbnail"]))
        with qtbot.waitSignal(bridge.jobFinished, timeout=5000):
            ctx.queue.executor.execute(job.id)
        assert model.rowCount() == 3 and model.asset(0).job_id == job.id
        model.on_job_finished(job.id, "completed")  # the bridge may repeat itself
        assert model.rowCount() == 3 and model.total == 3

        view.filters.search.setText("lighthouse")
        view.filters._search_now()
        other = ctx.jobs.submit(ctx.specs.build("a red barn", ["x-post"]))
        with qtbot.waitSignal(bridge.jobFinished, timeout=5000):
            ctx.queue.executor.execute(other.id)
        assert [model.asset(r).job_id for r in range(model.rowCount())] == [job.id]
    finally:
        stop(view)


def test_drag_out_carries_the_asset_files(qtbot: QtBot, ctx) -> None:
    make_jobs(ctx, 2)
    view = gallery(qtbot, ctx)
    model = view.model
    try:
        listing = view.findChild(QListView, "galleryList")
        assert listing.dragEnabled()
        assert model.flags(model.index(0)) & Qt.ItemFlag.ItemIsDragEnabled
        mime = model.mimeData([model.index(0), model.index(3), model.index(0)])
        paths = [Path(url.toLocalFile()) for url in mime.urls()]
        assert len(paths) == 2 and all(p.is_file() for p in paths)
        assert paths[0] == ctx.library.asset_path(model.asset(0))
        assert model.supportedDragActions() == Qt.DropAction.CopyAction
    finally:
        stop(view)


def test_delete_can_be_undone_then_happens(qtbot: QtBot, ctx) -> None:
    make_jobs(ctx, 2)  # 4 assets
    view = gallery(qtbot, ctx)
    model = view.model
    try:
        deleted = [model.asset(0), model.asset(1)]
        files = [ctx.library.asset_path(a) for a in deleted]
        selection = view.list.selectionModel()
        selection.select(model.index(0), selection.SelectionFlag.Select)
        selection.select(model.index(1), selection.SelectionFlag.Select)
        view.list.setFocus()
        qtbot.keyClick(view.list, Qt.Key.Key_Delete)
        assert model.rowCount() == 2 and view.undo_bar.isVisible()
        assert "Deleted 2 assets" in view.undo_bar.message.text()
        assert all(f.exists() for f in files)  # nothing gone yet

        view.findChild(QToolButton, "undoButton").click()
        assert [model.asset(r).id for r in range(2)] == [a.id for a in deleted]
        assert not view.undo_bar.isVisible() and ctx.library.count_assets() == 4

        selection.select(model.index(0), selection.SelectionFlag.ClearAndSelect)
        view._undo_timer.setInterval(50)
        view.delete_selected()
        with qtbot.waitSignal(view.assetsDeleted, timeout=3000) as blocker:
            pass
        assert blocker.args == [[deleted[0].id]]
        assert not files[0].exists() and files[1].exists()
        assert ctx.library.count_assets() == 3 and model.rowCount() == 3
        assert view.count.text().startswith("3 assets")
    finally:
        stop(view)


def test_selection_and_activation_signals(qtbot: QtBot, ctx) -> None:
    make_jobs(ctx, 1)
    view = gallery(qtbot, ctx)
    model = view.model
    try:
        with qtbot.waitSignal(view.selectionChangedTo) as selected:
            view.list.setCurrentIndex(model.index(1))
        assert [a.id for a in selected.args[0]] == [model.asset(1).id]
        view.list.setFocus()
        qtbot.keyClick(view.list, Qt.Key.Key_Space)
        assert view.viewer is not None and view.viewer.asset.id == model.asset(1).id
        view.viewer.close()
        view.toggle_favourite()
        assert ctx.library.get_asset(model.asset(1).id).favourite
        assert model.data(model.index(1), GalleryRole.FAVOURITE) is True
    finally:
        stop(view)


def test_a_narrow_gallery_puts_its_choices_on_a_second_row_instead_of_cutting_them(
    qtbot: QtBot, ctx
) -> None:
    view = gallery(qtbot, ctx)
    bar = view.filters
    combos = [bar.platform, bar.date, bar.batch, bar.sort_combo]
    try:
        view.resize(1000, 700)
        qtbot.waitUntil(lambda: bar.two_rows is False)
        assert abs(bar.search.y() - bar.platform.y()) <= 2  # one row (centred vertically)
        view.resize(520, 700)
        qtbot.waitUntil(lambda: bar.two_rows is True)
        qtbot.waitUntil(lambda: bar.platform.y() > bar.search.geometry().bottom())  # below
        for combo in combos:  # every label whole ("All platforms", not "All platfo")
            assert combo.width() >= combo.minimumSizeHint().width(), combo.objectName()
        assert bar.minimumSizeHint().width() <= 520  # the bar never holds the window wider
    finally:
        stop(view)


def test_a_paint_after_the_library_closed_shows_empty_cards(qtbot: QtBot, ctx) -> None:
    seed_rows(ctx, 3)
    view = gallery(qtbot, ctx)
    try:
        model = view.model
        model.refresh()  # no page held: the next paint reads one
        ctx.close()  # the app shutting down while a paint is still on its way
        assert model.data(model.index(0)) is None
        view.list.viewport().repaint()  # raised "the library is closed" from paint()
    finally:
        stop(view)
