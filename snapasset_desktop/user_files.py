"""Reading the files a designer points SnapAsset at: ordinary files only, bounded in bytes.

A path given to `resize`, dropped on the window or named as a batch file may
be anything: a device (`/dev/zero` never ends and reports size 0), a FIFO (an
open waits forever for a writer), a socket, a folder. Only regular files are
read, the open never blocks, and the read stops one byte past the limit, so
the size a file claims in `stat` is never trusted.
"""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

from snapasset_desktop.errors import InvalidInput, SnapAssetError
from snapasset_desktop.formatting import file_size

_MB = 1024 * 1024
# O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def safe_read(
    path: Path, limit: int, what: str, *, error: type[SnapAssetError] = InvalidInput
) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them.

    `what` names the kind of file with its article ("an image", "a batch file")
    in the sentence of the `error` raised for a missing, special, unreadable or
    oversized file.
    """
    try:
        # Refuse a special file before opening it: opening some devices has effects.
        _check_regular(path, os.stat(path).st_mode, what, error)
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise error(f"There is no file called {path}.", detail=str(path)) from None
    except PermissionError:
        raise error(
            f"SnapAsset isn't allowed to read {path} — check the file's permissions.",
            detail=str(path),
        ) from None
    except OSError as exc:
        raise _unreadable(path, exc, error) from None
    try:
        # Checked again on what was opened: the path may have been replaced meanwhile.
        status = os.fstat(fd)
        _check_regular(path, status.st_mode, what, error)
        if status.st_size > limit:  # saves reading a large file only to refuse it
            raise _too_large(path, limit, what, error)
        with open(fd, "rb", buffering=0, closefd=False) as handle:
            data = _read_at_most(handle, limit + 1)
    except OSError as exc:
        raise _unreadable(path, exc, error) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # the file grew, or its size was not what `stat` said
        raise _too_large(path, limit, what, error)
    return data


def _read_at_most(handle: io.FileIO, count: int) -> bytes:
    """Read until end of file or `count` bytes; one read call for most files."""
    chunks: list[bytes] = []
    remaining = count
    while remaining > 0:
        chunk = handle.read(remaining)
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _check_regular(path: Path, mode: int, what: str, error: type[SnapAssetError]) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise error(f"{path} is a folder, not {what}.", detail=str(path))
    raise error(
        f"{path} is {_special_kind(mode)}, not {what} — choose a file saved on disk.",
        detail=f"{path}: file mode {stat.filemode(mode)}",
    )


def _special_kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def _unreadable(path: Path, exc: OSError, error: type[SnapAssetError]) -> SnapAssetError:
    reason = exc.strerror or type(exc).__name__
    return error(f"SnapAsset couldn't read {path} ({reason}).", detail=f"{path}: {exc!r}")


def _too_large(path: Path, limit: int, what: str, error: type[SnapAssetError]) -> SnapAssetError:
    return error(
        f"{path.name} is too large: {what} can be at most {_limit_text(limit)}.",
        detail=f"{path}: more than {limit} bytes",
    )


def _limit_text(limit: int) -> str:
    return f"{limit // _MB} MB" if limit >= _MB and limit % _MB == 0 else file_size(limit)
