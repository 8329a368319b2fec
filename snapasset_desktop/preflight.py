"""Preflight rules: what each platform accepts for an uploaded image, as data.

The built-in platforms' rules live in `resources/preflight.toml`, each with the
page its figures come from and the day they were checked. A custom preset's
rule is its own file-size limit plus the sRGB profile every platform expects.
The exporter applies them (`imaging.preflight`); the built-in presets take
their file-size limits from here too, so assets fit when they are made.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

FORMATS = ("png", "jpeg", "webp")
RULES_RESOURCE = "preflight.toml"
_NUMBERS = ("max_bytes", "min_width", "min_height", "max_width", "max_height")
_RATIOS = ("min_aspect", "max_aspect")
_KEYS = frozenset({*_NUMBERS, *_RATIOS, "formats", "srgb", "source", "checked", "note"})


@dataclass(frozen=True)
class PreflightRule:
    """What one platform accepts. `label` names it for a designer ("YouTube thumbnail")."""

    platform: str
    label: str
    network: str = "this preset"  # whose rule it is, as a note says it ("YouTube's limit")
    max_bytes: int | None = None
    formats: tuple[str, ...] = FORMATS  # in order of preference for a conversion
    srgb: bool = True  # an embedded sRGB ICC profile
    min_width: int | None = None
    min_height: int | None = None
    max_width: int | None = None
    max_height: int | None = None
    min_aspect: float | None = None  # width / height
    max_aspect: float | None = None
    source: str = ""
    checked: date | None = None
    note: str = ""


def platform_label(network: str, label: str) -> str:
    """ "YouTube" + "Thumbnail" → "YouTube thumbnail" (how a note names the platform)."""
    return f"{network} {label[:1].lower()}{label[1:]}".strip()


def parse_rules(text: str) -> dict[str, dict[str, Any]]:
    """The rules file's entries by platform id, checked; a bad entry is a ValueError."""
    entries = tomllib.loads(text)
    for platform, entry in entries.items():
        _check_entry(platform, entry)
    return entries


def _check_entry(platform: str, entry: Mapping[str, Any]) -> None:
    unknown = set(entry) - _KEYS
    if unknown:
        raise ValueError(f"{platform}: unknown keys {sorted(unknown)}")
    if not str(entry.get("source", "")).startswith("https://"):
        raise ValueError(f"{platform}: every rule needs its https:// source")
    if not isinstance(entry.get("checked"), date):
        raise ValueError(f"{platform}: every rule needs the date it was checked")
    for name in _NUMBERS:
        if name in entry and (not isinstance(entry[name], int) or entry[name] <= 0):
            raise ValueError(f"{platform}: {name} must be a positive whole number")
    for name in _RATIOS:
        if name in entry and (not isinstance(entry[name], int | float) or entry[name] <= 0):
            raise ValueError(f"{platform}: {name} must be a positive number")
    formats = entry.get("formats", FORMATS)
    if not formats or any(fmt not in FORMATS for fmt in formats):
        raise ValueError(f"{platform}: formats must be some of {', '.join(FORMATS)}")


@cache
def builtin_entries() -> Mapping[str, Mapping[str, Any]]:
    """The shipped rules file, read once."""
    path = resources.files("snapasset_desktop") / "resources" / RULES_RESOURCE
    return parse_rules(path.read_text(encoding="utf-8"))


def builtin_max_bytes(platform_id: str) -> int | None:
    """A built-in platform's file-size limit from the rules (None: it names none)."""
    return builtin_entries().get(platform_id, {}).get("max_bytes")


def rule_from_entry(
    platform: str, label: str, network: str, entry: Mapping[str, Any]
) -> PreflightRule:
    values = {key: value for key, value in entry.items() if key != "formats"}
    formats = tuple(entry.get("formats", FORMATS))
    return PreflightRule(platform, label, network, formats=formats, **values)


class PreflightRules:
    """The rules in force, by platform id: the built-ins', and custom presets' limits."""

    def __init__(self, rules: Iterable[PreflightRule]) -> None:
        self._rules = {rule.platform: rule for rule in rules}

    @classmethod
    def for_platforms(cls, platforms: Iterable[Any]) -> PreflightRules:
        """Rules for `platforms` (`platforms.Platform` values): data for built-ins,
        the preset's own limit for custom ones."""
        entries = builtin_entries()
        rules = []
        for platform in platforms:
            label = platform_label(platform.network, platform.label)
            entry = entries.get(platform.id) if not platform.custom else None
            if entry is not None:
                rules.append(rule_from_entry(platform.id, label, platform.network, entry))
            else:
                rules.append(PreflightRule(platform.id, label, max_bytes=platform.max_bytes))
        return cls(rules)

    def get(self, platform_id: str) -> PreflightRule | None:
        return self._rules.get(platform_id)

    def __iter__(self) -> Any:
        return iter(self._rules.values())
