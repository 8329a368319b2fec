"""`snapasset-desktop brand`: list the library's brand kits, import and export them."""

from __future__ import annotations

import argparse
from pathlib import Path

from snapasset_desktop.brand.kit import BrandKit
from snapasset_desktop.cli.output import print_json, print_table
from snapasset_desktop.services.context import AppContext


def add_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("brand", help="list, import and export brand kits")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    listing = actions.add_parser("list", help="the brand kits in this library")
    listing.add_argument("--json", action="store_true", help="print JSON")
    importing = actions.add_parser("import", help="add a kit from a .snapkit file")
    importing.add_argument("file", type=Path)
    importing.add_argument("--name", help="import it under this name")
    importing.add_argument(
        "--replace", action="store_true", help="replace the kit of the same name"
    )
    exporting = actions.add_parser("export", help="write a kit as one .snapkit file")
    exporting.add_argument("kit", help="the kit's name or id")
    exporting.add_argument(
        "-o", "--output", type=Path, help="the file to write (default: <kit id>.snapkit here)"
    )
    exporting.add_argument("--force", action="store_true", help="replace that file if it exists")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, context: AppContext) -> int:
    brand = context.brand
    if args.action == "import":
        kit = brand.import_file(args.file, replace=args.replace, name=args.name)
        print(f"Imported the brand kit “{kit.name}” ({kit.id}).")
        return 0
    if args.action == "export":
        kit = brand.kit(args.kit)
        written = brand.export(
            kit.id, args.output or Path(f"{kit.id}.snapkit"), overwrite=args.force
        )
        print(f"Exported the brand kit “{kit.name}” to {written}.")
        return 0
    kits = brand.kits()
    if getattr(args, "json", False):
        print_json([_summary(kit) for kit in kits])
        return 0
    if not kits:
        print("No brand kits yet. Import one with: snapasset-desktop brand import FILE")
        return 0
    print_table(
        ("id", "name", "colours", "fonts", "logos"),
        [
            (
                kit.id,
                kit.name,
                " ".join(kit.palette.to_dict().values()),
                len(kit.fonts),
                len(kit.logos),
            )
            for kit in kits
        ],
    )
    return 0


def _summary(kit: BrandKit) -> dict[str, object]:
    data = kit.to_dict()
    return {key: data[key] for key in ("id", "name", "mood", "palette", "styles", "fonts", "logos")}
