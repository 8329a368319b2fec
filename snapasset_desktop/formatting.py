"""Numbers as a designer reads them: file sizes, durations, percentages.

One place, so the CLI, the window and messages always say the same thing the
same way (sizes are binary, as file managers on every desktop show them).
"""

from __future__ import annotations

MISSING = "–"


def file_size(count: float | None) -> str:
    """1,500 → "1.5 KB"; None → "–". Decimal units, as platforms state their limits
    (Bluesky's 1,000,000 bytes is "1.0 MB") and as macOS and GNOME show files."""
    if count is None:
        return MISSING
    value = float(count)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


def duration(seconds: float | None) -> str:
    """3.25 → "3.2 s", 95 → "2 min", 5400 → "1 h 30 min", 200000 → "2 d 7 h"."""
    if seconds is None:
        return MISSING
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = seconds / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours, minutes = divmod(int(minutes), 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} d {hours % 24} h"


def percent(fraction: float | None, digits: int = 0) -> str:
    """0.925 → "92 %" (or "92.5 %" with digits=1); None → "–"."""
    return MISSING if fraction is None else f"{fraction * 100:.{digits}f} %"
