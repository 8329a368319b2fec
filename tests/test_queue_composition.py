"""What every platform gets through the real pipeline: imported photos expanded offline or
with a key, and a marked subject near each edge inside every platform's safe area."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.cli import main
from snapasset_desktop.library import Library
from snapasset_desktop.platforms import BUILTIN_PLATFORMS
from snapasset_desktop.safe_zones import hiding, zones_for
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.spec import Provider
from tests.conftest import write_settings
from tests.helpers.fake_openai import EDITS, FakeOpenAIServer
from tests.helpers.images import marked_source, photo, red_mark

SOURCE = (960, 720)
SUBJECT_SIDE = 0.08  # of the source's short side; the pipeline keeps 10 % clear
NEAR_EDGES = {"top": (0.5, 0.07), "bottom": (0.5, 0.93), "left": (0.06, 0.5), "right": (0.94, 0.5)}
ALL = [p.id for p in BUILTIN_PLATFORMS]


@pytest.fixture
def context(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder", alt_text=False)
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def import_file(ctx: AppContext, image: Image.Image, folder: Path, platforms, **options):
    path = folder / "photo.png"
    image.save(path)
    job = ctx.jobs.import_image(path, platforms, **options)
    assert ctx.queue.executor.execute(job.id) == "completed"
    return ctx.jobs.get(job.id)


def test_an_imported_photo_is_expanded_offline_without_a_key(
    context: AppContext, tmp_path: Path
) -> None:
    job = import_file(context, photo((1200, 800)), tmp_path, ["instagram-story"])
    assert job.spec.expander is Provider.PLACEHOLDER and job.spec.model == ""
    expanded = context.library.expanded_image(job.id, "tall")
    assert expanded is not None
    [story] = context.library.assets_for_job(job.id)
    assert (story.width, story.height) == (1080, 1920) and story.warning is None
    assert context.jobs.get(job.id).cost_usd is None  # offline: nothing paid


def test_an_imported_photo_is_expanded_by_openai_with_a_key(
    context: AppContext,
    tmp_path: Path,
    fake_openai: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    context.settings.update(provider="openai", openai_base_url=fake_openai.base_url)
    job = import_file(context, photo((1200, 800)), tmp_path, ["instagram-story"])
    assert job.spec.expander is Provider.OPENAI and job.spec.model == "gpt-image-2"
    [edit] = fake_openai.requests
    assert edit.path == EDITS
    assert "The picture:" not in edit.body["prompt"]  # a photo has no prompt to tell
    assert context.jobs.get(job.id).cost_usd > 0


@pytest.mark.parametrize("edge", sorted(NEAR_EDGES))
def test_a_subject_near_each_edge_lands_in_every_safe_area_or_the_asset_warns(
    context: AppContext, tmp_path: Path, edge: str
) -> None:
    centre = NEAR_EDGES[edge]
    source, _ = marked_source(SOURCE, centre, SUBJECT_SIDE)
    job = import_file(context, source, tmp_path, ALL, focus=centre, fit="auto")
    assets = {a.platform: a for a in context.library.assets_for_job(job.id)}
    assert set(assets) == set(ALL)
    for platform in BUILTIN_PLATFORMS:
        asset = assets[platform.id]
        picture = Image.open(BytesIO(context.library.asset_path(asset).read_bytes()))
        picture.thumbnail((480, 480))  # zones are fractions: a small copy will do
        found = red_mark(picture)
        assert found is not None, f"{platform.id}: the subject is not in the asset"
        rounding = (2 / picture.width, 2 / picture.height)
        covered = hiding(zones_for(platform), found, rounding)
        if asset.warning is None:
            assert covered == [], f"{platform.id}: subject under {covered} without a warning"
        else:
            assert covered and asset.warning.startswith("Subject"), platform.id


def test_rerender_from_the_terminal_crops_a_platform_or_redoes_an_expansion(
    isolated_dirs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_settings(provider="placeholder", alt_text=False)
    args = ["generate", "a fox", "-p", "instagram-story", "-p", "x-header", "--wait", "--json"]
    assert main(args) == 0
    job_id = json.loads(capsys.readouterr().out)["job"]
    with Library.open() as library:
        tall = next(
            a
            for a in library.assets_for_job(job_id, include_source=True)
            if a.platform == "expanded_tall"
        )

    assert main(["rerender", job_id, "--redo-expansion", "tall", "--wait"]) == 0
    assert capsys.readouterr().out.endswith(f"{job_id}: completed\n")
    with Library.open() as library:
        redone = [
            a
            for a in library.assets_for_job(job_id, include_source=True)
            if a.expansion_key == "tall"
        ]
        assert len(redone) == 1 and redone[0].created_at > tall.created_at

    crop = ["--crop", "instagram-story", "--focus-for", "x-header=0.2,0.5", "--wait"]
    assert main(["rerender", job_id, *crop]) == 0
    capsys.readouterr()
    assert main(["jobs", "--json"]) == 0
    [job] = json.loads(capsys.readouterr().out)
    assert job["spec"]["render"]["overrides"] == {
        "instagram-story": {"crop": True, "focus": None},
        "x-header": {"crop": False, "focus": [0.2, 0.5]},
    }
    assert main(["rerender", job_id, "--redo-expansion", "square"]) == 1
    assert "no expansion for “square”; its expansions: banner, tall" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["rerender", job_id, "--focus-for", "x-header"])
    assert "isn't PLATFORM=X,Y" in capsys.readouterr().err
