"""The engine stands alone: no module outside ui/ imports Qt, and the layers stated as
import contracts in pyproject.toml hold (and would catch a module that broke them)."""

from __future__ import annotations

import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import snapasset_desktop

ROOT = Path(snapasset_desktop.__file__).parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

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


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the package and pyproject.toml in `project`."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "COLUMNS": "300"},  # one line per import in the report
        timeout=60,
    )


def test_import_contracts_are_kept() -> None:
    result = lint_imports(ROOT.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


def test_import_contracts_catch_qt_an_upward_import_and_a_module_without_a_layer(
    tmp_path: Path,
) -> None:
    package = tmp_path / "snapasset_desktop"
    shutil.copytree(ROOT, package, ignore=shutil.ignore_patterns("__pycache__", "resources"))
    shutil.copy(ROOT.parent / "pyproject.toml", tmp_path)
    with (package / "queue" / "store.py").open("a") as store:
        store.write("from PySide6 import QtCore\n")
    with (package / "library" / "models.py").open("a") as models:
        models.write("from snapasset_desktop.services import jobs\n")
    (package / "brands.py").write_text('"""A new module, in no layer yet."""\n')

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    report = result.stdout
    assert "Contracts: 0 kept, 2 broken." in report
    assert "snapasset_desktop.queue.store -> PySide6" in report
    assert "snapasset_desktop.library.models -> snapasset_desktop.services.jobs" in report
    assert "- snapasset_desktop.brands" in report
