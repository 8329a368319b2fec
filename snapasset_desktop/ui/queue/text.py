"""How a job reads in the queue: its status in words, icon and tint, its stage, its
priority, how long it has taken, and why it failed."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from snapasset_desktop.library.models import JobRecord

STATUS_LABELS = {
    "queued": "Waiting",
    "active": "Running",
    "retrying": "Retrying",
    "completed": "Done",
    "failed": "Failed",
    "canceled": "Canceled",
}
STATUS_ICONS = {
    "queued": "clock",
    "active": "loader",
    "retrying": "refresh-cw",
    "completed": "circle-check",
    "failed": "circle-alert",
    "canceled": "circle-x",
}
STAGE_LABELS = {
    "validate": "Checking",
    "generate": "Generating",
    "decode": "Reading the image",
    "expand": "Expanding",
    "resize": "Resizing",
    "upload": "Uploading",
    "save": "Saving",
}
PRIORITY_LABELS = {10: "High", 0: "Normal", -10: "Low"}


def status_colour(status: str, palette: QPalette) -> QColor:
    """The tint for a status; chosen per palette so light and dark both read well."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    tints = {
        "completed": "#57c27a" if dark else "#1f8a4c",
        "failed": "#ff7b72" if dark else "#c62828",
        "retrying": "#f2b35b" if dark else "#b26a00",
    }
    if status in tints:
        return QColor(tints[status])
    if status == "active":
        return palette.color(QPalette.ColorRole.Highlight)
    return palette.color(QPalette.ColorRole.PlaceholderText)


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


def failure_text(job: JobRecord) -> str | None:
    """Why the job failed (or is retrying), as the engine told the designer."""
    if job.status not in ("failed", "retrying", "canceled") or not job.error_message:
        return None
    if job.status == "canceled":
        return None if job.error_kind == "canceled" else job.error_message
    return job.error_message
