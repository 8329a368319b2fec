"""AppContexts on disks of their own, as on other machines sharing one Redis queue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from snapasset_desktop.paths import AppPaths
from snapasset_desktop.services.context import AppContext


@contextmanager
def machines(root: Path, **settings: object) -> Iterator[Callable[..., AppContext]]:
    """`open_context(name, kind="app")`: a context on data, config and log dirs under
    `root / name`, with `settings`, on the queue the environment names; all closed after."""
    opened: list[AppContext] = []

    def open_context(name: str, kind: str = "app") -> AppContext:
        home = root / name
        context = AppContext.open(AppPaths(home / "data", home / "config", home / "log"), kind=kind)
        context.settings.update(**settings)
        opened.append(context)
        return context

    try:
        yield open_context
    finally:
        for context in opened:
            context.close()
