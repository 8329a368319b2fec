"""Export assets to a folder or a ZIP, named by a template, with an optional manifest.

An export is all or nothing: a canceled or failed export removes what it wrote
(a ZIP is built in a temp file and renamed at the end). A missing or broken
asset file is skipped with a warning rather than stopping the rest. Nothing is
written through a link inside the export folder, nor over an existing file.

Before a file is written it passes its platform's preflight (`imaging.preflight`,
rules in `resources/preflight.toml`): it is converted where the platform would
refuse it, or left out when it can't be made acceptable, and each change is a
note in the result and the manifest. `preview_notes` says the same beforehand.
Each file carries its job's current alt text (and the manifest lists it).

A file of the same name already in the destination folder is kept, and the new
one named " (2)", unless the designer chose to replace such files or skip
them (`existing_files` finds them first, so they can be asked). A replaced
file is put back if the export does not complete.

An asset drawn with text layers is written as it is, flattened; with `clean` its clean
picture goes beside it (`…_clean`), through the same preflight, and the manifest records
the layers — each one's text, font and box — so another tool can rebuild them.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import secrets
import stat
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from snapasset_desktop.errors import Canceled, ImageError, InvalidInput, StorageError
from snapasset_desktop.imaging.encode import AssetMetadata, normalise_format
from snapasset_desktop.imaging.preflight import (
    PreflightOutcome,
    check_file,
    plan_file,
    planned_format,
)
from snapasset_desktop.library.files import atomic_write, ensure_folder, safe_remove, storage_error
from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.library.naming import (
    DEFAULT_TEMPLATE,
    UniqueNames,
    extension,
    preview,
    render,
    validate_template,
)
from snapasset_desktop.library.store import Library
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.preflight import PreflightRule, PreflightRules, platform_label

MANIFEST_FIELDS = (
    "file",
    "prompt",
    "model",
    "platform",
    "width",
    "height",
    "format",
    "job",
    "created",
    "alt_text",
    "preflight",
    "clean_file",
    "layers",
)
_MANIFESTS = ("json", "csv")
EXISTING = ("keep", "replace", "skip")  # a name already in the folder: keep both, replace, skip


@dataclass
class ExportOptions:
    destination: Path  # a folder, or the .zip file when as_zip
    as_zip: bool = False
    format: str | None = None  # None keeps each asset's format
    quality: int = 90
    template: str = DEFAULT_TEMPLATE
    manifest: str | None = "json"  # "json", "csv" or None
    preflight: bool = True  # apply each platform's rules before writing
    existing: str = "keep"  # files already in the folder: one of EXISTING (a ZIP is replaced)
    clean: bool = False  # also the picture without its text layers, beside each one


@dataclass(frozen=True)
class PreflightNote:
    """What preflight changed (or why it left a file out), for one asset."""

    asset_id: int
    platform: str
    file: str | None  # the exported name; None when the file was not written
    text: str  # e.g. "YouTube thumbnail: JPEG q 86 to stay under 2 MB"


@dataclass
class ExportResult:
    files: list[str]
    destination: Path
    manifest: str | None
    warnings: list[str] = field(default_factory=list)
    notes: list[PreflightNote] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already in the folder, left as they were


class _Sink(Protocol):
    def add(self, name: str, data: bytes) -> None: ...
    def replace(self, name: str, data: bytes) -> None: ...
    def exists(self, name: str) -> bool: ...
    def commit(self) -> None: ...
    def abort(self) -> None: ...


class Exporter:
    def __init__(
        self,
        library: Library,
        *,
        rules: PreflightRules | None = None,
        limits: Mapping[str, int] | None = None,
    ) -> None:
        """`rules`: what each platform accepts (`PlatformRegistry.preflight()`). Without them,
        the built-in platforms' rules, and `limits` (platform id → max file size) for others."""
        self.library = library
        self.rules = rules or _builtin_rules_with(limits or {})

    def preview_names(
        self, assets: Sequence[AssetRecord], options: ExportOptions, count: int = 5
    ) -> list[str]:
        """The first names the export is expected to write, with the extension of the format
        preflight will write each file in (an Instagram PNG is saved as JPEG)."""
        fmt = normalise_format(options.format) if options.format else None
        return preview(
            options.template,
            assets,
            fmt,
            count,
            format_of=lambda asset, asked: self._planned_format(asset, asked, options),
        )

    def _planned_format(self, asset: AssetRecord, asked: str, options: ExportOptions) -> str:
        if not options.preflight:
            return asked
        return planned_format(
            self.rules.get(asset.platform),
            file_format=asset.format,
            width=asset.width,
            height=asset.height,
            size=asset.bytes,
            fmt=asked,
        )

    def preview_notes(
        self, assets: Sequence[AssetRecord], options: ExportOptions
    ) -> list[PreflightNote]:
        """What preflight is expected to change, from the library's records alone (no file is
        read): cheap enough for the export dialog to show as the selection changes."""
        if not options.preflight:
            return []
        fmt = normalise_format(options.format) if options.format else None
        notes: list[PreflightNote] = []
        for asset in assets:
            planned = plan_file(
                self.rules.get(asset.platform),
                file_format=asset.format,
                width=asset.width,
                height=asset.height,
                size=asset.bytes,
                fmt=fmt,
            )
            notes.extend(PreflightNote(asset.id, asset.platform, None, text) for text in planned)
        return notes

    def existing_files(self, assets: Sequence[AssetRecord], options: ExportOptions) -> list[str]:
        """The names this export is expected to write that are already at its destination (for
        a ZIP, the archive itself), so the designer can be asked before anything is replaced."""
        destination = options.destination
        if options.as_zip:
            return [destination.name] if os.path.lexists(destination) else []
        if not destination.is_dir():
            return []
        validate_template(options.template)
        fmt = normalise_format(options.format) if options.format else None
        found = []
        for index, asset in enumerate(assets):
            planned = self._planned_format(asset, fmt or asset.format, options)
            stem = render(options.template, asset, index, len(assets), planned)
            name = f"{stem}.{extension(planned)}"
            if os.path.lexists(destination / name):
                found.append(name)
        manifest = f"manifest.{options.manifest}"
        if options.manifest and os.path.lexists(destination / manifest):
            found.append(manifest)
        return found

    def export(
        self,
        assets: Sequence[AssetRecord],
        options: ExportOptions,
        *,
        on_progress: Callable[[int, int], None] | None = None,
        should_cancel: Callable[[], bool] | None = None,
    ) -> ExportResult:
        validate_template(options.template)
        if options.manifest not in (None, *_MANIFESTS):
            raise InvalidInput(f"The manifest can be JSON or CSV, not “{options.manifest}”.")
        if options.existing not in EXISTING:
            raise InvalidInput(
                f"A file already there can be kept, replaced or skipped, not “{options.existing}”."
            )
        if not assets:
            raise InvalidInput("Choose at least one image to export.")
        fmt = normalise_format(options.format) if options.format else None
        sink: _Sink = (
            _ZipSink(options.destination) if options.as_zip else _FolderSink(options.destination)
        )
        # Keeping both, a name on disk is taken; otherwise only this export's names are, and
        # a name on disk is replaced or skipped.
        names = UniqueNames(taken=sink.exists if options.existing == "keep" else None)
        result = ExportResult([], options.destination, None)
        rows: list[dict[str, Any]] = []
        alt_texts = self.library.alt_texts([asset.job_id for asset in assets])
        try:
            for index, asset in enumerate(assets):
                if should_cancel and should_cancel():
                    raise Canceled("The export was canceled.")
                alt_text = alt_texts.get(asset.job_id, "")
                asked = fmt or asset.format
                stem = render(options.template, asset, index, len(assets), asked)
                label = f"{stem}.{extension(asked)}"
                path = self.library.asset_path(asset)
                outcome = self._prepare(asset, path, fmt, options, alt_text, label, result.warnings)
                if outcome is not None and outcome.data is None:  # the platform would refuse it
                    result.warnings.extend(outcome.notes)
                    result.notes.extend(_notes(asset, None, outcome))
                elif outcome is not None and outcome.data is not None:
                    stem = render(options.template, asset, index, len(assets), outcome.format)
                    name = names.claim(stem, f".{extension(outcome.format)}")
                    if _write(sink, name, outcome.data, options.existing):
                        result.files.append(name)
                        result.notes.extend(_notes(asset, name, outcome))
                        clean_name = self._write_clean(
                            sink, names, asset, stem, label, fmt, options, alt_text, result
                        )
                        rows.append(_manifest_row(asset, name, outcome, alt_text, clean_name))
                    else:  # left as it was: nothing changed, nothing to note
                        result.skipped.append(name)
                if on_progress:
                    on_progress(index + 1, len(assets))
            if options.manifest and rows:
                # Skipping files, this export's own list still goes beside the older one.
                taken = sink.exists if options.existing == "skip" else None
                result.manifest = names.claim("manifest", f".{options.manifest}", taken=taken)
                _write(sink, result.manifest, _manifest(rows, options.manifest), "replace")
            if should_cancel and should_cancel():
                raise Canceled("The export was canceled.")
            sink.commit()
        except BaseException:
            sink.abort()
            raise
        return result

    def _write_clean(
        self,
        sink: _Sink,
        names: UniqueNames,
        asset: AssetRecord,
        stem: str,
        label: str,
        fmt: str | None,
        options: ExportOptions,
        alt_text: str,
        result: ExportResult,
    ) -> str | None:
        """The asset's clean picture (no text layers) beside it, when asked and it has one;
        its name, or None."""
        clean_path = self.library.clean_path(asset) if options.clean else None
        if clean_path is None:
            return None
        clean_label = f"the clean picture of {label}"
        clean = self._prepare(
            asset, clean_path, fmt, options, alt_text, clean_label, result.warnings
        )
        if clean is None or clean.data is None:
            return None
        name = names.claim(f"{stem}_clean", f".{extension(clean.format)}")
        if not _write(sink, name, clean.data, options.existing):
            result.skipped.append(name)
            return None
        result.files.append(name)
        return name

    def _prepare(
        self,
        asset: AssetRecord,
        path: Path,
        fmt: str | None,
        options: ExportOptions,
        alt_text: str,
        label: str,
        warnings: list[str],
    ) -> PreflightOutcome | None:
        """The file as it will be written (the asset's own bytes unless something must
        change); None, and a warning, when the asset can't be read."""
        rule = self.rules.get(asset.platform) if options.preflight else None
        if not path.is_file():
            warnings.append(f"The file for {label} is missing from the library; it was skipped.")
            return None
        metadata = AssetMetadata(
            prompt=asset.prompt,
            model=asset.model,
            job_id=asset.job_id,
            platform=asset.platform,
            alt_text=alt_text,
        )
        try:
            return check_file(
                path.read_bytes(), rule, fmt=fmt, quality=options.quality, metadata=metadata
            )
        except (OSError, ImageError) as exc:
            warnings.append(f"{label} could not be read and was skipped ({exc}).")
            return None


