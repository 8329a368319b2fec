"""The first-run notice: no OpenAI key yet, or the placeholder in use instead of one.

It says what to do while the OpenAI provider is chosen without a key ("Use placeholder",
"Add key…"), and what the placeholder is while it is chosen (free, offline, not a real
image). Switching between the two keeps its place and its height (the two are pages of
one stack), and the window's layout never depends on it: the gallery below gives up
the room, never the docks, so nothing jumps under the pointer.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.secrets import OPENAI_KEY, SecretSource
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.settings_watch import SettingsWatch

NO_KEY = (
    "<b>Add your OpenAI key to generate images.</b> Until then, try layouts with the "
    "free offline placeholder — or drop photos here to resize them for every platform."
)
PLACEHOLDER = (
    "<b>Using the placeholder:</b> free and offline, it draws a labelled stand-in at each "
    "platform's size — not a real image. Add your OpenAI key to generate real ones."
)


class SetupBanner(QFrame):
    """Shown while no key is set and OpenAI or the placeholder is chosen; never a traceback."""

    placeholderChosen = Signal()
    keyRequested = Signal()  # "Add key…": Settings, on the OpenAI key page

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
        use_placeholder = QPushButton(icon("image"), "Use placeholder")
        use_placeholder.setObjectName("usePlaceholderButton")
        use_placeholder.clicked.connect(self._use_placeholder)
        self.pages = QStackedWidget(self)
        self.no_key_page = self._page("noKeyText", NO_KEY, use_placeholder, self._add_key())
        self.placeholder_page = self._page("placeholderText", PLACEHOLDER, self._add_key())
        self.pages.addWidget(self.no_key_page)
        self.pages.addWidget(self.placeholder_page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        SettingsWatch(context.settings, ("provider",), self).changed.connect(self.refresh)

    def _add_key(self) -> QPushButton:
        button = QPushButton(icon("key-round"), "Add key…")
        button.setObjectName("addKeyButton")
        button.setToolTip("Settings, on the OpenAI key page")
        button.clicked.connect(self.keyRequested)
        return button

    @staticmethod
    def _page(name: str, text: str, *buttons: QPushButton) -> QWidget:
        page = QWidget()
        badge = QLabel()
        badge.setPixmap(icon("info").pixmap(20, 20))
        label = QLabel(text)
        label.setObjectName(name)
        label.setWordWrap(True)
        row = QHBoxLayout(page)
        row.setContentsMargins(16, 10, 16, 10)
        row.setSpacing(12)
        row.addWidget(badge)
        row.addWidget(label, 1)
        for button in buttons:
            row.addWidget(button)
        return page

    @Slot()
    def refresh(self) -> None:
        provider = self.context.settings.current.provider
        _, source = self.context.secrets.lookup(OPENAI_KEY)
        self.pages.setCurrentWidget(
            self.placeholder_page if provider == "placeholder" else self.no_key_page
        )
        self.setVisible(source is SecretSource.MISSING)

    @Slot()
    def _use_placeholder(self) -> None:
        self.context.settings.update(provider="placeholder")
        self.refresh()
        self.placeholderChosen.emit()
