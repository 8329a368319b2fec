"""`sync`: upload what the cloud is missing, and (with --pull) bring teammates' work home."""

from __future__ import annotations

import argparse
import sys

from snapasset_desktop.cli.output import ProgressLine, print_json
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.services.context import AppContext


def add_parsers(commands: argparse._SubParsersAction) -> None:
    sync = commands.add_parser("sync", help="cloud sync: upload what is missing (Supabase)")
    sync.add_argument(
        "--pull",
        action="store_true",
        help="also download jobs made on other machines into this library",
    )
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(handler=run_sync, reads_jobs=True)


def run_sync(args: argparse.Namespace, context: AppContext) -> int:
    cloud = context.cloud
    if not cloud.active():
        raise InvalidInput(
            "Cloud sync isn't on: set up Supabase and sign in under "
            "Settings → Cloud sync in the window first."
        )
    progress = ProgressLine()

    def show(done: int, total: int, *_: object) -> None:
        progress.show(100 * done / max(1, total), f"{done}/{total} jobs")

    try:
        sent = cloud.sync_now(show)
        pulled = cloud.pull(show) if args.pull else None
    finally:
        progress.done()
    if args.json:
        print_json({"uploaded": vars(sent), "pulled": vars(pulled) if pulled else None})
        return 0
    print(f"Uploaded {sent.jobs} job(s), {sent.files} file(s).")
    if pulled is not None:
        print(f"Pulled {pulled.jobs} job(s), {pulled.files} file(s).")
    for job_id, reason in {**sent.failed, **(pulled.failed if pulled else {})}.items():
        print(f"{job_id}: {reason}", file=sys.stderr)
    return 0 if not sent.failed and not (pulled and pulled.failed) else 1
