"""One reader of the durable event log for the whole server, fanned out to every open stream.

A thread follows the log (`EventLog.wait`: Redis's blocking read, SQLite's short
polls) and hands each page of events to every subscriber's asyncio queue on its
own event loop. So 200 idle streams cost one reader, not 200; a stream that falls
too far behind is told to reconnect and replays from the log with its
`Last-Event-ID`, rather than holding the server's memory.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass, field

from snapasset_desktop.errors import SnapAssetError
from snapasset_desktop.library.models import Event
from snapasset_desktop.queue.events import EventLog

log = logging.getLogger(__name__)

WAIT_SECONDS = 0.25  # one wait of the log; also how long closing may take
RETRY_SECONDS = 1.0  # after the log failed
MAX_PENDING = 1000  # pages a subscriber may have unread before it is dropped


@dataclass(frozen=True)
class Outage:
    """The log can't be read (Redis away, the library locked): a sentence to pass on."""

    message: str


@dataclass(frozen=True)
class Dropped:
    """This subscriber fell too far behind, or the server is stopping."""

    reason: str


Delivery = list[Event] | Outage | Dropped


@dataclass(eq=False)
class Subscription:
    """What one stream reads: pages of events, outages, and the end."""

    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[Delivery] = field(default_factory=asyncio.Queue)

    def deliver(self, item: Delivery) -> None:
        """On the subscriber's loop: queue the item, or drop a subscriber that lags."""
        if isinstance(item, list) and self.queue.qsize() >= MAX_PENDING:
            item = Dropped("This stream fell behind; reconnect with Last-Event-ID to catch up.")
        self.queue.put_nowait(item)


class EventFeed:
    def __init__(self, event_log: EventLog) -> None:
        self.event_log = event_log
        self.cursor = event_log.last_seq()
        self._subscribers: set[Subscription] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow, name="api-event-feed", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Stop reading, and end every stream (the server can then stop at once)."""
        self._stop.set()
        self._send_all(Dropped("The SnapAsset API is stopping."))
        self._thread.join(WAIT_SECONDS * 3)

    def subscribe(self) -> Subscription:
        """A new subscriber on the running loop; it hears every page read from now on."""
        subscription = Subscription(asyncio.get_running_loop())
        with self._lock:
            self._subscribers.add(subscription)
        if self._stop.is_set():
            subscription.deliver(Dropped("The SnapAsset API is stopping."))
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            self._subscribers.discard(subscription)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subscribers)

    def _follow(self) -> None:
        failing = False
        while not self._stop.is_set():
            try:
                events = self.event_log.wait(self.cursor, WAIT_SECONDS)
            except SnapAssetError as exc:
                if not failing:
                    log.warning("the API can't read the event log", extra={"detail": exc.detail})
                    self._send_all(Outage(exc.message))
                failing = True
                self._stop.wait(RETRY_SECONDS)
                continue
            if failing:
                log.info("the API reads the event log again")
                failing = False
            if events:
                self.cursor = events[-1].seq
                self._send_all(events)

    def _send_all(self, item: Delivery) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscription in subscribers:
            try:
                subscription.loop.call_soon_threadsafe(subscription.deliver, item)
            except RuntimeError:  # its loop has closed: the server stopped under it
                self.unsubscribe(subscription)
