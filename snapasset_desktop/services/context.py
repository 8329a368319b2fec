"""The engine's parts, opened once and shared by the CLI, the window and workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from snapasset_desktop.library.store import Library
from snapasset_desktop.logs import setup_logging
from snapasset_desktop.paths import AppPaths, app_paths
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.providers import create_provider
from snapasset_desktop.providers.base import ImageProvider
from snapasset_desktop.secrets import SecretStore
from snapasset_desktop.settings import SettingsStore


@dataclass
class AppContext:
    paths: AppPaths
    settings: SettingsStore
    secrets: SecretStore = field(default_factory=SecretStore)

    @classmethod
    def open(cls, paths: AppPaths | None = None) -> AppContext:
        paths = (paths or app_paths()).ensure()
        setup_logging(paths.log_dir)
        return cls(paths=paths, settings=SettingsStore(paths.settings_file))

    @cached_property
    def library(self) -> Library:
        return Library(self.paths)

    @property
    def platforms(self) -> PlatformRegistry:
        # Rebuilt on each use so presets edited in settings apply at once.
        return PlatformRegistry.from_settings(self.settings.current.custom_platforms)

    def provider(self, name: str | None = None) -> ImageProvider:
        settings = self.settings.current
        return create_provider(name or settings.provider, settings=settings, secrets=self.secrets)

    def close(self) -> None:
        if "library" in self.__dict__:
            self.library.close()
