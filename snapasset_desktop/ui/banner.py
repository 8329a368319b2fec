"""The first-run notice: what to do when there is no OpenAI key yet."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from snapasset_desktop.secrets import OPENAI_KEY, SecretSource
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.shared.icons import icon


class SetupBanner(QFrame):
    """Shown while the OpenAI provider is chosen but no key is set; never a traceback."""

    placeholderChosen = Signal()
    settingsRequested = Signal()

    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("setupBanner")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAutoFillBackground(True)
        self.setStyleSheet(
            "#setupBanner { background: palette(alternate-base);"
            " border-bottom: 1px solid palette(mid); }"
        )
        badge = QLabel()
        badge.setPixmap(icon("info").pixmap(20, 20))
        text = QLabel(
            "<b>Add your OpenAI key to generate images.</b> Until then, try layouts with the "
            "free offline placeholder — or drop photos here to resize them for every platform."
        )
        text.setWordWrap(True)
        use_placeholder = QPushButton(icon("image"), "Use placeholder")
        use_placeholder.setObjectName("usePlaceholderButton")
        open_settings = QPushButton(icon("settings"), "Add key…")
        open_settings.setObjectName("addKeyButton")
        use_placeholder.clicked.connect(self._use_placeholder)
        open_settings.clicked.connect(self.settingsRequested)
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 10, 16, 10)
        row.setSpacing(12)
        row.addWidget(badge)
        row.addWidget(text, 1)
        row.addWidget(use_placeholder)
        row.addWidget(open_settings)

    @Slot()
    def refresh(self) -> None:
        settings = self.context.settings.current
        _, source = self.context.secrets.lookup(OPENAI_KEY)
        self.setVisible(settings.provider == "openai" and source is SecretSource.MISSING)

    @Slot()
    def _use_placeholder(self) -> None:
        self.context.settings.update(provider="placeholder")
        self.refresh()
        self.placeholderChosen.emit()
