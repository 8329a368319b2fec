"""Gallery queries: filters, sorting, paging, counts, and index use at 10,000 assets."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library import AssetQuery, Library
from snapasset_desktop.library.assets import select_sql
from snapasset_desktop.library.db import open_database
from tests.helpers.specs import make_spec

DAY = 86_400.0
PLATFORMS = ("x-post", "instagram-square", "youtube-thumbnail", "threads")


@pytest.fixture
def library() -> Iterator[Library]:
    with Library.open() as lib:
        yield lib


def seed(library: Library, jobs: int, per_job: int = 4, *, start: float = 1_700_000_000.0) -> None:
    """Bulk-insert rows straight into the database (files are not needed for queries)."""
    conn = open_database(library.paths.library_db)
    prompts = ["a red fox in snow", "Neon city at night", "50% off summer_sale", "a calm lake"]
    specs = [
        make_spec(prompt, PLATFORMS[:per_job], provider="openai").to_json() for prompt in prompts
    ]
    job_rows, asset_rows = [], []
    for j in range(jobs):
        created = start + j * 60
        job_rows.append(
            (
                f"job{j:05d}",
                "completed",
                prompts[j % 4],
                json.dumps(PLATFORMS[:per_job]),
                specs[j % 4],
                created,
                created,
            )
        )
        for p in PLATFORMS[:per_job]:
            asset_rows.append(
                (
                    f"job{j:05d}",
                    p,
                    100,
                    100,
                    "png",
                    f"assets/{j}/{p}.png",
                    1000 + j,
                    "0" * 64,
                    int(j % 10 == 0),
                    created + 1,
                )
            )
    with conn:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO jobs (id, status, prompt, platforms, spec, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            job_rows,
        )
        conn.executemany(
            "INSERT INTO assets (job_id, platform, width, height, format, path, bytes, sha256, "
            "favourite, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            asset_rows,
        )
        conn.execute("COMMIT")
    conn.close()


def test_filters_and_counts(library: Library) -> None:
    seed(library, 40)  # 160 assets, 4 prompts, every 10th job a favourite
    assert library.count_assets() == 160
    assert library.count_assets(AssetQuery(platforms=["x-post"])) == 40
    assert library.count_assets(AssetQuery(platforms=["x-post", "threads"])) == 80
    assert library.count_assets(AssetQuery(text="FOX")) == 40  # case-insensitive
    assert library.count_assets(AssetQuery(text="red snow")) == 40  # every word
    assert library.count_assets(AssetQuery(text="red night")) == 0
    assert library.count_assets(AssetQuery(text="50%")) == 40  # % and _ are literal
    assert library.count_assets(AssetQuery(text="r_d")) == 0
    assert library.count_assets(AssetQuery(favourite=True)) == 16
    assert library.count_assets(AssetQuery(favourite=False)) == 144
    assert library.count_assets(AssetQuery(job_ids=["job00001", "job00002"])) == 8
    start = 1_700_000_000.0
    window = AssetQuery(date_from=start + 10 * 60, date_to=start + 20 * 60)
    assert library.count_assets(window) == 40  # jobs 10–19: from inclusive, to exclusive
    combined = AssetQuery(platforms=["threads"], text="lake", favourite=False)
    found = library.query_assets(combined, limit=1000)
    assert len(found) == library.count_assets(combined) == 10
    assert {(a.platform, a.prompt) for a in found} == {("threads", "a calm lake")}


def test_sorting_and_paging(library: Library) -> None:
    seed(library, 10)
    newest = library.query_assets(limit=1000)
    assert [a.created_at for a in newest] == sorted((a.created_at for a in newest), reverse=True)
    oldest = library.query_assets(sort="oldest", limit=1000)
    assert [a.created_at for a in oldest] == sorted(a.created_at for a in oldest)
    by_size = library.query_assets(sort="size", limit=1000)
    assert [a.bytes for a in by_size] == sorted((a.bytes for a in by_size), reverse=True)
    by_platform = library.query_assets(sort="platform", limit=1000)
    assert [a.platform for a in by_platform] == sorted(a.platform for a in by_platform)

    pages = [library.query_assets(limit=15, offset=o) for o in range(0, 40, 15)]
    assert [len(p) for p in pages] == [15, 15, 10]
    assert [a.id for page in pages for a in page] == [a.id for a in newest]
    assert newest[0].model == "gpt-image-2" and newest[0].job_created_at is not None
    with pytest.raises(InvalidInput, match="newest"):
        library.query_assets(sort="random")


def test_selection_by_ids_and_batch(library: Library) -> None:
    seed(library, 5)
    ids = [a.id for a in library.query_assets(limit=3)]
    assert sorted(a.id for a in library.query_assets(AssetQuery(asset_ids=ids))) == sorted(ids)
    batch = library.create_batch("launch", 1)
    job = library.create_job(make_spec("batch prompt", ["x-post"]), batch_id=batch)
    library.save_asset(job.id, "x-post", b"png", fmt="png", width=1, height=1)
    assert [a.batch_id for a in library.query_assets(AssetQuery(batch_id=batch))] == [batch]
    assert library.set_favourite(ids, True) == 3
    assert library.count_assets(AssetQuery(asset_ids=ids, favourite=True)) == 3


def test_ten_thousand_assets_use_indexes(library: Library) -> None:
    seed(library, 2_500)  # 10,000 assets
    assert library.count_assets() == 10_000
    assert library.count_assets(AssetQuery(platforms=["x-post"])) == 2_500
    page = library.query_assets(AssetQuery(platforms=["x-post"]), limit=200)
    assert len(page) == 200 and page[0].job_id == "job02499"
    assert library.count_assets(AssetQuery(favourite=True, text="fox")) == 500  # jobs 0, 20, 40…

    conn = open_database(library.paths.library_db)
    try:
        for query in (AssetQuery(), AssetQuery(platforms=["x-post"]), AssetQuery(favourite=True)):
            sql, args = select_sql(query)
            plan = " ".join(
                row["detail"] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args)
            )
            assert "USING INDEX assets_by" in plan, plan
            assert "TEMP B-TREE" not in plan, plan  # the index gives the order; nothing sorted
    finally:
        conn.close()
