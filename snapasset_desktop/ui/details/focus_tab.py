"""FocusTab: the details pane's "Focal point" tab — where each platform's frame sits.

The source in a focal point editor (drag the point, every frame follows), above it the
platforms' legend (pick one to see its safe zones and drag its frame alone, or give it
the job's point again) and the safe-zones switch, below it Reset and Apply. Apply asks
the pane to re-render around the editor's points (`applyRequested`); nothing here talks
to the engine.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.platforms import Platform
from snapasset_desktop.ui.details.focal_point_editor import FocalPointEditor, Point
from snapasset_desktop.ui.details.frame_legend import FrameLegend
from snapasset_desktop.ui.shared.icons import icon, tool_button

EVERY_FRAME_HINT = "Drag the point every frame keeps in view, or pick a platform above."
PICKED_FRAME_HINT = "Drag to move this platform's frame alone; its safe zones are shaded."


class FocusTab(QWidget):
    applyRequested = Signal(tuple, dict)  # the job's point, {platform: own point or None}
    zonesToggled = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job: JobRecord | None = None
        self.editor = FocalPointEditor(self)
        self.editor.focusChanged.connect(self.refresh)
        self.editor.platformFocusChanged.connect(self.refresh)
        self.legend = FrameLegend(self)
        self.legend.picked.connect(self._pick_platform)
        self.legend.hovered.connect(lambda pid: self.editor.set_hover(pid or None))
        self.editor.hoverChanged.connect(self.legend.light)
        self.zonesButton = tool_button(
            "layout-grid",
            "Safe zones: show where each platform's own interface covers the picture",
            self._toggle_zones,
            name="zonesButton",
        )
        self.zonesButton.setCheckable(True)
        self.zonesButton.setChecked(True)
        self.ownFocusButton = tool_button(
            "x",
            "Give this platform the job's focal point again",
            self._drop_own_focus,
            name="ownFocusButton",
        )
        legend_row = QHBoxLayout()
        legend_row.setSpacing(4)
        legend_row.addWidget(self.legend, 1)
        legend_row.addWidget(self.ownFocusButton)
        legend_row.addWidget(self.zonesButton)

        self.focusHint = QLabel(EVERY_FRAME_HINT, self)
        self.focusHint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.focusHint.setWordWrap(True)
        self.resetFocusButton = tool_button(
            "rotate-ccw", "Back to the job's focal point", self.reset_focus, name="resetFocusButton"
        )
        self.applyFocusButton = QPushButton(icon("crosshair"), "Apply focal point", self)
        self.applyFocusButton.setObjectName("applyFocusButton")
        self.applyFocusButton.setToolTip(
            "Re-render every platform around these points from the stored picture and its "
            "expansions — a new image is painted only for an expansion the job doesn't have yet"
        )
        self.applyFocusButton.clicked.connect(self.apply_focus)
        focus_row = QHBoxLayout()
        focus_row.setSpacing(8)
        focus_row.addWidget(self.focusHint, 1)
        focus_row.addWidget(self.resetFocusButton)
        focus_row.addWidget(self.applyFocusButton)

        box = QVBoxLayout(self)
        box.setContentsMargins(0, 6, 0, 0)
        box.setSpacing(6)
        box.addLayout(legend_row)
        box.addWidget(self.editor, 1)
        box.addLayout(focus_row)

    # -- what is shown ----------------------------------------------------------------

    def leave(self) -> None:
        """Another job is about to be shown: the old source goes at once."""
        self.editor.set_source(QImage())

    def show_job(
        self,
        job: JobRecord,
        platforms: Sequence[Platform],
        source: QImage,
        source_size: tuple[int, int] | None,
    ) -> None:
        """The job's frames around its points; editable once it has finished."""
        self.job = job
        picked = self.legend.current()
        self.editor.set_platforms(platforms)
        self.editor.set_spec(job.spec)
        self.legend.set_platforms(platforms, self.editor.colour)
        self.legend.set_current(picked)
        if not source.isNull():
            self.editor.set_source(source, source_size)
        self.editor.set_editable(job.finished)
        if job.focus_x is not None and job.focus_y is not None:
            self.editor.set_focus(job.focus_x, job.focus_y)
        self.refresh()

    def show_partial(self, image: QImage) -> None:
        """A running job's partial picture: shown, not editable."""
        self.editor.set_editable(False)
        self.editor.set_source(image)

    def set_job(self, job: JobRecord) -> None:
        """The job as it is now (after a re-render was queued): what Apply compares with."""
        self.job = job
        self.refresh()

    @Slot()
    def refresh(self, *_: object) -> None:
        """Apply and Reset only when the points differ from the job's."""
        job = self.job
        can_focus = bool(job and job.finished and job.platforms) and self.editor.has_source()
        edited = can_focus and self._edited()
        self.applyFocusButton.setEnabled(edited)
        self.resetFocusButton.setEnabled(edited)
        picked = self.editor.picked()
        self.ownFocusButton.setVisible(picked is not None)
        self.ownFocusButton.setEnabled(picked in self.editor.own_focus())

    def hold_apply(self) -> None:
        """Apply waits until the job says how the last one went."""
        self.applyFocusButton.setEnabled(False)

    # -- the points -------------------------------------------------------------------

    def _edited(self) -> bool:
        return bool(self.own_focus_changes()) or self._job_focus_edited()

    def _job_focus_edited(self) -> bool:
        job = self.job
        if job is None or job.focus_x is None or job.focus_y is None:
            return True
        x, y = self.editor.focus()
        return abs(x - job.focus_x) > 1e-3 or abs(y - job.focus_y) > 1e-3

    def own_focus_changes(self) -> dict[str, Point | None]:
        """The platforms' own focal points the editor has that the job doesn't (None: one
        the designer gave back to the job's point)."""
        if self.job is None:
            return {}
        stored = {o.platform_id: o.focus for o in self.job.spec.render.overrides if o.focus}
        edited = self.editor.own_focus()
        return {
            pid: edited.get(pid) for pid in {*stored, *edited} if stored.get(pid) != edited.get(pid)
        }

    # -- actions ----------------------------------------------------------------------

    @Slot()
    def apply_focus(self) -> None:
        if self.job is not None:
            self.hold_apply()
            self.applyRequested.emit(self.editor.focus(), self.own_focus_changes())

    @Slot()
    def reset_focus(self) -> None:
        job = self.job
        if job and job.focus_x is not None and job.focus_y is not None:
            self.editor.set_focus(job.focus_x, job.focus_y)
        if job:
            self.editor.set_spec(job.spec)  # the platforms' own points as the job has them
        self.refresh()

    @Slot(str)
    def _pick_platform(self, platform_id: str) -> None:
        self.editor.pick(platform_id or None)
        self.focusHint.setText(PICKED_FRAME_HINT if platform_id else EVERY_FRAME_HINT)
        self.refresh()

    @Slot()
    def _drop_own_focus(self) -> None:
        picked = self.editor.picked()
        if picked is not None:
            self.editor.set_own_focus(picked, None)
            self.refresh()

    @Slot()
    def _toggle_zones(self) -> None:
        shown = self.zonesButton.isChecked()
        self.editor.set_show_zones(shown)
        self.zonesToggled.emit(shown)
