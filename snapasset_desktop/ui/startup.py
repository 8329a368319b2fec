"""Before Qt starts: say in one line why a window can't open, instead of a Qt abort."""

from __future__ import annotations

import ctypes.util
import os
import sys

# Qt 6's xcb platform plugin loads these at start; Debian/Ubuntu package names.
XCB_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-image": "libxcb-image0",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-randr": "libxcb-randr0",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-shape": "libxcb-shape0",
    "xcb-xkb": "libxcb-xkb1",
    "EGL": "libegl1",
    "fontconfig": "libfontconfig1",
}


def display_problem(environ: dict[str, str] | None = None) -> str | None:
    """A designer-readable reason the window can't open here, or None."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platform = env.get("QT_QPA_PLATFORM", "")
    if platform and not platform.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: Qt's own plugin handles it
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return (
            "No display found, so the window can't open. Run SnapAsset from a desktop "
            "session, or use the command line (snapasset-desktop --help)."
        )
    if env.get("WAYLAND_DISPLAY") and not platform:
        return None
    missing = [
        package for name, package in XCB_LIBRARIES.items() if ctypes.util.find_library(name) is None
    ]
    if missing:
        return (
            "Qt needs system libraries that are missing to open a window. Install them with:"
            f"  sudo apt install {' '.join(missing)}"
        )
    return None
