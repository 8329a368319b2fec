"""`snapasset-desktop platforms`: list the presets, add, edit and remove custom ones."""

from __future__ import annotations

import argparse

from snapasset_desktop.cli.output import print_json, print_table
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.formatting import file_size
from snapasset_desktop.platforms import make_custom_platform
from snapasset_desktop.services.context import AppContext


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("platforms", help="list platform presets, or manage custom ones")
    parser.add_argument("--json", action="store_true", help="print JSON")
    actions = parser.add_subparsers(dest="action")
    for name, text in (("add", "add a custom preset"), ("edit", "change a custom preset")):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("id", help="preset id, e.g. newsletter-hero")
        sub.add_argument("size", help="WIDTHxHEIGHT in pixels, e.g. 1200x400")
        sub.add_argument("--label", default="")
        sub.add_argument("--network", default="Custom")
        sub.add_argument("--max-bytes", type=int, default=None, help="file-size limit in bytes")
    remove = actions.add_parser("remove", help="delete a custom preset")
    remove.add_argument("id")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, context: AppContext) -> int:
    registry = context.platforms
    if args.action in ("add", "edit"):
        width, height = _parse_size(args.size)
        platform = make_custom_platform(
            args.id, width, height, label=args.label, network=args.network, max_bytes=args.max_bytes
        )
        (registry.add_custom if args.action == "add" else registry.update_custom)(platform)
        context.settings.update(custom_platforms=registry.custom_entries())
        print(f"Saved preset {platform.id} ({platform.width}×{platform.height}).")
        return 0
    if args.action == "remove":
        registry.remove_custom(args.id)
        context.settings.update(custom_platforms=registry.custom_entries())
        print(f"Removed preset {args.id}.")
        return 0
    platforms = registry.all()
    if args.json:
        print_json([p.to_dict() for p in platforms])
        return 0
    print_table(
        ("id", "network", "label", "size", "aspect", "max file"),
        [
            (
                p.id,
                p.network,
                p.label,
                f"{p.width}×{p.height}",
                p.aspect_label,
                file_size(p.max_bytes) if p.max_bytes else "",
            )
            for p in platforms
        ],
    )
    return 0


def _parse_size(text: str) -> tuple[str, str]:
    parts = text.lower().replace("×", "x").split("x")
    if len(parts) != 2:
        raise InvalidInput(f"Sizes are written WIDTHxHEIGHT, like 1200x400 — not “{text}”.")
    return parts[0], parts[1]
