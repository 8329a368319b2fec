"""The asset library: jobs, assets and events in SQLite, files in the data dir.

`Library` is the one entry point; `Exporter` (in `export`) and `ThumbnailCache`
(in `thumbnails`) work on the records it hands out.
"""

from __future__ import annotations

from snapasset_desktop.library.models import (
    AssetQuery,
    AssetRecord,
    AssetSort,
    Event,
    JobRecord,
)
from snapasset_desktop.library.store import Library

__all__ = ["AssetQuery", "AssetRecord", "AssetSort", "Event", "JobRecord", "Library"]
