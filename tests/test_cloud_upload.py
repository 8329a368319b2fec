"""A finished job's upload stage (90–95 %): paths, content types, rows, retries, failures.

Jobs run through the real executor with the offline placeholder provider; the
real `supabase` client uploads to a loopback fake that checks tokens, paths
under the user's prefix, content types and upsert semantics.
"""

from __future__ import annotations

from collections import Counter

from snapasset_desktop.services.monitor import Monitor
from tests.conftest import write_settings
from tests.helpers.cloud import CloudEnv

STORAGE = "POST /storage/v1/object/snapasset/"


def stages(env: CloudEnv, job_id: str) -> list[tuple[str, float]]:
    return [
        (e.data["stage"], e.data["percent"])
        for e in env.ctx.queue.event_log.read(0, 10_000)
        if e.job_id == job_id and e.type == "progress"
    ]


def test_a_finished_job_uploads_its_source_and_assets_under_the_users_prefix(
    cloud_env: CloudEnv,
) -> None:
    env = cloud_env
    env.sign_in()
    job = env.submit(platforms=("x-post", "instagram-story"))
    assert env.run(job.id) == "completed"
    done = env.ctx.jobs.get(job.id)
    local = env.ctx.library.assets_for_job(job.id, include_source=True)
    # The expansions the assets were cut from go too: a job pulled back re-renders free.
    kept = {"source", "expanded_tall", "expanded_wide", "x-post", "instagram-story"}
    assert {a.platform for a in local} == kept

    objects = env.server.objects
    assert len(objects) == len(kept)
    month = __import__("datetime").datetime.fromtimestamp(
        done.created_at, __import__("datetime").UTC
    )
    prefix = f"{env.user_id}/{month:%Y}/{month:%m}/{job.id}/"
    for asset in local:
        stored = objects[("snapasset", f"{prefix}{asset.platform}.png")]
        assert stored.content_type == "image/png"  # not the client's text/plain default
        assert stored.owner == env.user_id
        assert stored.data == env.ctx.library.asset_path(asset).read_bytes()
    for request in env.server.requests(STORAGE):
        assert request.headers["x-upsert"] == "true"
        assert request.headers["apikey"] == env.server.anon_key

    (generation,) = env.server.rows("generations")
    assert (generation["id"], generation["user_id"], generation["prompt"]) == (
        job.id,
        env.user_id,
        "a lighthouse",
    )
    rows = {r["platform"]: r for r in env.server.rows("assets")}
    assert set(rows) == kept
    assert rows["x-post"]["storage_path"] == f"{prefix}x-post.png"
    assert rows["x-post"]["sha256"] == next(a.sha256 for a in local if a.platform == "x-post")
    assert "merge-duplicates" in env.server.requests("POST /rest/v1/assets")[0].headers["prefer"]

    seen = stages(env, job.id)
    percents = [p for _, p in seen]
    assert percents == sorted(percents)  # monotonic
    uploads = [p for s, p in seen if s == "upload"]
    assert uploads and all(90 <= p <= 95 for p in uploads)
    assert seen[-1] == ("save", 100)
    assert done.status == "completed" and env.ctx.cloud.upload_error(job.id) is None


def test_sync_off_sends_nothing(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.sign_in()
    env.ctx.settings.update(cloud_sync=False)
    job = env.submit()
    assert env.run(job.id) == "completed"
    assert env.server.objects == {}
    assert "upload" not in {s for s, _ in stages(env, job.id)}


def test_a_server_error_retries_the_job_and_each_file_is_sent_once(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.sign_in()
    job = env.submit(platforms=("x-post",))
    env.server.fail(STORAGE, 500, times=1)
    env.server.fail("POST /rest/v1/generations", 503, times=1)
    assert env.run(job.id) == "retrying"  # the 500 on the first file
    assert env.ctx.jobs.get(job.id).error_kind == "server"
    assert env.run(job.id) == "retrying"  # files in; the 503 on the row
    assert env.run(job.id) == "completed"
    sent = Counter(r.path for r in env.server.requests(STORAGE) if r.status == 200)
    assert len(sent) == 2 and set(sent.values()) == {1}  # no file uploaded twice
    assert len(env.server.rows("generations")) == 1 and len(env.server.rows("assets")) == 2


def test_a_permanent_refusal_keeps_the_local_assets_and_records_why(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.sign_in()
    job = env.submit(platforms=("x-post",))
    env.server.fail(
        STORAGE,
        400,
        body={
            "statusCode": "403",
            "error": "Unauthorized",
            "message": "new row violates row-level security policy",
        },
    )
    assert env.run(job.id) == "completed"
    assert env.ctx.jobs.get(job.id).status == "completed"
    local = env.ctx.library.assets_for_job(job.id, include_source=True)
    assert len(local) == 2 and all(env.ctx.library.asset_path(a).is_file() for a in local)
    error = env.ctx.cloud.upload_error(job.id)
    assert error is not None and error.kind == "permission"
    assert "Row Level Security" in error.message and "schema.sql" in error.message
    stats = Monitor(env.ctx.queue, env.ctx.secrets, cloud=env.ctx.cloud).stats()
    assert (stats.uploads_24h, stats.upload_failures_24h) == (0, 1)

    # Sync now sends it once the project is fixed, and the error is cleared.
    report = env.ctx.cloud.sync_now()
    assert (report.jobs, report.files) == (1, 2)
    assert env.ctx.cloud.upload_error(job.id) is None
    stats = Monitor(env.ctx.queue, env.ctx.secrets, cloud=env.ctx.cloud).stats()
    assert stats.uploads_24h == 1


def test_a_missing_bucket_is_a_setup_problem_with_the_fix(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.sign_in()
    env.server.drop_bucket("snapasset")
    job = env.submit(platforms=("x-post",))
    assert env.run(job.id) == "completed"
    error = env.ctx.cloud.upload_error(job.id)
    assert error is not None and error.kind == "setup"
    assert "bucket “snapasset”" in error.message and "schema.sql" in error.message


def test_a_timeout_retries_and_on_the_last_attempt_completes_locally(cloud_env: CloudEnv) -> None:
    env = cloud_env
    write_settings(retry_attempts=2, retry_delay=0.01)
    env.ctx.settings.current.retry_attempts = 2
    env.sign_in()
    env.ctx.cloud.session.timeout = 0.3
    env.ctx.cloud.session.close()  # the next call builds a client with the short timeout
    job = env.submit(platforms=("x-post",))
    env.server.delay(STORAGE, 1.0, times=2)
    assert env.run(job.id) == "retrying"
    assert env.ctx.jobs.get(job.id).error_kind == "timeout"
    assert env.run(job.id) == "completed"
    error = env.ctx.cloud.upload_error(job.id)
    assert error is not None and error.kind == "timeout"
    assert env.ctx.library.assets_for_job(job.id)


def test_an_expired_token_mid_job_is_refreshed_and_the_upload_goes_on(cloud_env: CloudEnv) -> None:
    env = cloud_env
    env.sign_in()
    env.server.expire_tokens()
    job = env.submit(platforms=("x-post",))
    assert env.run(job.id) == "completed"
    assert env.ctx.cloud.upload_error(job.id) is None
    assert len(env.server.objects) == 2
    grants = [r.query["grant_type"][0] for r in env.server.requests("POST /auth/v1/token")]
    assert grants == ["password", "refresh_token"]
