"""The full-size viewer: one asset large, zoomed, the gallery's next and previous, and a
job's platform versions side by side."""
