"""Job specs for tests that store jobs without running the builder's callers."""

from __future__ import annotations

from collections.abc import Sequence

from snapasset_desktop.paths import app_paths
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.services.brand import BrandService
from snapasset_desktop.services.requests import SpecBuilder
from snapasset_desktop.settings import Settings
from snapasset_desktop.spec import JobSpec


def make_spec(
    prompt: str = "a fox", platforms: Sequence[str] = ("x-post",), **options: object
) -> JobSpec:
    """A placeholder job's spec, from the real builder with the default settings."""
    builder = SpecBuilder(PlatformRegistry.from_settings([]), Settings(), BrandService(app_paths()))
    return builder.build(prompt, list(platforms), **{"provider": "placeholder", **options})


def custom_spec(prompt: str, platform_id: str, size: tuple[int, int] = (1200, 600)) -> JobSpec:
    """A placeholder job's spec for one custom preset (`platform_id`, `size`)."""
    preset = {"id": platform_id, "width": size[0], "height": size[1], "label": platform_id}
    builder = SpecBuilder(
        PlatformRegistry.from_settings([preset]), Settings(), BrandService(app_paths())
    )
    return builder.build(prompt, [platform_id], provider="placeholder")
