"""The local HTTP API: REST over `services/`, and Server-Sent Events from the durable event log.

The window serves it while Settings → Local API is on, and `snapasset-desktop serve`
headless. Starlette and uvicorn load only when a server starts (`api.server`), so the
window's start never pays for them; `api.tokens` is all the rest of the app imports.
"""
