"""The full-size viewer: one asset large, zoomed to fit or at 100 %, the gallery's next and
previous, and a job's platform versions side by side.

Opened from the gallery (Space, a double-click, Enter); its keys are the ones
image viewers use: ← → previous and next, F (or 0) fit, 1 at 100 % (1:1), Z between
the two, C compare the job's versions, Space or Esc close. It walks the
gallery's own rows (as filtered and ordered there) and tells the gallery which
one it shows, so closing leaves the designer on that card. Pictures are read
and decoded off the GUI thread; only the newest request is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QImageReader,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.viewer.canvas import ACTUAL, FIT, ZoomCanvas
from snapasset_desktop.ui.viewer.compare import CompareView, Version, load_versions

BACKDROP = QColor("#1c1c1e")  # neutral dark, as image viewers use: colours read true on it
BACKDROP_TEXT = QColor("#e6e6e6")
SCREEN_SHARE = 0.9  # of the screen the viewer opens at


def decode(path: Path) -> QImage:
    """A pool thread: the whole picture, turned upright; null if it can't be read."""
    reader = QImageReader(str(path))
    reader.setAutoTransform(True)
    return reader.read()


class ViewerDialog(QDialog):
    """Shows row `row` of `count()` rows; `asset_at(row)` gives each one's record.
    `rowChanged(row)` as the designer moves through them; `pictureShown` once a picture
    (or a compare row) is on screen."""

    rowChanged = Signal(int)
    pictureShown = Signal()

    def __init__(
        self,
        ctx: AppContext,
        count: Callable[[], int],
        asset_at: Callable[[int], AssetRecord | None],
        row: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._count, self._asset_at = count, asset_at
        self.row = -1
        self.asset: AssetRecord | None = None
        self._labels = {p.id: f"{p.network} · {p.label}" for p in ctx.platforms.all()}
        self.setObjectName("viewer")
        self.setWindowTitle("SnapAsset — viewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        self.canvas = ZoomCanvas(self)
        self.canvas.zoomChanged.connect(self._show_zoom)
        self.compare = CompareView(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.canvas)
        self.stack.addWidget(self.compare)
        for widget in (self.canvas, self.compare):
            _backdrop(widget)
        self.message = QLabel(self.canvas.viewport())
        self.message.setObjectName("viewerMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        _backdrop(self.message)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._toolbar())
        layout.addWidget(self.stack, 1)
        self._keys()
        self._size_to_screen()
        self.show_row(row)

    # -- building -----------------------------------------------------------------------

    def _toolbar(self) -> QWidget:
        bar = QWidget(self)
        bar.setObjectName("viewerBar")
        self.previous_button = self._button("viewerPrevious", "chevron-left", "Previous (←)")
        self.previous_button.clicked.connect(self.previous)
        self.next_button = self._button("viewerNext", "chevron-right", "Next (→)")
        self.next_button.clicked.connect(self.next)
        self.position = QLabel(bar, objectName="viewerPosition")
        self.position.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.caption = QLabel(bar, objectName="viewerCaption")
        self.caption.setTextFormat(Qt.TextFormat.PlainText)
        self.caption.setMinimumWidth(120)
        self.fit_button = self._button("viewerFit", "maximize", "Fit the window (F)", "Fit")
        self.fit_button.clicked.connect(lambda: self.set_zoom(FIT))
        self.actual_button = self._button(
            "viewerActual",
            None,
            "Actual pixels, one per screen pixel (1) — drag to look around",
            "1:1",
        )
        self.actual_button.clicked.connect(lambda: self.set_zoom(ACTUAL))
        for button in (self.fit_button, self.actual_button):
            button.setCheckable(True)
        self.compare_button = self._button(
            "viewerCompare", "columns-2", "This job's platform versions side by side (C)", "Compare"
        )
        self.compare_button.setCheckable(True)
        self.compare_button.toggled.connect(self.set_comparing)
        self.zoom_label = QLabel(bar, objectName="viewerZoom")
        self.zoom_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.zoom_label.setFixedWidth(self.fontMetrics().horizontalAdvance("100 %") + 12)
        close = self._button("viewerClose", "x", "Close (Esc)")
        close.clicked.connect(self.close)
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.position)
        layout.addSpacing(8)
        layout.addWidget(self.caption, 1)
        for widget in (
            self.zoom_label,
            self.fit_button,
            self.actual_button,
            self.compare_button,
            close,
        ):
            layout.addWidget(widget)
        return bar

    def _button(
        self, name: str, glyph: str | None, tip: str, text: str | None = None
    ) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the viewer
        if glyph:
            button.setIcon(icon(glyph))
            button.setIconSize(QSize(18, 18))
        if text:
            button.setText(text)
            style = Qt.ToolButtonStyle.ToolButtonTextBesideIcon if glyph else None
            button.setToolButtonStyle(style or Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    def _keys(self) -> None:
        keys = {
            Qt.Key.Key_Left: self.previous,
            Qt.Key.Key_Right: self.next,
            Qt.Key.Key_F: lambda: self.set_zoom(FIT),
            Qt.Key.Key_0: lambda: self.set_zoom(FIT),
            Qt.Key.Key_1: lambda: self.set_zoom(ACTUAL),
            Qt.Key.Key_Z: self.canvas.toggle,
            Qt.Key.Key_C: self.compare_button.toggle,
            Qt.Key.Key_Space: self.close,
        }
        for key, slot in keys.items():
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(slot)

    def _size_to_screen(self) -> None:
        screen = (self.parentWidget() or self).screen().availableGeometry()
        size = screen.size() * SCREEN_SHARE
        self.resize(size)
        self.move(screen.center() - self.rect().center())

    # -- what is shown ------------------------------------------------------------------

    def show_row(self, row: int) -> None:
        """Show the gallery's row `row` (clamped to the rows there are)."""
        count = self._count()
        if count == 0:
            self.close()
            return
        row = max(0, min(row, count - 1))
        asset = self._asset_at(row)
        if asset is None:
            return
        self.row, self.asset = row, asset
        self.position.setText(f"{row + 1:,} of {count:,}")
        label = self._labels.get(asset.platform, asset.platform)
        prompt = " ".join(asset.prompt.split())
        self.caption.setText(f"{label}  ·  {asset.width} × {asset.height}  ·  {prompt}")
        self.caption.setToolTip(prompt)
        self.previous_button.setEnabled(row > 0)
        self.next_button.setEnabled(row < count - 1)
        self.rowChanged.emit(row)
        if self.compare_button.isChecked():
            self._load_versions()
        else:
            self._load_picture()

    def next(self) -> None:
        if self.row < self._count() - 1:
            self.show_row(self.row + 1)

    def previous(self) -> None:
        if self.row > 0:
            self.show_row(self.row - 1)

    def set_zoom(self, mode: str) -> None:
        self.compare_button.setChecked(False)
        self.canvas.set_mode(mode)
        self._show_zoom()

    def set_comparing(self, on: bool) -> None:
        self.stack.setCurrentWidget(self.compare if on else self.canvas)
        if on:
            self._load_versions()
        else:
            self._load_picture()
        self._show_zoom()

    def _show_zoom(self) -> None:
        comparing = self.compare_button.isChecked()
        self.fit_button.setChecked(not comparing and self.canvas.mode == FIT)
        self.actual_button.setChecked(not comparing and self.canvas.mode == ACTUAL)
        self.zoom_label.setText("" if comparing else f"{self.canvas.percent()} %")

    # -- loading ------------------------------------------------------------------------

    def _load_picture(self) -> None:
        asset = self.asset
        if asset is None:
            return
        self._say("Opening…" if self.canvas.image().isNull() else "")
        tasks.run(
            partial(decode, self.ctx.library.asset_path(asset)),
            owner=self,
            pool=tasks.FILES,
            latest="picture",
            done=partial(self._picture_read, asset.id),
        )

    def _picture_read(self, asset_id: int, image: QImage) -> None:
        if self.asset is None or asset_id != self.asset.id:
            return
        self.canvas.set_image(image)
        self._say(
            "" if not image.isNull() else "This image can't be read — its file may have been moved."
        )
        self._show_zoom()
        self.pictureShown.emit()

    def _load_versions(self) -> None:
        asset = self.asset
        if asset is None:
            return
        tasks.run(
            partial(load_versions, self.ctx.library, asset.job_id),
            owner=self,
            pool=tasks.FILES,
            latest="versions",
            done=partial(self._versions_read, asset.id),
            failed=lambda exc: self._say(tasks.error_message(exc)),
        )

    def _versions_read(self, asset_id: int, versions: list[Version]) -> None:
        if self.asset is None or asset_id != self.asset.id:
            return
        labels = [self._labels.get(v.asset.platform, v.asset.platform) for v in versions]
        current = next((n for n, v in enumerate(versions) if v.asset.id == asset_id), None)
        self.compare.set_versions(versions, labels, current)
        self.pictureShown.emit()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.resize(self.canvas.viewport().size())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.message.resize(self.canvas.viewport().size())


def _backdrop(widget: QWidget) -> None:
    """The viewer's dark, neutral backdrop and light text."""
    palette = widget.palette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Dark, QPalette.ColorRole.Base):
        palette.setColor(role, BACKDROP)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.BrightText):
        palette.setColor(role, BACKDROP_TEXT)
    widget.setPalette(palette)
    widget.setAutoFillBackground(True)
