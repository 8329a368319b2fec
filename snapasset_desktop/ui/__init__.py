"""The window: Qt widgets and models, the only package that imports PySide6.

One subpackage per feature — compose, queue, gallery, details, export, settings,
monitor, and what they share — around the window's shell: app (start and exit),
main_window, bridge (engine events in) and tasks (work off the GUI thread).
"""
