"""Render the main views with sample data into docs/screenshots/ (`make screenshots`).

Runs offscreen in a throwaway library: a few jobs made with the placeholder
provider (completed), one with text layers in a brand kit, one refused by the fake
reason, a few waiting. Besides the window and its dialogs: the composer with a
saved platform set applied, the window as a first start on a 1024×640 screen
shows it, the viewer (one picture, and a job's versions compared), the export
dialog for one job with what preflight will change, the Brand page, the details
pane's layer editor, and a story and a banner as the layered job drew them (the
story on its expansion). Then composition per shape: the focal editor of a job for
8 platforms with a story's safe zones, that story with its overlay, and a LinkedIn
banner cropped beside the same banner expanded.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

OUT = Path(__file__).resolve().parent / "screenshots"
ROOT = Path(__file__).resolve().parent.parent
PROMPTS = [
    "a lighthouse at dawn, warm light over a calm sea",
    "minimal flat-lay of a coffee cup and croissant on marble",
    "neon city street at night in the rain, cinematic",
    "autumn forest trail with golden leaves, soft fog",
    "bold spring sale poster, pastel shapes",
    "mountain lake reflection at sunrise",
]
PLATFORMS = [
    "instagram-square",
    "instagram-story",
    "x-post",
    "linkedin-banner",
    "youtube-thumbnail",
]
EIGHT = [
    "instagram-square",
    "instagram-story",
    "tiktok",
    "x-post",
    "x-header",
    "linkedin-banner",
    "youtube-thumbnail",
    "facebook-cover",
]


FOX = "a red fox sitting in fresh snow at dawn, pine forest behind"
LAYERED = {
    "headline": "Fresh snow, fresh start",
    "subline": "Warm layers for cold mornings",
    "cta": "Shop now",
    "brand": "Acme",
}
LAYERED_PLATFORMS = ["instagram-story", "linkedin-banner", "x-post", "instagram-square"]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    root = Path(tempfile.mkdtemp(prefix="snapasset-shots-"))
    for name in ("DATA", "CONFIG", "LOG"):
        os.environ[f"SNAPASSET_{name}_DIR"] = str(root / name.lower())
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["HOME"] = "/home/designer"  # the export folder shows a designer's home
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from snapasset_desktop.services.context import AppContext
    from snapasset_desktop.settings import SettingsStore
    from snapasset_desktop.ui.shared.icons import app_icon

    app = QApplication(sys.argv)
    app.setApplicationName("SnapAsset Desktop")
    app.setWindowIcon(app_icon())
    context = AppContext.open()
    SettingsStore(context.paths.settings_file).update(provider="placeholder")
    context.settings = SettingsStore(context.paths.settings_file)
    for prompt in PROMPTS:
        job = context.jobs.submit(context.specs.build(prompt, PLATFORMS))
        context.queue.executor.execute(job.id)
    # For the focal editor and the safe zones; the same job cropped, for the banners.
    eight = context.jobs.submit(context.specs.build(FOX, EIGHT))
    cropped = context.jobs.submit(context.specs.build(FOX, EIGHT, fit="cover"))
    for made in (eight, cropped):
        context.queue.executor.execute(made.id)
    from tests.helpers.brand import make_kit

    make_kit(context.brand, root)
    layered = context.jobs.submit(
        context.specs.build("a red fox in fresh snow at dawn", LAYERED_PLATFORMS, **LAYERED)
    )
    context.queue.executor.execute(layered.id)
    failed = context.jobs.submit(context.specs.build("a famous cartoon mouse", ["x-post"]))
    context.library.update_job(
        failed.id,
        status="failed",
        error_kind="refused",
        attempts=1,
        error_message="The image was refused by OpenAI's safety system: "
        "this request may violate the content policy.",
    )
    for prompt in ("summer collection teaser", "team offsite photo collage", "product launch"):
        context.jobs.submit(context.specs.build(prompt, PLATFORMS[:3]))
    context.jobs.pause()  # they wait in the queue shown, its worker running

    from PIL import Image

    from snapasset_desktop.ui.brand.dialog import BrandDialog
    from snapasset_desktop.ui.export.dialog import ExportDialog
    from snapasset_desktop.ui.export.scope import ExportScope
    from snapasset_desktop.ui.main_window import MainWindow
    from snapasset_desktop.ui.monitor.dialog import MonitorDialog
    from snapasset_desktop.ui.settings.dialog import SettingsDialog

    window = MainWindow(context)
    window.resize(1500, 940)
    window.show()
    window.start_queue()
    OUT.mkdir(exist_ok=True)

    def settle(seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)

    def settle_until(done: Callable[[], bool], limit: float = 60.0) -> None:
        deadline = time.monotonic() + limit
        while not done() and time.monotonic() < deadline:
            settle(0.1)

    settle(2.0)
    # The status bar as a designer sees it once the queue's worker has said it runs.
    settle_until(lambda: window.status.backend.text().endswith("1 worker"))
    first = window.gallery.model.index(0, 0)
    window.gallery.findChild(
        type(window.gallery.findChild(object, "galleryList")), "galleryList"
    ).setCurrentIndex(first)
    window.compose.set_prompt("a lighthouse at dawn, warm light over a calm sea")
    window.compose.picker.apply_set("Launch campaign")  # one click on a saved platform set
    settle(1.5)
    window.grab().save(str(OUT / "main-window.png"))
    window.compose.grab().save(str(OUT / "composer.png"))

    window.gallery.open_viewer(0)
    viewer = window.gallery.viewer
    viewer.resize(1400, 860)
    settle(1.5)
    viewer.grab().save(str(OUT / "viewer.png"))
    viewer.compare_button.setChecked(True)
    settle(2.0)
    viewer.grab().save(str(OUT / "viewer-compare.png"))
    viewer.close()

    job = window.gallery.model.asset(0).job_id
    story = next(
        a for a in context.library.assets_for_job(layered.id) if a.platform == "instagram-story"
    )
    window.resize(1700, 1150)
    window.resizeDocks([window._docks["details"]], [760], Qt.Orientation.Horizontal)
    window.detail.show_asset(story)
    window.detail.tabs.setCurrentWidget(window.detail.layer_editor)
    settle(2.5)
    window.detail.grab().save(str(OUT / "layer-editor.png"))
    for asset in context.library.assets_for_job(layered.id):
        if asset.platform in ("instagram-story", "linkedin-banner"):
            with Image.open(context.library.asset_path(asset)) as image:
                half = image.reduce(2)
            half.save(OUT / f"layers-{asset.platform}.png", optimize=True)
    shots = [
        ("export-dialog.png", ExportDialog(context, ExportScope.job(job), window)),
        ("settings-dialog.png", SettingsDialog(context, window)),
        ("monitor.png", MonitorDialog(context, window)),
        ("brand-page.png", BrandDialog(context, window)),
    ]
    for name, dialog in shots:
        dialog.show()
        settle(2.5)
        dialog.grab().save(str(OUT / name))
        dialog.close()
    small = MainWindow(context)  # a first start on a 1024×640 screen: Create and Details tabbed
    small.resize(1024, 640)
    small.show()
    small.compose.picker.apply_set("Launch campaign")
    settle(2.0)
    small.grab().save(str(OUT / "main-window-1024x640.png"))
    small.stop_queue()
    composition_shots(context, eight.id, cropped.id, settle)
    window.stop_queue()
    context.close()
    QTimer.singleShot(0, app.quit)
    print(f"screenshots in {OUT}")
    return 0


def composition_shots(context, job_id: str, cropped_id: str, settle) -> None:
    """The focal editor, a story with its safe zones, a banner cropped and expanded."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter

    from snapasset_desktop.queue.expansion_stage import plan_for
    from snapasset_desktop.safe_zones import zones_for
    from snapasset_desktop.ui.details.pane import DetailPane
    from snapasset_desktop.ui.details.safe_zone_overlay import paint_zones

    assets = {a.platform: a for a in context.library.assets_for_job(job_id)}

    pane = DetailPane(context)
    pane.resize(1180, 1080)
    pane.show_asset(assets["instagram-story"])
    pane.show()
    settle(3.0)
    pane.splitter.setSizes([760, 320])
    pane.focus_tab.legend.chip("instagram-story").click()
    settle(2.0)
    pane.grab().save(str(OUT / "focal-editor.png"))
    pane.close()

    story = QImage(str(context.library.asset_path(assets["instagram-story"])))
    story = story.scaledToHeight(960, Qt.TransformationMode.SmoothTransformation)
    painter = QPainter(story)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    paint_zones(painter, QRectF(story.rect()), zones_for(context.platforms.get("instagram-story")))
    painter.end()
    story.save(str(OUT / "story-safe-zones.png"))

    # The same job cropped: its picture is shaped for all eight platforms, not the banner.
    banners, captions = {}, {}
    for made in (cropped_id, job_id):
        done = context.jobs.get(made)
        banner = next(
            a for a in context.library.assets_for_job(made) if a.platform == "linkedin-banner"
        )
        banners[made] = QImage(str(context.library.asset_path(banner))).scaledToWidth(1200)
        size = (done.source_width, done.source_height)
        platforms = context.platforms.resolve(EIGHT)
        focus = (done.focus_x, done.focus_y)
        fit = plan_for(done.spec, size, platforms, focus).platform("linkedin-banner")
        how = "expanded for the banners, then cropped" if fit.expansion else "cropped"
        captions[made] = f"LinkedIn banner, {how}: keeps {fit.kept:.0%} of the picture"
    height = sum(image.height() + 56 for image in banners.values()) + 16
    sheet = QImage(1232, height, QImage.Format.Format_RGB32)
    sheet.fill(QColor("#f4f4f6"))
    painter = QPainter(sheet)
    font = QFont()
    font.setPointSize(13)
    painter.setFont(font)
    top = 16
    for made, image in banners.items():
        painter.setPen(QColor("#222222"))
        painter.drawText(16, top + 24, captions[made])
        painter.drawImage(16, top + 40, image)
        top += image.height() + 56
    painter.end()
    sheet.save(str(OUT / "banner-crop-and-expanded.png"))


if __name__ == "__main__":
    sys.exit(main())
