"""Check a built wheel carries what `pip install` users need besides the code.

The icons the window draws, the app icon, the fonts text layers use (with their
licences), and the Linux desktop entry, metainfo and icons that
`snapasset-desktop install-desktop-entry` copies. Exits 1 naming what is missing.
"""

from __future__ import annotations

import sys
import zipfile

REQUIRED = (
    "snapasset_desktop/resources/snapasset.svg",
    "snapasset_desktop/resources/preflight.toml",
    "snapasset_desktop/resources/fonts/fonts.toml",
    "snapasset_desktop/resources/fonts/Inter-Bold.otf",
    "snapasset_desktop/resources/fonts/OFL-Inter.txt",
    "snapasset_desktop/resources/icons/sparkles.svg",
    "snapasset_desktop/resources/icons/LICENSE-lucide.txt",
    "snapasset_desktop/resources/linux/snapasset-desktop.desktop",
    "snapasset_desktop/resources/linux/io.snapasset.Desktop.metainfo.xml",
    "snapasset_desktop/resources/linux/icons/snapasset-desktop-256.png",
    "snapasset_desktop/__main__.py",
    "snapasset_desktop/selftest.py",
)


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: check_wheel.py WHEEL", file=sys.stderr)
        return 2
    for path in paths:
        with zipfile.ZipFile(path) as wheel:
            names = set(wheel.namelist())
        missing = [name for name in REQUIRED if name not in names]
        if missing:
            print(f"{path} lacks: {', '.join(missing)}", file=sys.stderr)
            return 1
        resources = sum(1 for n in names if n.startswith("snapasset_desktop/resources/"))
        print(f"{path}: {len(names)} files, {resources} resources, all required files present")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
