"""Request pacing on Redis: the turns of every worker on that Redis, timed by its clock.

Workers on several machines share one OpenAI account, so they share its turns.
Each reservation is one Lua script that reads the Redis server's own clock
(`TIME`): machines whose clocks disagree still agree on the slots, since only
the wait (seconds from now) comes back. The rule is `providers.pacing.plan_turn`'s. An
idle key expires a minute after its last slot.
"""

from __future__ import annotations

import redis

from snapasset_desktop.providers.pacing import HORIZON, SLACK, RequestPacer, Reservation
from snapasset_desktop.queue.redis_store import DEFAULT_PREFIX, redis_errors

IDLE_SECONDS = 60

_CLOCK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'blocked', 'next', 'last')
local function stored(value)
  value = tonumber(value) or 0
  if value > now + tonumber(ARGV[3]) then return 0 end
  return value
end
local blocked, next_at, last_at = stored(state[1]), stored(state[2]), stored(state[3])
local function fmt(value) return string.format('%.6f', value) end
local function keep()
  local last = math.max(blocked, next_at, now)
  redis.call('PEXPIRE', KEYS[1], math.ceil((last - now + tonumber(ARGV[4])) * 1000))
end
"""

# ARGV: interval, slot ('' for a new reservation), horizon, idle seconds
_RESERVE = (
    _CLOCK
    + """
local interval = tonumber(ARGV[1])
local slot = tonumber(ARGV[2])
local at, ready
if slot == nil or blocked > slot + tonumber(ARGV[5]) then
  at = math.max(now, blocked, next_at, last_at + interval)
  ready = at
  next_at = at + interval
else
  at = slot
  ready = math.max(slot, blocked, last_at + interval)
end
local wait = 0
if ready <= now then last_at = now else wait = ready - now end
redis.call('HSET', KEYS[1], 'next', fmt(next_at), 'last', fmt(last_at))
keep()
return {fmt(wait), fmt(at)}
"""
)

# ARGV: seconds, unused, horizon, idle seconds
_HOLD = (
    _CLOCK
    + """
blocked = math.max(blocked, now + tonumber(ARGV[1]))
redis.call('HSET', KEYS[1], 'blocked', fmt(blocked))
keep()
return 1
"""
)


class RedisPacer(RequestPacer):
    """Turns at `<prefix>pace:<server key>`, a hash of `blocked` and `next` (Redis time)."""

    def __init__(self, client: redis.Redis, prefix: str = DEFAULT_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._reserve = client.register_script(_RESERVE)
        self._hold = client.register_script(_HOLD)

    def key(self, server_key: str) -> str:
        return f"{self.prefix}pace:{server_key}"

    @redis_errors
    def reserve(self, key: str, interval: float, slot: float | None = None) -> Reservation:
        given = "" if slot is None else repr(slot)
        args: list[str | float] = [repr(float(interval)), given, HORIZON, IDLE_SECONDS, SLACK]
        wait, at = self._reserve(keys=[self.key(key)], args=args)
        return Reservation(float(wait), float(at))

    @redis_errors
    def hold(self, key: str, seconds: float) -> None:
        self._hold(keys=[self.key(key)], args=[repr(float(seconds)), "", HORIZON, IDLE_SECONDS])
