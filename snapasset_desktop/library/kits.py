"""Brand kits in the library: a folder per kit under the data dir's `brand/`.

`brand/<id>/kit.json` is the kit's document (`BrandKit.to_dict`); `fonts/` and `logos/`
hold its own files. Folders rather than a table in library.db, because a kit is mostly
files: the folder is the kit, whole, so sharing it is zipping it (`library.snapkit`),
there is no row to keep in step with files, and kits need no schema migration (the
document carries its own version). Kits are few (tens), so listing reads each document.

Every write leaves a whole kit or the one before: kit.json is replaced atomically; a
new or imported kit is assembled in a hidden folder and renamed into place; a deleted
one is renamed away before it is removed. A file is added before the document names it.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from snapasset_desktop.brand.fonts import inspect_font
from snapasset_desktop.brand.kit import (
    DEFAULT_KIT,
    DEFAULT_KIT_ID,
    BrandKit,
    KitFile,
    check_kit_id,
    kit_id_for,
)
from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.errors import ImageError, InvalidInput, StorageError
from snapasset_desktop.imaging.decode import load_image
from snapasset_desktop.library.files import atomic_write, ensure_folder, storage_error

log = logging.getLogger(__name__)

KIT_FILE = "kit.json"
KINDS = ("fonts", "logos")
MAX_LOGO_BYTES = 20 * 1024 * 1024
MAX_LOGO_SIDE = 8000
_PNG = b"\x89PNG\r\n\x1a\n"
_FONT_SUFFIXES = (".ttf", ".otf")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UnknownKit(InvalidInput):
    kind = "unknown_kit"


class KitStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def list(self) -> list[BrandKit]:
        """Every readable kit, by name; a damaged one is logged and left out."""
        if not self.folder.is_dir():
            return []
        kits = []
        for path in sorted(self.folder.iterdir()):
            if path.name.startswith(".") or not path.is_dir():
                continue
            try:
                kits.append(self._read(path))
            except (InvalidInput, OSError, ValueError) as exc:
                log.warning("brand kit unreadable, left out", extra={"detail": f"{path}: {exc}"})
        return sorted(kits, key=lambda kit: kit.name.casefold())

    def find(self, ref: str) -> BrandKit | None:
        """A kit by its id or its name, whatever the capitals."""
        wanted = str(ref).strip().casefold()
        if _is_id(wanted) and (self.folder / wanted / KIT_FILE).is_file():
            try:  # a job names its kit by id: one document read, not every kit's
                return self._read(self.folder / wanted)
            except (InvalidInput, OSError, ValueError):
                pass  # damaged: left out, as `list` leaves it out
        return next(
            (k for k in self.list() if wanted in (k.id, k.name.casefold())),
            None,
        )

    def kit_for(self, layers: TextLayers) -> tuple[BrandKit, str | None]:
        """The kit `layers` are drawn in, and a note when it isn't the one they name (a job
        from another library, a kit deleted since): SnapAsset's own look."""
        if layers.kit is None:
            return DEFAULT_KIT, None
        found = self.find(layers.kit)
        if found is not None:
            return found, None
        return DEFAULT_KIT, missing_kit_note(layers.kit)

    def get(self, ref: str) -> BrandKit:
        kit = self.find(ref)
        if kit is not None:
            return kit
        names = [k.name for k in self.list()]
        close = difflib.get_close_matches(str(ref), names, n=1)
        hint = f" Did you mean “{close[0]}”?" if close else ""
        raise UnknownKit(f"There is no brand kit called “{ref}”.{hint}")

    def create(self, name: str, **fields: Any) -> BrandKit:
        """A new kit called `name` (with optional palette, styles, mood)."""
        kit = BrandKit(id=DEFAULT_KIT_ID, name=name, **fields)  # checks the fields first
        return self.install(kit, {})

    def save(self, kit: BrandKit) -> BrandKit:
        """A stored kit's new version (its files must already be in its folder)."""
        folder = self._folder_of(kit.id)
        kit = kit.with_changes(folder=folder)
        self._check_name_free(kit.name, but=kit.id)
        for item in kit.files():
            if not kit.file_path(item).is_file():
                raise InvalidInput(f"The kit “{kit.name}” has no file {item.file}.")
        self._write_document(kit)
        return kit

    def delete(self, ref: str) -> None:
        kit = self.get(ref)
        folder = self._folder_of(kit.id)
        doomed = self.folder / f".deleted-{kit.id}-{secrets.token_hex(4)}"
        try:
            folder.rename(doomed)
        except OSError as exc:
            raise storage_error(exc, folder, is_folder=True) from exc
        shutil.rmtree(doomed, ignore_errors=True)

    def add_file(self, ref: str, kind: str, data: bytes, file_name: str, name: str) -> BrandKit:
        """Add a font or logo (`kind`) to a kit; the kit's new version."""
        kit = self.get(ref)
        checked_file(kind, data, file_name)
        existing = kit.fonts if kind == "fonts" else kit.logos
        if any(item.name.casefold() == name.strip().casefold() for item in existing):
            raise InvalidInput(f"The kit “{kit.name}” already has a {kind[:-1]} called “{name}”.")
        relative = _free_file_name(kit, kind, file_name)
        atomic_write(kit.file_path(KitFile(name, relative)), data)
        item = KitFile(name.strip(), relative)
        changed = (
            kit.with_changes(fonts=(*kit.fonts, item))
            if kind == "fonts"
            else kit.with_changes(logos=(*kit.logos, item))
        )
        return self.save(changed)

    def remove_file(self, ref: str, kind: str, name: str) -> BrandKit:
        """A kit without one of its fonts or logos (the file goes too)."""
        kit = self.get(ref)
        items = kit.fonts if kind == "fonts" else kit.logos
        wanted = name.strip().casefold()
        gone = next((item for item in items if item.name.casefold() == wanted), None)
        if gone is None:
            raise InvalidInput(f"The kit “{kit.name}” has no {kind[:-1]} called “{name}”.")
        kept = tuple(item for item in items if item is not gone)
        saved = self.save(kit.with_changes(**{kind: kept}))  # refused if a style still uses it
        kit.file_path(gone).unlink(missing_ok=True)
        return saved

    def install(
        self, kit: BrandKit, files: Mapping[str, bytes], *, replace: bool = False
    ) -> BrandKit:
        """Store `kit` with its `files` (by their names in the kit) as a new kit, or in
        place of the kit of the same name when `replace`; every file is checked first."""
        for item in kit.files():
            if item.file not in files:
                raise InvalidInput(f"The kit “{kit.name}” is missing its file {item.file}.")
            checked_file(item.file.split("/")[0], files[item.file], item.file)
        ensure_folder(self.folder)
        same_name = self.find(kit.name)
        if same_name is not None and not replace:
            raise InvalidInput(f"There is already a brand kit called “{same_name.name}”.")
        kit_id = same_name.id if same_name is not None else self._free_id(kit.name)
        staging = self.folder / f".new-{secrets.token_hex(6)}"
        try:
            for relative, data in files.items():
                atomic_write(staging / relative, data)
            staged = kit.with_changes(id=kit_id, folder=staging)
            self._write_document(staged)
            self._put_in_place(staging, kit_id)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return self._read(self._folder_of(kit_id))

    def _put_in_place(self, staging: Path, kit_id: str) -> None:
        final = self.folder / kit_id
        old = self.folder / f".replaced-{kit_id}-{secrets.token_hex(4)}"
        try:
            if final.exists():
                final.rename(old)
            staging.rename(final)
        except OSError as exc:
            raise storage_error(exc, final, is_folder=True) from exc
        finally:
            shutil.rmtree(old, ignore_errors=True)

    def _read(self, folder: Path) -> BrandKit:
        data = json.loads((folder / KIT_FILE).read_text(encoding="utf-8"))
        kit = BrandKit.from_dict(data, folder=folder)
        return kit if kit.id == folder.name else kit.with_changes(id=folder.name)

    def _write_document(self, kit: BrandKit) -> None:
        assert kit.folder is not None
        text = json.dumps(kit.to_dict(), indent=2, ensure_ascii=False) + "\n"
        atomic_write(kit.folder / KIT_FILE, text.encode("utf-8"))

    def _folder_of(self, kit_id: str) -> Path:
        folder = self.folder / kit_id
        if not (folder / KIT_FILE).is_file():
            raise UnknownKit(f"There is no brand kit “{kit_id}” in this library.")
        return folder

    def _free_id(self, name: str) -> str:
        base = kit_id_for(name)
        taken = {path.name for path in self.folder.iterdir()} | {DEFAULT_KIT_ID}
        if base not in taken:
            return base
        return next(f"{base}-{n}" for n in range(2, 10_000) if f"{base}-{n}" not in taken)

    def _check_name_free(self, name: str, *, but: str) -> None:
        other = self.find(name)
        if other is not None and other.id != but:
            raise InvalidInput(f"There is already a brand kit called “{other.name}”.")


