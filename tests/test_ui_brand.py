"""Text layers in the window: the Brand page (kits made, edited, shared, deleted), the
composer's collapsed "Text & brand" fields, the details pane's layer editor (texts, a
dragged layer, reset to layout — drawn again without an API call) and the export's
clean-picture option."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.brand.dialog import BrandDialog
from snapasset_desktop.ui.compose.panel import ComposePanel
from snapasset_desktop.ui.details.pane import DetailPane
from snapasset_desktop.ui.export.dialog import ExportDialog
from snapasset_desktop.ui.export.scope import ExportScope
from tests.conftest import write_settings
from tests.helpers.brand import DESIGNER_FONT, logo_png, make_kit
from tests.helpers.fake_openai import FakeOpenAIServer
from tests.helpers.panes import open_pane

PLATFORMS = ["instagram-story", "x-post", "linkedin-banner"]


@pytest.fixture
def ctx(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder", partial_images=0, alt_text=False)
    context = AppContext.open()
    yield context
    context.close()


@pytest.fixture
def dialog(qtbot: QtBot, ctx: AppContext) -> BrandDialog:
    widget = BrandDialog(ctx)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def shown_kit(qtbot: QtBot, dialog: BrandDialog, name: str) -> None:
    qtbot.waitUntil(
        lambda: (
            dialog.kit_list.currentItem() is not None
            and dialog.kit_list.currentItem().text() == name
            and dialog.editor.name_edit.text() == name
        )
    )


# -- the Brand page ----------------------------------------------------------------------


def test_a_kit_is_made_edited_and_given_a_font_and_a_logo(
    qtbot: QtBot, ctx: AppContext, dialog: BrandDialog, tmp_path: Path
) -> None:
    assert dialog.empty.isVisible() and not dialog.editor.isEnabled()
    with qtbot.waitSignal(dialog.kitsChanged):
        qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    shown_kit(qtbot, dialog, "New kit")
    editor = dialog.editor
    editor.name_edit.setText("Harbour Café")
    editor.mood_edit.setText("calm, coastal")
    editor.colour_edits["primary"].setText("#0e7490")
    case = editor.style_combos[("cta", "case")]
    case.setCurrentIndex(case.findData("upper"))
    assert case.currentText() == "UPPERCASE"  # a designer's word for the stored value
    assert "Mood: calm, coastal." in editor.suffix_label.text()
    with qtbot.waitSignal(dialog.kitsChanged):
        qtbot.mouseClick(dialog.findChild(QPushButton, "saveKit"), Qt.MouseButton.LeftButton)
    shown_kit(qtbot, dialog, "Harbour Café")
    kit = ctx.brand.kit("Harbour Café")  # renamed: its id stays the one it was made with
    assert (kit.id, kit.mood, kit.palette.primary) == ("new-kit", "calm, coastal", "#0e7490")
    assert kit.styles.cta.case == "upper"

    logo = tmp_path / "harbour.png"
    logo.write_bytes(logo_png())
    with qtbot.waitSignal(dialog.kitsChanged):
        dialog.add_font(DESIGNER_FONT)
    with qtbot.waitSignal(dialog.kitsChanged):
        dialog.add_logo(logo)
    qtbot.waitUntil(lambda: editor.logo_list.count() == 1 and editor.font_list.count() == 1)
    assert editor.font_list.item(0).text() == "Caladea Bold"
    assert editor.style_combos[("headline", "font")].findText("Caladea Bold") == 0
    qtbot.waitUntil(lambda: not dialog.preview.pixmap().isNull())


def test_a_wrong_value_is_said_and_nothing_is_saved(
    qtbot: QtBot, ctx: AppContext, dialog: BrandDialog, tmp_path: Path
) -> None:
    make_kit(ctx.brand, tmp_path)
    dialog.reload()
    shown_kit(qtbot, dialog, "Acme")
    dialog.editor.colour_edits["text"].setText("white")
    dialog.save()
    assert dialog.message.isVisible()
    assert dialog.message.text() == "The text colour is written like #1f6feb, not “white”."
    assert ctx.brand.kit("acme").palette.text == "#ffffff"
    font = tmp_path / "not-a-font.ttf"
    font.write_bytes(b"%PDF" + b"\0" * 64)
    dialog.add_font(font)
    qtbot.waitUntil(lambda: "isn't a font file SnapAsset can use" in dialog.message.text())


def test_a_kit_is_exported_imported_elsewhere_and_deleted(
    qtbot: QtBot, ctx: AppContext, dialog: BrandDialog, tmp_path: Path
) -> None:
    make_kit(ctx.brand, tmp_path)
    dialog.reload()
    shown_kit(qtbot, dialog, "Acme")
    target = tmp_path / "shared" / "acme.snapkit"
    target.parent.mkdir()
    dialog.export_kit(target)
    qtbot.waitUntil(lambda: target.is_file())
    qtbot.waitUntil(lambda: dialog.notice.text() == f"Exported to {target}.")
    dialog.import_kit(target)  # the same name is here already
    qtbot.waitUntil(lambda: dialog.message.text() == "There is already a brand kit called “Acme”.")
    with qtbot.waitSignal(dialog.kitsChanged):
        dialog.delete_kit(confirm=False)
    qtbot.waitUntil(lambda: dialog.kit_list.count() == 0 and dialog.empty.isVisible())
    with qtbot.waitSignal(dialog.kitsChanged):
        dialog.import_kit(target)
    shown_kit(qtbot, dialog, "Acme")
    assert [item.name for item in ctx.brand.kit("acme").fonts] == ["Acme Serif"]


# -- the composer ------------------------------------------------------------------------


def test_the_composers_text_and_brand_fields_go_into_the_job(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    make_kit(ctx.brand, tmp_path)
    panel = ComposePanel(ctx)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    fields = panel.text_layers
    assert not fields.body.isVisible()  # collapsed by default
    qtbot.waitUntil(lambda: fields.kit_combo.count() == 2)
    qtbot.mouseClick(fields.toggle, Qt.MouseButton.LeftButton)
    assert fields.body.isVisible()
    panel.set_prompt("a harbour at dawn")
    panel.picker.set_selected(["x-post"])
    qtbot.keyClicks(fields.headline, "Fresh catch daily")
    qtbot.keyClicks(fields.cta, "Book a table")
    fields.kit_combo.setCurrentIndex(fields.kit_combo.findData("acme"))
    fields.brand_prompt_check.setChecked(True)
    assert fields.suffix_edit.text() == ctx.brand.prompt_suffix("acme")
    fields.suffix_edit.setText("Brand colours: sea blue. Mood: calm.")
    with qtbot.waitSignal(panel.submitted) as submitted:
        panel.generate_now()
    [job_id] = submitted.args[0]
    spec = ctx.jobs.get(job_id).spec
    assert spec.layers == TextLayers(headline="Fresh catch daily", cta="Book a table", kit="acme")
    assert spec.prompt_suffix == "Brand colours: sea blue. Mood: calm."

    other = ComposePanel(ctx)
    qtbot.addWidget(other)
    qtbot.waitUntil(lambda: other.text_layers.kit_combo.count() == 2)
    other.edit_retry(ctx.jobs.get(job_id))
    loaded = other.text_layers
    assert loaded.toggle.isChecked() and loaded.headline.text() == "Fresh catch daily"
    assert loaded.kit_combo.currentData() == "acme"
    assert loaded.suffix_edit.text() == "Brand colours: sea blue. Mood: calm."
    fields.headline.setText("x" * 120)  # the field holds no more than a headline may have
    qtbot.keyClicks(fields.headline, "y")
    assert len(fields.headline.text()) == 120


# -- the details pane --------------------------------------------------------------------


@pytest.fixture
def pane(qtbot: QtBot, ctx: AppContext) -> Iterator[DetailPane]:
    with open_pane(qtbot, ctx, size=(640, 900)) as widget:
        yield widget


def test_the_layer_editor_draws_edits_again_without_an_api_call(
    qtbot: QtBot,
    ctx: AppContext,
    pane: DetailPane,
    tmp_path: Path,
    fake_openai: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    ctx.settings.update(provider="openai")
    make_kit(ctx.brand, tmp_path)
    spec = ctx.specs.build("a fox", PLATFORMS, headline="Fresh snow", cta="Shop", brand="acme")
    job = ctx.jobs.submit(spec)
    assert ctx.queue.executor.execute(job.id) == "completed"
    made = len(fake_openai.requests)  # the source and the expansions it was cut from
    story = next(a for a in ctx.library.assets_for_job(job.id) if a.platform == "instagram-story")
    pane.show_asset(story)
    editor = pane.layer_editor
    qtbot.waitUntil(lambda: editor.isEnabled() and set(editor.canvas.boxes()) >= {"headline"})
    pane.tabs.setCurrentWidget(editor)
    qtbot.waitUntil(lambda: editor.canvas.isVisible() and editor.kit_combo.count() == 2)
    assert editor.headline.text() == "Fresh snow" and editor.kit_combo.currentData() == "acme"

    with qtbot.waitSignal(pane.layersRedrawn, timeout=10_000):
        qtbot.keyClicks(editor.headline, " today")  # drawn again once typing pauses
    layers = ctx.jobs.get(job.id).spec.layers
    assert layers.headline == "Fresh snow today"
    for asset in ctx.library.assets_for_job(job.id):
        [headline] = [e for e in asset.layers["layers"] if e["layer"] == "headline"]
        assert headline["text"] == "Fresh snow today"

    canvas = editor.canvas
    qtbot.waitUntil(lambda: "headline" in canvas.boxes())
    start = canvas.point_for("headline").toPoint()
    end = start + QPoint(0, canvas.picture_rect().toRect().height() // 3)
    with qtbot.waitSignal(pane.layersRedrawn, timeout=10_000):
        qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
        qtbot.mouseMove(canvas, end)
        qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)
    moved = ctx.jobs.get(job.id).spec.layers
    assert [(o.platform, o.layer) for o in moved.overrides] == [("instagram-story", "headline")]
    assert moved.overrides[0].box[1] > 0.3  # lower down the story, where it was dropped

    with qtbot.waitSignal(pane.layersRedrawn, timeout=10_000):
        qtbot.mouseClick(editor.reset_button, Qt.MouseButton.LeftButton)
    assert ctx.jobs.get(job.id).spec.layers.overrides == ()
    assert len(fake_openai.requests) == made  # every edit drawn here, nothing painted


def test_export_offers_the_clean_picture_beside_each_one(qtbot: QtBot, ctx: AppContext) -> None:
    job = ctx.jobs.submit(ctx.specs.build("a fox", ["x-post"], headline="Fresh snow"))
    assert ctx.queue.executor.execute(job.id) == "completed"
    scope = ExportScope.selection(ctx.library.assets_for_job(job.id))
    dialog = ExportDialog(ctx, scope, opener=lambda _path: None)
    qtbot.addWidget(dialog)
    assert not dialog.choices.options().clean
    dialog.choices.clean_check.setChecked(True)
    assert dialog.choices.options().clean
