"""Exporting assets: what is exported (the scope), where, in which format, named how, what
preflight will change, and a cancellable export."""
