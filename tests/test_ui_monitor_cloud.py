"""The monitor's cloud card: what a designer reads about sync."""

from __future__ import annotations

import time
from types import SimpleNamespace

from snapasset_desktop.ui.monitor.dialog import _cloud_view

STATS = SimpleNamespace(uploads_24h=3, upload_failures_24h=1)


def test_signed_in_shows_who_and_the_last_sync() -> None:
    cloud = {
        "enabled": True,
        "reachable": True,
        "signed_in_as": "ada@example.com",
        "last_sync": time.time() - 120,
    }
    value, detail, state = _cloud_view(cloud, STATS)
    assert (value, state) == ("ada@example.com", "ok")
    assert "synced 2 min ago" in detail and "3 uploaded, 1 failed" in detail


def test_problems_read_plainly() -> None:
    assert _cloud_view({"enabled": False}, STATS)[0] == "Off"
    down = _cloud_view({"enabled": True, "reachable": False, "message": "No answer."}, STATS)
    assert down == ("Unreachable", "No answer.", "bad")
    signed_out = _cloud_view({"enabled": True, "reachable": True, "signed_in_as": None}, STATS)
    assert signed_out[0] == "Signed out" and signed_out[2] == "warn"
