"""`library` and `export`: what is in the library, and getting it out."""

from __future__ import annotations

import argparse
import time
from datetime import datetime
from pathlib import Path

from snapasset_desktop.cli.output import ProgressLine, print_json, print_table
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.formatting import file_size
from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.library.models import AssetQuery, AssetRecord
from snapasset_desktop.services.context import AppContext

MAX_LIMIT = 1_000_000_000


def add_parsers(commands: argparse._SubParsersAction) -> None:
    library = commands.add_parser("library", help="list the assets in your library")
    _add_filters(library)
    library.add_argument("--json", action="store_true")
    library.set_defaults(handler=run_library, reads_jobs=True)

    export = commands.add_parser("export", help="export assets to a folder or a ZIP")
    _add_filters(export)
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--to", type=Path, metavar="DIR", help="export into this folder")
    target.add_argument("--zip", type=Path, metavar="FILE", help="export into this ZIP file")
    export.add_argument("--template", help="file names, e.g. {date}_{platform}_{width}x{height}")
    export.add_argument("--format", choices=("png", "jpeg", "jpg", "webp"), help="convert to")
    export.add_argument("--quality", type=int, default=90, help="JPEG/WebP quality (1–100)")
    export.add_argument("--manifest", choices=("json", "csv", "none"), default="json")
    export.add_argument(
        "--no-preflight",
        dest="preflight",
        action="store_false",
        help="write the files as they are, without each platform's checks",
    )
    export.add_argument(
        "--clean",
        action="store_true",
        help="also write each picture without its text layers, beside it",
    )
    export.add_argument("--json", action="store_true")
    export.set_defaults(handler=run_export, reads_jobs=True)


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-p", "--platform", action="append", dest="platforms", default=[])
    parser.add_argument("--search", default="", help="text in the prompt")
    parser.add_argument("--job", action="append", dest="jobs", default=[])
    parser.add_argument("--favourite", action="store_true", default=None)
    parser.add_argument("--since", type=_parse_date, help="YYYY-MM-DD")
    parser.add_argument("--until", type=_parse_date, help="YYYY-MM-DD (inclusive)")
    parser.add_argument("--limit", type=limit_arg, default=10_000)


def limit_arg(text: str) -> int:
    """A --limit: bounded, since SQLite takes at most a 64-bit LIMIT (and no library
    holds a billion of anything)."""
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise argparse.ArgumentTypeError(f"a whole number from 1 to {MAX_LIMIT:,}, not “{text}”")
    return int(text)


def _parse_date(text: str) -> float:
    try:
        return datetime.strptime(text, "%Y-%m-%d").timestamp()
    except ValueError:
        raise argparse.ArgumentTypeError(f"dates are written YYYY-MM-DD, not “{text}”") from None


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
        print_json([asset_json(a, context) for a in assets])
        return 0
    if not assets:
        print("No assets match. Make some with `snapasset-desktop generate` or `resize`.")
        return 0
    print_assets(assets, context)
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
        preflight=args.preflight,
        clean=args.clean,
        **({"template": args.template} if args.template else {}),
    )
    progress = ProgressLine()
    started = time.monotonic()
    try:
        result = Exporter(context.library, rules=context.platforms.preflight()).export(
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
                "preflight": [
                    {"file": note.file, "platform": note.platform, "note": note.text}
                    for note in result.notes
                ],
            }
        )
        return 0
    for note in result.notes:
        if note.file is not None:  # files left out are among the warnings
            print(f"preflight: {note.file} — {note.text}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    print(
        f"Exported {len(result.files)} file(s) to {result.destination} "
        f"in {time.monotonic() - started:.1f} s"
    )
    return 0


def asset_json(asset: AssetRecord, context: AppContext) -> dict:
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
        "clean_path": str(clean) if (clean := context.library.clean_path(asset)) else None,
        "layers": asset.layers,
    }


def print_assets(assets: list[AssetRecord], context: AppContext) -> None:
    print_table(
        ("id", "platform", "size", "format", "file size", "path"),
        [
            (
                a.id,
                a.platform + (f" v{a.variant + 1}" if a.variant else ""),
                f"{a.width}×{a.height}",
                a.format,
                file_size(a.bytes),
                context.library.asset_path(a),
            )
            for a in assets
        ],
    )
