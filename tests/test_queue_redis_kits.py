"""Redis mode: a worker on another disk draws a job's layers in the kit the app shipped.

The app and the worker are two AppContexts with their own data dirs (the worker's
library has no kits) on one real redis-server; the worker's executor runs the job
synchronously and hands the images back, as in test_queue_redis_handback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from PIL import Image

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.services.context import AppContext
from tests.helpers.brand import make_kit
from tests.helpers.machines import machines

pytestmark = pytest.mark.redis

PLATFORMS = ["instagram-story", "x-post"]
ASK = {"headline": "Fresh snow, fresh start", "cta": "Shop now", "brand": "Acme"}


@pytest.fixture
def open_context(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str, str], AppContext]]:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", redis_url)
    with machines(
        tmp_path, provider="placeholder", partial_images=0, alt_text=False
    ) as open_context:
        yield open_context


def kit_keys(client: redis.Redis) -> list[bytes]:
    return sorted(client.scan_iter("snapasset:kit:*"))


def pictures(context: AppContext, job_id: str) -> dict[str, bytes]:
    found = {}
    for asset in context.library.assets_for_job(job_id):
        with Image.open(context.library.asset_path(asset)) as image:
            found[asset.platform] = image.convert("RGB").tobytes()
    return found


def test_a_worker_elsewhere_draws_in_the_kit_the_app_shipped(open_context, tmp_path: Path) -> None:
    app, worker = open_context("app"), open_context("worker", "worker")
    make_kit(app.brand, tmp_path)
    assert worker.brand.kits() == []
    batch = [app.jobs.submit(app.specs.build(f"a fox {n}", PLATFORMS, **ASK)) for n in range(3)]
    assert len(kit_keys(app.queue.redis)) == 1  # one copy for every job that uses it

    job = batch[0]
    assert worker.queue.executor.execute(job.id) == "completed"
    assert app.jobs.wait(job.id, timeout=10).status == "completed"
    assets = app.library.assets_for_job(job.id)
    assert {a.platform for a in assets} == set(PLATFORMS)
    for asset in assets:
        assert asset.layers is not None and app.library.clean_path(asset) is not None
        assert asset.layer_notes == [n for n in asset.layer_notes if "isn't in this" not in n]
        [headline] = [e for e in asset.layers["layers"] if e["layer"] == "headline"]
        assert headline["font"] == "Acme Serif"  # the kit's own font, shipped
        assert {e["layer"] for e in asset.layers["layers"]} >= {"headline", "logo"}
    # The story was cut from an expansion, handed back beside the clean pictures: drawn
    # here with the app's own kit around the same subjects, the same layers give the
    # same pixels.
    assert app.library.expanded_image(job.id, "tall") is not None
    handed_back = pictures(app, job.id)
    app.jobs.redraw_layers(job.id, app.jobs.get(job.id).spec.layers)
    assert pictures(app, job.id) == handed_back


def test_a_kit_gone_from_redis_fails_the_job_plainly_and_a_retry_sends_it_again(
    open_context, tmp_path: Path
) -> None:
    app, worker = open_context("app"), open_context("worker", "worker")
    make_kit(app.brand, tmp_path)
    job = app.jobs.submit(app.specs.build("a fox", ["x-post"], **ASK))
    client = app.queue.redis
    client.delete(*kit_keys(client))  # expired, say, while the job waited
    assert worker.queue.executor.execute(job.id) == "failed"
    failed = app.jobs.wait(job.id, timeout=10)
    assert failed.error_kind == "kit_missing"
    assert failed.error_message.startswith(
        "The brand kit “acme” this job was sent with is no longer in the shared queue"
    )
    app.jobs.retry(job.id)
    assert worker.queue.executor.execute(job.id) == "completed"
    assert app.jobs.wait(job.id, timeout=10).status == "completed"


def test_a_kit_the_app_lacks_is_drawn_in_snapassets_look_with_the_same_note(
    open_context, tmp_path: Path
) -> None:
    app, worker = open_context("app"), open_context("worker", "worker")
    make_kit(app.brand, tmp_path)
    spec = app.specs.build("a fox", ["x-post"], **ASK)
    app.brand.delete("acme")  # after the job was asked for, before it was sent
    job = app.jobs.submit(spec)
    assert kit_keys(app.queue.redis) == []
    assert worker.queue.executor.execute(job.id) == "completed"
    app.jobs.wait(job.id, timeout=10)
    [asset] = app.library.assets_for_job(job.id)
    assert asset.layer_notes[0] == (
        "The brand kit “acme” isn't in this library, so the layers use SnapAsset's own "
        "look; import the kit to use it."
    )


def test_a_kit_too_large_to_ship_is_refused_before_the_job_is_stored(
    open_context, tmp_path: Path
) -> None:
    app = open_context("app")
    make_kit(app.brand, tmp_path)
    assert app.queue.remote is not None
    app.queue.remote.kits.max_bytes = 1000
    with pytest.raises(InvalidInput, match=r"The brand kit “Acme” is \d+ MB — too large to send"):
        app.jobs.submit(app.specs.build("a fox", ["x-post"], **ASK))
    assert app.library.stats()["jobs"]["queued"] == 0


def test_a_kit_missing_a_file_is_refused_with_a_sentence_before_it_is_sent(
    open_context, tmp_path: Path
) -> None:
    app = open_context("app")
    kit = make_kit(app.brand, tmp_path)
    kit.file_path(kit.logos[0]).unlink()
    with pytest.raises(InvalidInput, match="The brand kit “Acme” is missing one of its files"):
        app.jobs.submit(app.specs.build("a fox", ["x-post"], **ASK))
    assert kit_keys(app.queue.redis) == []
