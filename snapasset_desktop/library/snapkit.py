"""`.snapkit` files: a brand kit as one file a team can share.

A ZIP holding `manifest.json` (the kit's document and, for each of its files, its size
and SHA-256) and the kit's fonts and logos under their names in the kit. Written the
same way every time — entries in order, fixed dates and modes — so one kit gives one
file, byte for byte. Read as untrusted input: the size of the whole and of each entry is
bounded before anything is unpacked, names must be the manifest's own, every checksum
must match, and the kit is checked like one made by hand (`KitStore.install`).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

from snapasset_desktop.brand.kit import MAX_FONTS, MAX_LOGOS, BrandKit
from snapasset_desktop.errors import InvalidInput

PACKAGE_FORMAT = "snapasset-brand-kit-package"
PACKAGE_VERSION = 1
SUFFIX = ".snapkit"
MAX_PACKAGE_BYTES = 64 * 1024 * 1024
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
MANIFEST = "manifest.json"
_MAX_MANIFEST_BYTES = 256 * 1024
_EPOCH = (1980, 1, 1, 0, 0, 0)  # ZIP's earliest date: no clock in the bytes


def pack(kit: BrandKit) -> bytes:
    """The kit and its files as `.snapkit` bytes (the same bytes for the same kit)."""
    files = {item.file: kit.file_path(item).read_bytes() for item in kit.files()}
    manifest = {
        "format": PACKAGE_FORMAT,
        "version": PACKAGE_VERSION,
        "kit": kit.to_dict(),
        "files": {
            name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        },
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _write(archive, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
        for name in sorted(files):
            _write(archive, name, files[name])
    return buffer.getvalue()


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    entry = zipfile.ZipInfo(name, date_time=_EPOCH)
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    archive.writestr(entry, data, compresslevel=6)


def unpack(data: bytes) -> tuple[BrandKit, dict[str, bytes]]:
    """The kit a `.snapkit` holds (not yet stored) and its files by name in the kit."""
    if len(data) > MAX_PACKAGE_BYTES:
        raise InvalidInput(
            f"This brand kit file is too large: at most {MAX_PACKAGE_BYTES // 2**20} MB."
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = {info.filename: info for info in archive.infolist()}
            manifest = _manifest(archive, entries)
            listed: Mapping[str, Any] = manifest["files"]
            if set(entries) != {MANIFEST, *listed} or len(entries) > 1 + MAX_FONTS + MAX_LOGOS:
                raise _damaged("its files don't match its manifest")
            if sum(info.file_size for info in entries.values()) > MAX_UNPACKED_BYTES:
                raise _damaged("it unpacks to more than a brand kit can hold")
            files = {name: _entry(archive, entries[name], listed[name]) for name in listed}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise InvalidInput(
            "This file isn't a SnapAsset brand kit (.snapkit), or it is damaged.",
            detail=repr(exc),
        ) from None
    kit = BrandKit.from_dict(manifest["kit"])
    if {item.file for item in kit.files()} != set(files):
        raise _damaged("its files don't match its manifest")
    return kit, files


def _manifest(archive: zipfile.ZipFile, entries: Mapping[str, zipfile.ZipInfo]) -> dict[str, Any]:
    info = entries.get(MANIFEST)
    if info is None or info.file_size > _MAX_MANIFEST_BYTES:
        raise InvalidInput("This file isn't a SnapAsset brand kit (.snapkit).")
    try:
        manifest = json.loads(archive.read(info))
    except (ValueError, UnicodeDecodeError):
        raise _damaged("its manifest can't be read") from None
    if not isinstance(manifest, dict) or manifest.get("format") != PACKAGE_FORMAT:
        raise InvalidInput("This file isn't a SnapAsset brand kit (.snapkit).")
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _damaged("it has no version")
    if version > PACKAGE_VERSION:
        raise InvalidInput(
            "This brand kit was made by a newer version of SnapAsset — update SnapAsset to "
            "import it."
        )
    if not isinstance(manifest.get("files"), dict) or not all(
        isinstance(entry, dict) for entry in manifest["files"].values()
    ):
        raise _damaged("its list of files is damaged")
    return manifest


def _entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, listed: Mapping[str, Any]) -> bytes:
    expected = listed.get("bytes")
    if not isinstance(expected, int) or info.file_size != expected:
        raise _damaged(f"{info.filename} isn't the size its manifest says")
    with archive.open(info) as stream:
        data = stream.read(expected + 1)  # never more than the manifest allows
    if len(data) != expected or hashlib.sha256(data).hexdigest() != listed.get("sha256"):
        raise _damaged(f"{info.filename} was changed after the kit was exported")
    return data


def _damaged(why: str) -> InvalidInput:
    return InvalidInput(f"This brand kit file is damaged: {why}.")
