"""The engine's parts, opened once and shared by the CLI, the window and workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from snapasset_desktop.errors import StorageError
from snapasset_desktop.library.models import JobRecord
from snapasset_desktop.library.store import Library
from snapasset_desktop.logs import setup_logging
from snapasset_desktop.paths import AppPaths, app_paths
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.providers import create_alt_text_writer, create_provider
from snapasset_desktop.providers.alt_text import AltTextWriter
from snapasset_desktop.providers.base import ImageProvider
from snapasset_desktop.providers.pacing import RequestPacer
from snapasset_desktop.queue.backend import QueueBackend
from snapasset_desktop.queue.runtime import backend_name
from snapasset_desktop.secrets import OPENAI_KEY, SecretStore
from snapasset_desktop.services.brand import BrandService
from snapasset_desktop.services.jobs import JobService
from snapasset_desktop.services.requests import SpecBuilder
from snapasset_desktop.settings import SettingsStore

if TYPE_CHECKING:
    from snapasset_desktop.cloud import CloudSync


@dataclass
class AppContext:
    paths: AppPaths
    settings: SettingsStore
    secrets: SecretStore = field(default_factory=SecretStore)
    kind: str = "app"  # "app" (window or CLI) or "worker" (headless)

    @classmethod
    def open(cls, paths: AppPaths | None = None, *, kind: str = "app") -> AppContext:
        """Raises StorageError when the library folder can't be written."""
        paths = paths or app_paths()
        setup_logging(paths.log_dir)  # first, so what follows can log why it failed
        paths.ensure()
        return cls(paths=paths, settings=SettingsStore(paths.settings_file), kind=kind)

    @cached_property
    def library(self) -> Library:
        return Library(self.paths)

    @property
    def platforms(self) -> PlatformRegistry:
        # Rebuilt on each use so presets edited in settings apply at once.
        return PlatformRegistry.from_settings(self.settings.current.custom_platforms)

    @cached_property
    def queue(self) -> QueueBackend:
        return QueueBackend(
            paths=self.paths,
            settings=self.settings,
            library=self.library,
            platforms=lambda: self.platforms,
            provider_for=self.provider,
            kind=self.kind,
            uploader=lambda: self.cloud.uploader() if self.settings.current.cloud_sync else None,
            alt_text_for=self.alt_text_writer,
        )

    def catch_up(self) -> StorageError | None:
        """Before reading jobs or assets: in Redis mode the library takes in what the
        shared queue knows of its jobs (`QueueBackend.catch_up`); None when it has, else
        why it shows what it last knew. SQLite mode reads the truth itself."""
        if backend_name(self.settings.current) != "redis":
            return None
        return self.queue.catch_up()

    @cached_property
    def cloud(self) -> CloudSync:
        """Cloud sync (off unless turned on in settings and signed in)."""
        from snapasset_desktop.cloud import CloudSession, CloudSync  # the client loads slowly

        return CloudSync(CloudSession(self.settings, self.secrets), self.library, self.settings)

    @cached_property
    def brand(self) -> BrandService:
        """Brand kits: the Brand page's and `brand` command's service."""
        return BrandService(self.paths)

    @cached_property
    def jobs(self) -> JobService:
        return JobService(self.queue, lambda: self.specs)

    @property
    def specs(self) -> SpecBuilder:
        """Builds job specs from loose input, with the settings and presets in force now."""
        return SpecBuilder(
            self.platforms,
            self.settings.current,
            self.brand,
            has_openai_key=self._has_openai_key,
        )

    def _has_openai_key(self) -> bool:
        return bool(self.secrets.get(OPENAI_KEY))

    def provider(
        self, name: str | None = None, *, pacer: RequestPacer | None = None
    ) -> ImageProvider:
        """`pacer`: the queue backend's, so requests take turns with every process on it."""
        settings = self.settings.current
        return create_provider(
            name or settings.provider, settings=settings, secrets=self.secrets, pacer=pacer
        )

    def alt_text_writer(self, job: JobRecord) -> AltTextWriter | None:
        """Who suggests the job's alt text; None when the `alt_text` setting is off."""
        settings = self.settings.current
        if not settings.alt_text:
            return None
        return create_alt_text_writer(
            job.spec.provider.value, settings=settings, secrets=self.secrets
        )

    def close(self) -> None:
        if "cloud" in self.__dict__:
            self.cloud.session.close()
        if "queue" in self.__dict__:
            self.queue.close()
        if "library" in self.__dict__:
            self.library.close()
