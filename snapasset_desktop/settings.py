"""User settings, declared once (name, default, what it accepts, description) and kept in
settings.toml.

Secrets never live here: the OpenAI key and cloud sessions go through
`snapasset_desktop.secrets`. Every value passes `check_setting` — its declared type, then
its range, choices or shape — whether it comes from the file or from `SettingsStore.update`
(the CLI, the Settings dialog). A hand-edited file with a bad value loses only that value
(it falls back to its default, and the log says so); in `custom_platforms` and
`platform_sets` only the bad entry is dropped. An update with a bad value is refused whole,
with a sentence saying why.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, get_origin, get_type_hints

import tomli_w

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.paths import PRIVATE_FILE, private_dir, private_file, unwritable
from snapasset_desktop.platforms import STARTER_SETS, custom_presets, preset_entry

log = logging.getLogger(__name__)

Refuse = Callable[[InvalidInput], None]  # told of each bad entry of a list or table setting


@dataclass(frozen=True)
class Accepts:
    """What a setting takes besides its type: a range, a few choices, or a check of its
    shape (strings) or of its entries (lists and tables)."""

    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()
    shape: Callable[[str], str] | None = None
    entries: Callable[[Any, Refuse], Any] | None = None


def _setting(default: Any, description: str, **accepts: Any) -> Any:
    return field(default=default, metadata={"doc": description, "accepts": Accepts(**accepts)})


_COLOUR = re.compile(r"^#(?:[0-9a-f]{3}|[0-9a-f]{6})$")


def _pad_colour(value: str) -> str:
    pad = value.strip().lower()
    if pad not in ("transparent", "blur") and not _COLOUR.match(pad):
        raise InvalidInput(
            f"“pad_color” is a colour like #ffffff, “transparent” or “blur”, not “{value[:40]}”."
        )
    return pad


_ORIGIN = re.compile(r"^https?://[a-z0-9.-]+(?::\d{1,5})?$|^https?://\[[0-9a-f:]+\](?::\d{1,5})?$")


def _origins(value: str) -> str:
    origins = [part.strip().rstrip("/").lower() for part in re.split(r"[,\s]+", value)]
    for origin in filter(None, origins):
        if not _ORIGIN.match(origin):
            raise InvalidInput(
                f"“{origin[:60]}” isn't a web page's origin: write it as https://example.com "
                "or http://localhost:3000, with no path."
            )
    return ", ".join(filter(None, origins))


def cors_origins(settings: Settings) -> list[str]:
    """The origins `api_cors_origins` lists (none: cross-origin calls stay refused)."""
    return [origin for origin in settings.api_cors_origins.split(", ") if origin]


def _presets(value: Any, refuse: Refuse) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise InvalidInput(
            "“custom_platforms” is a list of presets, each with an id, a width and a height."
        )
    return [preset_entry(p) for p in custom_presets(value, refuse)]


def _is_id_list(ids: Any) -> bool:
    return isinstance(ids, list) and all(isinstance(i, str) and i.strip() for i in ids)


def _platform_ids(value: Any, refuse: Refuse) -> list[str]:
    if not _is_id_list(value):
        raise InvalidInput('“platforms” is a list of platform ids, such as ["x-post", "tiktok"].')
    return list(value)


def _platform_sets(value: Any, refuse: Refuse) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise InvalidInput("“platform_sets” is a table of named lists of platform ids.")
    kept = {}
    for name, ids in value.items():
        if isinstance(name, str) and name.strip() and _is_id_list(ids):
            kept[name] = list(ids)
        else:
            refuse(
                InvalidInput(
                    f"The platform set “{str(name)[:40]}” should be a list of platform ids, "
                    'such as ["x-post", "tiktok"].'
                )
            )
    return kept


@dataclass
class Settings:
    provider: str = _setting(
        "openai",
        "Image provider: openai or placeholder (offline).",
        choices=("openai", "placeholder"),
    )
    model: str = _setting("gpt-image-2", "OpenAI image model.")
    quality: str = _setting(
        "auto",
        "Generation quality: low, medium, high or auto.",
        choices=("auto", "low", "medium", "high"),
    )
    background: str = _setting(
        "auto",
        "Generated background: auto, opaque or transparent.",
        choices=("auto", "opaque", "transparent"),
    )
    output_format: str = _setting(
        "png", "Format of platform assets: png, jpeg or webp.", choices=("png", "jpeg", "webp")
    )
    image_quality: int = _setting(90, "JPEG/WebP quality, 1–100.", low=1, high=100)
    fit: str = _setting(
        "auto",
        "How sources fit platforms: auto (crop where little is lost, else expand), "
        "cover (crop), expand or contain (pad).",
        choices=("auto", "cover", "expand", "contain"),
    )
    fit_threshold: float = _setting(
        0.15,
        "Auto crops a platform when that loses at most this share of the picture.",
        low=0,
        high=0.9,
    )
    pad_color: str = _setting(
        "#ffffff", "Padding colour for contain, or 'blur'.", shape=_pad_colour
    )
    partial_images: int = _setting(
        2, "Partial previews streamed while generating (0–3).", low=0, high=3
    )
    alt_text: bool = _setting(True, "Suggest alt text for each job (one small OpenAI request).")
    openai_base_url: str = _setting("", "OpenAI-compatible server; empty for api.openai.com.")
    openai_timeout: float = _setting(
        180.0, "Seconds before one image request gives up.", low=1, high=3600
    )
    openai_images_per_minute: int = _setting(
        0,
        "Image requests per minute your OpenAI account allows (your tier's limit; "
        "0 = not set, follow OpenAI's retry-after).",
        low=0,
        high=100_000,
    )
    concurrency: int = _setting(4, "Jobs that run at the same time.", low=1, high=16)
    redis_url: str = _setting("", "redis:// or rediss:// URL; empty for the embedded queue.")
    redis_ca_file: str = _setting("", "CA certificate (PEM) to trust for rediss://; empty: system.")
    max_jobs_per_minute: int = _setting(
        1000, "New jobs allowed per minute (0 = no limit).", low=0, high=100_000
    )
    monthly_budget_usd: float = _setting(
        0.0,
        "Estimated OpenAI spend per calendar month that pauses the queue (0 = no cap).",
        low=0,
        high=1_000_000,
    )
    retry_attempts: int = _setting(
        3, "Attempts in all for a job that fails transiently.", low=1, high=10
    )
    retry_delay: float = _setting(
        2.0, "First retry delay in seconds; doubles each time.", low=0, high=3600
    )
    lease_seconds: float = _setting(
        30.0, "A running job's lease; renewed every third of it.", low=1, high=3600
    )
    sweep_interval: float = _setting(
        10.0, "Seconds between checks for stalled or orphaned jobs.", low=0.1, high=3600
    )
    max_stalls: int = _setting(
        3, "Times a job may lose its worker before it fails.", low=1, high=100
    )
    failed_jobs_kept: int = _setting(200, "How many failed jobs are kept.", low=1, high=100_000)
    retention_days: int = _setting(30, "Days failed jobs and events are kept.", low=1, high=3650)
    cleanup_hour: int = _setting(
        2, "Hour of the day (0–23, local time) the daily cleanup runs.", low=0, high=23
    )
    api_enabled: bool = _setting(False, "Serve the local HTTP API while the window is open.")
    api_port: int = _setting(
        8787, "Port of the local HTTP API, on 127.0.0.1.", low=1024, high=65535
    )
    api_jobs_per_minute: int = _setting(
        600, "New jobs one API token may create per minute (0 = no limit).", low=0, high=100_000
    )
    api_cors_origins: str = _setting(
        "",
        "Web pages (https://host[:port], comma-separated) whose scripts may call the local "
        "API from a browser; empty: none.",
        shape=_origins,
    )
    cloud_sync: bool = _setting(False, "Upload finished jobs to your Supabase project.")
    supabase_url: str = _setting("", "Supabase project URL, https://<project>.supabase.co.")
    supabase_anon_key: str = _setting(
        "", "Normally empty: the anon key is kept in the keyring. Used when the keyring has none."
    )
    supabase_bucket: str = _setting("snapasset", "Supabase Storage bucket for the assets.")
    custom_platforms: list[dict[str, Any]] = field(
        default_factory=list,
        metadata={"doc": "User-defined platform presets.", "accepts": Accepts(entries=_presets)},
    )
    platforms: list[str] = field(
        default_factory=list,
        metadata={
            "doc": "Platforms ticked in the window's composer, as it was left.",
            "accepts": Accepts(entries=_platform_ids),
        },
    )
    platform_sets: dict[str, list[str]] = field(
        default_factory=lambda: {name: list(ids) for name, ids in STARTER_SETS.items()},
        metadata={
            "doc": "Saved platform selections, one click in the composer: name -> platform ids.",
            "accepts": Accepts(entries=_platform_sets),
        },
    )

    @classmethod
    def describe(cls) -> dict[str, str]:
        return {f.name: f.metadata["doc"] for f in fields(cls)}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_ACCEPTS: dict[str, Accepts] = {f.name: f.metadata["accepts"] for f in fields(Settings)}
_TYPES: dict[str, type] = {
    name: get_origin(hint) or hint for name, hint in get_type_hints(Settings).items()
}


def check_setting(name: str, value: Any, refuse: Refuse | None = None) -> Any:
    """`value` as setting `name` keeps it, or InvalidInput with a sentence saying why not.

    `refuse` hears of each bad entry of a list or table setting, which is then left out;
    without it, one bad entry refuses the whole value."""
    if name not in _ACCEPTS:
        raise KeyError(f"unknown setting {name!r}")
    kind, accepts = _TYPES[name], _ACCEPTS[name]
    if accepts.entries:
        return accepts.entries(value, refuse or _raise)
    if kind is bool:
        if not isinstance(value, bool):
            raise InvalidInput(f"“{name}” is true or false, not {_shown(value)}.")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise InvalidInput(f"“{name}” is text in quotes, not {_shown(value)}.")
        if accepts.choices:
            return _choice(name, value, accepts.choices)
        return accepts.shape(value) if accepts.shape else value
    return _number(name, value, accepts, whole=kind is int)


def _number(name: str, value: Any, accepts: Accepts, *, whole: bool) -> int | float:
    what = "a whole number" if whole else "a number"
    if accepts.low is not None and accepts.high is not None:
        what += f" from {_figure(accepts.low)} to {_figure(accepts.high)}"
    numeric = (int,) if whole else (int, float)
    if (
        isinstance(value, bool)
        or not isinstance(value, numeric)
        or not math.isfinite(value)
        or (accepts.low is not None and value < accepts.low)
        or (accepts.high is not None and value > accepts.high)
    ):
        raise InvalidInput(f"“{name}” is {what}, not {_shown(value)}.")
    return value if whole else float(value)


def _figure(bound: float) -> str:
    return f"{int(bound):,}" if float(bound).is_integer() else f"{bound:g}"


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    chosen = value.strip().lower()
    if chosen not in choices:
        raise InvalidInput(f"“{name}” is one of {', '.join(choices)}, not {_shown(value)}.")
    return chosen


def _shown(value: Any) -> str:
    text = f"“{value}”" if isinstance(value, str) else repr(value)
    return text if len(text) <= 42 else text[:40] + "…"


def _raise(exc: InvalidInput) -> None:
    raise exc


def load_settings(path: Path) -> Settings:
    """Read settings.toml; a missing or unreadable file gives the defaults, a bad value
    its default."""
    settings = Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return settings
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        log.warning("settings file unreadable, using defaults", extra={"detail": str(exc)})
        return settings
    for name, value in data.items():
        if name not in _ACCEPTS:
            log.warning("unknown setting ignored", extra={"setting": name})
            continue
        try:
            setattr(settings, name, check_setting(name, value, _drop_entry(name)))
        except InvalidInput as exc:
            log.warning(
                "bad setting replaced by its default",
                extra={"setting": name, "detail": exc.message},
            )
    return settings


def _drop_entry(name: str) -> Refuse:
    def dropped(exc: InvalidInput) -> None:
        log.warning("bad entry dropped", extra={"setting": name, "detail": exc.message})

    return dropped


def save_settings(settings: Settings, path: Path) -> None:
    """Write atomically, so a crash mid-save never leaves half a file."""
    tmp = path.with_suffix(".toml.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        private_dir(path.parent)
        # Created 0600 (the user's alone): it names the Redis address and the library's habits.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(tomli_w.dumps(settings.to_dict()))
        private_file(tmp)  # an old temp file left by a crash keeps its mode otherwise
        os.replace(tmp, path)
    except OSError as exc:
        raise unwritable(exc, path.parent, "settings") from exc


class SettingsStore:
    """The settings in force, saved on change, with per-setting subscribers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.current = load_settings(path)
        self._subscribers: dict[str, list[Callable[[Any], None]]] = {}

    def subscribe(self, name: str, callback: Callable[[Any], None]) -> Callable[[], None]:
        """Call `callback(value)` after each change of setting `name`; returns the call that
        stops it (a window's, when it closes)."""
        if name not in _ACCEPTS:
            raise KeyError(f"unknown setting {name!r}")
        callbacks = self._subscribers.setdefault(name, [])
        callbacks.append(callback)

        def unsubscribe() -> None:
            if callback in callbacks:
                callbacks.remove(callback)

        return unsubscribe

    def update(self, **changes: Any) -> None:
        """Check every change, save them all at once, then apply them: a refused value or a
        failed save changes nothing."""
        checked = {name: check_setting(name, value) for name, value in changes.items()}
        save_settings(replace(self.current, **checked), self.path)
        for name, value in checked.items():
            setattr(self.current, name, value)
        for name, value in checked.items():
            for callback in list(self._subscribers.get(name, [])):
                callback(value)
