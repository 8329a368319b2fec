"""`resize`, `generate`, `library` and `export`: making assets and getting them out."""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

from snapasset_desktop.cli.output import ProgressLine, human_bytes, print_json, print_table
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.focal import parse_focus
from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.library.models import AssetQuery, AssetRecord
from snapasset_desktop.providers import PROVIDERS
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.generation import GenerationService
from snapasset_desktop.services.pipeline import Progress
from snapasset_desktop.services.requests import IMPORT_PROVIDER, GenerationRequest


def add_parsers(commands: argparse._SubParsersAction) -> None:
    resize = commands.add_parser("resize", help="import an image and render it for platforms")
    resize.add_argument("image", type=Path)
    _add_render_options(resize)
    resize.set_defaults(handler=run_resize)

    generate = commands.add_parser("generate", help="generate an image from a prompt")
    generate.add_argument("prompt")
    generate.add_argument("--provider", choices=PROVIDERS)
    generate.add_argument("--model")
    generate.add_argument("--quality", choices=("auto", "low", "medium", "high"))
    generate.add_argument("--background", choices=("auto", "opaque", "transparent"))
    generate.add_argument("-n", "--variations", type=int, default=1)
    generate.add_argument("--wait", action="store_true", help="wait for the finished assets")
    _add_render_options(generate)
    generate.set_defaults(handler=run_generate)

    library = commands.add_parser("library", help="list the assets in your library")
    _add_filters(library)
    library.add_argument("--json", action="store_true")
    library.set_defaults(handler=run_library)

    export = commands.add_parser("export", help="export assets to a folder or a ZIP")
    _add_filters(export)
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", type=Path, metavar="DIR", help="export into this folder")
    target.add_argument("--zip", type=Path, metavar="FILE", help="export into this ZIP file")
    export.add_argument("--template", help="file names, e.g. {date}_{platform}_{width}x{height}")
    export.add_argument("--format", choices=("png", "jpeg", "jpg", "webp"), help="convert to")
    export.add_argument("--quality", type=int, default=90, help="JPEG/WebP quality (1–100)")
    export.add_argument("--manifest", choices=("json", "csv", "none"), default="json")
    export.add_argument("--json", action="store_true")
    export.set_defaults(handler=run_export)


def _add_render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-p",
        "--platform",
        action="append",
        dest="platforms",
        required=True,
        metavar="PLATFORM",
        help="a platform id (repeat for more)",
    )
    parser.add_argument("--fit", choices=("cover", "contain"))
    parser.add_argument("--focus", type=_focus_arg, metavar="X,Y", help="focal point, 0–1 each")
    parser.add_argument("--pad", help="contain padding: #rrggbb, transparent or blur")
    parser.add_argument("--format", choices=("png", "jpeg", "jpg", "webp"))
    parser.add_argument("--image-quality", type=int, help="JPEG/WebP quality (1–100)")
    parser.add_argument("--out", type=Path, metavar="DIR", help="also copy the assets here")
    parser.add_argument("--json", action="store_true")


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-p", "--platform", action="append", dest="platforms", default=[])
    parser.add_argument("--search", default="", help="text in the prompt")
    parser.add_argument("--job", action="append", dest="jobs", default=[])
    parser.add_argument("--favourite", action="store_true", default=None)
    parser.add_argument("--since", type=_parse_date, help="YYYY-MM-DD")
    parser.add_argument("--until", type=_parse_date, help="YYYY-MM-DD (inclusive)")
    parser.add_argument("--limit", type=int, default=10_000)


