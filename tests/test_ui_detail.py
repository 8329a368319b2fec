"""The detail pane: variants side by side, the focal point editor, re-render, regenerate,
copy, delete, and a running job shown live."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QPushButton, QToolButton
from pytestqt.qtbot import QtBot

from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.providers.pricing import format_usd
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.bridge import EngineBridge
from snapasset_desktop.ui.details.focal_point_editor import FocalPointEditor
from snapasset_desktop.ui.details.pane import DetailPane
from snapasset_desktop.ui.gallery.model import GalleryRole
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer
from tests.helpers.panes import open_pane

PLATFORMS = ["x-post", "instagram-story", "linkedin-banner"]


@pytest.fixture
def ctx(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder", quality="high")
    context = AppContext.open()
    yield context
    context.close()


@pytest.fixture
def pane(qtbot: QtBot, ctx: AppContext) -> Iterator[DetailPane]:
    with open_pane(qtbot, ctx, size=(640, 820)) as widget:
        yield widget


@pytest.fixture
def bridge(pane: DetailPane) -> EngineBridge:
    """The pane's own bridge, to wait for what it is told."""
    assert pane.bridge is not None
    return pane.bridge


def finished_job(
    ctx: AppContext, prompt: str = "a lighthouse on a cliff", fit: str = "cover"
) -> str:
    job = ctx.jobs.submit(ctx.specs.build(prompt, PLATFORMS, fit=fit))
    assert ctx.queue.executor.execute(job.id) == "completed"
    return job.id


def shown(qtbot: QtBot, pane: DetailPane, job_id: str, rows: int) -> None:
    qtbot.waitUntil(
        lambda: (
            pane.job is not None
            and pane.job.id == job_id
            and pane.variants.rowCount() == rows
            and pane.focus_tab.editor.has_source()
        )
    )


def test_source_and_variants_side_by_side(qtbot: QtBot, ctx, pane) -> None:
    job_id = finished_job(ctx, fit="auto")
    story = next(a for a in ctx.library.assets_for_job(job_id) if a.platform == "instagram-story")
    pane.show_asset(story)
    rows = 1 + 3 + len(PLATFORMS)  # the source, its three expansions, the platforms
    shown(qtbot, pane, job_id, rows)
    model = pane.variants
    labels = [model.data(model.index(r), GalleryRole.PLATFORM) for r in range(model.rowCount())]
    assert labels[:4] == [
        "Source",
        "Expanded · tall formats",
        "Expanded · wide formats",
        "Expanded · banners",
    ]
    assert "Instagram · Story / Reel" in labels
    assert pane.current_asset().id == story.id  # the asset asked for is selected
    sizes = {model.data(model.index(r), GalleryRole.SIZE) for r in range(model.rowCount())}
    assert {"1600 × 900", "1080 × 1920", "1584 × 396"} <= sizes
    notes = [model.data(model.index(r), GalleryRole.NOTE) for r in range(model.rowCount())]
    assert notes[0] == "original" and notes[1] == "the source, made larger"
    assert all(n.startswith("expanded · keeps ") for n in notes[4:])
    assert all(model.data(model.index(r), GalleryRole.FILE_SIZE) for r in range(rows))
    assert "a lighthouse on a cliff" in pane.prompt.text()
    # The placeholder has no generation quality to tell; the files' format applies.
    assert "quality" not in pane.meta.text() and "source" in pane.meta.text()
    assert "  ·  PNG  ·  " in pane.meta.text()
    # Cards load their pictures as they come into view: the strip shows the story's.
    viewport = pane.strip.viewport().rect()
    visible = [r for r in range(rows) if pane.strip.visualRect(model.index(r)).intersects(viewport)]
    assert model.row_of(story.id) in visible
    qtbot.waitUntil(
        lambda: all(
            model.data(model.index(r), GalleryRole.THUMB_STATE) == "ready" for r in visible
        ),
        timeout=10_000,
    )


def test_dragging_the_point_moves_every_crop(qtbot: QtBot) -> None:
    editor = FocalPointEditor()
    qtbot.addWidget(editor)
    editor.resize(500, 400)
    editor.show()
    qtbot.waitExposed(editor)
    image = QImage(400, 400, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkCyan)
    ctx_platforms = PlatformRegistry.from_settings([])
    editor.set_source(image, (2000, 2000))
    editor.set_platforms([ctx_platforms.get("x-post"), ctx_platforms.get("instagram-story")])
    before = editor.crop_boxes()
    assert before["x-post"][1] > 0  # centred: the band sits mid-height

    moves = []
    editor.focusChanged.connect(lambda x, y: moves.append((x, y)))
    start = editor.point_for((0.5, 0.5)).toPoint()
    end = editor.point_for((0.1, 0.05)).toPoint()
    qtbot.mousePress(editor, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(editor, QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2))
    qtbot.mouseMove(editor, end)
    qtbot.mouseRelease(editor, Qt.MouseButton.LeftButton, pos=end)
    x, y = editor.focus()
    assert x == pytest.approx(0.1, abs=0.01) and y == pytest.approx(0.05, abs=0.01)
    assert len(moves) >= 2  # live, while dragging
    after = editor.crop_boxes()
    assert after["x-post"][1] == 0  # the band moved up to the top edge
    assert after["instagram-story"][0] == 0 and before["instagram-story"][0] > 0

    qtbot.mousePress(editor, Qt.MouseButton.LeftButton, pos=QPoint(1, 1))  # outside: clamped
    assert editor.focus() == (0.0, 0.0)


