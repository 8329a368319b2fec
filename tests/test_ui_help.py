"""The Help menu (keyboard shortcuts, the user guide, reporting a problem) and the
settings in a designer's words, each page with a "Learn more" into the guide."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from snapasset_desktop.ui.help.guide import GuideDialog, anchor, readme, sections
from snapasset_desktop.ui.main_window import MainWindow
from snapasset_desktop.ui.settings.dialog import SettingsDialog
from tests.helpers.window import open_window

JARGON = ("retry-after", "rediss", "eyJ", ".sql", "resources/", "in Settings", "anon key", "CA")


@pytest.fixture
def window(qtbot: QtBot) -> Iterator[MainWindow]:
    with open_window(qtbot) as main_window:
        yield main_window


def menu(window: MainWindow, title: str) -> list[str]:
    [top] = [a for a in window.menuBar().actions() if a.text() == title]
    return [a.text() for a in top.menu().actions() if not a.isSeparator()]


def test_the_help_menu(window: MainWindow) -> None:
    assert menu(window, "&Help") == [
        "Keyboard shortcuts",
        "User guide",
        "Report a problem…",
        "About SnapAsset",
    ]


def test_the_shortcuts_sheet_lists_the_menus_keys_and_searches(
    window: MainWindow, qtbot: QtBot
) -> None:
    window.show_shortcuts()
    sheet = window.shortcuts_sheet
    rows = sheet.shown()
    assert ("Queue", "Generate now", "Ctrl+Enter") in rows
    assert ("Help", "Keyboard shortcuts", "Ctrl+/") in rows
    assert any(keys == "Ctrl+E" and where == "File" for where, _, keys in rows)
    qtbot.keyClicks(sheet.search, "pause")
    assert [what for _, what, _ in sheet.shown()] == ["Pause queue"]
    sheet.search.setText("delete")
    assert {where for where, _, _ in sheet.shown()} == {"Queue", "Gallery"}


def test_report_a_problem_opens_the_log_folder(window: MainWindow) -> None:
    opened: list[Path] = []
    window.folder_opener = opened.append
    window.report_problem()
    assert opened == [window.context.paths.log_dir]
    assert "attach snapasset.jsonl" in window.statusBar().currentMessage()


def test_the_guide_is_the_readme_a_section_at_a_time(window: MainWindow, qtbot: QtBot) -> None:
    assert readme(), "the package's description (the README) is installed with it"
    window.show_guide("Cloud sync")
    guide = window.guide
    assert guide.current_title() == "Cloud sync"
    assert "Supabase" in guide.page.toPlainText()
    titles = list(guide.sections)
    assert {"The window", "The queue", "Where your data lives"} <= set(titles)
    guide.page.anchorClicked.emit(QUrl(anchor("Where your data lives")))
    assert guide.current_title() == "Where your data lives"
    qtbot.keyClicks(guide.search, "keyring")
    visible = [guide.index.item(r) for r in range(guide.index.count())]
    assert 0 < sum(not item.isHidden() for item in visible) < len(titles)
    guide.close()


def test_sections_split_at_headings_but_not_inside_code() -> None:
    pictures = "| A | B |\n| --- | --- |\n| ![a](a.png) | ![b](b.png) |\n"
    text = (
        f"# Tool\nintro\n![shot](a.png)\n{pictures}## Use\n```sh\n# a comment\n```\n"
        "| kept | table |\n| --- | --- |\n| x | y |\n### Deeper\nmore\n"
    )
    found = sections(text)
    assert list(found) == ["Tool", "Use", "Deeper"]
    assert found["Tool"] == (1, "# Tool\nintro")  # the pictures and their table left out
    assert found["Use"][1].endswith("| x | y |")
    assert GuideDialog(text="").page.toPlainText().startswith("The guide isn't part")


def shown_words(root: QWidget) -> list[str]:
    """What a settings page says: labels, buttons, hints, tooltips, spin boxes' words."""
    texts = []
    for widget in root.findChildren(QWidget):
        texts.append(widget.toolTip())
        if isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        if isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        if isinstance(widget, QAbstractSpinBox):
            texts.append(widget.specialValueText())
        if isinstance(widget, QComboBox):
            texts.extend(widget.itemText(i) for i in range(widget.count()))
    return [text for text in texts if text]


def test_settings_speak_a_designer_s_words_and_link_to_the_guide(
    window: MainWindow, qtbot: QtBot
) -> None:
    dialog = SettingsDialog(window.context, window)
    qtbot.addWidget(dialog)
    titles = set(sections(readme()))
    for row in range(dialog.nav.count()):
        dialog.nav.setCurrentRow(row)
        page = dialog.pages.currentWidget()
        said = " ".join(shown_words(page))
        assert [word for word in JARGON if word in said] == [], dialog.nav.item(row).text()
        [intro] = [w for w in page.findChildren(QLabel) if w.objectName() == "pageIntro"]
        assert "Learn more" in intro.text()
        section = intro.text().split("href='")[1].split("'")[0]
        assert section in titles, section
    dialog.nav.setCurrentRow(dialog.nav.count() - 1)  # Cloud sync
    [intro] = [
        w
        for w in dialog.pages.currentWidget().findChildren(QLabel)
        if w.objectName() == "pageIntro"
    ]
    intro.linkActivated.emit("Cloud sync")
    guides = [w for w in QApplication.topLevelWidgets() if isinstance(w, GuideDialog)]
    assert any(g.isVisible() and g.current_title() == "Cloud sync" for g in guides)
    for guide in guides:
        guide.close()
