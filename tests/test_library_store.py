"""Jobs, assets, sources and events through the Library, on real files and a real database."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from datetime import datetime

import pytest
from PIL import Image

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library import AssetQuery, Library
from tests.helpers.specs import make_spec


def png(width: int = 8, height: int = 8, color: str = "red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def library() -> Iterator[Library]:
    with Library.open() as lib:
        yield lib


def test_folders_are_created(library: Library) -> None:
    for folder in (library.paths.assets_dir, library.paths.thumbs_dir, library.paths.tmp_dir):
        assert folder.is_dir()


def test_job_ids_are_sortable_and_filename_safe(library: Library) -> None:
    ids = [library.new_job_id() for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(re.fullmatch(r"j_\d{8}_\d{9}_[0-9a-f]{10}", i) for i in ids)


def test_job_crud(library: Library) -> None:
    batch = library.create_batch("Spring campaign", 2)
    job = library.create_job(
        make_spec("a red fox", ["x-post", "instagram-square"]),
        batch_id=batch,
        priority=5,
    )
    assert job.status == "queued" and job.attempts == 0 and job.history == []
    assert job.platforms == ["x-post", "instagram-square"]
    assert job.spec.prompt == "a red fox" and job.batch_id == batch

    library.update_job(job.id, status="active", progress=0.25, history=[{"stage": "validate"}])
    again = library.get_job(job.id)
    assert (again.status, again.progress, again.history) == (
        "active",
        0.25,
        [{"stage": "validate"}],
    )
    assert again.updated_at >= job.updated_at

    other = library.create_job(make_spec("a blue whale", ["x-post"]), status="failed")
    assert [j.id for j in library.list_jobs()] == [other.id, job.id]  # newest first
    assert [j.id for j in library.list_jobs("failed")] == [other.id]
    assert len(library.list_jobs(["active", "failed"])) == 2
    assert [j.id for j in library.list_jobs(limit=1, offset=1)] == [job.id]


def test_job_errors_are_clear(library: Library) -> None:
    with pytest.raises(InvalidInput, match="No job “nope”"):
        library.get_job("nope")
    with pytest.raises(InvalidInput, match="No job"):
        library.update_job("nope", status="active")
    with pytest.raises(InvalidInput, match="not a job status"):
        library.create_job(make_spec("p", ["x-post"]), status="exploded")
    with pytest.raises(InvalidInput, match="can't be used as a job id"):
        library.create_job(make_spec("p", ["x-post"]), job_id="../escape")
    with pytest.raises(InvalidInput, match="No batch"):
        library.create_job(make_spec("p", ["x-post"]), batch_id="b_missing")
    job = library.create_job(make_spec("p", ["x-post"]), job_id="fixed-id")
    with pytest.raises(InvalidInput, match="already exists"):
        library.create_job(make_spec("p", ["x-post"]), job_id=job.id)
    with pytest.raises(TypeError, match="colour"):
        library.update_job(job.id, colour="red")


def test_job_dir_uses_local_creation_date(library: Library) -> None:
    stamp = datetime(2026, 3, 9, 12, 0).timestamp()
    assert library.job_dir("j_1", stamp) == library.paths.assets_dir / "2026" / "03" / "j_1"


def test_save_asset_twice_keeps_one_row_and_one_file(library: Library) -> None:
    job = library.create_job(make_spec("a fox", ["x-post"], provider="openai"))
    first = library.save_asset(job.id, "x-post", png(color="red"), fmt="png", width=8, height=8)
    library.set_favourite([first.id], True)
    data = png(color="blue")
    second = library.save_asset(job.id, "x-post", data, fmt="png", width=8, height=8)

    assert second.id == first.id
    assert second.sha256 == hashlib.sha256(data).hexdigest() and second.bytes == len(data)
    assert second.favourite  # re-running keeps the designer's star
    assert second.prompt == "a fox" and second.model == "gpt-image-2"
    assert library.count_assets() == 1
    path = library.asset_path(second)
    assert path.name == "x-post.png" and path.read_bytes() == data
    assert sorted(p.name for p in path.parent.iterdir()) == ["x-post.png"]


def test_format_change_removes_old_file(library: Library) -> None:
    job = library.create_job(make_spec("a fox", ["x-post"]))
    old = library.asset_path(
        library.save_asset(job.id, "x-post", png(), fmt="png", width=8, height=8)
    )
    new = library.save_asset(job.id, "x-post", b"jpeg-bytes", fmt="jpg", width=8, height=8)
    assert new.format == "jpeg" and new.path.endswith("x-post.jpg")
    assert not old.exists() and library.asset_path(new).read_bytes() == b"jpeg-bytes"


def test_variants_get_their_own_file(library: Library) -> None:
    job = library.create_job(make_spec("a fox", ["x-post"]))
    library.save_asset(job.id, "x-post", png(), fmt="png", width=8, height=8)
    variant = library.save_asset(job.id, "x-post", png(), fmt="png", width=8, height=8, variant=2)
    assert library.asset_path(variant).name == "x-post-v2.png"
    assert len(library.assets_for_job(job.id)) == 2


def test_save_asset_refuses_bad_names_and_missing_jobs(library: Library) -> None:
    job = library.create_job(make_spec("a fox", ["x-post"]))
    with pytest.raises(InvalidInput):
        library.save_asset(job.id, "../evil", png(), fmt="png", width=8, height=8)
    with pytest.raises(InvalidInput, match="reserved"):
        library.save_asset(job.id, "source", png(), fmt="png", width=8, height=8)
    with pytest.raises(InvalidInput, match="No job"):
        library.save_asset("missing", "x-post", png(), fmt="png", width=8, height=8)


def test_source_is_stored_recorded_and_hidden_from_the_gallery(library: Library) -> None:
    job = library.create_job(make_spec("a fox", ["x-post"]))
    assert library.source_image_path(job.id) is None
    data = png(32, 16)
    path = library.store_source(job.id, data, "png", 32, 16)
    assert path.name == "source.png" and path.read_bytes() == data
    assert library.source_image_path(job.id) == path
    stored = library.get_job(job.id)
    assert (stored.source_width, stored.source_height) == (32, 16)

    library.store_source(job.id, b"jpeg", "jpeg", 32, 16)  # a rewrite replaces
    assert not path.exists()
    assert library.source_image_path(job.id).name == "source.jpg"
    assert library.count_assets() == 0
    assert library.count_assets(AssetQuery(include_sources=True)) == 1
    assert library.stats()["sources"] == 1


def test_delete_assets_keeps_the_job(library: Library) -> None:
    job = library.create_job(make_spec("a fox", ["x-post", "threads"]))
    a = library.save_asset(job.id, "x-post", png(), fmt="png", width=8, height=8)
    b = library.save_asset(job.id, "threads", png(), fmt="png", width=8, height=8)
    assert library.delete_assets([a.id, 999_999]) == 1
    assert not library.asset_path(a).exists() and library.asset_path(b).exists()
    assert [x.id for x in library.assets_for_job(job.id)] == [b.id]
    library.delete_assets([b.id])
    assert library.get_job(job.id).id == job.id
    with pytest.raises(InvalidInput, match="No asset"):
        library.get_asset(a.id)


def test_delete_job_removes_rows_and_files(library: Library) -> None:
    job = library.create_job(make_spec("a fox", ["x-post"]))
    library.store_source(job.id, png(), "png", 8, 8)
    asset = library.save_asset(job.id, "x-post", png(), fmt="png", width=8, height=8)
    folder = library.asset_path(asset).parent
    assert library.delete_job(job.id) is True
    assert not folder.exists()
    assert library.count_assets(AssetQuery(include_sources=True)) == 0
    assert library.delete_job(job.id) is False


def test_events_are_ordered_and_paged(library: Library) -> None:
    start = library.last_event_seq()
    seqs = [library.append_event("j1", "update", {"progress": i / 10}) for i in range(5)]
    library.append_event(None, "connected", {})
    assert seqs == sorted(seqs) and seqs[0] > start
    page = library.events_since(start, limit=3)
    assert [e.seq for e in page] == seqs[:3]
    assert page[1].data == {"progress": 0.1} and page[1].job_id == "j1"
    rest = library.events_since(page[-1].seq)
    assert [e.type for e in rest] == ["update", "update", "connected"]


def test_meta_and_stats(library: Library) -> None:
    assert library.get_meta("paused") is None
    library.set_meta("paused", "1")
    library.set_meta("paused", "0")
    assert library.get_meta("paused") == "0"
    library.set_meta("paused", None)
    assert library.get_meta("paused", "default") == "default"

    job = library.create_job(make_spec("a fox", ["x-post"]), status="completed")
    data = png()
    library.save_asset(job.id, "x-post", data, fmt="png", width=8, height=8)
    stats = library.stats()
    assert stats["jobs"]["completed"] == 1 and stats["jobs"]["queued"] == 0
    assert stats["assets"] == 1 and stats["bytes"] == len(data)


def test_closed_library_refuses_work() -> None:
    library = Library.open()
    library.close()
    with pytest.raises(RuntimeError):
        library.list_jobs()


def test_library_thumbnails_use_the_recorded_hash(library: Library) -> None:
    job = library.create_job(make_spec("a fox", ["x-post"]))
    asset = library.save_asset(job.id, "x-post", png(64, 32), fmt="png", width=64, height=32)
    thumb = library.thumbnails.get(library.asset_path(asset), 16, key=asset.sha256)
    assert thumb.parent.parent == library.paths.thumbs_dir and asset.sha256 in thumb.name
    with Image.open(thumb) as image:
        assert image.size == (16, 8)


def test_transaction_rolls_back_on_error(library: Library) -> None:
    job = library.create_job(make_spec("a fox", ["x-post"]))
    with pytest.raises(RuntimeError), library.transaction() as conn:
        conn.execute("UPDATE jobs SET status = 'active' WHERE id = ?", (job.id,))
        raise RuntimeError("boom")
    assert library.get_job(job.id).status == "queued"


def test_source_variants_and_header_sizes(library: Library) -> None:
    job = library.create_job(make_spec("a fox", ["x-post"], focus=(0.8, 0.25)))
    assert job.spec.render.focus == (0.8, 0.25)
    assert library.source_images(job.id) == []
    first, second = png(30, 10, "red"), png(12, 24, "blue")
    library.store_source(job.id, second, fmt="png", variant=1)
    library.store_source(job.id, first, fmt="png", variant=0)
    assert library.source_images(job.id) == [first, second]
    stored = library.get_job(job.id)
    assert (stored.source_width, stored.source_height) == (30, 10)  # read from the header
    assert library.source_image_path(job.id).name == "source.png"
    (library.source_image_path(job.id).parent / "source-v1.png").unlink()
    assert library.source_images(job.id) == []  # half a set is no set: generate again


def test_a_batch_summary_adds_up_its_jobs_and_their_cost(library: Library) -> None:
    rows = [{"spec": make_spec(f"p{n}")} for n in range(3)]
    paid = library.create_batch("paid", 3)
    first, second, third = library.create_jobs(rows, batch_id=paid)
    library.update_job(first, status="completed", cost_usd=0.04)
    library.update_job(second, status="failed", cost_usd=0.02)
    summary = library.batch_summary(paid)
    assert summary is not None
    assert (summary["total"], summary["finished"], summary["completed"]) == (3, 2, 1)
    assert summary["cost_usd"] == pytest.approx(0.06)
    free = library.create_batch("free", 1)
    library.create_jobs(rows[:1], batch_id=free)
    assert library.batch_summary(free)["cost_usd"] is None  # nothing paid: not "$0.00"
    # Newest first keeps a batch in the order it was written.
    listed = [job.id for job in library.list_jobs(limit=10) if job.batch_id == paid]
    assert listed == [third, second, first]
