"""LayerEditor: a finished job's text layers, edited in the details pane.

The texts, the kit and the logo apply to every platform; a layer dragged on the picture
moves on that platform only (an override), and "Reset to layout" puts the platform's
layers back where its layout places them. Each change is shown at once on the platform
in view (`JobService.preview_layers`: its clean picture with the layers drawn, nothing
saved), then drawn again and saved by `JobService.redraw_layers` — both off the GUI
thread, the saves in order with the designer's other actions, locally from the clean
pictures, never an API call — and the picture, the layers' outlines and the notes follow.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.brand.kit import BrandKit
from snapasset_desktop.brand.layers import MAX_CHARS, Rect, TextLayers
from snapasset_desktop.imaging.layers import LayeredImage
from snapasset_desktop.library.models import AssetRecord, JobRecord
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.layers import Redrawn
from snapasset_desktop.ui import tasks
from snapasset_desktop.ui.shared.icons import icon

OWN_LOOK = "SnapAsset's own look"
OUTLINE = QColor("#00a6ed")
TYPING_PAUSE_MS = 500  # texts are drawn again once typing pauses


class LayerCanvas(QWidget):
    """A platform's picture with its layers outlined; a layer dragged is `moved`."""

    moved = Signal(str, tuple)  # layer name, its box in fractions of the frame

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layerCanvas")
        self.setMinimumSize(240, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setToolTip("Drag a layer to place it on this platform")
        self._image = QImage()
        self._boxes: dict[str, Rect] = {}
        self._drag: tuple[str, QPointF, Rect] | None = None  # layer, where it started, its box

    def show_picture(self, image: QImage, boxes: dict[str, Rect]) -> None:
        self._image, self._boxes, self._drag = image, dict(boxes), None
        self.update()

    def boxes(self) -> dict[str, Rect]:
        return dict(self._boxes)

    def picture_rect(self) -> QRectF:
        """Where the picture is drawn: fitted and centred."""
        if self._image.isNull():
            return QRectF()
        size = self._image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        left = (self.width() - size.width()) / 2
        top = (self.height() - size.height()) / 2
        return QRectF(left, top, size.width(), size.height())

    def point_for(self, layer: str) -> QPointF:
        """The centre of a layer's outline on screen."""
        return self._screen(self._boxes[layer]).center()

    def _screen(self, box: Rect) -> QRectF:
        area = self.picture_rect()
        return QRectF(
            area.left() + box[0] * area.width(),
            area.top() + box[1] * area.height(),
            (box[2] - box[0]) * area.width(),
            (box[3] - box[1]) * area.height(),
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        if not self._image.isNull():
            painter.drawImage(self.picture_rect(), self._image)
        font = painter.font()
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        for name, box in self._boxes.items():
            rect = self._screen(box)
            painter.setPen(QPen(OUTLINE, 1.5, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect)
            # The layer's name on a chip at its outline's corner, readable on any picture.
            chip = QRectF(rect.left(), rect.top(), metrics.horizontalAdvance(name) + 6, 0)
            chip.setHeight(metrics.height())
            if rect.top() - chip.height() >= self.picture_rect().top():
                chip.moveBottom(rect.top())  # above the outline, off the letters
            painter.fillRect(chip, OUTLINE)
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, name)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        point = event.position()
        for name, box in reversed(self._boxes.items()):
            if self._screen(box).contains(point):
                self._drag = (name, point, box)
                return

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return
        name, start, box = self._drag
        self._boxes[name] = self._shifted(box, event.position() - start)
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is None:
            return
        name, start, box = self._drag
        self._drag = None
        delta = event.position() - start
        if abs(delta.x()) + abs(delta.y()) < 3:
            self._boxes[name] = box
            return
        self._boxes[name] = self._shifted(box, delta)
        self.moved.emit(name, self._boxes[name])

    def _shifted(self, box: Rect, delta: QPointF) -> Rect:
        """`box` moved by `delta` screen pixels, kept inside the frame."""
        area = self.picture_rect()
        dx = delta.x() / area.width() if area.width() else 0.0
        dy = delta.y() / area.height() if area.height() else 0.0
        dx = min(max(dx, -box[0]), 1.0 - box[2])
        dy = min(max(dy, -box[1]), 1.0 - box[3])
        return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


class LayerEditor(QWidget):
    redrawn = Signal(str)  # job id: its assets were drawn again
    statusMessage = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.job: JobRecord | None = None
        self.asset: AssetRecord | None = None
        self.layers = TextLayers()
        self.kits: dict[str, BrandKit] = {}
        self._in_flight = 0  # redraws asked for, not answered yet

        self.canvas = LayerCanvas(self)
        self.canvas.moved.connect(self._layer_moved)
        self.headline = self._line("layerHeadline", "headline")
        self.subline = self._line("layerSubline", "subline")
        self.cta = self._line("layerCta", "cta")
        self.kit_combo = QComboBox(self, objectName="layerKitCombo")
        # Long kit names don't hold the details pane wider than its dock.
        self.kit_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.kit_combo.setMinimumContentsLength(10)
        self.kit_combo.addItem(OWN_LOOK, None)
        self.kit_combo.currentIndexChanged.connect(self._texts_edited)
        self.logo_check = QCheckBox("Logo", self, objectName="layerLogoCheck")
        self.logo_check.toggled.connect(self._texts_edited)
        self.reset_button = QPushButton(icon("rotate-ccw"), "Reset to layout", self)
        self.reset_button.setObjectName("resetLayoutButton")
        self.reset_button.setToolTip("Put this platform's layers back where its layout places them")
        self.reset_button.clicked.connect(self.reset_platform)
        self.notes = QLabel(self, objectName="layerNotes")
        self.notes.setWordWrap(True)
        self._typing = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._typing.timeout.connect(self.apply_texts)

        kit_row = QHBoxLayout()
        kit_row.addWidget(self.kit_combo, 1)
        kit_row.addWidget(self.logo_check)
        form = QFormLayout()
        form.setVerticalSpacing(4)
        form.addRow("Headline", self.headline)
        form.addRow("Subline", self.subline)
        form.addRow("Call to action", self.cta)
        form.addRow("Brand kit", kit_row)
        notes_row = QHBoxLayout()  # what the layers overlap, and the way back to the layout
        notes_row.addWidget(self.notes, 1)
        notes_row.addWidget(self.reset_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas, 1)
        layout.addLayout(form)
        layout.addLayout(notes_row)
        self.setEnabled(False)
        self.reload_kits()

    def _line(self, name: str, role: str) -> QLineEdit:
        edit = QLineEdit(self, objectName=name)
        edit.setMaxLength(MAX_CHARS[role])
        edit.textEdited.connect(lambda _text: self._typing.start())
        return edit

    def reload_kits(self) -> None:
        """Read the library's kits off the GUI thread (after the Brand page changed them)."""
        tasks.run(self.ctx.brand.kits, owner=self, pool=tasks.FILES, latest="kits", done=self._kits)

    def _kits(self, kits: list[BrandKit]) -> None:
        self.kits = {kit.id: kit for kit in kits}
        self._fill_kits()

    def _fill_kits(self) -> None:
        self.kit_combo.blockSignals(True)
        self.kit_combo.clear()
        self.kit_combo.addItem(OWN_LOOK, None)
        for kit in self.kits.values():
            self.kit_combo.addItem(kit.name, kit.id)
        if self.layers.kit is not None and self.kit_combo.findData(self.layers.kit) < 0:
            self.kit_combo.addItem(f"{self.layers.kit} (not in this library)", self.layers.kit)
        self.kit_combo.setCurrentIndex(max(0, self.kit_combo.findData(self.layers.kit)))
        self.kit_combo.blockSignals(False)

    # -- what it shows ------------------------------------------------------------------

    def set_job(self, job: JobRecord) -> None:
        """A job's layers in the fields; editable once it has finished. The same job read
        again while the designer's edits are on their way keeps the fields as they are."""
        editing = self.job is not None and self.job.id == job.id and self._busy()
        self.job = job
        self.setEnabled(job.status == "completed")
        if editing:
            return
        self.layers = job.spec.layers
        for edit, text in (
            (self.headline, self.layers.headline),
            (self.subline, self.layers.subline),
            (self.cta, self.layers.cta),
        ):
            edit.setText(text)
        self.logo_check.blockSignals(True)
        self.logo_check.setChecked(self.layers.logo)
        self.logo_check.blockSignals(False)
        self._fill_kits()

    def _busy(self) -> bool:
        return self._in_flight > 0 or self._typing.isActive()

    def show_asset(self, asset: AssetRecord | None) -> None:
        """One platform's picture, its layers outlined, its notes."""
        self.asset = asset
        if asset is None or asset.is_original:
            self.canvas.show_picture(QImage(), {})
            self.notes.setText("")
            return
        boxes = {
            entry["layer"]: tuple(entry["box_fraction"])
            for entry in (asset.layers or {}).get("layers", [])
        }
        self.notes.setText("\n".join(asset.layer_notes))
        path = self.ctx.library.asset_path(asset)
        tasks.run(
            partial(QImage, str(path)),
            owner=self,
            latest="picture",
            done=lambda image: self.canvas.show_picture(image, boxes),
        )

    # -- editing ------------------------------------------------------------------------

    def edited_layers(self) -> TextLayers:
        """The job's layers with the fields' texts, kit and logo."""
        return TextLayers(
            headline=self.headline.text(),
            subline=self.subline.text(),
            cta=self.cta.text(),
            kit=self.kit_combo.currentData(),
            logo=self.logo_check.isChecked(),
            overrides=self.layers.overrides,
        )

    def _texts_edited(self, *_: object) -> None:
        if self.job is not None:
            self.apply_texts()

    def apply_texts(self) -> None:
        """Draw every platform again with the fields' texts, kit and logo."""
        self._typing.stop()
        layers = self.edited_layers()
        if layers != self.layers:
            self._redraw(layers, None, "Text layers drawn again on every platform.")

    def _layer_moved(self, layer: str, box: Rect) -> None:
        if self.asset is None:
            return
        platform = self.asset.platform
        layers = self.edited_layers().moved(platform, layer, box)
        self._redraw(layers, [platform], f"Moved the {layer} on {platform}.")

    def reset_platform(self) -> None:
        if self.asset is None or self.asset.is_original:
            return
        platform = self.asset.platform
        self._redraw(self.edited_layers().reset(platform), [platform], "Back to the layout.")

    def _redraw(self, layers: TextLayers, platforms: list[str] | None, said: str) -> None:
        if self.job is None:
            return
        self._preview(layers)
        self.layers = layers  # what the next edit starts from
        self._in_flight += 1
        job_id = self.job.id
        tasks.run(
            partial(self.ctx.jobs.redraw_layers, job_id, layers, platform_ids=platforms),
            owner=self,
            pool=tasks.ACTIONS,
            done=lambda redrawn: self._done(job_id, redrawn, said),
            failed=self._failed,
            finished=self._answered,
        )

    def _preview(self, layers: TextLayers) -> None:
        """The platform in view with `layers`, at once; its saved file follows."""
        if self.job is None or self.asset is None or self.asset.is_original:
            return
        asset = self.asset
        tasks.run(
            partial(_previewed, self.ctx, self.job.id, layers, asset.platform),
            owner=self,
            latest="picture",
            done=lambda shown: self._show_preview(asset, shown),
        )

    def _show_preview(self, asset: AssetRecord, shown: tuple[QImage, dict[str, Rect]]) -> None:
        if self.asset is not None and self.asset.platform == asset.platform:
            self.canvas.show_picture(*shown)

    def _answered(self) -> None:
        self._in_flight -= 1

    def _done(self, job_id: str, redrawn: Redrawn, said: str) -> None:
        if self.job is None or self.job.id != job_id:
            return
        shown = self.asset.platform if self.asset is not None else None
        fresh = next((a for a in redrawn.assets if a.platform == shown), None)
        if fresh is not None:
            self.show_asset(fresh)
        self.statusMessage.emit(" ".join([said, *redrawn.skipped]))
        self.redrawn.emit(job_id)

    def _failed(self, exc: BaseException) -> None:
        self.notes.setText(tasks.error_message(exc))
        if self.job is not None:
            self.layers = self.job.spec.layers  # what is drawn is what the job still has


def _previewed(
    ctx: AppContext, job_id: str, layers: TextLayers, platform_id: str
) -> tuple[QImage, dict[str, Rect]]:
    """A pool thread: the platform with `layers` drawn (its clean picture when there are
    none), as a QImage, and where each layer is."""
    layered = ctx.jobs.preview_layers(job_id, layers, platform_id)
    if layered is None:
        asset = next(a for a in ctx.library.assets_for_job(job_id) if a.platform == platform_id)
        clean = ctx.library.clean_path(asset) or ctx.library.asset_path(asset)
        return QImage(str(clean)), {}
    return _qimage(layered), {
        entry["layer"]: tuple(entry["box_fraction"]) for entry in layered.manifest()["layers"]
    }


def _qimage(layered: LayeredImage) -> QImage:
    rgba = layered.image.convert("RGBA")
    data = rgba.tobytes("raw", "RGBA")
    image = QImage(data, rgba.width, rgba.height, rgba.width * 4, QImage.Format.Format_RGBA8888)
    return image.copy()  # its own pixels: `data` goes with this call
