"""The job store in Redis: the same contract as the SQLite store, for many machines.

A job is a hash `job:<id>`; sorted sets index it by what the queue asks:
`waiting` (priority, then age), `orphans` (waiting without a live task),
`active` (by lease expiry) and `failed` (by end time). Every transition that
must be atomic — claim, renew, a write under the lease, finish, cancel,
requeue, recovery — is one Lua script, and every script re-derives the job's
index entries from its hash, so the indexes can never disagree with it.
Ended jobs expire after `retention` seconds; the submitting app keeps them in
its library. Times are the callers' clocks, as in SQLite mode, so machines
sharing a queue should keep their clocks in sync (NTP).

A record that can't be read (anyone with access to the Redis can write
anything) fails its job at once, with the reason, the moment a read meets it
(a job that had ended keeps its outcome): its unreadable fields are reset so
it reads cleanly from then on, and `on_damaged` announces the failure. A record
written before job specs (a `params` dict beside its prompt and platforms) is read
through the spec's own step from that version.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ParamSpec, TypeVar

import redis

from snapasset_desktop.errors import InvalidInput, StorageError
from snapasset_desktop.library.models import JOB_COLUMNS, JSON_COLUMNS, JobRecord, column_text
from snapasset_desktop.queue.redis_replies import raw_hash, texts
from snapasset_desktop.queue.sqlite_store import _stall_entry, _stalled_message
from snapasset_desktop.queue.store import LeaseState, WorkerInfo, end_of_run
from snapasset_desktop.spec import JobSpec, SpecError

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_PREFIX = "snapasset:"
RETENTION = 30 * 86_400.0
WORKER_FORGOTTEN_AFTER = 86_400.0
_STALLS_MARK = 7_654_321  # stands for the stall count in the message until the script knows it
_WRITABLE = frozenset(JOB_COLUMNS) - {"id", "created_at"}
_INTS = frozenset(
    {"priority", "attempts", "max_attempts", "stalls", "source_width", "source_height"}
)
_FLOATS = frozenset(
    {
        "created_at",
        "updated_at",
        "progress",
        "focus_x",
        "focus_y",
        "run_at",
        "lease_expires",
        "started_at",
        "finished_at",
        "enqueued_at",
        "cost_usd",
    }
)
_DEFAULTS = {"progress": 0.0, "priority": 0, "attempts": 0, "max_attempts": 3, "stalls": 0}

UNREACHABLE = "The shared job queue (Redis) can't be reached right now; nothing queued is lost."
AUTH_FAILED = (
    "The shared job queue (Redis) refused SnapAsset's password — check the password in "
    "the Redis address (Settings → Queue)."
)


def redis_error(exc: BaseException) -> StorageError:
    """The designer's sentence for a failed Redis call (all transient: Redis comes back)."""
    if isinstance(exc, redis.AuthenticationError):  # a ConnectionError too: test it first
        return StorageError(AUTH_FAILED, detail=f"redis: {exc}", transient=True)
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return StorageError(UNREACHABLE, detail=f"redis: {exc}", transient=True)
    return StorageError(
        "The shared job queue (Redis) refused a request — it may be out of memory or disk.",
        detail=f"redis: {type(exc).__name__}: {exc}",
        transient=True,
    )


def redis_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Redis being unreachable becomes a transient StorageError with a designer's sentence."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise redis_error(exc) from exc

    return wrapper


# -- encoding ----------------------------------------------------------------------------


def encode_value(name: str, value: Any) -> str:
    if name == "spec" or name in JSON_COLUMNS:
        return column_text(name, value)
    if isinstance(value, bool) or name == "cancel_requested":
        return "1" if value else "0"
    if name in _FLOATS:
        return repr(float(value))
    return str(value)


class DamagedRecord(ValueError):
    """A job hash with fields that can't be read as what they hold."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__(f"unreadable job fields: {', '.join(sorted(fields))}")
        self.fields = fields  # name -> the raw text


def decode_job(raw: dict[bytes, bytes]) -> JobRecord:
    """The JobRecord in a job hash; DamagedRecord names every field that can't be read."""
    text = {k.decode(errors="replace"): v.decode(errors="replace") for k, v in raw.items()}
    values: dict[str, Any] = {}
    damaged: dict[str, str] = {}
    for name in JOB_COLUMNS:
        value = text.get(name)
        try:
            values[name] = _decode_value(name, value)
        except (ValueError, TypeError):
            damaged[name] = value or ""
    if "spec" not in text and not damaged:
        try:
            values["spec"] = _legacy_spec(text, values)
        except SpecError:
            damaged |= {
                name: text[name]
                for name in ("params", "platforms", "focus_x", "focus_y")
                if name in text
            }
    if damaged:
        raise DamagedRecord(damaged)
    return JobRecord(**values)


