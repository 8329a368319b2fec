"""Gallery thumbnails, cached on disk by content hash and size.

A thumbnail is rendered once (JPEG draft mode and `reducing_gap` keep that
fast) and found again by the image's sha256, so renaming or moving the library
does not invalidate it. Opaque images cache as JPEG, images with alpha as PNG.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
import weakref
from pathlib import Path

from PIL import Image, ImageOps

from snapasset_desktop.errors import ImageError
from snapasset_desktop.library.files import atomic_write, ensure_folder, safe_remove

_SUFFIXES = (".jpg", ".png")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class ThumbnailCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0
        self._guard = threading.Lock()
        # One lock per thumbnail being made, so two gallery threads never render it twice.
        self._locks: weakref.WeakValueDictionary[str, threading.Lock] = (
            weakref.WeakValueDictionary()
        )

    def get(self, image_path: Path, size: int = 256, key: str | None = None) -> Path:
        """The cached thumbnail of `image_path` whose longest side is `size`.

        `key` is the image's sha256 when the caller knows it (assets record it),
        which saves reading the whole file on every cache hit.
        """
        if size <= 0:
            raise ValueError(f"thumbnail size must be positive, not {size}")
        if key is None:
            key = self._hash(image_path)
        name = f"{key}_{size}"
        if found := self._cached(name):
            return found
        with self._lock_for(name):
            if found := self._cached(name):
                return found
            data, suffix = _render(image_path, size)
            target = ensure_folder(self.folder / key[:2]) / f"{name}{suffix}"
            atomic_write(target, data)
            with self._guard:
                self.misses += 1
            return target

    def prune(self, max_bytes: int) -> int:
        """Delete the least recently used thumbnails until the cache fits; returns how many."""
        entries = []
        for path in self.folder.glob("*/*"):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in sorted(entries):
            if total <= max_bytes:
                break
            if safe_remove(path):
                removed += 1
            total -= size
        return removed

    def _cached(self, name: str) -> Path | None:
        shard = self.folder / name[:2]
        for suffix in _SUFFIXES:
            path = shard / f"{name}{suffix}"
            try:
                os.utime(path)  # mtime is the LRU clock for prune()
            except FileNotFoundError:
                continue
            except OSError:
                pass  # a read-only cache still serves
            with self._guard:
                self.hits += 1
            return path
        return None

    def _lock_for(self, name: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(name)
            if lock is None:
                lock = self._locks[name] = threading.Lock()
            return lock

    @staticmethod
    def _hash(image_path: Path) -> str:
        try:
            return file_sha256(image_path)
        except OSError as exc:
            raise ImageError(
                f"The image {image_path.name} is missing or can't be read.",
                detail=f"{image_path}: {exc}",
            ) from exc


def _render(image_path: Path, size: int) -> tuple[bytes, str]:
    try:
        with Image.open(image_path) as image:
            if image.format == "JPEG":
                image.draft("RGB", (size, size))  # decode at 1/2, 1/4 or 1/8 scale
            image.load()
            thumb = ImageOps.exif_transpose(image)
            thumb.thumbnail((size, size), Image.Resampling.LANCZOS, reducing_gap=2.0)
    except FileNotFoundError as exc:
        raise ImageError(
            f"The image {image_path.name} is missing.", detail=f"{image_path}: {exc}"
        ) from exc
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ImageError(
            f"The image {image_path.name} can't be shown — the file is damaged or not an image.",
            detail=f"{image_path}: {exc}",
        ) from exc
    buffer = io.BytesIO()
    if _has_alpha(thumb):
        thumb.convert("RGBA").save(buffer, "PNG", optimize=False)
        return buffer.getvalue(), ".png"
    thumb.convert("RGB").save(buffer, "JPEG", quality=85)
    return buffer.getvalue(), ".jpg"


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
