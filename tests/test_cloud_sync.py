""" "Sync now" and pull: only what is missing goes up, an interrupted sync resumes,
and generations made elsewhere (another machine, a teammate) come down into the library."""

from __future__ import annotations

import hashlib

import pytest
from PIL import Image

from snapasset_desktop.cloud import CloudError
from snapasset_desktop.errors import Canceled
from tests.helpers.cloud import CloudEnv
from tests.helpers.images import encoded

STORAGE = "POST /storage/v1/object/snapasset/"


def png_bytes(width: int, height: int, *, color: tuple[int, int, int]) -> bytes:
    return encoded(Image.new("RGB", (width, height), color), "png")


def finished_offline(env: CloudEnv, count: int) -> list[str]:
    """Jobs done while sync was off (or the machine offline)."""
    env.ctx.settings.update(cloud_sync=False)
    ids = []
    for n in range(count):
        job = env.submit(f"poster {n}", platforms=("x-post",))
        assert env.run(job.id) == "completed"
        ids.append(job.id)
    env.ctx.settings.update(cloud_sync=True)
    return ids


def test_sync_now_uploads_what_is_missing_and_a_second_run_uploads_nothing(
    cloud_env: CloudEnv,
) -> None:
    env = cloud_env
    env.sign_in()
    ids = finished_offline(env, 2)
    assert env.server.objects == {}
    progress: list[tuple[int, int, str]] = []
    report = env.ctx.cloud.sync_now(on_progress=lambda *p: progress.append(p))
    assert (report.jobs, report.files, report.failed) == (2, 4, {})
    assert {r["id"] for r in env.server.rows("generations")} == set(ids)
    assert progress[-1][:2] == (2, 2)
    uploads = len(env.server.requests(STORAGE))

    again = env.ctx.cloud.sync_now()
    assert (again.jobs, again.files) == (0, 0)
    assert len(env.server.requests(STORAGE)) == uploads
    assert env.ctx.cloud.state.last_sync() is not None


def test_a_re_rendered_asset_is_sent_again_the_unchanged_ones_are_not(cloud_env) -> None:
    env = cloud_env
    env.sign_in()
    (job_id,) = finished_offline(env, 1)
    env.ctx.cloud.sync_now()
    asset = env.ctx.library.assets_for_job(job_id)[0]
    env.ctx.library.save_asset(
        job_id,
        asset.platform,
        png_bytes(1600, 900, color=(9, 9, 9)),
        fmt="png",
        width=1600,
        height=900,
    )
    before = len(env.server.requests(STORAGE))
    report = env.ctx.cloud.sync_now()
    assert (report.jobs, report.files) == (1, 1)
    assert len(env.server.requests(STORAGE)) == before + 1


def test_an_interrupted_sync_resumes_without_sending_anything_twice(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.sign_in()
    finished_offline(env, 2)
    env.server.fail(STORAGE, 503)  # Supabase has a bad moment: the sync stops, to resume
    with pytest.raises(CloudError) as stopped:
        env.ctx.cloud.sync_now()
    assert stopped.value.transient
    assert env.server.objects == {}

    # Then the designer stops it (or quits) after two files.
    with pytest.raises(Canceled):
        env.ctx.cloud.sync_now(should_cancel=lambda: len(env.server.objects) >= 2)
    assert len(env.server.objects) == 2

    report = env.ctx.cloud.sync_now()
    assert report.files == 2  # only the two that were left
    ok = [r.path for r in env.server.requests(STORAGE) if r.status == 200]
    assert len(ok) == len(set(ok)) == 4


def teammate_generation(env: CloudEnv, *, team: str | None = "studio") -> tuple[str, bytes]:
    """A generation another user made on their machine, already in the project."""
    mate = env.server.add_user("grace@example.com", "pw", team=team)
    job_id = "j_20260101_120000000_abcdef0123"
    data = png_bytes(1600, 900, color=(200, 40, 40))
    source = png_bytes(1024, 1024, color=(10, 200, 40))
    prefix = f"{mate}/2026/01/{job_id}"
    env.server.put_object(mate, f"{prefix}/x-post.png", data, "image/png")
    env.server.put_object(mate, f"{prefix}/source.png", source, "image/png")
    env.server.put_row(
        "generations",
        {
            "id": job_id,
            "user_id": mate,
            "prompt": "a red fox",
            "platforms": ["x-post"],
            "params": {"model": "gpt-image-2", "secret_path": "/home/grace"},
            "focus_x": 0.4,
            "focus_y": 0.6,
            "created_at": "2026-01-01T12:00:00+00:00",
        },
    )
    for platform, blob, (w, h) in (("x-post", data, (1600, 900)), ("source", source, (1024, 1024))):
        env.server.put_row(
            "assets",
            {
                "generation_id": job_id,
                "user_id": mate,
                "platform": platform,
                "variant": 0,
                "width": w,
                "height": h,
                "format": "png",
                "bytes": len(blob),
                "sha256": hashlib.sha256(blob).hexdigest(),
                "storage_path": f"{prefix}/{platform}.png",
            },
        )
    return job_id, data


def test_pull_brings_a_teammates_generation_into_the_library(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.sign_in()
    job_id, data = teammate_generation(env)
    report = env.ctx.cloud.pull()
    assert (report.jobs, report.files, report.failed) == (1, 2, {})

    job = env.ctx.library.get_job(job_id)
    assert (job.status, job.origin, job.prompt) == ("completed", None, "a red fox")
    assert (job.focus_x, job.focus_y) == (0.4, 0.6)
    # Uploaded by an earlier SnapAsset: its params read through the spec's migration.
    assert (job.spec.provider, job.spec.model, job.spec.render.focus) == (
        "openai",
        "gpt-image-2",
        (0.4, 0.6),
    )
    (asset,) = env.ctx.library.assets_for_job(job_id)
    assert env.ctx.library.asset_path(asset).read_bytes() == data
    assert env.ctx.library.source_image_path(job_id) is not None

    assert env.ctx.cloud.pull().jobs == 0  # already here
    uploads = len(env.server.requests(STORAGE))
    assert env.ctx.cloud.sync_now().files == 0  # never re-uploaded under our prefix
    assert len(env.server.requests(STORAGE)) == uploads


def test_pull_sees_only_rows_row_level_security_lets_through(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.sign_in()
    teammate_generation(env, team=None)  # a stranger's
    assert env.ctx.cloud.pull().jobs == 0
    assert env.ctx.library.list_jobs() == []
