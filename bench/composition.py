"""Composition per shape: how much of the picture each platform keeps, crop against auto.

One source for the 18 built-in platforms (the size the app asks for them, drawn by the
placeholder provider), a subject in the middle and one on a rule-of-thirds point. For
each platform: the share of the source's picture in its asset and whether the subject
is inside its safe area, with every platform cropped (`cover`, today's behaviour) and
with `auto` — the placeholder's expansions actually run, pasted back and checked to keep
every original pixel. Then the API calls and estimated cost per job (crop = 1 call), and
how long planning and the expansion mechanics take.

Targets (issue #14): with auto every platform up to 3:1 keeps at least 85 % of the
picture, the wider banners at least what one 3:1 expansion allows (3 / aspect: 75 % for
4:1), and the subject is inside every safe area.

Run: `.venv/bin/python bench/composition.py` (about half a minute).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import ImageChops

from bench._common import Table, machine, measure
from snapasset_desktop.imaging.composition import CompositionPlan, plan_composition
from snapasset_desktop.imaging.planning import plan_source_size
from snapasset_desktop.platforms import BUILTIN_PLATFORMS
from snapasset_desktop.providers.composition import expand_source, quote
from snapasset_desktop.providers.placeholder import PlaceholderProvider, render_placeholder
from snapasset_desktop.providers.pricing import estimate_cost, format_usd

PROMPT = "a red fox in fresh snow at dawn"
MODEL = "gpt-image-2"
SUBJECT_SIDE = 0.2  # of the source's short side
SUBJECTS = {"centred subject": (0.5, 0.5), "subject on a third": (0.36, 0.4)}
KEEP_TARGET = 0.85
MODEL_LIMIT = 3.0


def subject_box(source: tuple[int, int], centre: tuple[float, float]) -> tuple[float, ...]:
    half_w = SUBJECT_SIDE * min(source) / source[0] / 2
    half_h = SUBJECT_SIDE * min(source) / source[1] / 2
    return centre[0] - half_w, centre[1] - half_h, centre[0] + half_w, centre[1] + half_h


def keep_target(aspect: float) -> float:
    """What the issue asks a platform of this shape to keep under auto."""
    extreme = max(aspect, 1 / aspect)
    return KEEP_TARGET if extreme <= MODEL_LIMIT else MODEL_LIMIT / extreme


def print_platforms(title: str, cover: CompositionPlan, auto: CompositionPlan) -> None:
    print(f"\n### {title}\n")
    print("| platform | shape | crop: kept | crop: subject | auto | auto: kept | auto: subject |")
    print("|---|---|---|---|---|---|---|")
    for platform in BUILTIN_PLATFORMS:
        cropped, composed = cover.platform(platform.id), auto.platform(platform.id)
        how = f"expand ({composed.expansion})" if composed.expansion else composed.fit
        print(
            f"| {platform.id} | {platform.aspect_label} | {cropped.kept:.0%} | "
            f"{'inside' if cropped.subject_safe else cropped.warning} | {how} | "
            f"{composed.kept:.0%} | {'inside' if composed.subject_safe else composed.warning} |"
        )


def main() -> None:
    print(machine())
    planned = plan_source_size(BUILTIN_PLATFORMS, MODEL)
    source_size = (planned.width, planned.height)
    source = render_placeholder(PROMPT, *source_size)
    print(f"\nSource {planned.size_param} for the 18 built-in platforms, model {MODEL}.")
    table = Table("Composition per shape (auto against crop)")
    provider = PlaceholderProvider()
    mechanics: list[float] = []
    for title, centre in SUBJECTS.items():
        box = subject_box(source_size, centre)
        options = {"focus": centre, "subject": box, "model": MODEL}
        cover = plan_composition(source_size, BUILTIN_PLATFORMS, fit="cover", **options)
        auto = plan_composition(source_size, BUILTIN_PLATFORMS, fit="auto", **options)
        print_platforms(f"{title} at {centre}", cover, auto)
        for expansion in auto.expansions:
            expanded: list = []

            def run(expansion=expansion, expanded=expanded) -> None:
                expanded[:] = [
                    expand_source(provider, source, expansion, prompt=PROMPT, model=MODEL)
                ]

            mechanics.extend(measure(run, repeat=1, warmup=0))
            original = expanded[0].crop(expansion.source_box)
            assert ImageChops.difference(original, source).getbbox() is None
        short = [f for f in auto.platforms if f.kept < keep_target(_aspect(f.platform_id)) - 0.005]
        table.add(
            f"{title}: platforms below their share (85 %, 3:1 rule)",
            f"{len(short)} of 18 (crop: "
            f"{sum(f.kept < keep_target(_aspect(f.platform_id)) for f in cover.platforms)})",
            target="0",
            ok=not short,
        )
        hidden = [f.platform_id for f in auto.platforms if not f.subject_safe]
        table.add(
            f"{title}: subject outside a safe area",
            f"{len(hidden)} of 18 (crop: {sum(not f.subject_safe for f in cover.platforms)})",
            target="0",
            ok=not hidden,
        )
        for quality in ("medium", "high"):
            generation = estimate_cost(MODEL, quality, planned.size_param, prompt=PROMPT)
            price = quote(auto, model=MODEL, quality=quality, prompt=PROMPT)
            table.add(
                f"{title}: API calls and cost per job, {quality}",
                f"{1 + price.calls} calls, {format_usd(generation + price.cost_usd)}",
                baseline=f"crop: 1 call, {format_usd(generation)}",
            )
    timing = measure(
        lambda: plan_composition(source_size, BUILTIN_PLATFORMS, fit="auto", model=MODEL),
        repeat=9,
    )
    table.add("plan auto for 18 platforms (median)", f"{statistics.median(timing) * 1000:.1f} ms")
    table.add(
        "one placeholder expansion: canvas, mask, fill, paste-back (median)",
        f"{statistics.median(mechanics) * 1000:.0f} ms",
    )
    table.print()


def _aspect(platform_id: str) -> float:
    return next(p.aspect for p in BUILTIN_PLATFORMS if p.id == platform_id)


if __name__ == "__main__":
    main()
