"""A real `redis-server` on a free loopback port, owned by one test.

No persistence (`--save ""`, no AOF), so a stop and start on the same port
is a Redis that lost everything — the worst case the queue must survive.

    with RedisServer() as server:
        client = redis.Redis.from_url(server.url)
        server.stop(); server.start()   # an outage, same address
        server.freeze(); server.thaw()  # a server that stops answering, then answers again
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import redis

START_TIMEOUT = 10.0


def redis_server_binary() -> str:
    """The redis-server path; skips the test when there is none (fails instead under CI)."""
    path = shutil.which("redis-server")
    if path is None:
        reason = (
            "redis-server is not installed (run `make test`, which installs it, or "
            "`apt-get install redis-server`)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, port: int | None = None) -> None:
        self.binary = redis_server_binary()
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="snapasset-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        command = [
            self.binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            self.dir,
            "--daemonize",
            "no",
            "--loglevel",
            "warning",
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.dir
        )
        deadline = time.monotonic() + START_TIMEOUT
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        try:
            while True:
                if self.process.poll() is not None:
                    stderr = self.process.stderr
                    error = stderr.read().decode(errors="replace") if stderr else ""
                    raise RuntimeError(f"redis-server exited at start: {error.strip()}")
                try:
                    if client.ping():
                        return self
                except redis.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not answer on port {self.port}")
                time.sleep(0.02)  # polling a starting process; no event to wait on
        finally:
            client.close()

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        process.send_signal(signal.SIGCONT)  # a frozen server can't act on its TERM
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.stderr:
            process.stderr.close()

    def freeze(self) -> None:
        """Stop answering without closing a connection (SIGSTOP): connections still open and
        commands are still sent, but no reply comes — as with a hung or unreachable host."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        """Answer again (SIGCONT): what was sent meanwhile is answered now."""
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
