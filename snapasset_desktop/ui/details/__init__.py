"""One job up close: its source, its platform variants, the focal point."""
