"""Plain records the library hands out: jobs, assets, events, and the gallery's query.

They are dataclasses with no behaviour beyond reading a database row, so the
queue, the CLI and the Qt models can pass them around freely.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from snapasset_desktop.spec import JobSpec

JOB_STATUSES = ("queued", "active", "retrying", "completed", "failed", "canceled")
# The generated image a job's platform assets are cut from; stored as an asset row
# with this platform so it has a hash, a size and a thumbnail like any other.
SOURCE_PLATFORM = "source"
# A source expanded for a shape group ("expanded_tall"), kept the same way so a retry never
# pays for it twice; no preset id has an underscore, so none can be taken for one.
EXPANSION_PREFIX = "expanded_"


def expansion_platform(key: str) -> str:
    """The asset row name of an expansion's canvas: "tall" → "expanded_tall"."""
    return EXPANSION_PREFIX + key


class AssetSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    PLATFORM = "platform"
    SIZE = "size"  # file size, largest first


@dataclass
class JobRecord:
    id: str
    status: str
    spec: JobSpec  # what was asked; `prompt` and `platforms` are read from it
    created_at: float
    updated_at: float
    batch_id: str | None = None
    stage: str | None = None
    progress: float = 0.0
    priority: int = 0
    attempts: int = 0
    max_attempts: int = 3
    error_kind: str | None = None
    error_message: str | None = None
    error_detail: str | None = None
    history: list[Any] = field(default_factory=list)
    focus_x: float | None = None
    focus_y: float | None = None
    source_path: str | None = None
    source_width: int | None = None
    source_height: int | None = None
    run_at: float | None = None
    lease_owner: str | None = None
    lease_expires: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    task_id: str | None = None  # the queue task that will run it; None when none is live
    enqueued_at: float | None = None
    stalls: int = 0  # times its runner vanished mid-run (crash, kill, power loss)
    cancel_requested: bool = False
    origin: str | None = None  # the library that submitted it (Redis: where assets go back)
    cost_usd: float | None = None  # what its OpenAI calls cost (estimated; queue.budget)
    retry_of: str | None = None  # the job this one retries with changes (edit and retry)

    @property
    def prompt(self) -> str:
        return self.spec.prompt

    @property
    def platforms(self) -> list[str]:
        return list(self.spec.platforms)

    @property
    def finished(self) -> bool:
        return self.status in ("completed", "failed", "canceled")

    @property
    def failure(self) -> dict[str, str | None] | None:
        """Why the job failed, as the API and the CLI's JSON tell it: the kind and the
        designer's sentence, not the technical detail; None without one."""
        if not self.error_message:
            return None
        return {"kind": self.error_kind, "message": self.error_message}

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> JobRecord:
        values = {name: row[name] for name in JOB_COLUMNS}
        for name in JSON_COLUMNS:
            values[name] = json.loads(values[name]) if values[name] else JSON_COLUMNS[name]()
        values["spec"] = JobSpec.from_json(values["spec"])
        values["progress"] = values["progress"] or 0.0
        values["cancel_requested"] = bool(values["cancel_requested"])
        return cls(**values)


JOB_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(JobRecord))
JSON_COLUMNS: dict[str, type] = {"history": list}  # the spec is JSON too: JobSpec.to_json


def column_text(name: str, value: Any) -> Any:
    """A job field as its column (or Redis field) keeps it: the spec and the JSON columns
    as JSON text, anything else as it is."""
    if name == "spec":
        return value.to_json()
    if name in JSON_COLUMNS:
        return json.dumps(value, ensure_ascii=False)
    return value


@dataclass
class AssetRecord:
    id: int
    job_id: str
    platform: str
    variant: int
    width: int
    height: int
    format: str
    path: str  # relative to the data dir, posix separators
    bytes: int
    sha256: str
    favourite: bool
    warning: str | None
    created_at: float
    prompt: str = ""
    model: str = ""
    batch_id: str | None = None
    job_created_at: float | None = None
    clean_path: str | None = None  # the picture without its text layers; None: it has none
    layers: dict[str, Any] | None = None  # what was drawn (`LayeredImage.manifest`)

    @property
    def is_source(self) -> bool:
        return self.platform == SOURCE_PLATFORM

    @property
    def expansion_key(self) -> str | None:
        """The shape group of an expanded canvas ("tall"); None for any other asset."""
        if self.platform.startswith(EXPANSION_PREFIX):
            return self.platform.removeprefix(EXPANSION_PREFIX)
        return None

    @property
    def is_original(self) -> bool:
        """A picture platforms are cut from (the source or an expansion), not an asset."""
        return self.is_source or self.expansion_key is not None

    @property
    def layer_notes(self) -> list[str]:
        """What the designer should read about the layers drawn on this asset."""
        return list(self.layers.get("notes", [])) if self.layers else []

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AssetRecord:
        keys = row.keys()
        return cls(
            id=row["id"],
            job_id=row["job_id"],
            platform=row["platform"],
            variant=row["variant"],
            width=row["width"],
            height=row["height"],
            format=row["format"],
            path=row["path"],
            bytes=row["bytes"],
            sha256=row["sha256"],
            favourite=bool(row["favourite"]),
            warning=row["warning"],
            created_at=row["created_at"],
            prompt=row["prompt"] if "prompt" in keys else "",
            model=(row["model"] or "") if "model" in keys else "",
            batch_id=row["batch_id"] if "batch_id" in keys else None,
            job_created_at=row["job_created_at"] if "job_created_at" in keys else None,
            clean_path=row["clean_path"] if "clean_path" in keys else None,
            layers=json.loads(row["layers"]) if "layers" in keys and row["layers"] else None,
        )


@dataclass(frozen=True)
class AssetQuery:
    """What the gallery shows; empty fields do not filter."""

    platforms: Sequence[str] = ()
    text: str = ""  # every word must appear in the prompt (case-insensitive)
    date_from: float | None = None  # inclusive, epoch seconds
    date_to: float | None = None  # exclusive, epoch seconds
    favourite: bool | None = None
    job_ids: Sequence[str] = ()
    batch_id: str | None = None
    asset_ids: Sequence[int] = ()
    exclude_ids: Sequence[int] = ()  # assets to leave out (e.g. deleted, awaiting undo)
    include_sources: bool = False  # sources and their expansions


@dataclass(frozen=True)
class Event:
    seq: int
    job_id: str | None
    type: str
    data: dict[str, Any]
    created_at: float

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Event:
        return cls(
            seq=row["seq"],
            job_id=row["job_id"],
            type=row["type"],
            data=json.loads(row["data"]) if row["data"] else {},
            created_at=row["created_at"],
        )
