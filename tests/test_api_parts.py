"""The local API's small parts, stepped by hand: coalescing, the creation meter, tickets."""

from __future__ import annotations

from snapasset_desktop.api.security import CreationLimiter
from snapasset_desktop.api.streams import _coalesced
from snapasset_desktop.api.tokens import TICKET_SECONDS, ApiToken
from snapasset_desktop.library.models import Event
from snapasset_desktop.secrets import API_TOKEN, SecretSource, SecretStore


def event(seq: int, job: str | None, kind: str) -> Event:
    return Event(seq=seq, job_id=job, type=kind, data={}, created_at=0.0)


def test_progress_a_later_one_supersedes_is_dropped_and_nothing_else() -> None:
    page = [
        event(1, "a", "progress"),
        event(2, "b", "progress"),
        event(3, "a", "partial"),
        event(4, "a", "progress"),
        event(5, "b", "retrying"),  # news: b's earlier progress stays before it
        event(6, "b", "progress"),
        event(7, None, "paused"),
        event(8, "a", "completed"),
    ]
    assert [e.seq for e in _coalesced(page)] == [2, 4, 5, 6, 7, 8]


def test_the_creation_meter_refills_evenly_over_the_minute() -> None:
    now = [0.0]
    meter = CreationLimiter(6, clock=lambda: now[0])  # one back every 10 s
    assert [meter.take("t", 1) for _ in range(6)] == [None] * 6
    assert meter.take("t", 1) == 10.0
    assert meter.take("other", 6) is None  # per token
    now[0] = 25.0
    assert meter.take("t", 2) is None and meter.take("t", 1) == 5.0
    assert CreationLimiter(0).take("t", 10_000) is None  # 0: no limit


def test_tickets_expire_and_die_with_the_token() -> None:
    token = ApiToken(SecretStore())
    ticket, expires = token.ticket(now=1000.0)
    assert expires == 1000 + TICKET_SECONDS
    assert token.ticket_valid(ticket, now=1000.0 + TICKET_SECONDS - 1)
    assert not token.ticket_valid(ticket, now=1000.0 + TICKET_SECONDS + 1)
    assert not token.ticket_valid(f"{expires + 3600}.{ticket.split('.')[1]}", now=1000.0)
    token.rotate()
    assert not token.ticket_valid(ticket, now=1000.0)


def test_the_token_is_made_once_and_kept_as_a_secret() -> None:
    store = SecretStore()  # no keyring in tests: kept for this session
    token = ApiToken(store)
    assert token.peek() is None  # nothing made by looking
    value = token.value()
    assert len(value) >= 40 and token.value() == value
    assert store.lookup(API_TOKEN) == (value, SecretSource.SESSION)
    assert ApiToken(store).value() == value  # another reader finds the same token
