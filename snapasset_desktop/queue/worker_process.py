"""The window's own worker: `snapasset-desktop worker` in a child process.

Jobs decode, resize and encode images; in the window's process those threads
would compete with the GUI thread for Python's interpreter lock and the window
would stutter. So the window runs its queue in a child process, exactly the
headless worker other machines run; its events reach the window through the
event log. The child stops gracefully when asked, and on its own if the window
dies.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

log = logging.getLogger(__name__)


def worker_command() -> list[str]:
    """How to start this same SnapAsset (a bundle, or Python with the package)."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "snapasset_desktop"]


class WorkerProcess:
    def __init__(self, concurrency: int | None = None) -> None:
        self.concurrency = concurrency
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        if self.alive():
            return
        command = [*worker_command(), "worker", "--parent", str(os.getpid())]
        if self.concurrency:
            command += ["--concurrency", str(self.concurrency)]
        flags = 0
        if sys.platform == "win32":  # its own group (CTRL_BREAK reaches it alone), below the window
            flags = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.BELOW_NORMAL_PRIORITY_CLASS
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            creationflags=flags,
        )
        log.info("worker process started", extra={"pid": self._process.pid})

    def ensure_running(self) -> bool:
        """Restart the worker if it died; True when it had to."""
        if self._process is None or self.alive():
            return False
        log.warning(
            "worker process exited; starting another", extra={"code": self._process.returncode}
        )
        self._process = None
        self.start()
        return True

    def stop(self, grace: float = 15.0) -> None:
        """Ask it to stop (running jobs finish or are handed back), then make sure."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        if sys.platform == "win32":
            process.send_signal(signal.CTRL_BREAK_EVENT)  # reaches its process group alone
        else:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            log.warning("worker process did not stop in time; killing it")
            process.kill()
            process.wait(5)
