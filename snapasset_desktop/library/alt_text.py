"""Each job's alt text: the short, literal description screen readers read out.

A job suggests it once (`queue.pipeline`): from OpenAI for a generated or
imported picture, or from the prompt or file name offline. The designer may
edit it at any time; their text is never replaced by a suggestion. A suggestion
that failed leaves no text and a note saying why, so the job still completes.
"""

from __future__ import annotations

import json
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library.jobs import JobsTable

MAX_ALT_TEXT = 1000  # X's limit, the strictest of the networks that take long alt text
DESIGNER = "designer"

_UPSERT = """
INSERT INTO alt_texts (job_id, text, origin, note, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (job_id) DO UPDATE SET
    text = excluded.text, origin = excluded.origin, note = excluded.note,
    updated_at = excluded.updated_at
"""


@dataclass(frozen=True)
class AltText:
    job_id: str
    text: str | None  # None: none yet (`note` says why)
    origin: str  # "openai", "prompt", "file name" or "designer"
    note: str | None
    updated_at: float


def clean_alt_text(text: str) -> str:
    """One paragraph of plain text: control characters gone, spaces collapsed, trimmed."""
    visible = "".join(" " if unicodedata.category(c) == "Cc" else c for c in str(text))
    cleaned = " ".join(visible.split())
    if len(cleaned) > MAX_ALT_TEXT:
        raise InvalidInput(
            f"Alt text can be at most {MAX_ALT_TEXT:,} characters (this is {len(cleaned):,}); "
            "screen readers read it in one go, so keep it short."
        )
    return cleaned


class AltTextsTable(JobsTable):
    def alt_text(self, job_id: str) -> AltText | None:
        with self._read() as conn:
            row = conn.execute("SELECT * FROM alt_texts WHERE job_id = ?", (job_id,)).fetchone()
        return AltText(**dict(row)) if row else None

    def alt_texts(self, job_ids: Sequence[str]) -> dict[str, str]:
        """The alt text of each of these jobs that has one, by job id."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT job_id, text FROM alt_texts WHERE text IS NOT NULL"
                " AND job_id IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(set(job_ids))),),
            ).fetchall()
        return {row["job_id"]: row["text"] for row in rows}

    def set_alt_text(self, job_id: str, text: str) -> AltText:
        """The designer's alt text for the job (empty: none); kept over any suggestion."""
        cleaned = clean_alt_text(text)
        self.get_job(job_id)  # a clear sentence for a job that is gone
        with self._write() as conn:
            conn.execute(_UPSERT, (job_id, cleaned or None, DESIGNER, None, time.time()))
        found = self.alt_text(job_id)
        assert found is not None
        return found

    def suggested_alt_text(self, job_id: str) -> str | None:
        """The text a retry of the job reuses, so it never asks twice (None: none yet)."""
        found = self.alt_text(job_id)
        return found.text if found else None

    def store_alt_text(
        self, job_id: str, text: str | None, *, origin: str, note: str | None = None
    ) -> None:
        """A job's suggestion (or, with no text, why there is none). It never replaces the
        designer's text, nor a suggestion with a failure."""
        with self._write() as conn:
            existing = conn.execute(
                "SELECT text, origin FROM alt_texts WHERE job_id = ?", (job_id,)
            ).fetchone()
            if existing and (existing["origin"] == DESIGNER or (existing["text"] and not text)):
                return
            if not conn.execute("SELECT 1 FROM jobs WHERE id = ?", (job_id,)).fetchone():
                raise InvalidInput(f"No job “{job_id}” in the library — it may have been deleted.")
            conn.execute(_UPSERT, (job_id, text, origin, note, time.time()))
