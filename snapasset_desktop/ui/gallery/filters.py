"""The gallery's filter bar: search, platform, favourites, date, batch and sort — and one job.

It only describes what to show — an `AssetQuery` and an `AssetSort` — and says
when that changed; typing in the search box waits for a short pause first so
every keystroke does not re-query the library. Where the gallery is too narrow
for one row with every label whole, the choices move to a second row under the
search box instead of being cut ("All platfo…"). "Show this job's images"
narrows it to one job, named on a chip (`job_chip`) that clears it; `describe`
says the filters in words, for the export dialog's title.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLayout,
    QLineEdit,
    QToolButton,
    QWidget,
)

from snapasset_desktop.library.models import AssetQuery, AssetSort
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.gallery.model import date_range
from snapasset_desktop.ui.shared.icons import icon

SEARCH_DEBOUNCE_MS = 250
RECENT_BATCHES = 50
DATES = (("any", "Any time"), ("today", "Today"), ("7d", "Last 7 days"), ("30d", "Last 30 days"))
SORTS = (
    (AssetSort.NEWEST, "Newest first"),
    (AssetSort.OLDEST, "Oldest first"),
    (AssetSort.PLATFORM, "By platform"),
    (AssetSort.SIZE, "Largest files"),
)


class GalleryFilterBar(QWidget):
    changed = Signal()  # query() or sort() is different now

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("galleryFilters")

        self.search = QLineEdit(self)
        self.search.setObjectName("searchEdit")
        self.search.setPlaceholderText("Search prompts  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumWidth(140)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.changed)
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._search_now)

        self.platform = self._combo("platformFilter", "Show one network or platform")
        self._fill_platforms()
        self.favourite = QToolButton(self)
        self.favourite.setObjectName("favouriteFilter")
        self.favourite.setCheckable(True)
        self.favourite.setIcon(icon("star"))
        self.favourite.setToolTip("Only favourites")
        self.favourite.setAutoRaise(True)
        self.favourite.toggled.connect(self._favourite_toggled)
        self.date = self._combo("dateFilter", "When the assets were made")
        for key, text in DATES:
            self.date.addItem(icon("calendar-clock") if key == "any" else icon("clock"), text, key)
        self.batch = self._combo("batchFilter", "Show one batch")
        self.reload_batches()
        self.sort_combo = self._combo("sortCombo", "Order of the gallery")
        for key, text in SORTS:
            self.sort_combo.addItem(text, key.value)
        self.job_id: str | None = None
        self._job_name = ""
        self.job_chip = QToolButton()  # placed by the gallery, under the cards
        self.job_chip.setObjectName("jobFilter")
        self.job_chip.setIcon(icon("x"))
        self.job_chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.job_chip.setAutoRaise(True)
        self.job_chip.clicked.connect(self.clear_job)
        self.job_chip.hide()

        for combo in (self.platform, self.date, self.batch, self.sort_combo):
            # Wide enough for the first choice ("All platforms", "Any time"…) in full.
            combo.setMinimumContentsLength(len(combo.itemText(0)) + 1)
            combo.currentIndexChanged.connect(self.changed)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(12, 8, 12, 8)
        self._grid.setHorizontalSpacing(8)
        self._grid.setVerticalSpacing(6)
        # The bar's minimum is its two-row form (minimumSizeHint), not the row it shows now:
        # otherwise one row would hold the window wider than the designer made it.
        self._grid.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.two_rows: bool | None = None
        self._arrange(two_rows=False)

    def _combo(self, name: str, tip: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setToolTip(tip)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        return combo

    def _width_of(self, *widgets: QWidget) -> int:
        margins = self._grid.contentsMargins()
        hints = sum(w.minimumSizeHint().width() for w in widgets)
        return hints + margins.left() + margins.right() + (len(widgets) - 1) * 8

    def _one_row_width(self) -> int:
        return self._width_of(
            self.search, self.platform, self.date, self.batch, self.favourite, self.sort_combo
        )

    def minimumSizeHint(self) -> QSize:
        above = self._width_of(self.search, self.favourite, self.sort_combo)
        below = self._width_of(self.platform, self.date, self.batch)
        return QSize(max(above, below), super().minimumSizeHint().height())

    def _arrange(self, *, two_rows: bool) -> None:
        """One row: search, platform, date, batch, ★, sort. Two: search, ★ and sort above,
        platform, date and batch below."""
        if two_rows == self.two_rows:
            return
        self.two_rows = two_rows
        grid = self._grid
        widgets = (self.search, self.platform, self.date, self.batch, self.favourite)
        for widget in (*widgets, self.sort_combo):
            grid.removeWidget(widget)
        for column in range(6):
            grid.setColumnStretch(column, 0)
        if two_rows:
            grid.addWidget(self.search, 0, 0, 1, 2)
            grid.addWidget(self.favourite, 0, 2)
            grid.addWidget(self.sort_combo, 0, 3)
            grid.addWidget(self.platform, 1, 0)
            grid.addWidget(self.date, 1, 1)
            grid.addWidget(self.batch, 1, 2, 1, 2)
            for column, stretch in enumerate((2, 1, 0, 1)):
                grid.setColumnStretch(column, stretch)
        else:
            for column, widget in enumerate((*widgets, self.sort_combo)):
                grid.addWidget(widget, 0, column)
            for column, stretch in enumerate((3, 2, 1, 1, 0, 1)):
                grid.setColumnStretch(column, stretch)

    def resizeEvent(self, event: QResizeEvent) -> None:
        two_rows = event.size().width() < self._one_row_width()
        if two_rows != self.two_rows:
            self._arrange(two_rows=two_rows)
            self._grid.activate()  # in this frame, not the next
        super().resizeEvent(event)

    def _fill_platforms(self) -> None:
        self.platform.addItem(icon("layout-grid"), "All platforms", [])
        for network, platforms in self.ctx.platforms.networks().items():
            self.platform.addItem(network, [p.id for p in platforms])
            for p in platforms:
                self.platform.addItem(f"    {p.label}  ({p.width}×{p.height})", [p.id])

    def reload_batches(self) -> None:
        """The recent batches (one small query); keeps the current choice when it still exists."""
        current = self.batch.currentData()
        with self.ctx.library.reader() as conn:
            rows = conn.execute(
                "SELECT id, name FROM batches ORDER BY created_at DESC LIMIT ?", (RECENT_BATCHES,)
            ).fetchall()
        self.batch.blockSignals(True)
        self.batch.clear()
        self.batch.addItem(icon("layers"), "All batches", None)
        for row in rows:
            self.batch.addItem(row["name"], row["id"])
        found = self.batch.findData(current)
        self.batch.setCurrentIndex(max(0, found))
        self.batch.blockSignals(False)
        if current is not None and found < 0:
            self.changed.emit()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _search_now(self) -> None:
        self._debounce.stop()
        self.changed.emit()

    def _favourite_toggled(self, on: bool) -> None:
        self.favourite.setIcon(icon("star", "#f5b301" if on else None))
        self.changed.emit()

    def query(self) -> AssetQuery:
        date_from, date_to = date_range(self.date.currentData() or "any")
        return AssetQuery(
            platforms=tuple(self.platform.currentData() or ()),
            text=self.search.text().strip(),
            date_from=date_from,
            date_to=date_to,
            favourite=True if self.favourite.isChecked() else None,
            batch_id=self.batch.currentData(),
            job_ids=(self.job_id,) if self.job_id else (),
        )

    def describe(self) -> list[str]:
        """The filters besides the search, in words: ["Instagram", "favourites", …]."""
        words = []
        if self.job_id:
            words.append(f"the job {self._job_name}")
        for combo in (self.platform, self.date, self.batch):
            if combo.currentIndex() > 0:
                words.append(combo.currentText().strip())
        if self.favourite.isChecked():
            words.append("favourites")
        return words

    def show_job(self, job_id: str, prompt: str) -> None:
        """Exactly one job's images: every other filter off, the job named on its chip."""
        self._clear_quietly()
        self.job_id = job_id
        words = " ".join(prompt.split())
        self._job_name = f"“{words if len(words) <= 40 else words[:39].rstrip() + '…'}”"
        # Short, so the gallery keeps its width; the prompt is on every card anyway.
        self.job_chip.setText("Only this job")
        self.job_chip.setToolTip(f"Showing only the job {self._job_name} — click to show all")
        self.job_chip.show()
        self.changed.emit()

    def clear_job(self) -> None:
        if self.job_id is not None:
            self.job_id = None
            self.job_chip.hide()
            self.changed.emit()

    def sort(self) -> AssetSort:
        return AssetSort(self.sort_combo.currentData() or AssetSort.NEWEST.value)

    def is_filtered(self) -> bool:
        return self.query() != AssetQuery()

    def clear(self) -> None:
        """Back to everything (one `changed`)."""
        self._clear_quietly()
        self.changed.emit()

    def _clear_quietly(self) -> None:
        widgets = (self.search, self.platform, self.date, self.batch, self.favourite)
        for widget in widgets:
            widget.blockSignals(True)
        self.search.clear()
        for combo in (self.platform, self.date, self.batch):
            combo.setCurrentIndex(0)
        self.favourite.setChecked(False)
        self.favourite.setIcon(icon("star"))
        for widget in widgets:
            widget.blockSignals(False)
        self._debounce.stop()
        self.job_id = None
        self.job_chip.hide()
