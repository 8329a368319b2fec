"""The user guide: the README, a section at a time, inside the app.

The README travels with SnapAsset as its package description (the bundle copies the
package's metadata), so the guide the window shows is the one on the project page,
and never out of step with it. It is split at its headings (## and ###, not inside
code blocks); pictures are left out (they live beside the README, not in the app).
A link to another section opens it; a web link opens in the browser.
"""

from __future__ import annotations

import re
from email.message import Message
from functools import cache
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

import snapasset_desktop

DISTRIBUTION = "snapasset-desktop"
_HEADING = re.compile(r"^(#{1,3}) (.+)$")
_PICTURE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_TABLE_RULE = re.compile(r"^\|\s*:?-{3,}")  # a table's rule, under its header
MISSING = (
    "The guide isn't part of this copy of SnapAsset. It is the README of SnapAsset "
    "Desktop, on the page you downloaded it from."
)


@cache
def readme() -> str:
    """The README: a checkout's own (an editable install's metadata is as old as the
    install), else the package's description; "" when this install has none."""
    checkout = Path(snapasset_desktop.__file__).resolve().parent.parent / "README.md"
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    try:
        info = metadata(DISTRIBUTION)
    except PackageNotFoundError:
        return ""
    body = info.get_payload() if isinstance(info, Message) else None
    return str(body or info.get("Description") or "")


def sections(text: str) -> dict[str, tuple[int, str]]:
    """Each heading's title -> (its level, its Markdown), in order; what comes before the
    first heading is the title's."""
    current: list[str] = []
    found: dict[str, tuple[int, list[str]]] = {"SnapAsset Desktop": (1, current)}
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading:
            level, title = len(heading.group(1)), heading.group(2).strip()
            current = [line]
            found[title] = (level, current)
        else:
            current.append(line)
    shown = {
        title: (level, "\n".join(_without_pictures(lines)).strip())
        for title, (level, lines) in found.items()
    }
    return {title: section for title, section in shown.items() if section[1]}


def _without_pictures(lines: list[str]) -> list[str]:
    """The lines with their pictures left out, and a table of pictures with them."""
    kept = []
    for line in lines:
        plain = _PICTURE.sub("", line)
        if plain != line and not plain.strip(" |"):
            continue  # pictures only
        kept.append(plain)
    # A table whose rows were pictures is a header alone: drop it with its rule.
    headless = []
    for n, line in enumerate(kept):
        rule = _TABLE_RULE.match(line)
        follows = kept[n + 1] if n + 1 < len(kept) else ""
        if rule and not follows.startswith("|"):
            headless.pop()
            continue
        headless.append(line)
    return headless


def anchor(title: str) -> str:
    """A heading's anchor as the README's links write it: "#where-your-data-lives"."""
    return "#" + re.sub(r"[^a-z0-9 -]", "", title.lower()).replace(" ", "-")


class GuideDialog(QDialog):
    """The guide's sections on the left, searchable; the one chosen on the right."""

    def __init__(self, parent: QWidget | None = None, *, text: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("SnapAsset user guide")
        self.setObjectName("guideDialog")
        self.resize(900, 640)
        self.sections = sections(readme() if text is None else text)
        self._anchors = {anchor(title): title for title in self.sections}

        self.search = QLineEdit(objectName="guideSearch")
        self.search.setPlaceholderText("Search the guide")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.index = QListWidget(objectName="guideIndex")
        self.index.setFixedWidth(240)
        for title, (level, _) in self.sections.items():
            item = QListWidgetItem(("    " if level == 3 else "") + title, self.index)
            item.setData(Qt.ItemDataRole.UserRole, title)
        self.index.currentItemChanged.connect(self._chosen)
        self.page = QTextBrowser(objectName="guidePage")
        self.page.setOpenLinks(False)
        self.page.anchorClicked.connect(self._follow)

        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.index, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addWidget(self.page, 1)
        if self.sections:
            self.show_section(next(iter(self.sections)))
        else:
            self.page.setPlainText(MISSING)

    def show_section(self, title: str) -> None:
        """The section with this heading (the first one when there is none)."""
        if title not in self.sections:
            title = next(iter(self.sections), "")
        for row in range(self.index.count()):
            if self.index.item(row).data(Qt.ItemDataRole.UserRole) == title:
                self.index.setCurrentRow(row)

    def current_title(self) -> str:
        item = self.index.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def _chosen(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.page.setMarkdown(self.sections[item.data(Qt.ItemDataRole.UserRole)][1])

    def _filter(self, text: str) -> None:
        """Only the sections holding every word searched for."""
        words = text.casefold().split()
        for row in range(self.index.count()):
            item = self.index.item(row)
            body = self.sections[item.data(Qt.ItemDataRole.UserRole)][1].casefold()
            item.setHidden(not all(word in body for word in words))

    def _follow(self, url: QUrl) -> None:
        target = url.toString()
        if target.startswith("#") and target in self._anchors:
            self.search.clear()
            self.show_section(self._anchors[target])
        elif url.scheme() in ("http", "https"):
            QDesktopServices.openUrl(url)


def open_guide(parent: QWidget, section: str = "") -> GuideDialog:
    """The guide, on `section` (a heading of the README), as a window of its own."""
    dialog = GuideDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    if section:
        dialog.show_section(section)
    dialog.show()
    return dialog
