"""The Brand page: the library's brand kits, listed, made, edited, shared.

Kits are library data, not settings, so this is a dialog of its own (Edit ▸ Brand
kits…) whose every action is kept at once: a new kit, a font or logo added or removed,
Save for the fields, Import and Export of `.snapkit` files, Delete. Each goes through
`BrandService` off the GUI thread, one at a time and in order, and a refusal is shown
under the form in the service's sentence. A preview draws a headline, a call to action
and the logo in the kit as edited, on a sample picture, as the fields change.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.brand.kit import BrandKit
from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.imaging.layers import render_layers
from snapasset_desktop.library.snapkit import SUFFIX
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.providers.placeholder import render_placeholder
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.brand.kit_editor import KitEditor
from snapasset_desktop.ui.settings.forms import note_label
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import error_label, show_error

PREVIEW_PLATFORM = "instagram-square"
PREVIEW_SIDE = 300
SAMPLE = TextLayers(headline="Your headline, in your fonts", cta="Shop now")


class BrandDialog(QDialog):
    kitsChanged = Signal()  # a kit was made, changed, imported or deleted

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.brand = ctx.brand
        self.setWindowTitle("Brand kits")
        self.resize(1080, 640)
        self.kits: list[BrandKit] = []
        self._select: str | None = None  # the kit to show once the list is read

        self.kit_list = QListWidget(self, objectName="kitList")
        self.kit_list.setFixedWidth(180)
        self.kit_list.setIconSize(QSize(16, 16))
        self.kit_list.currentRowChanged.connect(self._show_row)
        buttons = QGridLayout()
        buttons.setSpacing(4)
        self.new_button = self._button("newKitButton", "plus", "New", self.new_kit)
        self.import_button = self._button(
            "importKitButton", "download", "Import…", self._ask_import
        )
        self.export_button = self._button("exportKitButton", "upload", "Export…", self._ask_export)
        self.delete_button = self._button("deleteKitButton", "trash-2", "", self.delete_kit)
        self.delete_button.setToolTip("Delete this kit…")
        self.delete_button.setText("Delete")
        buttons.addWidget(self.new_button, 0, 0)
        buttons.addWidget(self.delete_button, 0, 1)
        buttons.addWidget(self.import_button, 1, 0)
        buttons.addWidget(self.export_button, 1, 1)
        left = QVBoxLayout()
        left.addWidget(self.kit_list, 1)
        left.addLayout(buttons)

        self.editor = KitEditor(self)
        self.editor.changed.connect(self._preview_later)
        self.editor.addFontRequested.connect(self._ask_font)
        self.editor.addLogoRequested.connect(self._ask_logo)
        self.editor.removeFontRequested.connect(
            lambda name: self._act(lambda kit: self.brand.remove_font(kit, name))
        )
        self.editor.removeLogoRequested.connect(
            lambda name: self._act(lambda kit: self.brand.remove_logo(kit, name))
        )
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.editor)
        self.preview = QLabel(self, objectName="kitPreview")
        self.preview.setFixedSize(PREVIEW_SIDE, PREVIEW_SIDE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty = QLabel("No brand kits yet: make one with New, or import a .snapkit file.")
        self.empty.setWordWrap(True)
        self.message = error_label()
        self.message.setObjectName("brandMessage")
        self.notice = note_label()
        self.notice.setObjectName("brandNotice")
        self.save_button = QPushButton(icon("check"), "Save changes", self, objectName="saveKit")
        self.save_button.clicked.connect(self.save)

        right = QHBoxLayout()
        right.addWidget(scroll, 1)
        side = QVBoxLayout()
        side.addWidget(self.preview)
        side.addWidget(QLabel("Preview: a square post", self))
        side.addStretch(1)
        right.addLayout(side)
        body = QHBoxLayout()
        body.addLayout(left)
        column = QVBoxLayout()
        column.addWidget(self.empty)
        column.addLayout(right, 1)
        column.addWidget(self.message)
        column.addWidget(self.notice)
        body.addLayout(column, 1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        close.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(close)

        self._preview_timer = QTimer(self, singleShot=True, interval=200)
        self._preview_timer.timeout.connect(self._draw_preview)
        self._set_enabled(False)
        self.reload()

    def _button(self, name: str, glyph: str, text: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(icon(glyph), text, self, objectName=name)
        button.clicked.connect(slot)
        return button

    # -- the list -----------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        self._select = select or self.current_id()
        tasks.run(self.brand.kits, owner=self, pool=tasks.FILES, latest="list", done=self._listed)

    def _listed(self, kits: list[BrandKit]) -> None:
        self.kits = kits
        self.kit_list.blockSignals(True)
        self.kit_list.clear()
        for kit in kits:
            item = QListWidgetItem(kit.name, self.kit_list)
            item.setData(Qt.ItemDataRole.UserRole, kit.id)
        self.kit_list.blockSignals(False)
        ids = [kit.id for kit in kits]
        row = ids.index(self._select) if self._select in ids else (0 if kits else -1)
        self.kit_list.setCurrentRow(row)
        self._show_row(row)

    def current_id(self) -> str | None:
        item = self.kit_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _show_row(self, row: int) -> None:
        has_kit = 0 <= row < len(self.kits)
        self._set_enabled(has_kit)
        self.empty.setVisible(not self.kits)
        if has_kit:
            self.editor.show_kit(self.kits[row])

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.editor, self.export_button, self.delete_button, self.save_button):
            widget.setEnabled(enabled)

    # -- actions: each kept at once, off the GUI thread ---------------------------------

    def _act(
        self, change: Callable[[str], BrandKit | None], *, done: str = "", of_kit: bool = True
    ) -> None:
        """`change(the shown kit's id)` in order with the designer's other actions; the
        list follows. `of_kit=False`: a change that needs no kit shown (new, import)."""
        kit_id = self.current_id()
        if kit_id is None and of_kit:
            return
        show_error(self.message, None)
        self.notice.clear()
        tasks.run(
            functools.partial(change, kit_id or ""),
            owner=self,
            pool=tasks.ACTIONS,
            done=lambda kit: self._changed(kit, done),
            failed=lambda exc: show_error(self.message, tasks.error_message(exc)),
        )

    def _changed(self, kit: BrandKit | None, done: str) -> None:
        self.kitsChanged.emit()
        self.reload(kit.id if kit is not None else None)
        self.notice.setText(done)

    def new_kit(self) -> None:
        names = {kit.name.casefold() for kit in self.kits}
        name = next(
            f"New kit {n}" if n > 1 else "New kit"
            for n in range(1, 1000)
            if (f"New kit {n}" if n > 1 else "New kit").casefold() not in names
        )

        self._act(lambda _: self.brand.create(name), of_kit=False)

    def save(self) -> None:
        try:
            edited = self.editor.edited()
        except SnapAssetError as exc:
            show_error(self.message, exc.message)
            return
        self._act(
            lambda kit: self.brand.update(
                kit,
                name=edited.name,
                mood=edited.mood,
                palette=edited.palette,
                styles=edited.styles,
            )
        )

    def add_font(self, path: Path) -> None:
        self._act(lambda kit: self.brand.add_font(kit, path))

    def add_logo(self, path: Path) -> None:
        self._act(lambda kit: self.brand.add_logo(kit, path))

    def import_kit(self, path: Path) -> None:
        self._act(lambda _: self.brand.import_file(path), of_kit=False)

    def export_kit(self, path: Path) -> None:
        def export(kit: str) -> None:
            self.brand.export(kit, path, overwrite=True)  # the file dialog asked already

        self._act(export, done=f"Exported to {path.with_suffix(SUFFIX)}.")

    def delete_kit(self, *, confirm: bool = True) -> None:
        kit_id = self.current_id()
        if kit_id is None:
            return
        if confirm:
            answer = QMessageBox.question(
                self,
                "Delete brand kit?",
                f"Delete the brand kit “{self.kit_list.currentItem().text()}” with its fonts "
                "and logos? Jobs that use it are drawn in SnapAsset's own look from then on.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return

        def delete(kit: str) -> None:
            self.brand.delete(kit)

        self._select = None
        self._act(delete)

    def _ask_font(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a font", "", "Fonts (*.ttf *.otf)")
        if path:
            self.add_font(Path(path))

    def _ask_logo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a logo", "", "PNG images (*.png)")
        if path:
            self.add_logo(Path(path))

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Import a brand kit", "", f"Brand kits (*{SUFFIX})"
        )
        if path:
            self.import_kit(Path(path))

    def _ask_export(self) -> None:
        kit_id = self.current_id()
        if kit_id is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the brand kit", f"{kit_id}{SUFFIX}", f"Brand kits (*{SUFFIX})"
        )
        if path:
            self.export_kit(Path(path))

    # -- the preview --------------------------------------------------------------------

    def _preview_later(self) -> None:
        self._preview_timer.start()

    def _draw_preview(self) -> None:
        kit = self.editor.preview_kit()
        if kit is None:
            return
        tasks.run(
            functools.partial(preview_image, kit),
            owner=self,
            pool=tasks.FILES,
            latest="preview",
            done=lambda image: self.preview.setPixmap(QPixmap.fromImage(image)),
        )


@functools.cache
def _sample() -> bytes:
    size = PlatformRegistry().get(PREVIEW_PLATFORM).size
    picture = render_placeholder("a sample picture for a brand kit", *size)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def preview_image(kit: BrandKit) -> QImage:
    """A square post's sample picture with the kit's headline, call to action and logo."""
    platform = PlatformRegistry().get(PREVIEW_PLATFORM)
    with Image.open(io.BytesIO(_sample())) as sample:
        picture = sample.convert("RGB")
    layered = render_layers(picture, platform, SAMPLE, kit).image
    small = layered.resize((PREVIEW_SIDE, PREVIEW_SIDE))
    buffer = io.BytesIO()
    small.save(buffer, "PNG")
    return QImage.fromData(buffer.getvalue())