def _is_id(text: str) -> bool:
    try:
        check_kit_id(text)
    except InvalidInput:
        return False
    return True


def missing_kit_note(name: str) -> str:
    """What a job's layers say when the kit they name isn't where they are drawn."""
    return (
        f"The brand kit “{name}” isn't in this library, so the layers use SnapAsset's own "
        "look; import the kit to use it."
    )


def checked_file(kind: str, data: bytes, file_name: str) -> str:
    """What SnapAsset makes of a kit file: a font's name, or the logo's "W×H"; InvalidInput
    with a sentence when it can't be used."""
    if kind == "fonts":
        return inspect_font(data, Path(file_name).name)
    if kind != "logos":
        raise InvalidInput(f"“{file_name}” isn't a font or a logo.")
    shown = Path(file_name).name
    if data[:5] == b"<?xml" or data.lstrip()[:4] == b"<svg":
        raise InvalidInput(
            f"{shown} is an SVG; logos are PNG files with a transparent background for now — "
            "export the logo as a PNG at least 1000 pixels wide."
        )
    if not data.startswith(_PNG):
        raise InvalidInput(f"{shown} isn't a PNG; logos are PNG files with transparency.")
    if len(data) > MAX_LOGO_BYTES:
        raise InvalidInput(f"{shown} is too large for a logo: at most 20 MB.")
    try:
        width, height = load_image(data, what=shown).size
    except ImageError as exc:
        raise InvalidInput(exc.message, detail=exc.detail) from None
    if max(width, height) > MAX_LOGO_SIDE:
        raise InvalidInput(
            f"{shown} is too large for a logo: at most {MAX_LOGO_SIDE} pixels a side."
        )
    return f"{width}×{height}"


def _free_file_name(kit: BrandKit, kind: str, file_name: str) -> str:
    """`kind/<a safe form of file_name>`, not yet in the kit."""
    path = Path(file_name)
    suffix = path.suffix.lower()
    if kind == "fonts" and suffix not in _FONT_SUFFIXES:
        suffix = ".ttf"
    if kind == "logos":
        suffix = ".png"
    stem = _UNSAFE.sub("-", path.stem).strip("-._")[:60] or kind[:-1]
    taken = {item.file for item in kit.files()}
    folder = kit.folder or Path()
    for n in range(1, 10_000):
        candidate = f"{kind}/{stem}{'' if n == 1 else f'-{n}'}{suffix}"
        if candidate not in taken and not (folder / candidate).exists():
            return candidate
    raise StorageError(f"The kit “{kit.name}” has too many files called {stem}.")
