"""Brand kits for workers on other machines: shipped through Redis by their SHA-256.

A job's layers name a kit of the app's library, which a worker elsewhere doesn't have
(or has in another version). The app ships the kit as its `.snapkit` bytes — the same
bytes for the same kit (`library.snapkit`), so they are addressed by their SHA-256 at
`kit:<sha256>`, and a batch of a thousand jobs sends one copy — and links each job to
them at `jobkit:<job>`. Both are bounded like hand-backs: at most `max_bytes`, and they
expire after `ttl` (sending the job again, by a retry or a re-render, ships them again).
An empty link says the app had no such kit: the job is drawn in SnapAsset's own look,
with the same note the app's library would give.

The worker checks the bytes against their address, unpacks them as the untrusted input
they are (`snapkit.unpack`) into its temp folder, one folder per SHA-256, and draws with
that: the same files as the app's, so the same pixels.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import shutil
import threading
from pathlib import Path

import redis

from snapasset_desktop.brand.kit import DEFAULT_KIT, BrandKit
from snapasset_desktop.errors import InvalidInput, SnapAssetError
from snapasset_desktop.library import snapkit
from snapasset_desktop.library.files import atomic_write, ensure_folder
from snapasset_desktop.library.kits import KIT_FILE, KitStore, missing_kit_note
from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.queue.redis_store import redis_errors

log = logging.getLogger(__name__)


class KitUnavailable(SnapAssetError):
    """The kit a job was sent with is no longer in Redis (it expired)."""

    kind = "kit_missing"


class KitShipping:
    def __init__(
        self, client: redis.Redis, prefix: str, *, ttl: float, max_bytes: int, cache: Path
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self.max_bytes = max_bytes
        self.cache = cache  # where a worker unpacks the kits it is sent
        self._packed: dict[str, tuple[object, str, bytes]] = {}  # kit id → stamp, digest, bytes
        self._lock = threading.Lock()

    def _kit_key(self, digest: str) -> str:
        return f"{self.prefix}kit:{digest}"

    def _link_key(self, job_id: str) -> str:
        return f"{self.prefix}jobkit:{job_id}"

    # -- the app ---------------------------------------------------------------------------

    def ship(self, kit: BrandKit) -> str:
        """Put the kit's bytes in Redis (unless there already); their SHA-256.

        InvalidInput when the kit is too large to send."""
        digest, data = self._pack(kit)
        self._store(digest, data)
        return digest

    def offer(self, job: JobRecord, kits: KitStore) -> None:
        """Ship the kit the job's layers name and link the job to it — or to none, when
        this library has no kit of that name (the job is drawn as it would be here)."""
        name = job.spec.layers.kit
        if name is None:
            return
        kit = kits.find(name)
        self._link(job.id, self.ship(kit) if kit is not None else "")

    # -- a worker --------------------------------------------------------------------------

    def kit_for(self, job: JobRecord) -> tuple[BrandKit, str | None]:
        """The kit the app sent with the job, unpacked here; SnapAsset's own look with a
        note when the app had none. KitUnavailable when it is no longer in Redis."""
        name = job.spec.layers.kit
        if name is None:
            return DEFAULT_KIT, None
        digest = self._linked(job.id)
        if digest == "":
            return DEFAULT_KIT, missing_kit_note(name)
        data = self._fetch(digest) if digest is not None else None
        if digest is None or data is None:
            raise KitUnavailable(
                f"The brand kit “{name}” this job was sent with is no longer in the shared "
                "queue (it is kept a day); retry the job in SnapAsset to send it again.",
                detail=f"job {job.id}: kit {digest or 'not linked'} gone from Redis",
            )
        if hashlib.sha256(data).hexdigest() != digest:
            raise KitUnavailable(
                f"The brand kit “{name}” arrived damaged through the shared queue; retry the "
                "job in SnapAsset to send it again.",
                detail=f"job {job.id}: kit bytes don't match {digest}",
            )
        return self._unpacked(digest, data), None

    @redis_errors
    def _linked(self, job_id: str) -> str | None:
        value = self._get(self._link_key(job_id))
        return None if value is None else value.decode()

    @redis_errors
    def _fetch(self, digest: str) -> bytes | None:
        return self._get(self._kit_key(digest))

    def _get(self, key: str) -> bytes | None:
        # The client answers bytes (decode_responses is off); redis-py types it loosely.
        value = self.client.get(key)
        return value.encode() if isinstance(value, str) else value

    def _unpacked(self, digest: str, data: bytes) -> BrandKit:
        """The kit in its folder under the cache, unpacked once per SHA-256 (again if the
        temp files' cleanup took some of it)."""
        folder = self.cache / digest
        with self._lock:
            try:
                kit = BrandKit.from_dict(
                    json.loads((folder / KIT_FILE).read_text(encoding="utf-8")), folder=folder
                )
                if all(kit.file_path(item).is_file() for item in kit.files()):
                    return kit
            except (OSError, ValueError, InvalidInput):
                pass  # not unpacked yet, or partly cleaned away
            kit, files = snapkit.unpack(data)
            staging = ensure_folder(self.cache) / f".new-{secrets.token_hex(6)}"
            try:
                for name, body in files.items():
                    atomic_write(staging / name, body)
                document = json.dumps(kit.to_dict(), ensure_ascii=False).encode("utf-8")
                atomic_write(staging / KIT_FILE, document)
                shutil.rmtree(folder, ignore_errors=True)
                staging.rename(folder)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            log.info("unpacked a brand kit sent with a job", extra={"kit": kit.id})
            return kit.with_changes(folder=folder)

    @redis_errors
    def _store(self, digest: str, data: bytes) -> None:
        key, ttl = self._kit_key(digest), max(1, int(self.ttl))
        if not self.client.expire(key, ttl):  # not there yet: the one time bytes go out
            self.client.set(key, data, ex=ttl)

    @redis_errors
    def _link(self, job_id: str, digest: str) -> None:
        self.client.set(self._link_key(job_id), digest, ex=max(1, int(self.ttl)))

    def _pack(self, kit: BrandKit) -> tuple[str, bytes]:
        """The kit's `.snapkit` bytes and their SHA-256, packed again only when the kit or
        one of its files changed."""
        try:
            stamp = (
                json.dumps(kit.to_dict(), sort_keys=True),
                tuple((item.file, _stamp(kit.file_path(item))) for item in kit.files()),
            )
            with self._lock:
                known = self._packed.get(kit.id)
            if known is not None and known[0] == stamp:
                return known[1], known[2]
            data = snapkit.pack(kit)
        except OSError as exc:
            raise InvalidInput(
                f"The brand kit “{kit.name}” is missing one of its files, so it can't be sent "
                "to workers through the shared queue; add the font or logo to the kit again.",
                detail=repr(exc),
            ) from None
        if len(data) > self.max_bytes:
            raise InvalidInput(
                f"The brand kit “{kit.name}” is {len(data) / 2**20:.0f} MB — too large to send "
                f"to workers through the shared queue (the limit is "
                f"{self.max_bytes / 2**20:.0f} MB). Remove fonts or logos it doesn't use."
            )
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            self._packed[kit.id] = (stamp, digest, data)
        return digest, data


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_mtime_ns, status.st_size
