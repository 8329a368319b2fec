"""Job specs for tests that store jobs without running the builder's callers."""

from __future__ import annotations

from collections.abc import Sequence

from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.services.requests import SpecBuilder
from snapasset_desktop.settings import Settings
from snapasset_desktop.spec import JobSpec


def make_spec(
    prompt: str = "a fox", platforms: Sequence[str] = ("x-post",), **options: object
) -> JobSpec:
    """A placeholder job's spec, from the real builder with the default settings."""
    builder = SpecBuilder(PlatformRegistry.from_settings([]), Settings())
    return builder.build(prompt, list(platforms), **{"provider": "placeholder", **options})