def _legacy_spec(text: dict[str, str], values: dict[str, Any]) -> JobSpec:
    """The spec of a record written before specs: its params with its prompt, platforms and
    focal point, read through the spec's own step from version 0."""
    focus = (values["focus_x"], values["focus_y"])
    return JobSpec.from_legacy(
        _legacy_json(text.get("params"), {}),
        text.get("prompt", ""),
        _legacy_json(text.get("platforms"), []),
        None if None in focus else focus,
    )


def _legacy_json(value: str | None, empty: Any) -> Any:
    try:
        return json.loads(value) if value else empty
    except ValueError:
        return value  # refused by the spec's step, which names it


def _decode_value(name: str, value: str | None) -> Any:
    if name == "spec":
        try:
            return None if value is None else JobSpec.from_json(value)
        except SpecError as exc:
            raise ValueError(exc.detail) from exc
    if value is None:
        if name in JSON_COLUMNS:
            return JSON_COLUMNS[name]()
        if name == "cancel_requested":
            return False
        return _DEFAULTS.get(name)
    if name in JSON_COLUMNS:
        decoded = json.loads(value) if value else JSON_COLUMNS[name]()
        if not isinstance(decoded, JSON_COLUMNS[name]):
            raise TypeError(f"{name} is not a {JSON_COLUMNS[name].__name__}")
        return decoded
    if name in _INTS:
        return int(float(value))
    if name in _FLOATS:
        return float(value)
    if name == "cancel_requested":
        return value == "1"
    return value


def damaged_message(fields: dict[str, str]) -> str:
    names = ", ".join(sorted(fields))
    return (
        f"This job's record in the shared queue was damaged ({names} unreadable), "
        "so it could not run — submit it again."
    )


def _field_args(fields: dict[str, Any]) -> list[str]:
    """`nset, name, value…, ndel, name…` as the scripts' `write_fields` reads them."""
    present = [(k, encode_value(k, v)) for k, v in fields.items() if v is not None]
    absent = [k for k, v in fields.items() if v is None]
    return [str(len(present)), *[x for pair in present for x in pair], str(len(absent)), *absent]


