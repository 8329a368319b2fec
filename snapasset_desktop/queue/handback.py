"""Handing a job's images back through Redis, for a worker that doesn't share the app's disk.

A worker whose library is not the job's origin keeps the generated source at
`source:<job>:<variant>` and each asset at `asset:<job>:<platform>:<variant>`
(the bytes plus a little metadata), listed in `handback:<job>`; an expansion of the
source is an asset whose platform is `expanded_<shape group>`. Each expires
after `ttl` and is at most `max_bytes`, so a queue nobody drains cannot fill
Redis. Keys are the same on every try, so a retry on any worker finds the
stored source (no second API call) and a re-run replaces rather than adds.
The job's suggested alt text is kept the same way (`alttext:<job>`), so a retry
never asks for it twice, and the origin app takes it with the images.
The origin app ingests them into its library and deletes them (`queue.mirror`).
An asset drawn with text layers travels with its clean picture and what was drawn
(`clean`, `layers`), within the same bound; the kit it was drawn in came the other
way, shipped by the app (`queue.kit_shipping`).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from redis.typing import EncodableT, FieldT

from snapasset_desktop.brand.kit import BrandKit
from snapasset_desktop.errors import StorageError
from snapasset_desktop.imaging.decode import image_info
from snapasset_desktop.imaging.encode import normalise_format
from snapasset_desktop.library.models import (
    SOURCE_PLATFORM,
    AssetRecord,
    JobRecord,
    expansion_platform,
)
from snapasset_desktop.queue.kit_shipping import KitShipping
from snapasset_desktop.queue.redis_replies import raw, raw_hash, texts
from snapasset_desktop.queue.redis_store import DEFAULT_PREFIX, redis_errors

DEFAULT_TTL = 86_400.0
_ALT_TEXT_FIELDS = ("text", "origin", "note")
MAX_BYTES = 50 * 2**20


@dataclass
class RemoteAsset(AssetRecord):
    """An asset waiting in Redis for its app (`id` is 0: no library row yet)."""

    key: str = ""

    def summary(self) -> dict[str, Any]:
        return {
            "platform": self.platform,
            "variant": self.variant,
            "format": self.format,
            "width": self.width,
            "height": self.height,
            "key": self.key,
        }


@dataclass(frozen=True)
class HandedBack:
    """One stored image, as the origin app reads it to ingest."""

    key: str
    platform: str  # SOURCE_PLATFORM for a generated source
    variant: int
    format: str
    width: int
    height: int
    warning: str | None
    data: bytes
    clean: bytes | None = None  # without its text layers
    layers: dict[str, Any] | None = None  # what was drawn

    @property
    def is_source(self) -> bool:
        return self.platform == SOURCE_PLATFORM


class RemoteArtifacts:
    """`pipeline.Artifacts` kept in Redis for the job's origin app."""

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = DEFAULT_PREFIX,
        *,
        ttl: float = DEFAULT_TTL,
        max_bytes: int = MAX_BYTES,
        kit_cache: Path | None = None,
    ) -> None:
        """`kit_cache`: where the kits jobs are sent with are unpacked (the worker's temp
        folder; by default the system's)."""
        self.client = client
        self.prefix = prefix
        self.ttl = ttl
        self.max_bytes = max_bytes
        cache = kit_cache or Path(tempfile.gettempdir()) / "snapasset-kits"
        self.kits = KitShipping(client, prefix, ttl=ttl, max_bytes=max_bytes, cache=cache)

    def _index(self, job_id: str) -> str:
        return f"{self.prefix}handback:{job_id}"

    def _source_key(self, job_id: str, variant: int) -> str:
        return f"{self.prefix}source:{job_id}:{variant}"

    def _asset_key(self, job_id: str, platform: str, variant: int) -> str:
        return f"{self.prefix}asset:{job_id}:{platform}:{variant}"

    def _alt_text_key(self, job_id: str) -> str:
        return f"{self.prefix}alttext:{job_id}"

    # -- what the job runner calls -------------------------------------------------------

    @redis_errors
    def source_images(self, job_id: str) -> list[bytes]:
        """The stored sources by variant; empty unless every one is still there."""
        keys = sorted(
            texts(self.client.smembers(self._index(job_id))),
            key=lambda k: int(k.rsplit(":", 1)[1]),
        )
        keys = [k for k in keys if k.startswith(f"{self.prefix}source:")]
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.hget(key, "data")
        found = pipe.execute()
        if not found or any(data is None for data in found) or len(found) != _variants(keys):
            return []
        return found

    def brand_kit(self, job: JobRecord) -> tuple[BrandKit, str | None]:
        """The kit the app sent with the job (`KitShipping.kit_for`)."""
        return self.kits.kit_for(job)

    def suggested_alt_text(self, job_id: str) -> str | None:
        """The text a retry reuses; a failed suggestion (no text) is asked again."""
        stored = self.pending_alt_text(job_id)
        return stored["text"] if stored else None

    @redis_errors
    def store_alt_text(
        self, job_id: str, text: str | None, *, origin: str, note: str | None = None
    ) -> None:
        key = self._alt_text_key(job_id)
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(key, mapping={"text": text or "", "origin": origin, "note": note or ""})
        pipe.expire(key, max(1, int(self.ttl)))
        pipe.execute()

    def store_source(
        self,
        job_id: str,
        data: bytes,
        fmt: str,
        width: int | None = None,
        height: int | None = None,
        *,
        variant: int = 0,
    ) -> str:
        if width is None or height is None:
            width, height, _ = image_info(data, what="the source image")
        key = self._source_key(job_id, variant)
        self._write(job_id, key, SOURCE_PLATFORM, variant, data, fmt, width, height, None)
        return key

    def store_expansion(
        self, job_id: str, key: str, data: bytes, *, width: int, height: int, variant: int = 0
    ) -> RemoteAsset:
        platform = expansion_platform(key)
        return self.save_asset(
            job_id, platform, data, fmt="png", width=width, height=height, variant=variant
        )

    @redis_errors
    def expanded_image(self, job_id: str, key: str, variant: int = 0) -> bytes | None:
        data = self.client.hget(self._asset_key(job_id, expansion_platform(key), variant), "data")
        return raw(data) if data is not None else None

    def save_asset(
        self,
        job_id: str,
        platform: str,
        data: bytes,
        *,
        fmt: str,
        width: int,
        height: int,
        variant: int = 0,
        warning: str | None = None,
        clean: bytes | None = None,
        layers: dict[str, Any] | None = None,
    ) -> RemoteAsset:
        key = self._asset_key(job_id, platform, variant)
        drawn = json.dumps(layers) if layers else ""
        self._write(
            job_id, key, platform, variant, data, fmt, width, height, warning, clean or b"", drawn
        )
        return RemoteAsset(
            id=0,
            job_id=job_id,
            platform=platform,
            variant=variant,
            width=width,
            height=height,
            format=normalise_format(fmt),
            path=key,
            bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            favourite=False,
            warning=warning,
            created_at=time.time(),
            layers=layers,
            key=key,
        )

    @redis_errors
    def _write(
        self,
        job_id: str,
        key: str,
        platform: str,
        variant: int,
        data: bytes,
        fmt: str,
        width: int,
        height: int,
        warning: str | None,
        clean: bytes = b"",
        layers: str = "",
    ) -> None:
        size = len(data) + len(clean)
        if size > self.max_bytes:
            what = "generated image" if platform == SOURCE_PLATFORM else f"{platform} image"
            raise StorageError(
                f"The {what} is {size / 2**20:.0f} MB — too large to send back through "
                f"the shared queue (the limit is {self.max_bytes / 2**20:.0f} MB). Run this "
                "worker on the app's data folder, or turn on cloud sync.",
                detail=f"{key}: {size} bytes > {self.max_bytes}",
            )
        ttl = max(1, int(self.ttl))
        fields: dict[FieldT, EncodableT] = {
            "data": data,
            "platform": platform,
            "variant": variant,
            "format": normalise_format(fmt),
            "width": width,
            "height": height,
            "warning": warning or "",
            "clean": clean,
            "layers": layers,
        }
        pipe = self.client.pipeline(transaction=True)
        pipe.delete(key)
        pipe.hset(key, mapping=fields)
        pipe.expire(key, ttl)
        pipe.sadd(self._index(job_id), key)
        pipe.expire(self._index(job_id), ttl)
        pipe.execute()

    # -- what the origin app calls -------------------------------------------------------

    @redis_errors
    def pending(self, job_id: str) -> list[HandedBack]:
        """Everything stored for the job, sources first; expired entries are left out."""
        keys = texts(self.client.smembers(self._index(job_id)))
        pipe = self.client.pipeline(transaction=False)
        for key in keys:
            pipe.hgetall(key)
        items = [_handed_back(key, raw) for key, raw in zip(keys, pipe.execute(), strict=True)]
        found = [item for item in items if item is not None]
        return sorted(found, key=lambda i: (not i.is_source, i.platform, i.variant))

    @redis_errors
    def discard(self, job_id: str, keys: list[str] | None = None) -> None:
        """Forget what was ingested (or, with no keys, everything stored for the job)."""
        index = self._index(job_id)
        if keys is None:
            keys = texts(self.client.smembers(index))
        pipe = self.client.pipeline(transaction=True)
        if keys:
            pipe.delete(*keys)
            pipe.srem(index, *keys)
        pipe.execute()

    @redis_errors
    def pending_alt_text(self, job_id: str) -> dict[str, str | None] | None:
        """The job's alt text as stored ({text, origin, note}; empty ones None), if any."""
        raw = raw_hash(self.client.hgetall(self._alt_text_key(job_id)))
        if not raw:
            return None
        return {name: raw.get(name.encode(), b"").decode() or None for name in _ALT_TEXT_FIELDS}

    @redis_errors
    def discard_alt_text(self, job_id: str) -> None:
        self.client.delete(self._alt_text_key(job_id))


def _variants(keys: list[str]) -> int:
    """How many variants the keys cover, counting only an unbroken run from 0."""
    variants = {int(k.rsplit(":", 1)[1]) for k in keys}
    count = 0
    while count in variants:
        count += 1
    return count


def _handed_back(key: str, raw: dict[bytes, bytes]) -> HandedBack | None:
    if not raw or b"data" not in raw:
        return None
    return HandedBack(
        key=key,
        platform=raw[b"platform"].decode(),
        variant=int(raw[b"variant"]),
        format=raw[b"format"].decode(),
        width=int(raw[b"width"]),
        height=int(raw[b"height"]),
        warning=raw[b"warning"].decode() or None,
        data=raw[b"data"],
        clean=raw.get(b"clean") or None,
        layers=json.loads(raw[b"layers"]) if raw.get(b"layers") else None,
    )