def _focus_arg(text: str) -> tuple[float, float]:
    try:
        return parse_focus(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _parse_date(text: str) -> float:
    try:
        return datetime.strptime(text, "%Y-%m-%d").timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(f"dates are written YYYY-MM-DD, not “{text}”") from None


def _request(args: argparse.Namespace, context: AppContext, prompt: str, provider: str):
    return GenerationRequest.build(
        prompt,
        args.platforms,
        registry=context.platforms,
        settings=context.settings.current,
        provider=provider,
        model=getattr(args, "model", None),
        quality=getattr(args, "quality", None),
        background=getattr(args, "background", None),
        asset_format=args.format,
        image_quality=args.image_quality,
        fit=args.fit,
        pad=args.pad,
        focus=args.focus,
        variations=getattr(args, "variations", 1),
    )


def run_resize(args: argparse.Namespace, context: AppContext) -> int:
    request = _request(args, context, args.image.stem, IMPORT_PROVIDER)
    service = GenerationService(context)
    job = service.import_image(args.image, request)
    return _run_and_report(service, job.id, args, context)


def run_generate(args: argparse.Namespace, context: AppContext) -> int:
    request = _request(args, context, args.prompt, args.provider)
    service = GenerationService(context)
    job = service.create_job(request)
    return _run_and_report(service, job.id, args, context)


def _run_and_report(service: GenerationService, job_id: str, args, context: AppContext) -> int:
    progress = ProgressLine()

    def on_progress(event: Progress) -> None:
        progress.show(event.percent, event.message or event.stage)

    try:
        assets = service.run_now(job_id, on_progress=on_progress)
    finally:
        progress.done()
    copied: list[str] = []
    if args.out:
        result = Exporter(context.library).export(
            assets,
            ExportOptions(
                destination=args.out, template="{platform}_{width}x{height}", manifest=None
            ),
        )
        copied = result.files
    if args.json:
        print_json(
            {"job": job_id, "assets": [_asset_json(a, context) for a in assets], "copied": copied}
        )
        return 0
    print(f"Job {job_id}: {len(assets)} asset(s)")
    _print_assets(assets, context)
    for warning in filter(None, (a.warning for a in assets)):
        print(f"warning: {warning}")
    if copied:
        print(f"Copied to {args.out}")
    return 0


def _query(args: argparse.Namespace, context: AppContext) -> AssetQuery:
    platforms = [context.platforms.get(p).id for p in args.platforms]
    until = args.until + 86_400 if args.until else None
    return AssetQuery(
        platforms=platforms,
        text=args.search,
        job_ids=args.jobs,
        favourite=args.favourite,
        date_from=args.since,
        date_to=until,
    )


def run_library(args: argparse.Namespace, context: AppContext) -> int:
    query = _query(args, context)
    assets = context.library.query_assets(query, limit=args.limit)
    if args.json:
        print_json([_asset_json(a, context) for a in assets])
        return 0
    if not assets:
        print("No assets match. Make some with `snapasset-desktop generate` or `resize`.")
        return 0
    _print_assets(assets, context)
    total = context.library.count_assets(query)
    if total > len(assets):
        print(f"… and {total - len(assets)} more (use --limit)")
    return 0


def run_export(args: argparse.Namespace, context: AppContext) -> int:
    assets = context.library.query_assets(_query(args, context), limit=args.limit)
    if not assets:
        raise InvalidInput("No assets match those filters, so there is nothing to export.")
    options = ExportOptions(
        destination=args.zip or args.to,
        as_zip=args.zip is not None,
        format=args.format,
        quality=args.quality,
        manifest=None if args.manifest == "none" else args.manifest,
        **({"template": args.template} if args.template else {}),
    )
    progress = ProgressLine()
    started = time.monotonic()
    try:
        result = Exporter(context.library, limits=context.platforms.size_limits()).export(
            assets,
            options,
            on_progress=lambda done, total: progress.show(
                100 * done / total, f"Exporting {done}/{total}"
            ),
        )
    finally:
        progress.done()
    if args.json:
        print_json(
            {
                "destination": str(result.destination),
                "files": result.files,
                "manifest": result.manifest,
                "warnings": result.warnings,
            }
        )
        return 0
    for warning in result.warnings:
        print(f"warning: {warning}")
    print(
        f"Exported {len(result.files)} file(s) to {result.destination} "
        f"in {time.monotonic() - started:.1f} s"
    )
    return 0


def _asset_json(asset: AssetRecord, context: AppContext) -> dict:
    return {
        "id": asset.id,
        "job": asset.job_id,
        "platform": asset.platform,
        "variant": asset.variant,
        "width": asset.width,
        "height": asset.height,
        "format": asset.format,
        "bytes": asset.bytes,
        "path": str(context.library.asset_path(asset)),
        "prompt": asset.prompt,
        "favourite": asset.favourite,
        "warning": asset.warning,
        "created_at": datetime.fromtimestamp(asset.created_at).isoformat(timespec="seconds"),
    }


def _print_assets(assets: list[AssetRecord], context: AppContext) -> None:
    print_table(
        ("id", "platform", "size", "format", "file size", "path"),
        [
            (
                a.id,
                a.platform + (f" v{a.variant + 1}" if a.variant else ""),
                f"{a.width}×{a.height}",
                a.format,
                human_bytes(a.bytes),
                context.library.asset_path(a),
            )
            for a in assets
        ],
    )
