"""The settings pages' building blocks: a titled page whose introduction links to the
user guide, a field with its inline error, a secret shown only on asking, a note."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from snapasset_desktop.ui.help.guide import open_guide
from snapasset_desktop.ui.shared.icons import icon
from snapasset_desktop.ui.shared.styling import error_label


def intro_label(intro: str, guide: str) -> QLabel:
    """A page's muted introduction, ending with "Learn more": the user guide's `guide`
    section, in the app."""
    text = QLabel(f"{html.escape(intro)} <a href='{html.escape(guide)}'>Learn more</a>")
    text.setObjectName("pageIntro")
    text.setWordWrap(True)
    text.setTextFormat(Qt.TextFormat.RichText)
    text.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    text.linkActivated.connect(lambda section: open_guide(text.window(), section))
    return text


def form_page(title: str, intro: str, guide: str) -> tuple[QWidget, QFormLayout]:
    page = QWidget()
    outer = QVBoxLayout(page)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.setSpacing(12)
    heading = QLabel(title)
    font = QFont(heading.font())
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setWeight(QFont.Weight.DemiBold)
    heading.setFont(font)
    text = intro_label(intro, guide)
    form = QFormLayout()
    form.setHorizontalSpacing(16)
    form.setVerticalSpacing(8)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    outer.addWidget(heading)
    outer.addWidget(text)
    outer.addLayout(form)
    outer.addStretch(1)
    return page, form


def form_field(widget: QWidget, *extra: QWidget) -> tuple[QWidget, QLabel]:
    """A field with optional buttons beside it and its inline error below."""
    box = QWidget()
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(4)
    row = QHBoxLayout()
    row.setSpacing(8)
    row.addWidget(widget, 1)
    for item in extra:
        row.addWidget(item)
    column.addLayout(row)
    error = error_label()
    column.addWidget(error)
    return box, error


def hide_secret(edit: QLineEdit, tip: str) -> None:
    """Dots in place of what `edit` holds, and an eye at its end (`tip`) that shows it."""
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    reveal = QAction(icon("eye"), tip, edit)
    reveal.setCheckable(True)
    reveal.toggled.connect(
        lambda on: edit.setEchoMode(
            QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
        )
    )
    edit.addAction(reveal, QLineEdit.ActionPosition.TrailingPosition)


def note_label(text: str = "", *, color: Any = None) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if color is not None:
        palette = label.palette()
        palette.setColor(QPalette.ColorRole.WindowText, color)
        label.setPalette(palette)
    return label