def _notes(asset: AssetRecord, name: str | None, outcome: PreflightOutcome) -> list[PreflightNote]:
    return [PreflightNote(asset.id, asset.platform, name, text) for text in outcome.notes]


def _write(sink: _Sink, name: str, data: bytes, existing: str) -> bool:
    """`data` written as `name`, over a file already there when `existing` is "replace";
    False when such a file is to be skipped."""
    if not sink.exists(name):
        sink.add(name, data)
    elif existing == "replace":
        sink.replace(name, data)
    else:
        return False
    return True


def _builtin_rules_with(limits: Mapping[str, int]) -> PreflightRules:
    """The built-in platforms' rules, and a size-limit rule for each other platform in `limits`."""
    builtin = list(PlatformRegistry().preflight())
    known = {rule.platform for rule in builtin}
    custom = [
        PreflightRule(platform, platform_label("Custom", platform), max_bytes=limit)
        for platform, limit in limits.items()
        if platform not in known
    ]
    return PreflightRules([*builtin, *custom])


def _manifest_row(
    asset: AssetRecord,
    name: str,
    outcome: PreflightOutcome,
    alt_text: str,
    clean_name: str | None,
) -> dict[str, Any]:
    # Only these fields: the rest of a job's spec (its imported file's name…) is nobody's business.
    return {
        "file": name,
        "prompt": asset.prompt,
        "model": asset.model,
        "platform": asset.platform,
        "width": outcome.width,
        "height": outcome.height,
        "format": outcome.format,
        "job": asset.job_id,
        "created": datetime.fromtimestamp(asset.created_at).isoformat(timespec="seconds"),
        "alt_text": alt_text,
        "preflight": outcome.notes,
        "clean_file": clean_name,
        "layers": _layers(asset, outcome),
    }


