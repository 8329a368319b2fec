"""Composition per shape through the job pipeline: the picture each platform keeps, crop
against auto.

One job for the 18 built-in platforms from one prompt (the source the app asks for them,
drawn by the placeholder provider), its focal point in the middle and on a
rule-of-thirds point, run by the real `JobRunner` in a scratch library — the expand
stage, its stored expansions, the crops placed in the safe areas, every asset rendered
and saved. Once with every platform cropped (`cover`), once with `auto`. For each
platform: the share of the source's picture in its asset and whether the subject (the
pipeline's: a square of 10 % of the short side around the focal point) is inside its
safe area; each stored expansion is checked to keep every original pixel. Then the API
calls and estimated cost per job (crop = 1 call), and the time a job takes.

Targets (issue #14): with auto every platform up to 3:1 keeps at least 85 % of the
picture, the wider banners at least what one 3:1 expansion allows (3 / aspect: 75 %
for 4:1), and the subject is inside every safe area.

Run: `.venv/bin/python bench/composition.py` (about 20 seconds).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image, ImageChops

from bench._common import Table, machine, measure
from snapasset_desktop.imaging.composition import CompositionPlan, plan_composition
from snapasset_desktop.imaging.expansion import expanded_box
from snapasset_desktop.platforms import BUILTIN_PLATFORMS
from snapasset_desktop.providers.composition import quote
from snapasset_desktop.providers.pricing import estimate_cost, format_usd

PROMPT = "a red fox in fresh snow at dawn"
MODEL = "gpt-image-2"
SUBJECTS = {"centred subject": (0.5, 0.5), "subject on a third": (0.36, 0.4)}
KEEP_TARGET = 0.85
MODEL_LIMIT = 3.0
ALL = [p.id for p in BUILTIN_PLATFORMS]


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


def run_job(context, fit: str, focus: tuple[float, float]):
    """One placeholder job through the real pipeline; its output and the seconds it took."""
    spec = context.specs.build(PROMPT, ALL, provider="placeholder", fit=fit, focus=focus)
    job = context.library.create_job(spec)
    runner = context.queue.executor.runner_for(job)
    started = time.perf_counter()
    output = runner.run(job)
    return job, output, time.perf_counter() - started


def originals_kept(context, job_id: str, plan: CompositionPlan) -> bool:
    """Every stored expansion holds the source, pixel for pixel, where it says it does."""
    source = Image.open(BytesIO(context.library.source_images(job_id)[0])).convert("RGB")
    for expansion in plan.expansions:
        data = context.library.expanded_image(job_id, expansion.key)
        box = expanded_box(data) if data else None
        if box is None:
            return False
        expanded = Image.open(BytesIO(data)).convert("RGB")
        if ImageChops.difference(expanded.crop(box), source).getbbox() is not None:
            return False
    return True


def main() -> None:
    print(machine())
    root = Path(tempfile.mkdtemp(prefix="snapasset-bench-composition-"))
    for name in ("DATA", "CONFIG", "LOG"):
        os.environ[f"SNAPASSET_{name}_DIR"] = str(root / name.lower())
    from snapasset_desktop.services.context import AppContext

    context = AppContext.open()
    context.settings.update(provider="placeholder", alt_text=False, partial_images=0)
    table = Table("Composition per shape through the job pipeline (auto against crop)")
    seconds: dict[str, list[float]] = {"cover": [], "auto": []}
    for title, centre in SUBJECTS.items():
        plans = {}
        for fit in ("cover", "auto"):
            job, output, took = run_job(context, fit, centre)
            [plan] = output.composition
            plans[fit] = plan
            seconds[fit].append(took)
            if fit == "auto":
                assert originals_kept(context, job.id, plan), "an original pixel changed"
                size = job.spec.size_param
        cover, auto = plans["cover"], plans["auto"]
        print(f"\nSource {size} for the 18 built-in platforms, model {MODEL}.")
        print_platforms(f"{title} at {centre}", cover, auto)

        def short(plan: CompositionPlan) -> list[str]:
            return [
                f.platform_id
                for f in plan.platforms
                if f.kept < keep_target(_aspect(f.platform_id)) - 0.005
            ]

        table.add(
            f"{title}: platforms below their share (85 %, 3:1 rule)",
            f"{len(short(auto))} of 18 (crop: {len(short(cover))})",
            target="0",
            ok=not short(auto),
        )
        hidden = [f.platform_id for f in auto.platforms if not f.subject_safe]
        table.add(
            f"{title}: subject outside a safe area",
            f"{len(hidden)} of 18 (crop: {sum(not f.subject_safe for f in cover.platforms)})",
            target="0",
            ok=not hidden,
        )
        table.add(f"{title}: expansions kept pixel for pixel", "every original pixel")
        for quality in ("medium", "high"):
            generation = estimate_cost(MODEL, quality, size, prompt=PROMPT)
            price = quote(auto, model=MODEL, quality=quality, prompt=PROMPT)
            table.add(
                f"{title}: API calls and cost per job, {quality}",
                f"{1 + price.calls} calls, {format_usd(generation + price.cost_usd)}",
                baseline=f"crop: 1 call, {format_usd(generation)}",
            )
    for fit, runs in seconds.items():
        what = "its expansions painted and stored" if fit == "auto" else "every platform cropped"
        table.add(
            f"one job, 18 platforms, {fit} ({what})",
            f"{statistics.median(runs):.1f} s ({min(runs):.1f}–{max(runs):.1f})",
        )
    width, height = (int(v) for v in size.split("x"))
    timing = measure(
        lambda: plan_composition((width, height), BUILTIN_PLATFORMS, fit="auto", model=MODEL),
        repeat=9,
    )
    table.add("plan auto for 18 platforms (median)", f"{statistics.median(timing) * 1000:.1f} ms")
    table.print()
    context.close()


def _aspect(platform_id: str) -> float:
    return next(p.aspect for p in BUILTIN_PLATFORMS if p.id == platform_id)


if __name__ == "__main__":
    main()
