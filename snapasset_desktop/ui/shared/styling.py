"""Shared looks, derived from the palette so light and dark themes both read well:
status hues, inline messages, the inline error label, the primary button."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

# Status hues (good, bad, needs attention) that read on light and dark backgrounds alike.
GOOD = QColor("#2f9e6b")
BAD = QColor("#d9534f")
WARN = QColor("#e0a030")


def _is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def message_style(palette: QPalette, tone: str) -> str:
    """A soft tinted box for inline messages: tone "error", "warning" or "ok"."""
    dark = _is_dark(palette)
    colours = {
        "error": ("#ff8a80", "#b3261e"),
        "warning": ("#ffcc80", "#8a5300"),
        "ok": ("#81c995", "#1e6b34"),
    }[tone]
    text = QColor(colours[0] if dark else colours[1])
    r, g, b = text.red(), text.green(), text.blue()
    return (
        f"QLabel {{ color: {text.name()}; background: rgba({r}, {g}, {b}, 28);"
        f" border: 1px solid rgba({r}, {g}, {b}, 90); border-radius: 6px; padding: 6px 8px; }}"
    )


def primary_button_style(palette: QPalette) -> str:
    accent = palette.color(QPalette.ColorRole.Highlight)
    return (
        "QPushButton { background: palette(highlight); color: palette(highlighted-text);"
        " border: none; border-radius: 6px; padding: 6px 16px; font-weight: 600; }"
        f" QPushButton:hover {{ background: {accent.lighter(112).name()}; }}"
        f" QPushButton:pressed {{ background: {accent.darker(112).name()}; }}"
        " QPushButton:disabled { background: palette(mid); color: palette(window); }"
    )


def error_label() -> QLabel:
    """An inline, word-wrapped error sentence, hidden until there is one."""
    label = QLabel()
    label.setWordWrap(True)
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, BAD)
    label.setPalette(palette)
    label.hide()
    return label


def show_error(label: QLabel, message: str | None) -> None:
    label.setText(message or "")
    label.setVisible(bool(message))
