"""SnapAsset Desktop: prompts in, ready-to-post social media assets out."""

__version__ = "0.1.0"