def test_apply_focal_point_rerenders_from_the_stored_source(qtbot: QtBot, ctx, pane, bridge):
    job_id = finished_job(ctx)
    before = {a.platform: a for a in ctx.library.assets_for_job(job_id, include_source=True)}
    pane.show_job(job_id)
    shown(qtbot, pane, job_id, 4)
    apply = pane.findChild(QPushButton, "applyFocusButton")
    assert not apply.isEnabled()  # nothing changed yet

    editor = pane.focus_tab.editor
    target = editor.point_for((0.9, 0.9)).toPoint()
    qtbot.mousePress(editor, Qt.MouseButton.LeftButton, pos=editor.point_for((0.5, 0.5)).toPoint())
    qtbot.mouseMove(editor, target)
    qtbot.mouseRelease(editor, Qt.MouseButton.LeftButton, pos=target)
    assert apply.isEnabled()
    apply.click()  # queued off the GUI thread; the pane shows it once it is
    qtbot.waitUntil(lambda: pane.job.status == "queued" and pane.progress.isVisible())
    assert ctx.jobs.get(job_id).status == "queued"

    with qtbot.waitSignal(bridge.jobFinished, timeout=5000):
        assert ctx.queue.executor.execute(job_id) == "completed"
    qtbot.waitUntil(lambda: pane.job.status == "completed" and not pane.progress.isVisible())
    after = {a.platform: a for a in ctx.library.assets_for_job(job_id, include_source=True)}
    job = ctx.jobs.get(job_id)
    assert (job.focus_x, job.focus_y) == pytest.approx(editor.focus(), abs=0.01)
    assert after["source"].sha256 == before["source"].sha256  # no new generation
    assert after["x-post"].sha256 != before["x-post"].sha256  # the crop moved
    assert after["x-post"].id == before["x-post"].id  # replaced, not duplicated
    assert not apply.isEnabled()  # the job's focus is the editor's now


def test_regenerate_queues_the_same_request(qtbot: QtBot, ctx, pane) -> None:
    job_id = finished_job(ctx)
    pane.show_job(job_id)
    shown(qtbot, pane, job_id, 4)
    with qtbot.waitSignal(pane.jobSubmitted) as submitted:
        pane.findChild(QToolButton, "regenerateButton").click()
    new = ctx.jobs.get(submitted.args[0])
    old = ctx.jobs.get(job_id)
    assert new.id != old.id and new.status == "queued"
    assert (new.prompt, new.platforms) == (old.prompt, old.platforms)
    assert new.spec == old.spec
    assert pane.job_id == new.id  # follows the new job live
    qtbot.waitUntil(lambda: pane.progress.isVisible())


def test_running_job_is_shown_live(qtbot: QtBot, ctx, pane, bridge) -> None:
    job = ctx.jobs.submit(ctx.specs.build("a live one", ["x-post"]))
    pane.show_job(job.id)
    qtbot.waitUntil(lambda: pane.job is not None and pane.progress.isVisible())
    assert not pane.findChild(QPushButton, "applyFocusButton").isEnabled()
    seen = []
    bridge.jobPreview.connect(lambda *_: seen.append(pane.focus_tab.editor.has_source()))
    with qtbot.waitSignal(bridge.jobFinished, timeout=5000):
        ctx.queue.executor.execute(job.id)
    assert seen and all(seen)  # each partial preview was on screen
    shown(qtbot, pane, job.id, 2)
    assert not pane.progress.isVisible()


def test_favourite_copy_and_delete(qtbot: QtBot, ctx, pane) -> None:
    job_id = finished_job(ctx)
    pane.show_job(job_id)
    shown(qtbot, pane, job_id, 4)
    asset = pane.current_asset()
    assert asset is not None and not asset.is_source

    pane.findChild(QToolButton, "favouriteButton").click()
    assert ctx.library.get_asset(asset.id).favourite

    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    pane.findChild(QToolButton, "copyButton").click()
    qtbot.waitUntil(lambda: not clipboard.image().isNull())
    assert (clipboard.image().width(), clipboard.image().height()) == (asset.width, asset.height)

    path = ctx.library.asset_path(asset)
    with qtbot.waitSignal(pane.assetsDeleted) as deleted:
        assert pane.delete_current(confirm=False)
    assert deleted.args == [[asset.id]] and not path.exists()
    shown(qtbot, pane, job_id, 3)


