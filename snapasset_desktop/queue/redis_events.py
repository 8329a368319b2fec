"""The event log in Redis: a Stream whose entry ids are `0-<seq>`, so cursors stay ints.

A Lua script allocates sequence numbers (INCRBY) and appends (XADD) in one
step, so every process sharing the Redis sees one order, and a reader's cursor
is the same plain integer as in SQLite mode. The stream is capped near
`maxlen` entries and pruned by age by the daily cleanup. `epoch()` names this
incarnation of the log: when Redis restarts empty the numbering starts again,
and a reader that kept a cursor notices by the epoch changing.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

import redis

from snapasset_desktop.library.models import Event
from snapasset_desktop.queue.redis_replies import stream_entries, text
from snapasset_desktop.queue.redis_store import DEFAULT_PREFIX, redis_errors

MAXLEN = 100_000
PRUNE_CHUNK = 1000

_APPEND = """
local stream, counter, epoch = KEYS[1], KEYS[2], KEYS[3]
local maxlen, token, at = ARGV[1], ARGV[2], ARGV[3]
redis.call('SET', epoch, token, 'NX')
if redis.call('EXISTS', counter) == 0 then
  -- The counter went missing but entries remain: continue after the last one.
  local last = redis.call('XREVRANGE', stream, '+', '-', 'COUNT', 1)
  if #last > 0 then redis.call('SET', counter, string.match(last[1][1], '-(%d+)$')) end
end
local n = (#ARGV - 3) / 3
local first = redis.call('INCRBY', counter, n) - n + 1
for j = 0, n - 1 do
  local i = 4 + j * 3
  redis.call('XADD', stream, 'MAXLEN', '~', maxlen, string.format('0-%d', first + j),
             'job', ARGV[i], 'type', ARGV[i + 1], 'data', ARGV[i + 2], 'at', at)
end
return first
"""


class RedisEventLog:
    def __init__(
        self, client: redis.Redis, prefix: str = DEFAULT_PREFIX, *, maxlen: int = MAXLEN
    ) -> None:
        self.client = client
        self.stream = f"{prefix}events"
        self.counter = f"{prefix}events:seq"
        self.epoch_key = f"{prefix}events:epoch"
        self.maxlen = maxlen
        self._append = client.register_script(_APPEND)

    def append(self, job_id: str | None, type: str, data: dict[str, Any]) -> int:
        return self.append_many([(job_id, type, data)])[0]

    @redis_errors
    def append_many(self, events: list[tuple[str | None, str, dict[str, Any]]]) -> list[int]:
        if not events:
            return []
        args = [str(self.maxlen), secrets.token_hex(8), repr(time.time())]
        for job_id, type, data in events:
            args += [job_id or "", type, json.dumps(data, ensure_ascii=False)]
        first = int(self._append(keys=[self.stream, self.counter, self.epoch_key], args=args))
        return list(range(first, first + len(events)))

    @redis_errors
    def read(self, after: int, limit: int = 500) -> list[Event]:
        reply = self.client.xrange(self.stream, min=f"0-{after + 1}", max="+", count=limit)
        return [_event(entry_id, fields) for entry_id, fields in stream_entries(reply)]

    @redis_errors
    def wait(self, after: int, timeout: float, limit: int = 500) -> list[Event]:
        """Redis answers the moment an event is appended (XREAD BLOCK), not at a poll."""
        block = max(1, int(timeout * 1000))
        found = self.client.xread({self.stream: f"0-{after}"}, count=limit, block=block)
        # One stream asked: one [stream, entries] pair answered, or nothing by the timeout.
        entries = found[0][1] if isinstance(found, list) and found else []
        return [_event(entry_id, fields) for entry_id, fields in stream_entries(entries)]

    @redis_errors
    def last_seq(self) -> int:
        return int(self.client.get(self.counter) or 0)

    @redis_errors
    def epoch(self) -> str:
        # Read first: the mirror asks on every poll, and the epoch is nearly always there.
        found = self.client.get(self.epoch_key)
        if found is None:
            self.client.set(self.epoch_key, secrets.token_hex(8), nx=True)
            found = self.client.get(self.epoch_key)
        return text(found or b"")

    @redis_errors
    def prune(self, before: float) -> int:
        """Drop events older than `before` (appends are in time order, give or take clocks)."""
        cut, start = None, "-"
        while True:
            entries = stream_entries(
                self.client.xrange(self.stream, min=start, max="+", count=PRUNE_CHUNK)
            )
            newer = False
            for entry_id, fields in entries:
                if float(fields.get(b"at", b"0")) >= before:
                    newer = True
                    break
                cut = _seq(entry_id)
            if newer or len(entries) < PRUNE_CHUNK or cut is None:
                break
            start = f"0-{cut + 1}"
        if cut is None:
            return 0
        return int(self.client.xtrim(self.stream, minid=f"0-{cut + 1}", approximate=False))


def _seq(entry_id: bytes) -> int:
    return int(entry_id.split(b"-", 1)[1])


def _event(entry_id: bytes, fields: dict[bytes, bytes]) -> Event:
    job = fields.get(b"job", b"").decode()
    return Event(
        seq=_seq(entry_id),
        job_id=job or None,
        type=fields[b"type"].decode(),
        data=json.loads(fields[b"data"]) if fields.get(b"data") else {},
        created_at=float(fields.get(b"at", b"0")),
    )