def _checked(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - _WRITABLE
    if unknown:
        raise TypeError(f"unknown job fields: {', '.join(sorted(unknown))}")
    return {**fields, "updated_at": time.time()}


# -- scripts -----------------------------------------------------------------------------
# ARGV[1] is the key prefix and ARGV[2] the retention of ended jobs, for every script.

_PRELUDE = """
local P, TTL = ARGV[1], tonumber(ARGV[2])
local function num(x) return string.format('%.17g', x) end
local function waiting(st) return st == 'queued' or st == 'retrying' end
local function ended(st) return st == 'completed' or st == 'failed' or st == 'canceled' end
local function jkey(id) return P .. 'job:' .. id end
local function reindex(id)
  local k = jkey(id)
  local f = redis.call('HMGET', k, 'status', 'priority', 'created_at', 'task_id',
                       'lease_expires', 'finished_at')
  local st = f[1]
  local order = -tonumber(f[2] or 0) * 1e10 + tonumber(f[3] or 0)
  if waiting(st) then
    redis.call('ZADD', P .. 'waiting', num(order), id)
    if f[4] then redis.call('ZREM', P .. 'orphans', id)
    else redis.call('ZADD', P .. 'orphans', num(order), id) end
  else
    redis.call('ZREM', P .. 'waiting', id)
    redis.call('ZREM', P .. 'orphans', id)
  end
  if st == 'active' then redis.call('ZADD', P .. 'active', num(tonumber(f[5] or 0)), id)
  else redis.call('ZREM', P .. 'active', id) end
  if st == 'failed' then
    local fin = tonumber(f[6] or 0)
    redis.call('ZADD', P .. 'failed', num(fin), id)
    redis.call('ZREMRANGEBYSCORE', P .. 'failed', '-inf', '(' .. num(fin - TTL))
  else redis.call('ZREM', P .. 'failed', id) end
  if not st then return end
  if ended(st) then redis.call('EXPIRE', k, math.max(1, math.floor(TTL)))
  else redis.call('PERSIST', k) end
end
local function write_fields(k, i)
  local nset = tonumber(ARGV[i]); i = i + 1
  for _ = 1, nset do redis.call('HSET', k, ARGV[i], ARGV[i + 1]); i = i + 2 end
  local ndel = tonumber(ARGV[i]); i = i + 1
  for _ = 1, ndel do redis.call('HDEL', k, ARGV[i]); i = i + 1 end
  return i
end
"""

_PUT = """
local id, only_new = ARGV[3], ARGV[4] == '1'
local k = jkey(id)
if only_new and redis.call('EXISTS', k) == 1 then return 0 end
redis.call('DEL', k)
write_fields(k, 5)
reindex(id)
return 1
"""

_CLAIM = """
local id, owner, now, lease = ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local k = jkey(id)
local f = redis.call('HMGET', k, 'status', 'cancel_requested', 'run_at')
if not waiting(f[1]) or f[2] == '1' then return false end
if f[3] and tonumber(f[3]) > now + 0.5 then return false end
redis.call('HSET', k, 'status', 'active', 'lease_owner', owner, 'lease_expires', num(now + lease),
           'started_at', num(now), 'updated_at', num(now), 'stage', 'validate', 'progress', '0')
redis.call('HINCRBY', k, 'attempts', 1)
redis.call('HDEL', k, 'error_kind', 'error_message', 'error_detail')
reindex(id)
return redis.call('HGETALL', k)
"""

_RENEW = """
local id, owner, expires = ARGV[3], ARGV[4], ARGV[5]
local k = jkey(id)
local f = redis.call('HMGET', k, 'status', 'lease_owner', 'cancel_requested')
if f[1] ~= 'active' or f[2] ~= owner then return {0, 0} end
redis.call('HSET', k, 'lease_expires', expires)
redis.call('ZADD', P .. 'active', expires, id)
return {1, f[3] == '1' and 1 or 0}
"""

_WRITE_UNDER_LEASE = """
local id, owner = ARGV[3], ARGV[4]
local k = jkey(id)
local f = redis.call('HMGET', k, 'status', 'lease_owner')
if f[1] ~= 'active' or f[2] ~= owner then return 0 end
write_fields(k, 5)
reindex(id)
return 1
"""

_AMEND = """
local id = ARGV[3]
local k = jkey(id)
local st = redis.call('HGET', k, 'status')
if not st or st == 'active' then return 0 end
write_fields(k, 4)
reindex(id)
return 1
"""

_ATTACH = """
local now = ARGV[3]
for i = 4, #ARGV, 2 do
  local id, task = ARGV[i], ARGV[i + 1]
  local k = jkey(id)
  if redis.call('EXISTS', k) == 1 then
    if task ~= '' then redis.call('HSET', k, 'task_id', task, 'enqueued_at', now)
    else redis.call('HDEL', k, 'task_id', 'enqueued_at') end
    reindex(id)
  end
end
return 1
"""

_CANCEL = """
local id, now, message = ARGV[3], ARGV[4], ARGV[5]
local k = jkey(id)
local st = redis.call('HGET', k, 'status')
if not st then return false end
if waiting(st) then
  redis.call('HSET', k, 'status', 'canceled', 'finished_at', now, 'updated_at', now,
             'error_kind', 'canceled', 'error_message', message)
  redis.call('HDEL', k, 'task_id')
  reindex(id)
  return 'canceled'
end
if st == 'active' then
  redis.call('HSET', k, 'cancel_requested', '1', 'updated_at', now)
  return 'canceling'
end
return st
"""

_REQUEUE = """
local id, now = ARGV[3], ARGV[4]
local k = jkey(id)
local st = redis.call('HGET', k, 'status')
if not st then return false end
local allowed = false
for i = 5, #ARGV do if ARGV[i] == st then allowed = true end end
if not allowed then return st end
redis.call('HSET', k, 'status', 'queued', 'attempts', '0', 'stalls', '0', 'progress', '0',
           'cancel_requested', '0', 'updated_at', now)
redis.call('HDEL', k, 'stage', 'run_at', 'task_id', 'finished_at', 'error_kind',
           'error_message', 'error_detail')
reindex(id)
return redis.call('HGETALL', k)
"""

_PRIORITY = """
local id, priority, now = ARGV[3], ARGV[4], ARGV[5]
local k = jkey(id)
if not waiting(redis.call('HGET', k, 'status')) then return false end
redis.call('HSET', k, 'priority', priority, 'updated_at', now)
reindex(id)
return redis.call('HGETALL', k)
"""

_RECOVER = """
local id, now, max_stalls = ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local entry, message = ARGV[6], ARGV[7]
local k = jkey(id)
local f = redis.call('HMGET', k, 'status', 'lease_expires', 'stalls', 'history')
if f[1] ~= 'active' or not f[2] or tonumber(f[2]) >= now then return false end
local stalls = tonumber(f[3] or 0) + 1
local history = f[4]
if not history or history == '' or history == '[]' then history = '[' .. entry .. ']'
else history = string.sub(history, 1, -2) .. ',' .. entry .. ']' end
redis.call('HDEL', k, 'lease_owner', 'lease_expires', 'task_id')
redis.call('HSET', k, 'stalls', stalls, 'history', history, 'updated_at', num(now))
if stalls >= max_stalls then
  message = (string.gsub(message, ARGV[8], tostring(stalls)))
  redis.call('HSET', k, 'status', 'failed', 'finished_at', num(now), 'error_kind', 'stalled',
             'error_message', message)
  reindex(id)
  return 'failed'
end
redis.call('HSET', k, 'status', 'queued')
redis.call('HDEL', k, 'run_at')
reindex(id)
return 'queued'
"""


# Resets a damaged record's unreadable fields; fails the job unless it had ended (2).
_FAIL_DAMAGED = """
local id, now, message, detail = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local k = jkey(id)
if redis.call('EXISTS', k) == 0 then return 0 end
write_fields(k, 7)
if ended(redis.call('HGET', k, 'status')) then reindex(id) return 2 end
redis.call('HSET', k, 'status', 'failed', 'finished_at', now, 'updated_at', now,
           'error_kind', 'damaged', 'error_message', message, 'error_detail', detail)
redis.call('HDEL', k, 'lease_owner', 'lease_expires', 'task_id', 'cancel_requested')
reindex(id)
return 1
"""


class RedisJobStore:
    """`JobStore` on Redis; `fallback` answers `get` for jobs Redis no longer holds
    (the app's library keeps every job it submitted); `on_damaged` hears of each job
    failed because its record could not be read."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = DEFAULT_PREFIX,
        *,
        retention: float = RETENTION,
        fallback: Callable[[str], JobRecord] | None = None,
        on_damaged: Callable[[JobRecord], object] | None = None,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.retention = retention
        self.fallback = fallback
        self.on_damaged = on_damaged
        self._scripts = {
            name: client.register_script(_PRELUDE + body)
            for name, body in {
                "put": _PUT,
                "claim": _CLAIM,
                "renew": _RENEW,
                "write": _WRITE_UNDER_LEASE,
                "amend": _AMEND,
                "attach": _ATTACH,
                "cancel": _CANCEL,
                "requeue": _REQUEUE,
                "priority": _PRIORITY,
                "recover": _RECOVER,
                "fail_damaged": _FAIL_DAMAGED,
            }.items()
        }

    def _run(self, name: str, *args: Any, client: Any = None) -> Any:
        argv = [self.prefix, repr(self.retention), *(str(a) for a in args)]
        return self._scripts[name](keys=[], args=argv, client=client or self.client)

    def _key(self, name: str) -> str:
        return self.prefix + name

    def _decode(self, job_id: str, raw: dict[bytes, bytes]) -> JobRecord:
        """The job in `raw`; a damaged one is failed first, then read again, clean."""
        try:
            return decode_job(raw)
        except DamagedRecord as damage:
            return self._fail_damaged(job_id, damage)

    def _fail_damaged(self, job_id: str, damage: DamagedRecord) -> JobRecord:
        reset = {
            name: JSON_COLUMNS[name]() if name in JSON_COLUMNS else None for name in damage.fields
        }
        message = damaged_message(damage.fields)
        detail = "; ".join(f"{name}={text[:120]!r}" for name, text in damage.fields.items())
        outcome = self._run(
            "fail_damaged",
            job_id,
            repr(time.time()),
            message,
            f"redis: {detail}",
            *_field_args(reset),
        )
        job = decode_job(
            {b"id": job_id.encode(), **raw_hash(self.client.hgetall(self._key(f"job:{job_id}")))}
        )
        log.warning(
            "a job's record in Redis was damaged; its unreadable fields were reset",
            extra={"job_id": job_id, "detail": detail, "failed": outcome == 1},
        )
        if outcome == 1 and self.on_damaged is not None:
            self.on_damaged(job)
        return job

    # -- writing jobs in -----------------------------------------------------------------

    @redis_errors
    def put(self, job: JobRecord) -> None:
        """Write the whole job (replacing what Redis had)."""
        self._put([job], only_new=False)

    @redis_errors
    def create_jobs(self, jobs: Sequence[JobRecord]) -> list[str]:
        """Add the jobs Redis doesn't know yet; returns the ids that were added."""
        return self._put(jobs, only_new=True)

    def _put(self, jobs: Sequence[JobRecord], *, only_new: bool) -> list[str]:
        pipe = self.client.pipeline(transaction=False)
        for job in jobs:
            fields = {name: getattr(job, name) for name in JOB_COLUMNS}
            self._run("put", job.id, int(only_new), *_field_args(fields), client=pipe)
        added = pipe.execute()
        return [job.id for job, ok in zip(jobs, added, strict=True) if ok]

    @redis_errors
    def statuses(self, job_ids: Sequence[str]) -> dict[str, str]:
        """The status of each of these jobs Redis holds (the others are left out)."""
        pipe = self.client.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.hget(self._key(f"job:{job_id}"), "status")
        found = zip(job_ids, pipe.execute(), strict=True)
        return {job_id: status.decode() for job_id, status in found if status}

    @redis_errors
    def stamps(self, job_ids: Sequence[str]) -> dict[str, tuple[str, float]]:
        """(status, updated_at) of each of these jobs Redis holds: every write changes one."""
        pipe = self.client.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.hmget(self._key(f"job:{job_id}"), "status", "updated_at")
        found = zip(job_ids, pipe.execute(), strict=True)
        return {
            job_id: (status.decode(), float(updated or 0))
            for job_id, (status, updated) in found
            if status
        }

    @redis_errors
    def amend(self, job_id: str, **fields: Any) -> bool:
        """Change a job nobody is running (e.g. a new focal point before a re-render)."""
        return bool(self._run("amend", job_id, *_field_args(_checked(fields))))

    # -- the JobStore contract -----------------------------------------------------------

    @redis_errors
    def get(self, job_id: str) -> JobRecord:
        raw = raw_hash(self.client.hgetall(self._key(f"job:{job_id}")))
        if raw:
            return self._decode(job_id, raw)
        if self.fallback is not None:
            return self.fallback(job_id)
        raise InvalidInput(f"No job “{job_id}” in the queue — it may have been deleted.")

    @redis_errors
    def get_many(self, job_ids: Iterable[str]) -> list[JobRecord]:
        """The jobs Redis holds among these, in order (missing ones are left out)."""
        job_ids = list(job_ids)
        pipe = self.client.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.hgetall(self._key(f"job:{job_id}"))
        found = zip(job_ids, pipe.execute(), strict=True)
        return [self._decode(job_id, raw) for job_id, raw in found if raw]

    @redis_errors
    def claim(self, job_id: str, owner: str, lease_seconds: float) -> JobRecord | None:
        raw = self._run("claim", job_id, owner, repr(time.time()), repr(float(lease_seconds)))
        if not raw:
            return None
        job = self._decode(job_id, _pairs(raw))
        return job if job.status == "active" else None  # damaged: failed, not to run

    @redis_errors
    def renew(self, job_id: str, owner: str, lease_seconds: float) -> LeaseState:
        held, cancel = self._run("renew", job_id, owner, repr(time.time() + lease_seconds))
        return LeaseState(held=bool(held), cancel_requested=bool(cancel))

    @redis_errors
    def record(self, job_id: str, owner: str, **fields: Any) -> bool:
        return bool(self._run("write", job_id, owner, *_field_args(_checked(fields))))

    def finish(self, job_id: str, owner: str, status: str, **fields: Any) -> bool:
        return self.record(job_id, owner, **end_of_run(status, fields))

    def attach_task(self, job_id: str, task_id: str | None) -> None:
        self.attach_tasks([(job_id, task_id)])

    @redis_errors
    def attach_tasks(self, pairs: Sequence[tuple[str, str | None]]) -> None:
        flat = [x for job_id, task_id in pairs for x in (job_id, task_id or "")]
        self._run("attach", repr(time.time()), *flat)

    @redis_errors
    def request_cancel(self, job_id: str) -> str:
        outcome = self._run("cancel", job_id, repr(time.time()), "Canceled before it started.")
        if outcome is None:
            raise InvalidInput(f"No job “{job_id}” — it may have been deleted.")
        return outcome.decode()

    @redis_errors
    def requeue(
        self, job_id: str, from_statuses: Sequence[str] = ("failed", "canceled")
    ) -> JobRecord:
        outcome = self._run("requeue", job_id, repr(time.time()), *from_statuses)
        if outcome is None and self.fallback is not None:
            # Ended long ago and expired here: the library still has it, so bring it back.
            self.create_jobs([self.fallback(job_id)])
            outcome = self._run("requeue", job_id, repr(time.time()), *from_statuses)
        if isinstance(outcome, list):
            return self._decode(job_id, _pairs(outcome))
        status = outcome.decode() if outcome else "gone"
        raise InvalidInput(
            f"Only {' or '.join(from_statuses)} jobs can be run again; this one is {status}."
        )

    @redis_errors
    def set_priority(self, job_ids: Sequence[str], priority: int) -> list[JobRecord]:
        pipe = self.client.pipeline(transaction=False)
        for job_id in job_ids:
            self._run("priority", job_id, int(priority), repr(time.time()), client=pipe)
        found = zip(job_ids, pipe.execute(), strict=True)
        return [self._decode(job_id, _pairs(raw)) for job_id, raw in found if raw]

    @redis_errors
    def expired_leases(self, now: float) -> list[JobRecord]:
        ids = self.client.zrangebyscore(self._key("active"), "-inf", f"({now!r}")
        return self.get_many(texts(ids))

    @redis_errors
    def recover_stalled(self, job_id: str, now: float, max_stalls: int) -> str | None:
        entry = json.dumps(_stall_entry(now), ensure_ascii=False)
        message = _stalled_message(_STALLS_MARK)
        outcome = self._run(
            "recover", job_id, repr(now), int(max_stalls), entry, message, _STALLS_MARK
        )
        return outcome.decode() if outcome else None

    @redis_errors
    def due_without_task(self, now: float, limit: int = 500) -> list[JobRecord]:
        found: list[JobRecord] = []
        start, chunk = 0, max(limit, 100)
        while len(found) < limit:
            ids = self.client.zrange(self._key("orphans"), start, start + chunk - 1)
            if not ids:
                break
            start += chunk
            for job in self.get_many(texts(ids)):
                due = job.run_at is None or job.run_at <= now
                waiting = job.status in ("queued", "retrying") and not job.task_id
                if waiting and due and not job.cancel_requested:
                    found.append(job)
        return found[:limit]

    @redis_errors
    def waiting(self, now: float, limit: int = 10_000) -> list[JobRecord]:
        ids = self.client.zrange(self._key("waiting"), 0, limit - 1)
        return self.get_many(texts(ids))

    @redis_errors
    def is_paused(self) -> bool:
        return self.client.get(self._key("paused")) == b"1"

    @redis_errors
    def set_paused(self, paused: bool) -> None:
        if paused:
            self.client.set(self._key("paused"), "1")
        else:
            self.client.delete(self._key("paused"))

    @redis_errors
    def worker_seen(self, info: WorkerInfo) -> None:
        self.client.hset(self._key("workers"), info.id, json.dumps(vars(info)))

    @redis_errors
    def worker_gone(self, worker_id: str) -> None:
        self.client.hdel(self._key("workers"), worker_id)

    @redis_errors
    def workers(self, since: float) -> list[WorkerInfo]:
        rows = self.client.hgetall(self._key("workers"))
        infos = [WorkerInfo(**json.loads(value)) for value in rows.values()]
        forgotten = [w.id for w in infos if w.seen_at < time.time() - WORKER_FORGOTTEN_AFTER]
        if forgotten:
            self.client.hdel(self._key("workers"), *forgotten)
        return sorted((w for w in infos if w.seen_at >= since), key=lambda w: w.started_at)


def _pairs(flat: list[bytes]) -> dict[bytes, bytes]:
    return dict(zip(flat[::2], flat[1::2], strict=True))
