"""Supabase client failures as SnapAssetErrors: transient ones retry, permanent ones say why.

Transient: the network, timeouts, 408/429 and 5xx. Permanent: credentials that
no refresh can fix (401/403), a missing bucket or table (the project isn't set
up), a file too large or a quota reached (413/402). Storage reports its status
in the body (`statusCode`), PostgREST a Postgres or PGRST code; both are read.
"""

from __future__ import annotations

import httpx
from postgrest.exceptions import APIError
from storage3.exceptions import StorageApiError
from supabase_auth.errors import AuthApiError, AuthError, AuthRetryableError

from snapasset_desktop.errors import SnapAssetError

SETUP_HINT = "apply resources/supabase/schema.sql to the project (see its README)"
# PostgREST's JWT errors (expired, invalid, bad claims): a refresh may fix them.
_JWT_CODES = {"PGRST300", "PGRST301", "PGRST302", "PGRST303", "401"}
_TABLE_MISSING = {"42P01", "PGRST205", "PGRST200"}
_NOT_ALLOWED = {"42501", "403"}


class CloudError(SnapAssetError):
    """Cloud sync failed; `kind` says how (auth, permission, setup, quota, network…)."""

    kind = "cloud"


def status_of(exc: BaseException) -> int | None:
    """The HTTP status a client error stands for, if it has one."""
    if isinstance(exc, StorageApiError):
        try:
            return int(exc.status)
        except (TypeError, ValueError):
            return None
    if isinstance(exc, APIError):
        code = str(exc.code or "")
        if code in _JWT_CODES:
            return 401
        if code in _NOT_ALLOWED:
            return 403
        if code in _TABLE_MISSING:
            return 404
        return int(code) if code.isdigit() else None
    if isinstance(exc, AuthError):
        return getattr(exc, "status", None) or None
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code
    return None


def is_expired_token(exc: BaseException) -> bool:
    """A 401 from Storage or PostgREST, or Storage's "jwt expired" (which it sends as a 400
    or 403): worth one refresh of the session and a retry."""
    if isinstance(exc, StorageApiError):
        text = f"{exc.code} {exc.message}".lower()
        if "invalidjwt" in text or ("jwt" in text and "exp" in text) or '"exp" claim' in text:
            return True
    return isinstance(exc, StorageApiError | APIError) and status_of(exc) == 401


def cloud_error(exc: BaseException, *, what: str = "Cloud sync", bucket: str = "") -> CloudError:
    """A designer sentence for a Supabase failure, transient or not."""
    if isinstance(exc, CloudError):
        return exc
    detail = f"{type(exc).__name__}: {exc}"[:500]
    if isinstance(exc, httpx.TimeoutException):
        return CloudError(
            f"{what}: Supabase didn't answer in time; trying again.",
            detail=detail,
            kind="timeout",
            transient=True,
        )
    if isinstance(exc, httpx.TransportError | AuthRetryableError):
        status = getattr(exc, "status", 0)
        if not status:
            return CloudError(
                f"{what}: Supabase can't be reached — check your connection; trying again.",
                detail=detail,
                kind="network",
                transient=True,
            )
    status = status_of(exc)
    if isinstance(exc, AuthApiError) and status in (400, 401, 403, 422):
        code = getattr(exc, "code", None) or ""
        if code == "invalid_credentials" or "credentials" in str(exc).lower():
            return CloudError(
                "Supabase didn't accept that email and password.", detail=detail, kind="auth"
            )
        if code == "email_not_confirmed":
            return CloudError(
                "Confirm your email address first (Supabase sent you a link), then sign in.",
                detail=detail,
                kind="auth",
            )
        return CloudError(
            "Your Supabase sign-in has expired or was revoked — sign in again in "
            "Settings → Cloud sync.",
            detail=detail,
            kind="auth",
        )
    if status == 401:
        return CloudError(
            "Supabase refused your sign-in — sign in again in Settings → Cloud sync.",
            detail=detail,
            kind="auth",
        )
    if status == 403:
        return CloudError(
            f"{what}: Supabase didn't allow this (Row Level Security). Check that the "
            f"project's policies are set up — {SETUP_HINT}.",
            detail=detail,
            kind="permission",
        )
    if status == 404:
        thing = f"the storage bucket “{bucket}”" if isinstance(exc, StorageApiError) else "a table"
        if isinstance(exc, StorageApiError) and "bucket" not in str(exc).lower():
            thing = "a file"
        return CloudError(
            f"{what}: {thing} is missing in the Supabase project — {SETUP_HINT}.",
            detail=detail,
            kind="setup",
        )
    if status in (402, 413):
        return CloudError(
            f"{what}: the Supabase project's storage quota or file size limit was reached.",
            detail=detail,
            kind="quota",
        )
    if status in (408, 429) or (status is not None and status >= 500):
        return CloudError(
            f"{what}: Supabase is busy or having trouble ({status}); trying again.",
            detail=detail,
            kind="rate_limit" if status == 429 else "server",
            transient=True,
        )
    return CloudError(
        f"{what} failed: Supabase answered with an error; the details are in the log.",
        detail=detail,
        kind="cloud",
    )
