"""The queue: every job in a live table, its filters and actions, the status bar."""
