"""The error taxonomy: every failure a designer can meet carries a sentence for them.

`message` is what the window, the CLI and the job's failed state show; `detail`
is the technical part that goes to the log. `transient` decides whether the
job queue retries (connection, timeout, 408/409/429/5xx, storage hiccups) or
fails at once (bad input, refusals, auth, unknown model, quota).
"""

from __future__ import annotations


class SnapAssetError(Exception):
    """Base for errors with a designer-readable message."""

    kind: str = "error"
    transient: bool = False

    def __init__(
        self,
        message: str,
        *,
        detail: str | None = None,
        kind: str | None = None,
        transient: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        if kind is not None:
            self.kind = kind
        if transient is not None:
            self.transient = transient
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message


class InvalidInput(SnapAssetError):
    """The request itself is wrong (empty prompt, unknown platform, bad size…)."""

    kind = "validation"


class UnknownPlatform(InvalidInput):
    kind = "unknown_platform"


class ImageError(InvalidInput):
    """An image that cannot be used: not an image, truncated, too large."""

    kind = "image"


class StorageError(SnapAssetError):
    """Writing to disk failed (unwritable folder, disk full)."""

    kind = "storage"


class ProviderError(SnapAssetError):
    """The image provider failed; `kind` says how (auth, refused, rate_limit…)."""

    kind = "provider"


class Canceled(SnapAssetError):
    """The job was canceled while running."""

    kind = "canceled"

    def __init__(self, message: str = "The job was canceled.") -> None:
        super().__init__(message)
