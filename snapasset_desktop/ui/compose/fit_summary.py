"""FitSummary: how the next job fits its platforms, and what that adds before Generate.

The fit (Auto, Crop, Expand, Pad) and, from the same planner the job runs
(`imaging.composition`, for the source size the job will ask for and a subject in the
middle), the image requests the expansions make and their estimated cost:
"2 expansions · $0.08". Its tooltip lists each expansion and the platforms it serves.
Pure arithmetic on sizes: it runs on the GUI thread as the designer ticks platforms.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.imaging.composition import plan_composition
from snapasset_desktop.imaging.planning import plan_source_size
from snapasset_desktop.providers.composition import quote
from snapasset_desktop.queue.expansion_stage import subject_around
from snapasset_desktop.services.context import AppContext

FIT_CHOICES = (
    ("Auto", "auto", "Crop where a crop keeps the picture, else expand it to the platform's shape"),
    ("Crop", "cover", "Crop every platform from the picture"),
    ("Expand", "expand", "Expand the picture to every platform's shape, then crop the rest"),
    ("Pad", "contain", "Fit the whole picture in every platform and pad around it"),
)
MIDDLE = (0.5, 0.5)


class FitSummary(QWidget):
    """The fit for the next job and what its expansions will cost; `changed` on a new fit."""

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("fitSummary")
        self.combo = QComboBox(self)
        self.combo.setObjectName("fitCombo")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(6)
        for index, (label, value, tip) in enumerate(FIT_CHOICES):
            self.combo.addItem(label, value)
            self.combo.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        self.combo.setToolTip("How each platform gets its picture from the one generated")
        self.set_fit(ctx.settings.current.fit)
        self.combo.currentIndexChanged.connect(lambda _index: self.changed.emit())
        self.label = QLabel(self)
        self.label.setObjectName("fitQuote")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        title = QLabel("Fit", self)
        title.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        row.addWidget(title)
        row.addWidget(self.combo)
        row.addWidget(self.label, 1)

    def fit(self) -> str:
        return str(self.combo.currentData())

    def set_fit(self, fit: str) -> None:
        index = self.combo.findData(fit)
        self.combo.setCurrentIndex(max(0, index))

    def update_for(
        self,
        platform_ids: Sequence[str],
        *,
        provider: str,
        model: str,
        quality: str,
        variations: int,
    ) -> None:
        """Plan the job the composer holds and say what its expansions add."""
        text, tip = "", ""
        if platform_ids:
            try:
                text, tip = self._quote(platform_ids, provider, model, quality, variations)
            except SnapAssetError as exc:
                text = exc.message
        self.label.setText(text)
        self.label.setToolTip(tip)

    def _quote(
        self, platform_ids: Sequence[str], provider: str, model: str, quality: str, variations: int
    ) -> tuple[str, str]:
        if self.fit() == "contain":
            return "Every platform padded — no extra requests", ""
        settings = self.ctx.settings.current
        platforms = self.ctx.platforms.resolve(platform_ids)
        source = plan_source_size(platforms, model)
        size = (source.width, source.height)
        plan = plan_composition(
            size,
            platforms,
            fit=self.fit(),
            focus=MIDDLE,
            subject=subject_around(MIDDLE, size),
            threshold=settings.fit_threshold,
            model=model,
        )
        if not plan.expansions:
            return "No expansions — every platform is a crop", ""
        price = quote(plan, model=model, quality=quality, variations=variations)
        text = price.text
        if provider != "openai":
            plural = "s" if price.calls != 1 else ""
            text = f"{price.calls} expansion{plural} · free with the placeholder"
        labels = {p.id: p.label for p in platforms}
        tip = "\n".join(
            f"{e.label.capitalize()} ({', '.join(labels[pid] for pid in e.platform_ids)}): "
            f"painted at {e.request[0]} × {e.request[1]}"
            for e in plan.expansions
        )
        note = "An estimate, for a subject in the middle: the focal point found may change it."
        return text, f"{tip}\n{note}"
