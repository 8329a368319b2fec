"""A widget's subscription to some settings, as a Qt signal that ends with the widget.

`SettingsStore.subscribe` calls back in whatever thread changed the setting; the
watcher turns that into `changed(name)`, delivered in the widget's thread, and
unsubscribes when the widget goes, so a closed panel is never called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Signal

from snapasset_desktop.settings import SettingsStore


class SettingsWatch(QObject):
    changed = Signal(str)  # the name of a setting that changed

    def __init__(self, store: SettingsStore, names: Iterable[str], parent: QObject) -> None:
        super().__init__(parent)
        stops = [store.subscribe(name, self._callback(name)) for name in names]
        self.destroyed.connect(lambda *_: [stop() for stop in stops])

    def _callback(self, name: str) -> Callable[[object], None]:
        signal = self.changed
        return lambda _value: signal.emit(name)
