"""The details pane on a test's context, with a bridge of its own, shown at a given size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pytestqt.qtbot import QtBot

from snapasset_desktop.services.context import AppContext
from snapasset_desktop.ui.bridge import EngineBridge
from snapasset_desktop.ui.details.pane import DetailPane


@contextmanager
def open_pane(qtbot: QtBot, ctx: AppContext, *, size: tuple[int, int]) -> Iterator[DetailPane]:
    """After the test, the pane's loads are waited for and its bridge closed."""
    bridge = EngineBridge(ctx.queue)
    pane = DetailPane(ctx, bridge)
    qtbot.addWidget(pane)
    pane.resize(*size)
    pane.show()
    qtbot.waitExposed(pane)
    try:
        yield pane
    finally:
        pane.loader.wait()
        pane.variants.loader.shutdown()
        bridge.close()
