"""Replies from redis-py as the queue reads them: bytes, said once.

The queue's clients keep `decode_responses` off (images travel through Redis), so
every reply is bytes. redis-py's types can't know that and say `bytes | str`; these
helpers state it in one place, and fail loudly should a reply ever be something else.
"""

from __future__ import annotations

from collections.abc import Iterable


def raw(reply: object) -> bytes:
    if not isinstance(reply, bytes):
        raise TypeError(f"expected a bytes reply from Redis, got {type(reply).__name__}")
    return reply


def text(reply: object) -> str:
    return raw(reply).decode()


def texts(replies: Iterable[object]) -> list[str]:
    return [text(reply) for reply in replies]


def raw_hash(reply: object) -> dict[bytes, bytes]:
    """An HGETALL reply."""
    if not isinstance(reply, dict):
        raise TypeError(f"expected a hash reply from Redis, got {type(reply).__name__}")
    return {raw(key): raw(value) for key, value in reply.items()}


def stream_entries(reply: object) -> list[tuple[bytes, dict[bytes, bytes]]]:
    """An XRANGE reply: (entry id, fields) pairs; none for an empty or missing stream."""
    if not reply:
        return []
    if not isinstance(reply, list):
        raise TypeError(f"expected a list reply from Redis, got {type(reply).__name__}")
    return [(raw(entry_id), raw_hash(fields)) for entry_id, fields in reply]
