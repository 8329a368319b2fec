"""Safe file writes: a file is either the old one or the complete new one, never half.

Every OSError a designer can meet while saving becomes a `StorageError` whose
message says what to do (free space, check the folder) and whose detail keeps
the path and the system's words for the log.
"""

from __future__ import annotations

import errno
import logging
import os
import secrets
from pathlib import Path

from snapasset_desktop.errors import StorageError

log = logging.getLogger(__name__)

_DISK_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_NOT_WRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT, errno.ENOTDIR}
_OUT_OF_HANDLES = {errno.EMFILE, errno.ENFILE}


def too_many_open_files(detail: str) -> StorageError:
    """No folder is at fault when the process runs out of file handles, and files in
    use close as their work ends, so the queue may retry."""
    return StorageError(
        "SnapAsset has too many files open at once — try again in a moment; if it keeps "
        "happening, run fewer jobs at the same time.",
        detail=detail,
        transient=True,
    )


def storage_error(exc: OSError, path: Path, *, is_folder: bool = False) -> StorageError:
    """Turn an OSError met while writing `path` into a StorageError with a designer sentence."""
    folder = path if is_folder else path.parent
    detail = f"{path}: {exc}"
    if exc.errno in _DISK_FULL:
        return StorageError("Your disk is full — free some space and try again.", detail=detail)
    if exc.errno in _OUT_OF_HANDLES:
        return too_many_open_files(detail)
    if exc.errno in _NOT_WRITABLE:
        return StorageError(
            f"SnapAsset can't write to {folder} — check that the folder exists "
            "and you may write there.",
            detail=detail,
        )
    # Anything else (I/O error, network share gone) may pass, so the queue may retry it.
    reason = exc.strerror or type(exc).__name__
    return StorageError(
        f"SnapAsset couldn't save {path.name} ({reason}). Try again, or choose another folder.",
        detail=detail,
        transient=True,
    )


def ensure_folder(folder: Path) -> Path:
    """Create `folder` (and parents) or raise a StorageError that says why not."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file sits where the folder should be
        raise StorageError(
            f"SnapAsset can't use {folder} as a folder — a file with that name is in the way.",
            detail=f"{folder}: {exc}",
        ) from exc
    except OSError as exc:
        raise storage_error(exc, folder, is_folder=True) from exc
    return folder


TEMP_SUFFIX = ".tmp"  # atomic_write's half-written files: `.<name>.<random>.tmp`


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temp file in the same folder, fsync, then rename."""
    folder = ensure_folder(path.parent)
    temp = folder / f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
    try:
        # os.open with 0o666 honours the umask (mkstemp would leave files 0600).
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except OSError as exc:
        safe_remove(temp)
        raise storage_error(exc, path) from exc
    except BaseException:
        safe_remove(temp)
        raise


def safe_remove(path: Path) -> bool:
    """Remove a file if it is there; cleanup never fails the work it follows."""
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.warning("could not remove file", extra={"path": str(path), "detail": str(exc)})
        return False
    return True
