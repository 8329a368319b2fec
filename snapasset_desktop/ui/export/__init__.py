"""Exporting assets: destination, format, names, a cancellable export."""