def _layers(asset: AssetRecord, outcome: PreflightOutcome) -> dict[str, Any] | None:
    """What was drawn on the asset, boxes scaled to the file as written (preflight may
    have made it smaller)."""
    if asset.layers is None:
        return None
    scale = outcome.width / asset.width if asset.width else 1.0
    if abs(scale - 1.0) < 1e-9:
        return asset.layers
    layers = [
        {
            key: [round(v * scale) for v in value] if key in ("box", "text_box") else value
            for key, value in layer.items()
        }
        for layer in asset.layers.get("layers", [])
    ]
    return asset.layers | {"layers": layers}


def _manifest(rows: list[dict[str, Any]], kind: str) -> bytes:
    if kind == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False).encode()
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_FIELDS)
    writer.writeheader()
    for row in rows:
        flat = row | {
            "preflight": "; ".join(row["preflight"]),
            "layers": json.dumps(row["layers"], ensure_ascii=False) if row["layers"] else "",
            "clean_file": row["clean_file"] or "",
        }
        writer.writerow({key: _csv_cell(value) for key, value in flat.items()})
    # The BOM makes Excel read UTF-8 (prompts are often not ASCII).
    return buffer.getvalue().encode("utf-8-sig")


def _csv_cell(value: Any) -> Any:
    # A prompt starting with = + - @ would run as a formula in a spreadsheet.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return f"'{value}"
    return value


