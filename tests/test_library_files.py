"""atomic_write and the OSError → designer sentence mapping."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from snapasset_desktop.errors import StorageError
from snapasset_desktop.library.files import atomic_write, safe_remove, storage_error


def test_atomic_write_creates_folders_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "file.bin"
    atomic_write(target, b"first")
    atomic_write(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in target.parent.iterdir()] == ["file.bin"]  # no temp left behind


def test_atomic_write_under_a_file_raises_storage_error_and_leaves_nothing(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_bytes(b"x")
    with pytest.raises(StorageError) as caught:
        atomic_write(blocker / "sub" / "file.bin", b"data")
    assert "blocker" in caught.value.message
    assert caught.value.detail and "Not a directory" in caught.value.detail
    assert blocker.read_bytes() == b"x"


def test_failed_replace_removes_temp(tmp_path: Path) -> None:
    target = tmp_path / "folder-in-the-way"
    (target / "inner").mkdir(parents=True)  # os.replace onto a non-empty folder fails
    with pytest.raises(StorageError):
        atomic_write(target, b"data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder-in-the-way"]


def test_disk_full_sentence() -> None:
    error = storage_error(OSError(errno.ENOSPC, "No space left on device"), Path("/data/x.png"))
    assert error.message == "Your disk is full — free some space and try again."
    assert error.detail is not None and "/data/x.png" in error.detail
    assert not error.transient


@pytest.mark.parametrize("code", [errno.EACCES, errno.EPERM, errno.EROFS])
def test_permission_sentence_names_the_folder(code: int) -> None:
    error = storage_error(OSError(code, "denied"), Path("/exports/shoot/x.png"))
    assert error.message.startswith("SnapAsset can't write to /exports/shoot —")
    assert "you may write there" in error.message


def test_other_errors_are_generic_and_transient() -> None:
    error = storage_error(OSError(errno.EIO, "Input/output error"), Path("/exports/x.png"))
    assert "x.png" in error.message and "Input/output error" in error.message
    assert error.transient


def test_safe_remove(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"1")
    assert safe_remove(path) is True
    assert safe_remove(path) is False
    assert not path.exists()
