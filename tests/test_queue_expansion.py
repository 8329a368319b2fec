"""Expansion as a stage of the job, through the real pipeline: the official SDK against the
fake OpenAI server, the real library, jobs stepped one task at a time by the executor."""

from __future__ import annotations

from collections.abc import Iterator
from io import BytesIO

import pytest
from PIL import Image, ImageChops

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.expansion import expanded_box
from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.fake_openai import EDITS, GENERATIONS, FakeOpenAIServer, error, ok

# From the source planned for these two, a story needs a taller picture and the X header
# a wider one: two shape groups, two expansions.
PLATFORMS = ("instagram-story", "x-header")
REFUSED = "OpenAI refused to extend the picture for the tall formats, so they are cropped instead."


@pytest.fixture
def context(fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppContext]:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(
        provider="openai",
        openai_base_url=fake_openai.base_url,
        retry_delay=0.01,
        partial_images=0,
        alt_text=False,
    )
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def run(ctx: AppContext, job_id: str) -> str | None:
    return ctx.queue.executor.execute(job_id)


def submit(ctx: AppContext, platforms=PLATFORMS, **options: object) -> str:
    return ctx.jobs.submit(ctx.specs.build("a fox in the snow", list(platforms), **options)).id


def paths(server: FakeOpenAIServer) -> list[str]:
    return [request.path for request in server.requests]


def stored(ctx: AppContext, job_id: str) -> dict[str, AssetRecord]:
    return {
        a.platform: a
        for a in ctx.library.assets_for_job(job_id, include_source=True)
        if a.is_original
    }


def opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image.convert("RGB")


def test_a_job_sends_one_edit_per_shape_group_and_keeps_each_expansion(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    job_id = submit(context)
    assert run(context, job_id) == "completed"
    assert paths(fake_openai) == [GENERATIONS, EDITS, EDITS]
    originals = stored(context, job_id)
    assert set(originals) == {"source", "expanded_tall", "expanded_banner"}
    edits = [r for r in fake_openai.requests if r.path == EDITS]
    sizes = {r.body["size"] for r in edits}
    assert len(sizes) == 2  # one canvas per group, not one per platform
    source = opened(context.library.source_images(job_id)[0])
    for key in ("tall", "banner"):
        data = context.library.expanded_image(job_id, key)
        assert data is not None
        box = expanded_box(data)
        assert box is not None
        expanded = opened(data)
        # The fake repaints everything, the kept area too: the original is back regardless.
        assert ImageChops.difference(expanded.crop(box), source).getbbox() is None
        assert expanded.size != source.size
    assets = {a.platform: a for a in context.library.assets_for_job(job_id)}
    assert set(assets) == set(PLATFORMS)  # the expansions are versions, not assets
    assert (assets["instagram-story"].width, assets["instagram-story"].height) == (1080, 1920)
    assert (assets["x-header"].width, assets["x-header"].height) == (1500, 500)
    expanding = [
        e.data["message"]
        for e in context.queue.event_log.read(0)
        if e.type == "progress" and e.data["stage"] == "expand"
    ]
    assert "Expanding for tall formats 1/2" in expanding
    assert "Expanding for banners 2/2" in expanding


def test_a_retry_after_an_expansion_does_not_pay_for_it_again(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script([ok(), ok(), error(503)])  # the generation, tall, then banner fails
    job_id = submit(context)
    assert run(context, job_id) == "retrying"
    assert set(stored(context, job_id)) == {"source", "expanded_tall"}
    context.library.update_job(job_id, run_at=None)  # step the clock instead of sleeping
    assert run(context, job_id) == "completed"
    assert paths(fake_openai) == [GENERATIONS, EDITS, EDITS, EDITS]
    first, again = fake_openai.requests[2], fake_openai.requests[3]
    assert again.body["size"] == first.body["size"]  # only the banner's edit, once more
    # A re-render with another focal point crops the stored canvases again: no request.
    context.jobs.rerender(job_id, focus=(0.3, 0.4))
    assert run(context, job_id) == "completed"
    assert len(fake_openai.requests) == 4


def test_expansions_are_charged_to_the_job_and_the_month(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    cropped = submit(context, fit="cover")
    expanded = submit(context, fit="auto")
    for job_id in (cropped, expanded):
        assert run(context, job_id) == "completed"
    generation_only = context.jobs.get(cropped).cost_usd
    with_expansions = context.jobs.get(expanded).cost_usd
    assert generation_only and with_expansions and with_expansions > 2 * generation_only
    spent = context.queue.budget.spent()
    assert spent == pytest.approx(generation_only + with_expansions)


def test_a_refused_expansion_crops_instead_and_says_so(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script(
        [ok(), error(400, code="moderation_blocked", message="Your request was rejected.")]
    )
    job_id = submit(context)
    assert run(context, job_id) == "completed"
    assert paths(fake_openai) == [GENERATIONS, EDITS, EDITS]  # refused once, never retried
    assert set(stored(context, job_id)) == {"source", "expanded_banner"}
    assets = {a.platform: a for a in context.library.assets_for_job(job_id)}
    story = assets["instagram-story"]
    assert (story.width, story.height) == (1080, 1920)
    assert story.warning and REFUSED in story.warning
    assert assets["x-header"].warning is None or REFUSED not in assets["x-header"].warning
    assert context.jobs.get(job_id).error_message is None


def test_a_platform_switched_back_to_crop_needs_no_call(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    job_id = submit(context)
    run(context, job_id)
    before = {a.platform: a.sha256 for a in context.library.assets_for_job(job_id)}
    context.jobs.rerender(job_id, crop=["instagram-story"])
    assert run(context, job_id) == "completed"
    assert len(fake_openai.requests) == 3  # nothing new
    spec = context.jobs.get(job_id).spec
    assert spec.render.override("instagram-story").crop
    after = {a.platform: a.sha256 for a in context.library.assets_for_job(job_id)}
    assert after["instagram-story"] != before["instagram-story"]  # cut from the source now
    assert after["x-header"] == before["x-header"]


def test_one_expansion_is_redone_alone(context: AppContext, fake_openai: FakeOpenAIServer) -> None:
    job_id = submit(context)
    run(context, job_id)
    banner = stored(context, job_id)["expanded_banner"]
    context.jobs.rerender(job_id, redo_expansions=["tall"])
    assert run(context, job_id) == "completed"
    assert paths(fake_openai) == [GENERATIONS, EDITS, EDITS, EDITS]
    assert fake_openai.requests[3].body["size"] == fake_openai.requests[1].body["size"]
    assert stored(context, job_id)["expanded_banner"].sha256 == banner.sha256
    with pytest.raises(
        InvalidInput, match="no expansion for “square”; its expansions: banner, tall"
    ):
        context.jobs.rerender(job_id, redo_expansions=["square"])


def test_a_platform_of_its_own_focal_point_is_kept_in_the_spec(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    job_id = submit(context)
    run(context, job_id)
    before = {a.platform: a.sha256 for a in context.library.assets_for_job(job_id)}
    context.jobs.rerender(job_id, platform_focus={"x-header": (0.2, 0.3)})
    assert run(context, job_id) == "completed"
    override = context.jobs.get(job_id).spec.render.override("x-header")
    assert override is not None and override.focus == (0.2, 0.3) and not override.crop
    after = {a.platform: a.sha256 for a in context.library.assets_for_job(job_id)}
    assert after["instagram-story"] == before["instagram-story"]
    assert len(fake_openai.requests) == 3
    with pytest.raises(InvalidInput, match="no “tiktok” version"):
        context.jobs.rerender(job_id, crop=["tiktok"])
