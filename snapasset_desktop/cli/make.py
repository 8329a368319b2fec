"""`generate`, `resize` and `batch`: putting work on the queue.

Each takes text layers too — `--headline`, `--subline`, `--cta` in a `--brand` kit's
look — drawn on every platform's picture; `generate` and `batch` can add the kit's
palette and mood to the prompt (`--brand-prompt`, printed so it is seen). A batch CSV
may set them per row (`headline`, `subline`, `cta`, `brand` columns).
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta
from pathlib import Path

from snapasset_desktop.cli.assets import asset_json, print_assets
from snapasset_desktop.cli.follow import follow_job
from snapasset_desktop.cli.output import print_json
from snapasset_desktop.errors import InvalidInput, SnapAssetError
from snapasset_desktop.imaging.composition import FITS
from snapasset_desktop.imaging.focal import parse_focus
from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.providers import PROVIDERS
from snapasset_desktop.services.batch_files import read_batch_file
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.styles import STYLE_PRESETS

MAX_AHEAD = timedelta(days=366)  # --at: a queue holds work for this year, not for 2999
NOBODY_RUNS_IT = (
    "Nothing is running the queue right now: open the app, start "
    "`snapasset-desktop worker`, or add --wait."
)


def add_parsers(commands: argparse._SubParsersAction) -> None:
    generate = commands.add_parser("generate", help="generate an image from a prompt")
    generate.add_argument("prompt")
    _add_generation_options(generate)
    _add_render_options(generate)
    _add_layer_options(generate, generates=True)
    generate.add_argument(
        "--at",
        type=_parse_when,
        metavar="TIME",
        help="start later: HH:MM, YYYY-MM-DDTHH:MM or +30m / +2h",
    )
    generate.add_argument(
        "--wait",
        action="store_true",
        help="follow the job to its end (runs it here if nothing else will)",
    )
    generate.set_defaults(handler=run_generate)

    resize = commands.add_parser("resize", help="import an image and render it for platforms")
    resize.add_argument("image", type=Path)
    _add_render_options(resize)
    _add_layer_options(resize, generates=False)
    resize.set_defaults(handler=run_resize)

    batch = commands.add_parser("batch", help="queue many prompts from a .txt or .csv file")
    batch.add_argument("file", type=Path)
    batch.add_argument("--name", default="")
    _add_generation_options(batch)
    _add_render_options(batch, platforms_required=False)
    _add_layer_options(batch, generates=True)
    batch.add_argument(
        "--wait",
        action="store_true",
        help="follow every job to its end (runs them here if nothing else will)",
    )
    batch.set_defaults(handler=run_batch)


def _add_generation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--provider", choices=PROVIDERS)
    parser.add_argument("--model")
    parser.add_argument("--quality", choices=("auto", "low", "medium", "high"))
    parser.add_argument("--background", choices=("auto", "opaque", "transparent"))
    parser.add_argument("-n", "--variations", type=int, default=1)
    parser.add_argument(
        "--style", choices=tuple(STYLE_PRESETS), help="a look added to the prompt's wording"
    )
    parser.add_argument("--priority", choices=("high", "normal", "low"), default="normal")


def _add_render_options(parser: argparse.ArgumentParser, platforms_required: bool = True) -> None:
    parser.add_argument(
        "-p",
        "--platform",
        action="append",
        dest="platforms",
        required=platforms_required,
        default=None if platforms_required else [],
        metavar="PLATFORM",
        help="a platform id (repeat for more)",
    )
    parser.add_argument(
        "--fit",
        choices=FITS,
        help="auto (the default: crop where little is lost, else expand), cover (crop), "
        "expand or contain (pad)",
    )
    parser.add_argument("--focus", type=focus_arg, metavar="X,Y", help="focal point, 0–1 each")
    parser.add_argument("--pad", help="contain padding: #rrggbb, transparent or blur")
    parser.add_argument("--format", choices=("png", "jpeg", "jpg", "webp"))
    parser.add_argument("--image-quality", type=int, help="JPEG/WebP quality (1–100)")
    parser.add_argument("--out", type=Path, metavar="DIR", help="also copy the assets here")
    parser.add_argument("--json", action="store_true")


def _add_layer_options(parser: argparse.ArgumentParser, *, generates: bool) -> None:
    layers = parser.add_argument_group(
        "text layers", "words and a brand kit drawn on every platform's picture"
    )
    layers.add_argument("--headline", help="up to 120 characters")
    layers.add_argument("--subline", help="up to 240 characters")
    layers.add_argument("--cta", help="a call to action, up to 40 characters")
    layers.add_argument("--brand", metavar="NAME", help="a brand kit's name or id (`brand list`)")
    layers.add_argument(
        "--no-logo", dest="logo", action="store_false", help="leave out the kit's logo"
    )
    if generates:
        layers.add_argument(
            "--brand-prompt",
            action="store_true",
            help="add the kit's colours and mood to the prompt",
        )


def focus_arg(text: str) -> tuple[float, float]:
    try:
        return parse_focus(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _parse_when(text: str) -> float:
    text = text.strip()
    now = datetime.now()
    try:
        if text.startswith("+"):
            amount, unit = float(text[1:-1]), text[-1].lower()
            seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]
            when = now + timedelta(seconds=amount * seconds)
        elif len(text) <= 5 and ":" in text:
            hour, minute = (int(part) for part in text.split(":"))
            when = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
            when = when if when > now else when + timedelta(days=1)
        else:
            when = datetime.fromisoformat(text)
        timestamp = when.timestamp()
    except (ValueError, KeyError, OverflowError):
        raise argparse.ArgumentTypeError(
            f"“{text}” isn't a time: use 14:30, 2026-12-01T09:00, +30m or +2h"
        ) from None
    if timestamp > (now + MAX_AHEAD).timestamp():
        raise argparse.ArgumentTypeError(
            f"“{text}” is too far ahead: SnapAsset schedules jobs up to a year ahead."
        )
    return timestamp


def _options(args: argparse.Namespace) -> dict:
    return _render_options(args) | {
        "brand_prompt": args.brand_prompt,
        "provider": args.provider,
        "model": args.model,
        "quality": args.quality,
        "background": args.background,
        "variations": args.variations,
        "style": args.style,
    }


def _render_options(args: argparse.Namespace) -> dict:
    return {
        "asset_format": args.format,
        "image_quality": args.image_quality,
        "fit": args.fit,
        "pad": args.pad,
        "focus": args.focus,
        "headline": args.headline,
        "subline": args.subline,
        "cta": args.cta,
        "brand": args.brand,
        "logo": args.logo,
    }


def run_generate(args: argparse.Namespace, context: AppContext) -> int:
    spec = context.specs.build(args.prompt, args.platforms, **_options(args))
    if spec.prompt_suffix and not args.json:
        print(f"Added to the prompt: {spec.prompt_suffix}")
    after = context.queue.event_log.last_seq()
    job = context.jobs.submit(spec, priority=args.priority, run_at=args.at)
    if args.wait:
        return _finish(context, job.id, after, args)
    if args.json:
        print_json({"job": job.id, "status": job.status})
    else:
        print(f"Queued job {job.id}.")
        if not context.queue.live_workers():
            print(NOBODY_RUNS_IT, file=sys.stderr)
    return 0


def run_resize(args: argparse.Namespace, context: AppContext) -> int:
    after = context.queue.event_log.last_seq()
    job = context.jobs.import_image(args.image, args.platforms, **_render_options(args))
    return _finish(context, job.id, after, args)


def run_batch(args: argparse.Namespace, context: AppContext) -> int:
    lines = read_batch_file(args.file)
    after = context.queue.event_log.last_seq()
    result = context.jobs.submit_batch(
        lines,
        args.platforms,
        name=args.name or args.file.stem,
        priority=args.priority,
        **_options(args),
    )
    if not args.json:  # what was queued and what was not, before following it
        print(f"Queued {len(result.job_ids)} job(s) as batch {result.batch_id}.")
        for number, reason in result.refused:
            print(f"line {number}: not queued — {reason}", file=sys.stderr)
        if not args.wait and result.job_ids and not context.queue.live_workers():
            print(NOBODY_RUNS_IT, file=sys.stderr)
    ended = _follow_batch(context, result.job_ids, after, quiet=args.json) if args.wait else {}
    if args.json:
        print_json(
            {
                "batch": result.batch_id,
                "jobs": result.job_ids,
                "refused": [{"line": n, "reason": r} for n, r in result.refused],
            }
            | ({"status": ended} if args.wait else {})
        )
    failed = sum(status != "completed" for status in ended.values())
    if failed:
        print(
            f"{failed} of {len(ended)} job(s) did not complete; "
            "`snapasset-desktop retry JOB` runs one again.",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _follow_batch(
    context: AppContext, job_ids: list[str], after: int, *, quiet: bool
) -> dict[str, str]:
    """Each job followed to its end in turn (the queue runs them in its own order); a job
    that fails is a line, not the end of the batch. Each job's status, by id."""
    ended: dict[str, str] = {}
    for number, job_id in enumerate(job_ids, start=1):
        try:
            job = follow_job(context, job_id, after=after)
        except SnapAssetError as exc:
            job = context.jobs.get(job_id)
            if not job.finished:
                raise  # why nothing can run it (the queue is paused, …), not the job's end
            print(
                f"{number}/{len(job_ids)} {job_id}: {job.status} — {exc.message}", file=sys.stderr
            )
        else:
            if not quiet:
                count = len(context.library.assets_for_job(job_id))
                print(f"{number}/{len(job_ids)} {job_id}: completed, {count} asset(s)")
        ended[job_id] = job.status
    return ended


def _finish(context: AppContext, job_id: str, after: int, args: argparse.Namespace) -> int:
    follow_job(context, job_id, after=after)
    assets = context.library.assets_for_job(job_id)
    copied: list[str] = []
    if args.out:
        result = Exporter(context.library).export(
            assets,
            ExportOptions(
                destination=args.out,
                template="{platform}_{width}x{height}",
                manifest=None,
                preflight=False,  # copies, as made; `export` prepares files for posting
            ),
        )
        copied = result.files
    if args.json:
        print_json(
            {"job": job_id, "assets": [asset_json(a, context) for a in assets], "copied": copied}
        )
        return 0
    print(f"Job {job_id}: {len(assets)} asset(s)")
    print_assets(assets, context)
    for warning in filter(None, (a.warning for a in assets)):
        print(f"warning: {warning}")
    for asset in assets:
        for note in asset.layer_notes:
            print(f"note: {asset.platform} — {note}")
    if copied:
        print(f"Copied to {args.out}")
    return 0
