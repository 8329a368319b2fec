"""The monitor window: health, metrics, charts and the log."""
