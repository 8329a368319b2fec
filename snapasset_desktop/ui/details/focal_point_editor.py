"""FocalPointEditor: the source large, each platform's frame where the job will cut it.

The frames are the job's own composition (`queue.expansion_stage.plan_for` and
`placed`: the fit policy, the safe zones, the expansions), so what the designer sees
while dragging is what a re-render will cut. One platform is highlighted at a time —
picked in the legend, or hovered — with its safe zones and, when it is cut from an
expansion, the area the model will paint beyond the picture; the others are thin
outlines, never a pile of labels.

Dragging moves the job's focal point, which every frame follows; with one platform
picked in the legend it moves that platform's frame alone (its own focal point, kept
in the job's spec on Apply). The wheel zooms around the pointer, the right button
pans, a double click shows the whole picture again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from snapasset_desktop.imaging.composition import CompositionPlan, PlatformFit, plan_composition
from snapasset_desktop.platforms import Platform
from snapasset_desktop.queue.expansion_stage import own_points, placed, plan_for, subject_around
from snapasset_desktop.safe_zones import zones_for
from snapasset_desktop.spec import JobSpec
from snapasset_desktop.ui.details.safe_zone_overlay import paint_zones

Box = tuple[int, int, int, int]
Point = tuple[float, float]
# Frame colours: distinct hues that stay visible on light and dark pictures alike.
HUES = ("#ff5a5f", "#00a6ed", "#ffb400", "#7fb800", "#a05cff", "#ff7f11", "#00c2a8", "#f15bb5")
MARGIN = 10
MAX_ZOOM = 8.0
_OUTSIDE = QColor(0, 0, 0, 120)


class FocalPointEditor(QWidget):
    focusChanged = Signal(float, float)  # the job's point, 0..1 each way, while dragging
    platformFocusChanged = Signal(str, object)  # a platform's own point, or None
    hoverChanged = Signal(str)  # the platform under the pointer ("" for none)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("focalPointEditor")
        self.setMinimumSize(240, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._image = QImage()
        self._source_size: tuple[int, int] = (0, 0)
        self._platforms: list[Platform] = []
        self._spec: JobSpec | None = None
        self._focus: Point = (0.5, 0.5)
        self._own: dict[str, Point] = {}
        self._picked: str | None = None  # the platform the legend picked; None: all
        self._hover: str | None = None
        self._show_zones = True
        self._editable = True
        self._dragging = False
        self._panning: QPointF | None = None
        self._zoom = 1.0
        self._pan = QPointF(0, 0)
        self._plan: CompositionPlan | None = None

    # -- what it shows ----------------------------------------------------------------

    def set_source(self, image: QImage, size: tuple[int, int] | None = None) -> None:
        """The picture (may be a scaled-down copy) and the real source size it stands for."""
        self._image = image
        self._source_size = size or (image.width(), image.height())
        self._replan()

    def set_platforms(self, platforms: Sequence[Platform]) -> None:
        self._platforms = list(platforms)
        if self._picked not in {p.id for p in self._platforms}:
            self._picked = None
        self._replan()

    def set_spec(self, spec: JobSpec | None) -> None:
        """The job's fit policy and overrides (None: every platform cropped, as cover)."""
        self._spec = spec
        self._own = own_points(spec) if spec else {}
        self._replan()

    def set_focus(self, x: float, y: float) -> None:
        self._focus = (_clamp(x), _clamp(y))
        self._replan()

    def set_own_focus(self, platform_id: str, point: Point | None) -> None:
        if point is None:
            self._own.pop(platform_id, None)
        else:
            self._own[platform_id] = (_clamp(point[0]), _clamp(point[1]))
        self._replan()

    def pick(self, platform_id: str | None) -> None:
        """Highlight one platform (its frame alone is dragged), or None for all."""
        self._picked = platform_id
        self.setToolTip(
            "Drag to move this platform's frame alone"
            if platform_id
            else "Drag to choose the point every frame keeps in view"
        )
        self.update()

    def set_hover(self, platform_id: str | None) -> None:
        if platform_id != self._hover:
            self._hover = platform_id
            self.update()

    def set_show_zones(self, show: bool) -> None:
        self._show_zones = show
        self.update()

    def set_editable(self, editable: bool) -> None:
        """A running job's preview is shown without frames or a crosshair."""
        self._editable = editable
        self.setCursor(Qt.CursorShape.CrossCursor if editable else Qt.CursorShape.ArrowCursor)
        self.update()

    def reset_view(self) -> None:
        self._zoom, self._pan = 1.0, QPointF(0, 0)
        self.update()

    def focus(self) -> Point:
        return self._focus

    def own_focus(self) -> dict[str, Point]:
        """The platforms' own focal points as the editor has them now."""
        return dict(self._own)

    def picked(self) -> str | None:
        return self._picked

    def zoom(self) -> float:
        return self._zoom

    def has_source(self) -> bool:
        return not self._image.isNull()

    def plan(self) -> CompositionPlan | None:
        return self._plan

    def crop_boxes(self) -> dict[str, Box]:
        """Each platform's frame in source pixels (beyond the picture where it expands)."""
        if self._plan is None:
            return {}
        return {fit.platform_id: self._on_source(fit) for fit in self._plan.platforms}

    def colour(self, platform_id: str) -> QColor:
        index = next((i for i, p in enumerate(self._platforms) if p.id == platform_id), 0)
        return QColor(HUES[index % len(HUES)])

    def image_rect(self) -> QRectF:
        """Where the picture is drawn: the picture and every frame fit, then zoom and pan."""
        if self._image.isNull() or not all(self._source_size):
            return QRectF()
        width, height = self._source_size
        left, top, right, bottom = self._world()
        area = QRectF(self.rect()).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        scale = min(area.width() / (right - left), area.height() / (bottom - top)) * self._zoom
        centre = area.center() + self._pan
        origin = QPointF(
            centre.x() - ((left + right) / 2) * scale, centre.y() - ((top + bottom) / 2) * scale
        )
        return QRectF(origin.x(), origin.y(), width * scale, height * scale)

    def point_for(self, focus: Point) -> QPointF:
        """Widget coordinates of a point of the source (for tests and for drawing)."""
        rect = self.image_rect()
        return QPointF(rect.left() + focus[0] * rect.width(), rect.top() + focus[1] * rect.height())

    def frame_rect(self, platform_id: str) -> QRectF:
        """Where a platform's frame is drawn, in widget coordinates."""
        box = self.crop_boxes().get(platform_id)
        return self._to_widget(box) if box else QRectF()

    def sizeHint(self) -> QSize:
        return QSize(640, 420)

    # -- the plan ---------------------------------------------------------------------

    def _replan(self) -> None:
        """The frames for the focal points as they are now: a few milliseconds."""
        self._plan = None
        spec, size, focus = self._spec, self._source_size, self._focus
        if all(size) and self._platforms and not (spec and spec.render.fit == "contain"):
            if spec is None:  # before the job is known: crops, as a cover job cuts them
                subject = subject_around(focus, size)
                plan = plan_composition(
                    size, self._platforms, fit="cover", focus=focus, subject=subject
                )
            else:
                plan = plan_for(spec, size, self._platforms, focus)
            self._plan = placed(plan, self._platforms, focus, self._own)
        self.update()

    def _on_source(self, fit: PlatformFit) -> Box:
        """A fit's crop in source pixels: an expansion's canvas is shifted by the source's box."""
        assert self._plan is not None and fit.box is not None
        if fit.expansion is None:
            return fit.box
        left, top = self._plan.expansion(fit.expansion).source_box[:2]
        box = fit.box
        return box[0] - left, box[1] - top, box[2] - left, box[3] - top

    def _world(self) -> tuple[float, float, float, float]:
        """What the view fits at zoom 1, in source pixels: the source, with the picked
        platform's frame when one is picked (the others may reach past the view's edge:
        the picture stays as large as it can for dragging the point)."""
        width, height = self._source_size
        frames = self.crop_boxes()
        shown = [frames[self._picked]] if self._picked in frames else []
        boxes = [(0, 0, width, height), *shown]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    def _to_widget(self, box: Sequence[float]) -> QRectF:
        rect = self.image_rect()
        sx, sy = rect.width() / self._source_size[0], rect.height() / self._source_size[1]
        return QRectF(
            rect.left() + box[0] * sx,
            rect.top() + box[1] * sy,
            (box[2] - box[0]) * sx,
            (box[3] - box[1]) * sy,
        )

    def _highlighted(self) -> str | None:
        return self._hover or self._picked

    # -- the pointer ------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self._panning = event.position()
        elif event.button() == Qt.MouseButton.LeftButton and self._editable and self.has_source():
            self._dragging = True
            self._move_to(event.position())
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._panning is not None:
            self._pan += event.position() - self._panning
            self._panning = event.position()
            self.update()
        elif self._dragging:
            self._move_to(event.position())
        else:
            self._hover_at(event.position())
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.RightButton:
            self._panning = None
        elif self._dragging and event.button() == Qt.MouseButton.LeftButton:
            self._move_to(event.position())
            self._dragging = False
        else:
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.reset_view()

    def leaveEvent(self, event: object) -> None:
        self._set_hover_from_pointer(None)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if not steps or self._image.isNull():
            return
        zoom = min(MAX_ZOOM, max(1.0, self._zoom * 1.25**steps))
        # Keep the point under the pointer where it is.
        at = event.position()
        rect = self.image_rect()
        anchor = ((at.x() - rect.left()) / rect.width(), (at.y() - rect.top()) / rect.height())
        self._zoom = zoom
        moved = self.point_for(anchor)
        self._pan += at - moved
        if zoom == 1.0:
            self._pan = QPointF(0, 0)
        self.update()

    def _move_to(self, point: QPointF) -> None:
        rect = self.image_rect()
        if rect.isEmpty():
            return
        focus = (
            _clamp((point.x() - rect.left()) / rect.width()),
            _clamp((point.y() - rect.top()) / rect.height()),
        )
        if self._picked is not None:
            if self._own.get(self._picked) != focus:
                self._own[self._picked] = focus
                self._replan()
                self.platformFocusChanged.emit(self._picked, focus)
        elif focus != self._focus:
            self._focus = focus
            self._replan()
            self.focusChanged.emit(*focus)

    def _hover_at(self, point: QPointF) -> None:
        """The smallest frame under the pointer, so nested frames can each be reached."""
        found = [
            (frame.width() * frame.height(), platform_id)
            for platform_id in self.crop_boxes()
            if (frame := self.frame_rect(platform_id)).contains(point)
        ]
        self._set_hover_from_pointer(min(found)[1] if found and self._editable else None)

    def _set_hover_from_pointer(self, platform_id: str | None) -> None:
        if platform_id != self._hover:
            self.set_hover(platform_id)
            self.hoverChanged.emit(platform_id or "")

    # -- painting ---------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform
        )
        rect = self.image_rect()
        if rect.isEmpty():
            painter.end()
            return
        if not self._editable or self._plan is None:
            painter.drawImage(rect, self._image)
            if self._editable:
                self._paint_crosshair(painter, self.point_for(self._focus), QColor("#ffffff"), 10)
            painter.end()
            return
        highlighted = self._highlighted()
        self._paint_painted_area(painter, rect, highlighted)
        painter.drawImage(rect, self._image)
        frames = {pid: self.frame_rect(pid) for pid in self.crop_boxes()}
        self._paint_outside(painter, rect, frames, highlighted)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for platform in self._platforms if self._picked is None else ():
            if platform.id != highlighted and platform.id in frames:
                # Dark under light: an outline that reads on any picture, light or dark.
                painter.setPen(QPen(QColor(0, 0, 0, 90), 3))
                painter.drawRect(frames[platform.id])
                painter.setPen(QPen(QColor(255, 255, 255, 200), 1, Qt.PenStyle.DashLine))
                painter.drawRect(frames[platform.id])
        chosen = next((p for p in self._platforms if p.id == highlighted), None)
        if chosen is not None and chosen.id in frames:
            self._paint_chosen(painter, chosen, frames[chosen.id])
        self._paint_crosshair(painter, self.point_for(self._focus), QColor("#ffffff"), 10)
        for platform_id, point in self._own.items():
            if platform_id in frames:
                self._paint_crosshair(painter, self.point_for(point), self.colour(platform_id), 6)
        painter.end()

    def _paint_painted_area(self, painter: QPainter, rect: QRectF, highlighted: str | None) -> None:
        """Where an expansion paints beyond the picture: hatched in the platform's colour."""
        assert self._plan is not None
        for fit in self._plan.platforms:
            if fit.expansion is None or highlighted not in (None, fit.platform_id):
                continue
            beyond = QPainterPath()
            beyond.addRect(self.frame_rect(fit.platform_id))
            picture = QPainterPath()
            picture.addRect(rect)
            colour = self.colour(fit.platform_id)
            colour.setAlpha(140)
            painter.fillPath(beyond.subtracted(picture), QBrush(colour, Qt.BrushStyle.BDiagPattern))

    def _paint_outside(
        self,
        painter: QPainter,
        rect: QRectF,
        frames: Mapping[str, QRectF],
        highlighted: str | None,
    ) -> None:
        """Shade what the highlighted platform (or every platform) leaves out."""
        kept = QPainterPath()
        kept.setFillRule(Qt.FillRule.WindingFill)
        for platform_id, frame in frames.items():
            if highlighted in (None, platform_id):
                kept.addRect(frame)
        outside = QPainterPath()
        outside.addRect(rect)
        painter.fillPath(outside.subtracted(kept.simplified()), _OUTSIDE)

    def _paint_chosen(self, painter: QPainter, platform: Platform, frame: QRectF) -> None:
        colour = self.colour(platform.id)
        if self._show_zones:
            paint_zones(painter, frame, zones_for(platform))
        painter.setPen(QPen(colour, 3))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(frame.adjusted(1.5, 1.5, -1.5, -1.5))
        fit = self._plan.platform(platform.id) if self._plan else None
        how = "expanded" if fit and fit.expansion else "cropped"
        text = f"{platform.network} · {platform.label} — {how}"
        font = QFont(self.font())
        painter.setFont(font)
        metrics = painter.fontMetrics()
        width, height = metrics.horizontalAdvance(text) + 12, metrics.height() + 6
        chip = QRectF(frame.left() + 4, frame.top() + 4, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(chip, 4, 4)
        painter.setPen(_ink_on(colour))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_crosshair(
        self, painter: QPainter, centre: QPointF, colour: QColor, radius: float
    ) -> None:
        halo = QPen(QColor(0, 0, 0, 160), 4)
        line = QPen(colour, 2)  # over a picture, not the palette: on a dark halo
        arm = radius * 1.8
        for pen in (halo, line):
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centre, radius, radius)
            for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                painter.drawLine(
                    QPointF(centre.x() + dx * arm, centre.y() + dy * arm),
                    QPointF(centre.x() + dx * radius / 2, centre.y() + dy * radius / 2),
                )


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, float(value)))


def _ink_on(colour: QColor) -> QColor:
    """Black or white text, whichever reads on the chip's colour (not a palette role: the chip
    colour is fixed, so its text must be too)."""
    luminance = 0.299 * colour.redF() + 0.587 * colour.greenF() + 0.114 * colour.blueF()
    return QColor("#111111") if luminance > 0.6 else QColor("#ffffff")
