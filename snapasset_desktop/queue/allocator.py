"""A worker's image buffers go back to the system as each job ends.

glibc gives every allocation of 128 KB or more its own mapping, returned on free,
but each such free raises that threshold (up to 32 MB). After a worker's first
jobs, image buffers come from the heap of whichever thread's arena asked for them
and are kept there once freed, in pieces other sizes can't reuse: with four jobs
at once, each with its own render threads, a worker on placeholder jobs for
Instagram and X sat at 250–300 MB where pinning the threshold keeps it near 90 MB
(docs/PERFORMANCE.md, the soak). Other C libraries are left as they are.
"""

from __future__ import annotations

import ctypes
import logging
import os

log = logging.getLogger(__name__)

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's <malloc.h>
MMAP_THRESHOLD = 128 * 1024  # glibc's own starting value, kept instead of raised


def _is_glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None
    except (AttributeError, ValueError, OSError):  # not POSIX, or not glibc
        return False


def return_large_buffers_promptly() -> bool:
    """Pin glibc's mmap threshold for this process; False where there is no glibc."""
    if not _is_glibc():
        return False
    try:
        done = bool(ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    except (OSError, AttributeError):
        done = False
    if not done:
        log.warning("could not pin the allocator's mmap threshold; memory may stay higher")
    return done
