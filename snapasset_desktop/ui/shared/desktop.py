"""Handing things to the desktop: a folder opened in the file manager, a file in its app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

if TYPE_CHECKING:  # the window imports this before the first paint; the library loads after
    from snapasset_desktop.library import AssetRecord, Library


def open_path(path: Path) -> None:
    """A folder in the file manager, a file in the app the desktop opens it with."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def show_in_folder(library: Library, asset: AssetRecord | None) -> None:
    """The folder holding an asset's file, in the file manager ("Show in folder")."""
    if asset is not None:
        open_path(library.asset_path(asset).parent)
