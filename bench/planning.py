"""Planning and focal-point speed: the two steps that run on every composer change.

Planning the source size happens as a designer ticks platforms (the composer
shows the crop summary), and the focal point is estimated once per job from
the decoded source; both must be instant. Figures are medians over repeats.

Run: `.venv/bin/python bench/planning.py` (a few seconds).
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageDraw

from bench._common import Table, machine, measure, spread
from snapasset_desktop.imaging import planning
from snapasset_desktop.imaging.focal import estimate_focal_point
from snapasset_desktop.imaging.planning import plan_source_size
from snapasset_desktop.platforms import BUILTIN_PLATFORMS

PLAN_TARGET_MS = 5.0
FOCAL_TARGET_MS = 100.0


def scene(size: int) -> Image.Image:
    """A grainy background with one detailed subject off centre, like a generated image."""
    image = Image.effect_noise((size, size), 12).convert("RGB")
    draw = ImageDraw.Draw(image)
    for step in range(0, size // 5, 6):
        x, y = int(size * 0.6) + step // 3, int(size * 0.4)
        draw.line((x, y - size // 10, x, y + size // 10), fill=(step % 255, 40, 200), width=3)
    return image


def main() -> None:
    print(machine())
    combos = [
        *itertools.islice(itertools.combinations(BUILTIN_PLATFORMS, 3), 200),
        BUILTIN_PLATFORMS,
    ]
    table = Table("Planning and focal point")

    def plan_all() -> None:
        planning._plan.cache_clear()  # a set the designer has not ticked before
        for combo in combos:
            plan_source_size(combo)

    per_plan = [t / len(combos) for t in measure(plan_all, repeat=7)]
    ok = sorted(per_plan)[len(per_plan) // 2] * 1000 <= PLAN_TARGET_MS
    table.add(
        f"plan a new source size ({len(combos)} platform sets)",
        spread(per_plan, "ms", 1000),
        target=f"≤ {PLAN_TARGET_MS:g} ms",
        ok=ok,
    )
    image = scene(2048)
    focal = measure(lambda: estimate_focal_point(image), repeat=7)
    ok = sorted(focal)[len(focal) // 2] * 1000 <= FOCAL_TARGET_MS
    table.add(
        "focal point of a 2048 px source",
        spread(focal, "ms", 1000),
        target=f"≤ {FOCAL_TARGET_MS:g} ms",
        ok=ok,
    )
    table.print()


if __name__ == "__main__":
    main()
