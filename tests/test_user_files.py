"""Reading the files a designer points at: regular files only, never blocking, bounded."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from snapasset_desktop.errors import ImageError, InvalidInput
from snapasset_desktop.user_files import safe_read

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX special files")
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux /proc")


def test_a_regular_file_is_read_whole_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "prompts.txt"
    path.write_bytes(b"x" * 1000)
    assert safe_read(path, 1000, "a batch file") == b"x" * 1000
    with pytest.raises(InvalidInput) as caught:
        safe_read(path, 999, "a batch file")
    assert caught.value.message == "prompts.txt is too large: a batch file can be at most 999 B."


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"^There is no file called .*gone\.png\.$"):
        safe_read(tmp_path / "gone.png", 100, "an image")
    with pytest.raises(InvalidInput, match=r"is a folder, not an image\.$"):
        safe_read(tmp_path, 100, "an image")


def test_the_error_class_is_the_callers() -> None:
    with pytest.raises(ImageError) as caught:
        safe_read(Path("/nowhere/at/all.png"), 100, "an image", error=ImageError)
    assert caught.value.kind == "image"


@posix
def test_a_device_is_refused_before_a_byte_is_read() -> None:
    # /dev/zero says it holds 0 bytes and never ends: a read would fill the memory.
    with pytest.raises(InvalidInput) as caught:
        safe_read(Path("/dev/zero"), 100, "an image")
    assert caught.value.message == (
        "/dev/zero is a device, not an image — choose a file saved on disk."
    )


@posix
@pytest.mark.timeout(20)  # opening a FIFO without a writer would wait forever
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "prompts.txt"
    os.mkfifo(fifo)
    with pytest.raises(InvalidInput, match=r"prompts\.txt is a pipe, not a batch file"):
        safe_read(fifo, 100, "a batch file")


@posix
def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(InvalidInput, match=r"is a socket, not an image"):
            safe_read(path, 100, "an image")


@linux
def test_the_limit_counts_bytes_read_not_the_size_stat_reports() -> None:
    # /proc files are regular files whose `stat` size is 0 whatever they hold.
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0
    assert b"Name:" in safe_read(status, 1_000_000, "a batch file")
    with pytest.raises(InvalidInput, match="too large"):
        safe_read(status, 10, "a batch file")
