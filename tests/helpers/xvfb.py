"""A virtual X display of the test's own (Xvfb), for what only a real X11 session shows:
Linux's key bindings, which the offscreen platform doesn't have."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

START_TIMEOUT = 10.0


def available() -> bool:
    return shutil.which("Xvfb") is not None


@contextmanager
def virtual_display(size: str = "1366x768x24") -> Iterator[str]:
    """A started Xvfb on a free display (it picks one itself: -displayfd); yields ":N"."""
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", size, "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = _read_display(pipe, server)
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=START_TIMEOUT)


def _read_display(pipe: TextIO, server: subprocess.Popen) -> str:
    """The display number Xvfb writes once it is ready for clients."""
    ready, _, _ = select.select([pipe], [], [], START_TIMEOUT)
    number = pipe.readline().strip() if ready else ""
    if not number:
        server.kill()
        raise RuntimeError("Xvfb did not start")
    return number