class _FolderSink:
    """Writes files atomically into a folder; abort removes them and any folder it made."""

    def __init__(self, folder: Path) -> None:
        if folder.exists() and not folder.is_dir():
            raise StorageError(
                f"SnapAsset can't export into {folder} — it is a file, not a folder.",
                detail=str(folder),
            )
        self.folder = folder
        self._made: list[Path] = []
        self._written: list[Path] = []
        self._set_aside: list[tuple[Path, Path]] = []  # (replaced file, its copy until commit)
        self._make_folder(folder)

    def _make_folder(self, folder: Path) -> None:
        missing = [p for p in (folder, *folder.parents) if not p.exists()]
        ensure_folder(folder)
        self._made.extend(missing)  # deepest first, the order abort removes them in

    def exists(self, name: str) -> bool:
        return os.path.lexists(self.folder / name)  # a broken link is a name taken too

    def add(self, name: str, data: bytes) -> None:
        path = self.folder / name
        self._refuse_links(name)
        self._make_folder(path.parent)
        atomic_write(path, data)
        self._written.append(path)

    def replace(self, name: str, data: bytes) -> None:
        """Write over a file already there; it is set aside, and put back on abort."""
        path = self.folder / name
        self._refuse_links(name)
        aside = path.with_name(f".{path.name}.{secrets.token_hex(4)}.old")
        try:
            os.replace(path, aside)
        except OSError as exc:
            raise storage_error(exc, path) from exc
        self._set_aside.append((path, aside))
        atomic_write(path, data)
        self._written.append(path)

    def _refuse_links(self, name: str) -> None:
        """Never write through a link inside the export folder: it may lead anywhere.
        (The folder itself is the designer's choice, link or not.)"""
        path = self.folder
        for part in name.split("/"):
            path = path / part
            if _is_link(path):
                raise StorageError(
                    f"“{path.relative_to(self.folder)}” in {self.folder} is a link to another "
                    "place, and SnapAsset doesn't export through links — remove it or "
                    "choose another folder.",
                    detail=f"{path} -> {os.path.realpath(path)}",
                )

    def commit(self) -> None:
        for _, aside in self._set_aside:
            safe_remove(aside)
        self._set_aside.clear()
        self._written.clear()
        self._made.clear()

    def abort(self) -> None:
        for path in self._written:
            safe_remove(path)
        for path, aside in reversed(self._set_aside):
            with contextlib.suppress(OSError):  # nothing else to do: the copy stays beside it
                os.replace(aside, path)
        for folder in sorted(set(self._made), key=lambda p: len(p.parts), reverse=True):
            with contextlib.suppress(OSError):  # not empty or already gone: leave it
                folder.rmdir()


# Windows' IO_REPARSE_TAG_SYMLINK and IO_REPARSE_TAG_MOUNT_POINT: a junction leads
# elsewhere like a symbolic link but is not reported as one (st_reparse_tag is Windows only).
_LINK_TAGS = {0xA000000C, 0xA0000003}


def _is_link(path: Path) -> bool:
    try:
        status = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise storage_error(exc, path) from exc
    return stat.S_ISLNK(status.st_mode) or getattr(status, "st_reparse_tag", 0) in _LINK_TAGS


class _ZipSink:
    """Builds the ZIP in a hidden temp file beside the target and renames it when complete."""

    def __init__(self, target: Path) -> None:
        if target.is_dir():
            raise InvalidInput(f"{target} is a folder — choose a file name for the ZIP.")
        self.target = target
        ensure_folder(target.parent)
        self._temp = target.parent / f".{target.name}.{secrets.token_hex(4)}.part"
        try:
            # "x": a new file, never an existing one or a link put in its place.
            self._zip = zipfile.ZipFile(self._temp, "x")
        except OSError as exc:
            raise storage_error(exc, target) from exc

    def exists(self, name: str) -> bool:
        return False  # a new archive: only clashes inside this export count

    def replace(self, name: str, data: bytes) -> None:
        self.add(name, data)  # never asked: nothing is in a new archive

    def add(self, name: str, data: bytes) -> None:
        # Images are compressed already; deflating them costs time and saves nothing.
        method = zipfile.ZIP_DEFLATED if name.endswith((".json", ".csv")) else zipfile.ZIP_STORED
        try:
            self._zip.writestr(name, data, compress_type=method)
        except OSError as exc:
            raise storage_error(exc, self.target) from exc

    def commit(self) -> None:
        try:
            self._zip.close()
            with self._temp.open("rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(self._temp, self.target)
        except OSError as exc:
            raise storage_error(exc, self.target) from exc

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # the archive is thrown away anyway
            self._zip.close()
        safe_remove(self._temp)
