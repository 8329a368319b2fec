"""`install-desktop-entry`: put SnapAsset in a Linux desktop's app menu, for pip/pipx installs.

The bundle and the wheel carry the same `.desktop` entry, AppStream metainfo and
icons (`resources/linux/`); this copies them into the user's XDG data folder
(`~/.local/share`), pointing the entry's `Exec` at the command that ran it, so
the menu entry works even when `~/.local/bin` is not on the desktop's PATH.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

from snapasset_desktop.cli.output import fail

APP_ID = "snapasset-desktop"
METAINFO = "io.snapasset.Desktop.metainfo.xml"
ICON_SIZES = (48, 128, 256)


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "install-desktop-entry",
        help="add SnapAsset to your Linux app menu (~/.local/share), or --remove it",
    )
    parser.add_argument("--remove", action="store_true", help="take the entry and icons away")
    parser.set_defaults(handler=run, needs_context=False)


def run(args: argparse.Namespace) -> int:
    if not sys.platform.startswith("linux"):
        return fail("Desktop entries are for Linux; on macOS and Windows use the app bundle.")
    share = data_home()
    targets = installed_files(share)
    if args.remove:
        for path in targets.values():
            path.unlink(missing_ok=True)
        print(f"Removed SnapAsset's menu entry and icons from {share}.")
    else:
        resources = files("snapasset_desktop") / "resources"
        entry = (resources / "linux" / f"{APP_ID}.desktop").read_text(encoding="utf-8")
        sources = {
            "icon-svg": (resources / "snapasset.svg").read_bytes(),
            "metainfo": (resources / "linux" / METAINFO).read_bytes(),
            **{
                f"icon-{size}": (
                    resources / "linux" / "icons" / f"{APP_ID}-{size}.png"
                ).read_bytes()
                for size in ICON_SIZES
            },
            "entry": with_exec(entry, launch_command()).encode(),
        }
        for key, path in targets.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(sources[key])
        print(f"Installed {targets['entry']} and its icons; SnapAsset is in your app menu.")
    refresh_caches(share)
    return 0


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def installed_files(share: Path) -> dict[str, Path]:
    icons = share / "icons" / "hicolor"
    return {
        "entry": share / "applications" / f"{APP_ID}.desktop",
        "metainfo": share / "metainfo" / METAINFO,
        "icon-svg": icons / "scalable" / "apps" / f"{APP_ID}.svg",
        **{
            f"icon-{size}": icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
            for size in ICON_SIZES
        },
    }


def launch_command() -> list[str]:
    """The command that opens this same install's window, as absolute paths."""
    if getattr(sys, "frozen", False):  # the PyInstaller bundle
        return [sys.executable]
    script = Path(sys.argv[0])
    if script.name.startswith(APP_ID) and script.is_file():
        return [str(script.absolute())]
    return [sys.executable, "-m", "snapasset_desktop"]


def with_exec(entry: str, command: list[str]) -> str:
    # The desktop entry spec: quote arguments with spaces; escape ", `, $ and \ inside quotes.
    def quote(arg: str) -> str:
        if not any(c in arg for c in ' \t"`$\\'):
            return arg
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
        return f'"{escaped}"'

    line = "Exec=" + " ".join(quote(arg) for arg in command)
    return "\n".join(line if row.startswith("Exec=") else row for row in entry.splitlines()) + "\n"


def refresh_caches(share: Path) -> None:
    """Menus pick the change up at once where these tools exist; harmless where they don't."""
    for command in (
        ["update-desktop-database", str(share / "applications")],
        [
            "gtk-update-icon-cache",
            "--quiet",
            "--ignore-theme-index",
            str(share / "icons" / "hicolor"),
        ],
    ):
        if shutil.which(command[0]):
            subprocess.run(command, check=False, capture_output=True)