def test_an_import_says_what_applies_to_it(
    qtbot: QtBot, ctx: AppContext, pane: DetailPane, tmp_path: Path
) -> None:
    """The details called an imported photo "auto quality", a setting of generation."""
    from tests.helpers.images import encoded, photo

    path = tmp_path / "holiday.jpg"
    path.write_bytes(encoded(photo((640, 480)), "JPEG", quality=90))
    job = ctx.jobs.import_image(path, ["x-post"])
    assert ctx.queue.executor.execute(job.id) == "completed"
    pane.show_job(job.id)
    shown(qtbot, pane, job.id, 3)  # the photo, its expansion to 16:9, the post
    meta = pane.meta.text()
    assert meta.startswith("imported holiday.jpg  ·  ") and "JPEG, quality 90" in meta
    assert "quality  ·" not in meta and "high quality" not in meta


def test_meta_line_shows_what_a_paid_job_cost_and_nothing_for_a_free_one(
    qtbot: QtBot, fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(provider="openai", openai_base_url=fake_openai.base_url, partial_images=0)
    ctx = AppContext.open()
    pane = DetailPane(ctx)
    qtbot.addWidget(pane)
    try:
        paid = ctx.jobs.submit(ctx.specs.build("a paid lighthouse", ["x-post"]))
        assert ctx.queue.executor.execute(paid.id) == "completed"  # priced by the real budget
        cost = ctx.library.get_job(paid.id).cost_usd
        assert cost and cost > 0.005
        pane.show_job(paid.id)
        shown(qtbot, pane, paid.id, 2)
        assert pane.meta.text().endswith(f"·  {format_usd(cost)}")
        assert "estimate" in pane.meta.toolTip()

        free = ctx.jobs.submit(ctx.specs.build("free", ["x-post"], provider="placeholder"))
        assert ctx.queue.executor.execute(free.id) == "completed"
        assert ctx.library.get_job(free.id).cost_usd is None
        pane.show_job(free.id)
        shown(qtbot, pane, free.id, 2)
        assert "$" not in pane.meta.text() and pane.meta.toolTip() == ""

        ctx.library.update_job(free.id, cost_usd=0.0)  # charged nothing: still free
        pane.show_job(free.id)
        qtbot.waitUntil(lambda: pane.job.cost_usd == 0.0)
        assert "$" not in pane.meta.text()

        ctx.library.update_job(free.id, cost_usd=0.0021)  # a cheap image is not shown as $0.00
        pane.show_job(free.id)
        qtbot.waitUntil(lambda: pane.job.cost_usd == 0.0021)
        assert pane.meta.text().endswith("·  <$0.01")
    finally:
        pane.loader.wait()
        pane.variants.loader.shutdown()
        ctx.close()


def test_alt_text_is_shown_with_its_origin_edited_and_saved(qtbot: QtBot, ctx, pane) -> None:
    job_id = finished_job(ctx, "a lighthouse on a cliff at dawn")
    other = finished_job(ctx, "a red fox in snow")
    alt = pane.alt_text
    with qtbot.waitSignal(alt.loaded):
        pane.show_job(job_id)
    suggested = ctx.jobs.alt_text(job_id)
    assert suggested is not None and suggested.text
    assert alt.edit.toPlainText() == suggested.text
    assert alt.origin.text() == "suggested from the prompt"
    assert not alt.save_button.isEnabled()  # nothing to save yet

    alt.edit.setPlainText("A white lighthouse on a  cliff above a calm sea at dawn.")
    assert alt.save_button.isEnabled() and alt.counter.text().startswith("55 /")
    with qtbot.waitSignal(alt.saved):
        alt.save_button.click()
    stored = ctx.jobs.alt_text(job_id)
    assert stored.text == "A white lighthouse on a cliff above a calm sea at dawn."
    assert stored.origin == "designer" and alt.origin.text() == "yours"
    assert not alt.save_button.isEnabled()

    alt.edit.setPlainText("Typed, then another job was shown.")
    with qtbot.waitSignal(alt.saved):
        pane.show_job(other)  # an unsaved edit is saved, not lost
    assert ctx.jobs.alt_text(job_id).text == "Typed, then another job was shown."
    qtbot.waitUntil(lambda: alt.job_id == other and alt.edit.isEnabled())
    assert alt.edit.toPlainText() == ctx.jobs.alt_text(other).text


def test_no_alt_text_says_why(qtbot: QtBot, ctx, pane) -> None:
    ctx.settings.update(alt_text=False)
    job_id = finished_job(ctx)
    with qtbot.waitSignal(pane.alt_text.loaded):
        pane.show_job(job_id)
    assert pane.alt_text.edit.toPlainText() == ""
    assert pane.alt_text.note.text() == (
        "No alt text yet — suggestions are off in Settings; write it here."
    )
