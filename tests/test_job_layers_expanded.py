"""Composition per shape and text layers on one job: a placeholder job whose story is cut
from an expansion gets its layers where the story's crop was placed — in the safe area,
off the subject the crop kept clear, legible — and a retry after the expansion was stored
paints nothing again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.imaging.expansion import expanded_box
from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.queue.expansion_stage import composition_used
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.brand import inside, measured_contrast, safe_area_pixels

# From the source planned for these two, the story needs a taller picture and the X
# header a wider one: each is cut from an expansion of its own.
PLATFORMS = ("instagram-story", "x-header")
STORY = PlatformRegistry().get("instagram-story")


@pytest.fixture
def ctx(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder", partial_images=0, alt_text=False)
    context = AppContext.open()
    yield context
    context.close()


def originals(ctx: AppContext, job_id: str) -> dict[str, AssetRecord]:
    assets = ctx.library.assets_for_job(job_id, include_source=True)
    return {a.platform: a for a in assets if a.is_original}


def pixels(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


def test_an_expanded_story_gets_its_layers_where_its_crop_was_placed_and_a_retry_paints_nothing(
    ctx: AppContext,
) -> None:
    # A subject near the top of the picture sits, in the story, where its headline would
    # go: the headline must move off the subject the story's crop was placed around.
    spec = ctx.specs.build(
        "a red fox in fresh snow at dawn", PLATFORMS, headline="Fresh snow", focus=(0.5, 0.05)
    )
    assert spec.render.fit == "auto"
    job = ctx.jobs.submit(spec)
    # The clean pictures' folder is taken by a file: the job fails at its save, after its
    # expansions were painted and stored.
    blocked = ctx.library.job_dir(job.id, job.created_at) / "clean"
    blocked.parent.mkdir(parents=True)
    blocked.write_bytes(b"")
    assert ctx.queue.executor.execute(job.id) == "failed"
    assert "a file with that name is in the way" in (ctx.jobs.get(job.id).error_message or "")
    painted = originals(ctx, job.id)
    assert set(painted) == {"source", "expanded_tall", "expanded_banner"}
    assert ctx.library.assets_for_job(job.id) == []

    blocked.unlink()
    ctx.jobs.retry(job.id)
    assert ctx.queue.executor.execute(job.id) == "completed"
    again = originals(ctx, job.id)
    for key in ("expanded_tall", "expanded_banner"):  # kept as they were: not painted again
        assert (again[key].id, again[key].created_at) == (painted[key].id, painted[key].created_at)

    # The story is cut from the tall expansion, and shows picture the expansion painted.
    record = ctx.library.get_job(job.id)
    canvas = again["expanded_tall"]
    box = expanded_box(ctx.library.asset_path(canvas).read_bytes())
    assert box is not None
    fitted = composition_used(
        record.spec,
        (record.source_width or 0, record.source_height or 0),
        [STORY, PlatformRegistry().get("x-header")],
        (record.focus_x or 0.0, record.focus_y or 0.0),
        {"tall": ((canvas.width, canvas.height), box)},
    )
    story_fit = fitted.fit(STORY.id)
    assert story_fit.expansion == "tall" and story_fit.box is not None
    crop = story_fit.box
    assert crop[1] < box[1] or crop[3] > box[3]  # above or below the original
    assert story_fit.subject_safe and story_fit.subject is not None

    # Its layers sit in its safe area, off that subject, legible on the saved pixels.
    story = next(a for a in ctx.library.assets_for_job(job.id) if a.platform == STORY.id)
    assert story.layers is not None and story.layers["notes"] == []
    clean_path = ctx.library.clean_path(story)
    assert clean_path is not None
    clean, layered = pixels(clean_path), pixels(ctx.library.asset_path(story))
    subject = tuple(round(v * STORY.size[i % 2]) for i, v in enumerate(story_fit.subject))
    [headline] = story.layers["layers"]
    assert headline["layer"] == "headline" and not headline["over_subject"]
    assert inside(headline["box"], safe_area_pixels(STORY))
    assert (
        headline["box"][2] <= subject[0]
        or subject[2] <= headline["box"][0]
        or headline["box"][3] <= subject[1]
        or subject[3] <= headline["box"][1]
    )
    ratio = measured_contrast(clean, layered, tuple(headline["text_box"]), headline["colour"])
    assert ratio >= 4.5

    # Drawn again here from the clean picture, the same layers land on the same pixels:
    # the redraw places them around the same subject the job's crop did.
    redrawn = ctx.jobs.redraw_layers(job.id, spec.layers, platform_ids=[STORY.id])
    assert redrawn.assets[0].sha256 == story.sha256
