"""Platform presets: the sizes every social network wants, plus the user's own.

Built-ins are fixed; custom presets live in settings (`custom_platforms`) and
are validated on the way in so a typo never reaches the imaging pipeline.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from snapasset_desktop.errors import InvalidInput, UnknownPlatform
from snapasset_desktop.preflight import PreflightRules, builtin_max_bytes
from snapasset_desktop.safe_zones import UnsafeZone, parse_zones

MAX_SIDE = 10_000
MAX_LABEL = 80  # characters of a preset's label or network: a table cell, not an essay
MB = 1024 * 1024  # how the preset editor shows a custom preset's file-size limit
CUSTOM_NETWORK = "Custom"  # the network of a custom preset that names none


@dataclass(frozen=True)
class Platform:
    id: str
    network: str
    label: str
    width: int
    height: int
    max_bytes: int | None = None
    custom: bool = False
    # None: the built-in data for this id (safe_zones.zones_for); a custom preset's own otherwise.
    safe_zones: tuple[UnsafeZone, ...] | None = None

    @property
    def size(self) -> tuple[int, int]:
        return (self.width, self.height)

    @property
    def display_name(self) -> str:
        """The network and the format, e.g. "X · Post image", as the gallery's cards say it:
        labels alone repeat across networks ("Post image" is X's, LinkedIn's and
        Threads'). A preset of the designer's own without a network is its label."""
        return self.label if self.network == CUSTOM_NETWORK else f"{self.network} · {self.label}"

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @property
    def aspect_label(self) -> str:
        from math import gcd

        divisor = gcd(self.width, self.height)
        w, h = self.width // divisor, self.height // divisor
        return f"{w}:{h}" if max(w, h) <= 32 else f"{self.aspect:.2f}:1"

    def to_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k != "safe_zones"}
        if self.safe_zones is not None:
            data["safe_zones"] = [zone.to_entry() for zone in self.safe_zones]
        return data | {"aspect": self.aspect_label}


def _p(id: str, network: str, label: str, w: int, h: int) -> Platform:
    # The file-size limit is the platform's preflight rule's (resources/preflight.toml).
    return Platform(id, network, label, w, h, builtin_max_bytes(id))


BUILTIN_PLATFORMS: tuple[Platform, ...] = (
    _p("instagram-square", "Instagram", "Square post", 1080, 1080),
    _p("instagram-portrait", "Instagram", "Portrait post", 1080, 1350),
    _p("instagram-grid", "Instagram", "Grid post (3:4)", 1080, 1440),
    _p("instagram-story", "Instagram", "Story / Reel", 1080, 1920),
    _p("facebook-post", "Facebook", "Post", 1200, 630),
    _p("facebook-cover", "Facebook", "Page cover", 851, 315),
    _p("x-post", "X", "Post image", 1600, 900),
    _p("x-header", "X", "Header", 1500, 500),
    _p("linkedin-post", "LinkedIn", "Post image", 1200, 627),
    _p("linkedin-banner", "LinkedIn", "Profile banner", 1584, 396),
    _p("linkedin-company-cover", "LinkedIn", "Company cover", 1128, 191),
    _p("youtube-thumbnail", "YouTube", "Thumbnail", 1280, 720),
    _p("youtube-banner", "YouTube", "Channel banner", 2560, 1440),
    _p("pinterest-pin", "Pinterest", "Standard pin", 1000, 1500),
    _p("tiktok", "TikTok", "Video cover", 1080, 1920),
    _p("threads", "Threads", "Post image", 1080, 1350),
    _p("bluesky-card", "Bluesky", "Link card", 1200, 630),
    _p("open-graph", "Web", "Open Graph image", 1200, 630),
)

# The named selections a new library starts with (`platform_sets`): editable like any other.
STARTER_SETS: Mapping[str, tuple[str, ...]] = {
    "Launch campaign": (
        "instagram-square",
        "instagram-story",
        "x-post",
        "linkedin-post",
        "youtube-thumbnail",
    ),
    "Stories and reels": ("instagram-story", "tiktok"),
}

ALIASES: Mapping[str, str] = {
    "instagram-post": "instagram-square",
    "twitter-post": "x-post",
    "twitter-header": "x-header",
}

_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
# Ids the library uses for itself (a job's source image is stored as "source").
RESERVED_IDS = frozenset({"source", "all"})
_ENTRY_FIELDS = frozenset({"id", "width", "height", "label", "network", "max_bytes", "safe_zones"})


def _parse_side(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"The {name} must be a whole number of pixels.")
    try:
        number = float(str(value).strip())
    except ValueError:
        raise InvalidInput(f"The {name} must be a number of pixels, not “{value}”.") from None
    if not math.isfinite(number):
        raise InvalidInput(f"The {name} must be a number of pixels, not “{value}”.")
    if number != int(number):
        raise InvalidInput(f"The {name} must be a whole number of pixels, not {value}.")
    if number <= 0:
        raise InvalidInput(f"The {name} must be more than 0 pixels.")
    if number > MAX_SIDE:
        raise InvalidInput(
            f"The {name} can be at most {MAX_SIDE:,} pixels; {int(number):,} is too big."
        )
    return int(number)


def preset_id(name: str) -> str:
    """The id a preset named `name` is kept under, e.g. "Newsletter Hero" -> "newsletter-hero":
    lowercase letters and digits joined by dashes, accents dropped."""
    plain = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:48].strip("-")
    if not slug:
        raise InvalidInput("Give the preset a name with a few letters or digits in it.")
    return slug


def make_custom_platform(
    id: str,
    width: Any,
    height: Any,
    *,
    label: str = "",
    network: str = CUSTOM_NETWORK,
    max_bytes: Any = None,
    safe_zones: Any = None,
) -> Platform:
    """Validate a user's preset; refuse anything the pipeline could not honour."""
    clean_id = str(id).strip().lower()
    if not _ID_PATTERN.match(clean_id):
        raise InvalidInput(
            "A preset name uses lowercase letters, digits and dashes (e.g. “newsletter-hero”)."
        )
    if clean_id in RESERVED_IDS:
        raise InvalidInput(f"“{clean_id}” is a name SnapAsset keeps for itself; pick another.")
    limit = None
    if max_bytes not in (None, "", 0):
        try:
            limit = int(max_bytes)
        except (TypeError, ValueError, OverflowError):
            raise InvalidInput("The file-size limit must be a number of bytes.") from None
        if limit <= 0:
            raise InvalidInput("The file-size limit must be more than 0 bytes.")
    return Platform(
        id=clean_id,
        network=_text("network", network) or CUSTOM_NETWORK,
        label=_text("label", label) or clean_id,
        width=_parse_side("width", width),
        height=_parse_side("height", height),
        max_bytes=limit,
        custom=True,
        safe_zones=None if safe_zones is None else parse_zones(safe_zones),
    )


def _text(name: str, value: Any) -> str:
    text = str(value).strip()
    if len(text) > MAX_LABEL:
        raise InvalidInput(f"A preset's {name} can be at most {MAX_LABEL} characters.")
    return text


def preset_from_entry(entry: Any) -> Platform:
    """A custom preset from its settings table (`id`, `width`, `height`, optional `label`,
    `network`, `max_bytes` and `safe_zones`), or InvalidInput saying what is wrong with it."""
    if not isinstance(entry, Mapping):
        raise InvalidInput(
            f"A custom preset is a table with an id, a width and a height, not {str(entry)[:40]}."
        )
    fields = {k: v for k, v in entry.items() if k in _ENTRY_FIELDS}
    if not {"id", "width", "height"} <= fields.keys():
        raise InvalidInput(
            f"The custom preset “{str(entry.get('id', '?'))[:48]}” needs an id, a width "
            "and a height."
        )
    return make_custom_platform(**fields)


def preset_entry(platform: Platform) -> dict[str, Any]:
    """What goes back into settings for one custom preset."""
    entry = {
        k: v
        for k, v in asdict(platform).items()
        if k not in ("custom", "safe_zones") and v is not None
    }
    if platform.safe_zones is not None:
        entry["safe_zones"] = [zone.to_entry() for zone in platform.safe_zones]
    return entry


def custom_presets(
    entries: Iterable[Any], refused: Callable[[InvalidInput], None]
) -> list[Platform]:
    """The usable presets among settings `entries`, in order; `refused` hears why each
    other one (malformed, a built-in's name, a second preset of one name) is left out."""
    registry = PlatformRegistry()
    for entry in entries:
        try:
            registry.add_custom(preset_from_entry(entry))
        except InvalidInput as exc:
            refused(exc)
    return registry.custom()


class PlatformRegistry:
    """Built-ins plus custom presets, looked up by id or alias."""

    def __init__(self, custom: Iterable[Platform] = ()) -> None:
        self._builtin = {p.id: p for p in BUILTIN_PLATFORMS}
        self._custom: dict[str, Platform] = {}
        for platform in custom:
            self.add_custom(platform)

    @classmethod
    def from_settings(cls, entries: Iterable[Any]) -> PlatformRegistry:
        """Custom presets from settings (checked when the settings were read; anything
        unusable left out here too, so a preset never stops the app)."""
        return cls(custom_presets(entries, refused=lambda exc: None))

    def custom(self) -> list[Platform]:
        return list(self._custom.values())

    def custom_entries(self) -> list[dict[str, Any]]:
        """What goes back into settings."""
        return [preset_entry(p) for p in self._custom.values()]

    def all(self) -> list[Platform]:
        return [*self._builtin.values(), *self._custom.values()]

    def size_limits(self) -> dict[str, int]:
        """File-size limits by platform id, for exports that convert formats."""
        return {p.id: p.max_bytes for p in self.all() if p.max_bytes}

    def preflight(self) -> PreflightRules:
        """What each of these platforms accepts, checked before an export writes a file."""
        return PreflightRules.for_platforms(self.all())

    def networks(self) -> dict[str, list[Platform]]:
        grouped: dict[str, list[Platform]] = {}
        for platform in self.all():
            grouped.setdefault(platform.network, []).append(platform)
        return grouped

    def get(self, platform_id: str) -> Platform:
        key = str(platform_id).strip().lower()
        key = ALIASES.get(key, key)
        found = self._custom.get(key) or self._builtin.get(key)
        if found:
            return found
        known = [p.id for p in self.all()] + list(ALIASES)
        close = difflib.get_close_matches(key, known, n=1)
        hint = (
            f" Did you mean “{close[0]}”?"
            if close
            else " Run “snapasset-desktop platforms” for the list."
        )
        raise UnknownPlatform(f"“{platform_id}” is not a platform SnapAsset knows.{hint}")

    def resolve(self, platform_ids: Iterable[str]) -> list[Platform]:
        """Look up many ids, in order, without duplicates (aliases included)."""
        seen: dict[str, Platform] = {}
        for platform_id in platform_ids:
            platform = self.get(platform_id)
            seen.setdefault(platform.id, platform)
        if not seen:
            raise InvalidInput("Pick at least one platform.")
        return list(seen.values())

    def add_custom(self, platform: Platform) -> Platform:
        if platform.id in self._builtin or platform.id in ALIASES:
            raise InvalidInput(f"“{platform.id}” is a built-in preset; pick another name.")
        if platform.id in self._custom:
            raise InvalidInput(f"A preset called “{platform.id}” already exists.")
        self._custom[platform.id] = platform
        return platform

    def update_custom(self, platform: Platform) -> Platform:
        if platform.id not in self._custom:
            raise UnknownPlatform(f"There is no custom preset called “{platform.id}”.")
        self._custom[platform.id] = platform
        return platform

    def remove_custom(self, platform_id: str) -> None:
        if platform_id in self._builtin:
            raise InvalidInput("Built-in presets cannot be deleted.")
        if self._custom.pop(platform_id, None) is None:
            raise UnknownPlatform(f"There is no custom preset called “{platform_id}”.")
