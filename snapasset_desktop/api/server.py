"""Running the API: uvicorn on a thread of its own, started and stopped by its owner.

The window's Settings switch and `snapasset-desktop serve` both use `ApiServer`.
The socket is bound before the thread starts, so a port in use is a sentence for
the designer at once, not a log line later. Uvicorn is told to leave signals and
logging to its host (the window, or `serve`'s main loop), to write no access
log (tickets travel in URLs), and to use the asyncio loop and h11 (what the
bundle carries). Stopping ends every event stream first, so it never waits for
a client to hang up.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time

import uvicorn

from snapasset_desktop.api.app import create_app
from snapasset_desktop.api.feed import EventFeed
from snapasset_desktop.api.security import CreationLimiter
from snapasset_desktop.api.state import ApiState
from snapasset_desktop.api.tokens import ApiToken
from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.monitor import Monitor

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class ApiServer:
    def __init__(
        self, context: AppContext, token: ApiToken, *, host: str = DEFAULT_HOST, port: int = 8787
    ) -> None:
        self.context = context
        self.token = token
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._feed: EventFeed | None = None
        self._monitor: Monitor | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Serve until `stop`; SnapAssetError when the address can't be had or the token
        can't be read."""
        if self.running:
            return
        self.token.value()  # read (or made) now, not by the first request
        sock = _bind(self.host, self.port)
        self.port = sock.getsockname()[1]
        self._feed = EventFeed(self.context.queue.event_log)
        self._monitor = Monitor.from_context(self.context)
        state = ApiState(
            context=self.context,
            token=self.token,
            feed=self._feed,
            limiter=CreationLimiter(self.context.settings.current.api_jobs_per_minute),
            monitor=self._monitor,
            started_at=time.time(),
            loopback=is_loopback(self.host),
        )
        config = uvicorn.Config(
            create_app(state),
            loop="asyncio",
            http="h11",
            ws="none",
            lifespan="off",
            log_config=None,
            access_log=False,
            server_header=False,
            timeout_graceful_shutdown=int(STOP_TIMEOUT / 2),
        )
        self._server = uvicorn.Server(config)
        self._feed.start()
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name="api-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise SnapAssetError(
                    "The SnapAsset API didn't start; the log says why.", kind="network"
                )
            time.sleep(0.01)
        log.info("API serving", extra={"url": self.url})

    def stop(self) -> None:
        """End every stream, then the server; safe to call twice."""
        server, thread, feed, monitor = self._server, self._thread, self._feed, self._monitor
        self._server = self._thread = self._feed = self._monitor = None
        if feed is not None:
            feed.close()
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(STOP_TIMEOUT)
        if monitor is not None:
            monitor.close()
        if server is not None:
            log.info("API stopped", extra={"url": self.url})


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
        if hasattr(socket, "SO_EXCLUSIVEADDRUSE"):  # Windows: no sharing a port by surprise
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        else:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        reason = (
            f"port {port} is in use by another program; pick another port"
            if getattr(exc, "errno", None) in (48, 98, 10048)
            else f"{host}:{port} can't be used ({exc.strerror or exc})"
        )
        raise SnapAssetError(
            f"The SnapAsset API can't listen there: {reason}.", kind="network", detail=str(exc)
        ) from exc
    sock.set_inheritable(False)
    return sock
