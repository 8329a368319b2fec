"""No secret reaches a file: after sign-in, a synced job and an export, the anon key, the
password and the session's tokens are nowhere under the data, config or log dirs."""

from __future__ import annotations

import json
from pathlib import Path

from snapasset_desktop.cloud.session import SESSION_SECRET
from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.secrets import SERVICE
from tests.helpers.cloud import PASSWORD, CloudEnv


def test_no_secret_is_written_to_any_file(cloud_env: CloudEnv, isolated_dirs: Path) -> None:
    env = cloud_env
    env.sign_in()
    env.server.expire_tokens()  # a refresh too, so two generations of tokens exist
    job = env.submit(platforms=("x-post", "instagram-story"))
    assert env.run(job.id) == "completed"
    # The source, the expansions the assets were cut from, and the assets.
    assert len(env.server.objects) == len(
        env.ctx.library.assets_for_job(job.id, include_source=True)
    )
    assets = env.ctx.library.assets_for_job(job.id)
    Exporter(env.ctx.library).export(
        assets, ExportOptions(destination=env.ctx.paths.data_dir / "export.zip", as_zip=True)
    )
    env.ctx.cloud.sync_now()
    env.ctx.close()  # flush the library's WAL into the database file

    secrets = {"anon key": env.server.anon_key, "password": PASSWORD}
    for grant in env.server.requests("POST /auth/v1/token"):
        assert grant.status == 200
    with env.server.lock:
        issued = list(env.server.state.access) + list(env.server.state.refresh)
        issued += list(env.server.state.used_refresh)
    assert len(issued) >= 4
    secrets |= {f"token {n}": token for n, token in enumerate(issued)}
    stored = json.loads(json.loads(env.keyring.entries[(SERVICE, SESSION_SECRET)])["session"])
    assert stored["refresh_token"] in issued  # the keyring really holds them

    files = [p for p in isolated_dirs.rglob("*") if p.is_file()]
    log_files = [p for p in files if p.suffix == ".jsonl"]
    assert log_files and "signed in to Supabase" in log_files[0].read_text()
    assert any(p.name == "library.db" for p in files)
    for path in files:
        content = path.read_bytes()
        for name, secret in secrets.items():
            assert secret.encode() not in content, f"the {name} is in {path}"
