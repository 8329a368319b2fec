"""The `snapasset-desktop` command: the window when given no command, else one task.

Every error a designer can meet ends as one clear line on stderr and a
non-zero exit; the details go to the log. Commands that read jobs or assets
(`reads_jobs`) first bring the library up to date with the queue.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from snapasset_desktop import __version__
from snapasset_desktop.cli.output import fail
from snapasset_desktop.errors import SnapAssetError

if TYPE_CHECKING:
    from snapasset_desktop.services.context import AppContext

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    from snapasset_desktop.cli import (
        assets,
        brand,
        cloud,
        desktop,
        jobs,
        make,
        monitor,
        presets,
        serve,
    )

    parser = argparse.ArgumentParser(
        prog="snapasset-desktop",
        description="Turn prompts into ready-to-post social media assets. "
        "With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this install works (same as the self-test command) and exit",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    window = commands.add_parser("window", help="open the SnapAsset window (the default)")
    window.set_defaults(handler=None)
    self_test = commands.add_parser(
        "self-test",
        help="run one offline job through the engine and the window, in a scratch library",
    )
    self_test.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep the scratch library in DIR to look at"
    )
    self_test.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    presets.add_parser(commands)
    brand.add_parser(commands)
    make.add_parsers(commands)
    jobs.add_parsers(commands)
    assets.add_parsers(commands)
    monitor.add_parsers(commands)
    cloud.add_parsers(commands)
    serve.add_parsers(commands)
    desktop.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv in ([], ["window"]):  # the window, without loading every command's modules first
        from snapasset_desktop.ui.app import main as window_main

        return window_main()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test or args.command == "self-test":
        from snapasset_desktop import selftest

        return selftest.run(
            keep=getattr(args, "keep", None), timeout=getattr(args, "timeout", 60.0)
        )
    if getattr(args, "handler", None) is None:
        from snapasset_desktop.ui.app import main as window_main

        return window_main()
    undecodable = _undecodable_argument(args)
    if undecodable:
        return fail(
            f"The argument “{undecodable}” has bytes that aren't UTF-8 text; check the "
            "encoding of your terminal or script, or rename the file."
        )
    if not getattr(args, "needs_context", True):
        return args.handler(args)

    from snapasset_desktop.services.context import AppContext

    try:
        context = AppContext.open(kind=getattr(args, "kind", "app"))
    except SnapAssetError as exc:
        return _failed(args, exc)
    try:
        if getattr(args, "reads_jobs", False):
            _catch_up(context)
        return args.handler(args, context)
    except SnapAssetError as exc:
        return _failed(args, exc)
    except KeyboardInterrupt:
        return fail("Stopped.", 130)
    except BrokenPipeError:
        # The reader went away (`… | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    finally:
        context.close()


def _catch_up(context: AppContext) -> None:
    """A command that reads jobs or assets answers from the truth: in Redis mode the
    library first takes in what the shared queue knows, or it says it can't."""
    from snapasset_desktop.queue.backend import LAST_KNEW

    problem = context.catch_up()
    if problem is not None:
        print(f"{problem.message} {LAST_KNEW}", file=sys.stderr, flush=True)


def _failed(args: argparse.Namespace, exc: SnapAssetError) -> int:
    log.info(
        "command failed", extra={"command": args.command, "kind": exc.kind, "detail": exc.detail}
    )
    return fail(exc.message)


def _undecodable_argument(args: argparse.Namespace) -> str | None:
    """The first argument holding bytes that aren't UTF-8, as it can be shown.

    Python hands such bytes over as lone surrogates, which no database, JSON file or
    prompt can take — file names included, since a job keeps its source's name."""
    for value in vars(args).values():
        for item in value if isinstance(value, list) else [value]:
            text = str(item) if isinstance(item, str | Path) else ""
            if not text.isascii():
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError as exc:
                    return _escaped(text, exc.start)
    return None


def _escaped(text: str, bad: int) -> str:
    """Up to 60 characters of `text` around its first bad byte (at `bad`), each such byte
    shown as \\xff, as it was typed."""
    start = max(0, bad - 40)
    excerpt = text[start : start + 60]
    try:
        raw = excerpt.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # surrogates no command line can produce
        raw = excerpt.encode("utf-8", "backslashreplace")
    shown = raw.decode("utf-8", "backslashreplace")
    return ("…" if start else "") + shown + ("…" if start + 60 < len(text) else "")
