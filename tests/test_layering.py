"""The engine stands alone: no module outside ui/ imports Qt."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import snapasset_desktop

ROOT = Path(snapasset_desktop.__file__).parent

BLOCK_QT = """
import importlib, importlib.abc, sys

class BlockQt(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6"):
            raise ImportError(f"engine module imported {name}")

sys.meta_path.insert(0, BlockQt())
for name in sys.argv[1:]:
    importlib.import_module(name)
print("ok", len(sys.argv) - 1)
"""


def engine_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages([str(ROOT)], prefix="snapasset_desktop."):
        if info.name.startswith("snapasset_desktop.ui") or info.name.endswith("__main__"):
            continue
        names.append(info.name)
    return names


def test_engine_imports_without_qt() -> None:
    modules = engine_modules()
    assert len(modules) > 15
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_QT, *modules],
        capture_output=True,
        text=True,
        cwd=ROOT.parent,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ok {len(modules)}"
