"""What an export takes, and the words that say so in the dialog's title.

An export takes exactly what the designer sees: the cards selected, or else
every card the gallery shows (the gallery's own query, filters and order, all
of them, never the first few hundred), or one job's images, or one batch's.
The records of the last three are read off the GUI thread (`read`), a page at a
time, however many there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from snapasset_desktop.library.models import AssetQuery, AssetRecord, AssetSort
from snapasset_desktop.library.store import Library

READ_PAGE = 1000
PROMPT_WORDS = 48  # characters of a prompt quoted in a title


@dataclass(frozen=True)
class ExportContents:
    assets: list[AssetRecord]
    name: str = ""  # the job's prompt or the batch's name, for the title


@dataclass(frozen=True)
class ExportScope:
    """One of: the selected cards, the gallery's cards, a job's images, a batch's."""

    kind: str  # "selected" | "shown" | "job" | "batch"
    query: AssetQuery = AssetQuery()  # noqa: RUF009 - frozen, so sharing it is safe
    sort: AssetSort = AssetSort.NEWEST
    selected: tuple[AssetRecord, ...] = ()
    expected: int | None = None  # how many, when known before reading
    filters: tuple[str, ...] = ()  # "shown": the gallery's filters in words, besides its search

    @classmethod
    def selection(cls, assets: Sequence[AssetRecord]) -> ExportScope:
        return cls("selected", selected=tuple(assets), expected=len(assets))

    @classmethod
    def shown(
        cls, query: AssetQuery, sort: AssetSort, total: int, filters: Sequence[str] = ()
    ) -> ExportScope:
        """The gallery's cards: `query` and `sort` as the gallery has them, `total` rows."""
        return cls("shown", query, sort, expected=total, filters=tuple(filters))

    @classmethod
    def job(cls, job_id: str) -> ExportScope:
        return cls("job", AssetQuery(job_ids=(job_id,)), AssetSort.PLATFORM)

    @classmethod
    def batch(cls, batch_id: str) -> ExportScope:
        return cls("batch", AssetQuery(batch_id=batch_id), AssetSort.OLDEST)

    @property
    def in_hand(self) -> bool:
        """The records are here already (a selection): nothing to read."""
        return self.kind == "selected"

    def read(self, library: Library) -> ExportContents:
        """A pool thread: every asset of the scope, in its order, and its name."""
        if self.in_hand:
            return ExportContents(list(self.selected))
        found: dict[int, AssetRecord] = {}
        offset = 0
        while True:
            page = library.query_assets(self.query, sort=self.sort, limit=READ_PAGE, offset=offset)
            found.update((asset.id, asset) for asset in page if asset.id not in found)
            if len(page) < READ_PAGE:
                break
            offset += READ_PAGE
        return ExportContents(list(found.values()), self._name(library, found))

    def _name(self, library: Library, found: dict[int, AssetRecord]) -> str:
        if self.kind == "job":
            first = next(iter(found.values()), None)
            return first.prompt if first else library.get_job(self.query.job_ids[0]).prompt
        if self.kind == "batch":
            with library.reader() as conn:
                row = conn.execute(
                    "SELECT name FROM batches WHERE id = ?", (self.query.batch_id,)
                ).fetchone()
            return str(row["name"] or "") if row else ""
        return ""

    def title(self, count: int | None, name: str = "") -> str:
        """ "Export 12 selected images", "Export 340 images matching “lighthouse”"…"""
        if count is None:
            return {"job": "Export this job's images", "batch": "Export this batch"}.get(
                self.kind, "Export"
            )
        images = f"{count:,} image{'s' if count != 1 else ''}"
        if self.kind == "selected":
            return f"Export {count:,} selected image{'s' if count != 1 else ''}"
        if self.kind == "job":
            return f"Export this job's {images}" if count != 1 else "Export this job's image"
        if self.kind == "batch":
            return f"Export {images} of batch “{name}”" if name else f"Export this batch: {images}"
        if self.query.text:
            return f"Export {images} matching “{self.query.text}”"
        if self.filters:
            return f"Export the {images} shown"
        return f"Export all {images}" if count != 1 else "Export 1 image"

    def subtitle(self, name: str = "") -> str:
        """What else narrows it: the prompt of a job, the gallery's other filters."""
        if self.kind == "job" and name:
            return f"“{_shorten(name)}”"
        if self.kind == "shown" and self.filters:
            return "Filtered by " + " · ".join(self.filters)
        return ""


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PROMPT_WORDS else text[: PROMPT_WORDS - 1].rstrip() + "…"
