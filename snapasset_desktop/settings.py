"""User settings, declared once (name, default, description) and kept in settings.toml.

Secrets never live here: the OpenAI key and cloud sessions go through
`snapasset_desktop.secrets`. A hand-edited file with a bad value loses only
that value (it falls back to its default, and the log says so).
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import tomli_w

from snapasset_desktop.paths import PRIVATE_FILE, private_dir, private_file

log = logging.getLogger(__name__)


def _setting(default: Any, description: str) -> Any:
    return field(default=default, metadata={"doc": description})


@dataclass
class Settings:
    provider: str = _setting("openai", "Image provider: openai or placeholder (offline).")
    model: str = _setting("gpt-image-2", "OpenAI image model.")
    quality: str = _setting("auto", "Generation quality: low, medium, high or auto.")
    background: str = _setting("auto", "Generated background: auto, opaque or transparent.")
    output_format: str = _setting("png", "Format of platform assets: png, jpeg or webp.")
    image_quality: int = _setting(90, "JPEG/WebP quality, 1–100.")
    fit: str = _setting("cover", "How sources fit platforms: cover (crop) or contain (pad).")
    pad_color: str = _setting("#ffffff", "Padding colour for contain, or 'blur'.")
    partial_images: int = _setting(2, "Partial previews streamed while generating (0–3).")
    alt_text: bool = _setting(True, "Suggest alt text for each job (one small OpenAI request).")
    openai_base_url: str = _setting("", "OpenAI-compatible server; empty for api.openai.com.")
    openai_timeout: float = _setting(180.0, "Seconds before one image request gives up.")
    openai_images_per_minute: int = _setting(
        0,
        "Image requests per minute your OpenAI account allows (your tier's limit; "
        "0 = not set, follow OpenAI's retry-after).",
    )
    concurrency: int = _setting(4, "Jobs that run at the same time.")
    redis_url: str = _setting("", "redis:// or rediss:// URL; empty for the embedded queue.")
    redis_ca_file: str = _setting("", "CA certificate (PEM) to trust for rediss://; empty: system.")
    max_jobs_per_minute: int = _setting(1000, "New jobs allowed per minute (0 = no limit).")
    monthly_budget_usd: float = _setting(
        0.0, "Estimated OpenAI spend per calendar month that pauses the queue (0 = no cap)."
    )
    retry_attempts: int = _setting(3, "Attempts in all for a job that fails transiently.")
    retry_delay: float = _setting(2.0, "First retry delay in seconds; doubles each time.")
    lease_seconds: float = _setting(30.0, "A running job's lease; renewed every third of it.")
    sweep_interval: float = _setting(10.0, "Seconds between checks for stalled or orphaned jobs.")
    max_stalls: int = _setting(3, "Times a job may lose its worker before it fails.")
    failed_jobs_kept: int = _setting(200, "How many failed jobs are kept.")
    retention_days: int = _setting(30, "Days failed jobs and events are kept.")
    cleanup_hour: int = _setting(2, "Hour of the day (0–23, local time) the daily cleanup runs.")
    cloud_sync: bool = _setting(False, "Upload finished jobs to your Supabase project.")
    supabase_url: str = _setting("", "Supabase project URL, https://<project>.supabase.co.")
    supabase_anon_key: str = _setting(
        "", "Normally empty: the anon key is kept in the keyring. Used when the keyring has none."
    )
    supabase_bucket: str = _setting("snapasset", "Supabase Storage bucket for the assets.")
    custom_platforms: list = field(
        default_factory=list, metadata={"doc": "User-defined platform presets."}
    )
    platform_sets: dict = field(
        default_factory=dict, metadata={"doc": "Saved platform selections: name -> platform ids."}
    )

    @classmethod
    def describe(cls) -> dict[str, str]:
        return {f.name: f.metadata["doc"] for f in fields(cls)}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _coerce(name: str, value: Any, default: Any) -> Any:
    if isinstance(default, bool) or default is None:
        return value
    if isinstance(default, float) and isinstance(value, int | float):
        return float(value)
    if isinstance(value, type(default)):
        return value
    raise TypeError(f"{name} should be {type(default).__name__}, got {value!r}")


def load_settings(path: Path) -> Settings:
    """Read settings.toml; a missing or unreadable file gives the defaults."""
    settings = Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return settings
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        log.warning("settings file unreadable, using defaults", extra={"detail": str(exc)})
        return settings
    known = {f.name for f in fields(Settings)}
    for name, value in data.items():
        if name not in known:
            log.warning("unknown setting ignored", extra={"setting": name})
            continue
        try:
            setattr(settings, name, _coerce(name, value, getattr(settings, name)))
        except TypeError as exc:
            log.warning("bad setting replaced by its default", extra={"detail": str(exc)})
    return settings


def save_settings(settings: Settings, path: Path) -> None:
    """Write atomically, so a crash mid-save never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    private_dir(path.parent)
    tmp = path.with_suffix(".toml.tmp")
    # Created 0600 (the user's alone): it names the Redis address and the library's habits.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(tomli_w.dumps(settings.to_dict()))
    private_file(tmp)  # an old temp file left by a crash keeps its mode otherwise
    os.replace(tmp, path)


class SettingsStore:
    """The settings in force, saved on change, with per-setting subscribers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.current = load_settings(path)
        self._subscribers: dict[str, list[Callable[[Any], None]]] = {}

    def subscribe(self, name: str, callback: Callable[[Any], None]) -> None:
        self._subscribers.setdefault(name, []).append(callback)

    def update(self, **changes: Any) -> None:
        known = {f.name for f in fields(Settings)}
        for name, value in changes.items():
            if name not in known:
                raise KeyError(f"unknown setting {name!r}")
            setattr(self.current, name, _coerce(name, value, getattr(self.current, name)))
        save_settings(self.current, self.path)
        for name, value in changes.items():
            for callback in self._subscribers.get(name, []):
                callback(value)
