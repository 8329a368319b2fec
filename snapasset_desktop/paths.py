"""Where SnapAsset keeps things on disk.

platformdirs picks the per-user locations; `SNAPASSET_DATA_DIR`,
`SNAPASSET_CONFIG_DIR` and `SNAPASSET_LOG_DIR` override them so tests,
portable installs and several libraries can live side by side. On POSIX the
three folders are the user's alone (0700) and the files holding prompts,
settings and logs are 0600 — tightened on every start, so an old install or
a permissive umask is corrected.

Only the library folder must be writable for SnapAsset to start: without a
settings folder the defaults apply (and saving says why it can't), without a
log folder the log says once that it can't be written (`logs`).
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from snapasset_desktop.errors import StorageError

log = logging.getLogger(__name__)

APP_NAME = "SnapAsset"
APP_AUTHOR = "SnapAsset"


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    config_dir: Path
    log_dir: Path

    @property
    def library_db(self) -> Path:
        return self.data_dir / "library.db"

    @property
    def queue_db(self) -> Path:
        return self.data_dir / "queue.db"

    @property
    def assets_dir(self) -> Path:
        return self.data_dir / "assets"

    @property
    def thumbs_dir(self) -> Path:
        return self.data_dir / "thumbs"

    @property
    def tmp_dir(self) -> Path:
        return self.data_dir / "tmp"

    @property
    def brand_dir(self) -> Path:
        """Brand kits: a folder per kit (library/kits.py)."""
        return self.data_dir / "brand"

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "snapasset.jsonl"

    def ensure(self) -> AppPaths:
        """Create the folders; a library folder SnapAsset can't write to is a StorageError."""
        try:
            self.tmp_dir.mkdir(parents=True, exist_ok=True)
            tempfile.TemporaryFile(dir=self.data_dir).close()  # an existing folder may be read-only
        except OSError as exc:
            raise unwritable(exc, self.data_dir, "library") from exc
        try:
            self.config_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.warning(
                "settings folder unusable: defaults apply",
                extra={"detail": f"{self.config_dir}: {exc}"},
            )
        for folder in (self.data_dir, self.config_dir, self.tmp_dir):
            private_dir(folder)
        for file in (self.library_db, self.queue_db, self.settings_file):
            private_file(file)
        return self


PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def _restrict(path: Path, mode: int) -> None:
    if os.name != "posix":  # Windows: the per-user profile folders already keep others out
        return
    # Not there yet, someone else's file, or a file system without modes: nothing to tighten.
    with contextlib.suppress(OSError):
        if stat.S_ISLNK(path.lstat().st_mode):
            return  # a chmod would change the link's target, which may be anything
        if stat.S_IMODE(path.stat().st_mode) & ~mode:
            path.chmod(mode)


def private_dir(path: Path) -> None:
    """Make a folder the user's alone (0700), if it exists and is looser."""
    _restrict(path, PRIVATE_DIR)


def private_file(path: Path) -> None:
    """Make a file the user's alone (0600), if it exists and is looser."""
    _restrict(path, PRIVATE_FILE)


def unwritable(exc: OSError, folder: Path, role: str) -> StorageError:
    """The sentence for a `role` folder ("library", "settings") SnapAsset can't write to."""
    detail = f"{folder}: {exc}"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return StorageError("Your disk is full — free some space and try again.", detail=detail)
    return StorageError(
        f"SnapAsset can't write to its {role} folder {folder} — check that the folder "
        "exists and you may write there.",
        detail=detail,
    )


def _from_env(name: str, default: str) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else Path(default)


def app_paths() -> AppPaths:
    """The paths in force now (environment overrides first)."""
    return AppPaths(
        data_dir=_from_env("SNAPASSET_DATA_DIR", platformdirs.user_data_dir(APP_NAME, APP_AUTHOR)),
        config_dir=_from_env(
            "SNAPASSET_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME, APP_AUTHOR)
        ),
        log_dir=_from_env("SNAPASSET_LOG_DIR", platformdirs.user_log_dir(APP_NAME, APP_AUTHOR)),
    )
