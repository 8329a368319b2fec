"""Render the app icon set from its one source, `snapasset_desktop/resources/snapasset.svg`.

Writes into packaging/icons/: PNGs from 16 to 1024 px, a multi-size `.ico` (Windows)
and an `.icns` (macOS), plus the few hicolor PNGs that `install-desktop-entry` copies
for pip users into the package. Run it after editing the SVG and commit what it
writes (the files are small): `python packaging/make_icons.py`.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "snapasset_desktop" / "resources" / "snapasset.svg"
OUT = ROOT / "packaging" / "icons"
PACKAGE_ICONS = ROOT / "snapasset_desktop" / "resources" / "linux" / "icons"
NAME = "snapasset-desktop"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
HICOLOR_SIZES = (48, 128, 256)  # scalable SVG covers the rest; these for desktops without it


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def main() -> int:
    QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        print(f"Not a valid SVG: {SOURCE}", file=sys.stderr)
        return 1
    (OUT / "png").mkdir(parents=True, exist_ok=True)
    PACKAGE_ICONS.mkdir(parents=True, exist_ok=True)
    images = {size: render(renderer, size) for size in SIZES}
    for size, image in images.items():
        image.save(OUT / "png" / f"{size}.png", optimize=True)
    for size in HICOLOR_SIZES:
        images[size].save(PACKAGE_ICONS / f"{NAME}-{size}.png", optimize=True)
    shutil.copyfile(SOURCE, OUT / f"{NAME}.svg")
    largest = images[max(ICO_SIZES)]
    largest.save(
        OUT / f"{NAME}.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != max(ICO_SIZES)],
    )
    # ICNS takes its smaller members from append_images when their sizes match.
    images[1024].save(
        OUT / f"{NAME}.icns", append_images=[images[s] for s in (16, 32, 64, 128, 256, 512)]
    )
    print(f"wrote {len(SIZES)} PNGs, {NAME}.ico and {NAME}.icns to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
