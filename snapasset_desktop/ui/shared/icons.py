"""Interface icons: Lucide line icons drawn in the palette's text colour.

The SVGs use `currentColor`; they are recoloured at load time so they read
well on both light and dark palettes, and cached per colour.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib.resources import files

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QImage, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication, QLabel, QToolButton, QWidget

_RESOURCES = files("snapasset_desktop") / "resources"
_SIZES = (16, 20, 24, 32, 48)


@cache
def _svg(name: str) -> bytes:
    return (_RESOURCES / "icons" / f"{name}.svg").read_bytes()


def _render(svg: bytes, size: int, ratio: float) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg))
    pixels = max(1, round(size * ratio))
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


@cache
def _icon(name: str, color: str, disabled: str, ratio: float) -> QIcon:
    icon = QIcon()
    for mode, tint in ((QIcon.Mode.Normal, color), (QIcon.Mode.Disabled, disabled)):
        svg = _svg(name).replace(b"currentColor", tint.encode())
        for size in _SIZES:
            icon.addPixmap(_render(svg, size, ratio), mode)
    return icon


def icon(name: str, color: QColor | str | None = None) -> QIcon:
    """The Lucide icon `name` (e.g. "sparkles"), in `color` or the palette's text colour."""
    app = QApplication.instance()
    palette = app.palette() if app else QPalette()
    tint = QColor(color) if color else palette.color(QPalette.ColorRole.WindowText)
    muted = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    ratio = app.devicePixelRatio() if app else 1.0
    return _icon(name, tint.name(), muted.name(), ratio)


def app_icon() -> QIcon:
    svg = (_RESOURCES / "snapasset.svg").read_bytes()
    result = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        result.addPixmap(_render(svg, size, 1.0))
    return result


def icon_size(points: int = 18) -> QSize:
    return QSize(points, points)


def mark(name: str, color: QColor | str | None = None, parent: QWidget | None = None) -> QLabel:
    """A small status mark (pause, warning…) drawn from the icon set: a Unicode symbol
    shows as an empty box where the font lacks it."""
    label = QLabel(parent)
    label.setObjectName(f"mark:{name}")
    label.setPixmap(icon(name, color).pixmap(icon_size(14)))
    return label


def tool_button(
    glyph: str,
    tip: str,
    slot: Callable[[], object],
    *,
    name: str = "",
    points: int = 18,
    parent: QWidget | None = None,
) -> QToolButton:
    """A flat icon button, as the panes' action rows use: raised under the pointer only."""
    button = QToolButton(parent)
    button.setObjectName(name)
    button.setIcon(icon(glyph))
    button.setIconSize(icon_size(points))
    button.setToolTip(tip)
    button.setAutoRaise(True)
    button.clicked.connect(slot)
    return button
