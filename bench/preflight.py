"""What export preflight costs: one job's 18 platform files exported with and without it,
and the export dialog's preview of the notes for a large selection.

The job is rendered as the pipeline renders it (PNG, from a photo-like 1536×1024
source), so preflight does its real work: JPEG for Instagram and TikTok, PNGs
over YouTube's, X's and Bluesky's limits re-encoded to fit, the rest written
byte for byte. The preview reads only the library's records, never a file, so
it should stay far below a frame for a thousand assets.

Run: `.venv/bin/python bench/preflight.py` (about a minute on 2 cores).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from bench._common import Table, app_dirs, interleaved, machine, spread
from snapasset_desktop.imaging.render import RenderOptions, render_platforms
from snapasset_desktop.library import Library
from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.platforms import BUILTIN_PLATFORMS, PlatformRegistry
from tests.helpers.specs import make_spec

REPEAT = 5
PREVIEW_ASSETS = 1000


def photo_like(size: tuple[int, int]) -> Image.Image:
    noise = Image.effect_noise(size, 48).convert("L")
    gradient = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", (gradient, noise, Image.blend(gradient, noise, 0.5)))


def main() -> None:
    print(machine())
    with app_dirs(), Library.open() as library:
        job = library.create_job(make_spec("Dusk", [p.id for p in BUILTIN_PLATFORMS]))
        rendered = render_platforms(photo_like((1536, 1024)), BUILTIN_PLATFORMS, RenderOptions())
        assets = [
            library.save_asset(
                job.id, r.platform_id, r.data, fmt=r.format, width=r.width, height=r.height
            )
            for r in rendered
        ]
        exporter = Exporter(library, rules=PlatformRegistry().preflight())

        def export(preflight: bool) -> None:
            folder = Path(tempfile.mkdtemp(prefix="snapasset-preflight-"))
            exporter.export(assets, ExportOptions(destination=folder / "out", preflight=preflight))

        times = interleaved(
            {"without": lambda: export(False), "with": lambda: export(True)},
            repeat=REPEAT,
            warmup=1,
        )
        notes = exporter.export(
            assets, ExportOptions(destination=Path(tempfile.mkdtemp()) / "o")
        ).notes
        many = (assets * (PREVIEW_ASSETS // len(assets) + 1))[:PREVIEW_ASSETS]
        started = time.perf_counter()
        planned = exporter.preview_notes(many, ExportOptions(destination=Path("unused")))
        preview = time.perf_counter() - started

    table = Table(f"Export preflight ({len(assets)} files, {len(notes)} changed)")
    without = sorted(times["without"])[REPEAT // 2]
    with_ = sorted(times["with"])[REPEAT // 2]
    table.add(
        "export, one job, every platform",
        spread(times["with"]),
        spread(times["without"]),
        f"{with_ / without:.2f}×",
    )
    table.add(
        f"preview_notes, {PREVIEW_ASSETS} assets ({len(planned)} notes)",
        f"{preview * 1000:.1f} ms",
        target="< 16 ms",
        ok=preview < 0.016,
    )
    table.print()


if __name__ == "__main__":
    main()
