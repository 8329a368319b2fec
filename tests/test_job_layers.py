"""Text layers on real jobs: built from loose input, drawn by the job pipeline after each
platform's crop on all 18 built-in platforms (in the safe area, legible on the saved
pixels), any script, a missing kit file said plainly, a shared kit drawing the same
pixels in another library, and a designer's edit drawn again here without an API call."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.brand.kit import BrandKit
from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.cli import main
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.paths import AppPaths
from snapasset_desktop.platforms import BUILTIN_PLATFORMS
from snapasset_desktop.safe_zones import zones_for
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.spec import SPEC_VERSION, JobSpec
from tests.conftest import write_settings
from tests.helpers.brand import inside, make_kit, measured_contrast, safe_area_pixels
from tests.helpers.fake_openai import EDITS, GENERATIONS, FakeOpenAIServer

PLATFORMS = {p.id: p for p in BUILTIN_PLATFORMS}
SOME = ["instagram-story", "x-header", "linkedin-company-cover"]
LONG_HEADLINE = (
    "Everything you need for a winter of long walks, warm kitchens and late evenings, "
    "now in every store near you"
)[:120]


@pytest.fixture
def ctx(isolated_dirs: Path) -> Iterator[AppContext]:
    write_settings(provider="placeholder", partial_images=0, alt_text=False)
    context = AppContext.open()
    yield context
    context.close()


@pytest.fixture
def kit(ctx: AppContext, tmp_path: Path) -> BrandKit:
    return make_kit(ctx.brand, tmp_path)


def run_job(ctx: AppContext, spec: JobSpec) -> list[AssetRecord]:
    job = ctx.jobs.submit(spec)
    assert ctx.queue.executor.execute(job.id) == "completed", ctx.jobs.get(job.id).error_message
    return ctx.library.assets_for_job(job.id)


def pixels(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.convert("RGB")


# -- the spec ----------------------------------------------------------------------------


def test_layers_are_built_from_loose_input_and_checked(ctx: AppContext, kit: BrandKit) -> None:
    spec = ctx.specs.build(
        "a fox", ["x-post", "instagram-story"], headline=" Fresh  snow ", cta="Shop", brand="ACME"
    )
    assert spec.layers == TextLayers(headline="Fresh snow", cta="Shop", kit="acme")
    assert spec.prompt_suffix == "" and spec.image_prompt == "a fox"
    assert JobSpec.from_json(spec.to_json()) == spec
    assert ctx.specs.build("a fox", ["x-post"], brand="default").layers.kit is None
    with pytest.raises(InvalidInput, match=re.escape("at most 120 characters; this one has 121")):
        ctx.specs.build("a fox", ["x-post"], headline="x" * 121)
    with pytest.raises(
        InvalidInput, match=re.escape("There is no brand kit called “Acm”. Did you mean “Acme”?")
    ):
        ctx.specs.build("a fox", ["x-post"], headline="Hi", brand="Acm")


def test_the_kits_palette_and_mood_join_the_prompt_only_when_asked(
    ctx: AppContext, kit: BrandKit
) -> None:
    branded = ctx.specs.build("a fox", ["x-post"], brand="acme", brand_prompt=True)
    assert branded.prompt_suffix == ctx.brand.prompt_suffix("acme")
    assert "Mood: bright, friendly." in branded.prompt_suffix
    assert branded.image_prompt == f"a fox\n\n{branded.prompt_suffix}" and branded.prompt == "a fox"
    edited = ctx.specs.build("a fox", ["x-post"], brand="acme", prompt_suffix="  warm  blues ")
    assert edited.image_prompt == "a fox\n\nwarm blues"
    with pytest.raises(InvalidInput, match="Choose a brand kit"):
        ctx.specs.build("a fox", ["x-post"], brand_prompt=True)


def test_rebuilding_keeps_the_layers_and_drops_positions_of_platforms_gone(
    ctx: AppContext, kit: BrandKit
) -> None:
    layers = TextLayers(headline="Hi", kit="acme").moved("x-post", "headline", (0.1, 0.1, 0.5, 0.3))
    layers = layers.moved("instagram-story", "logo", (0.7, 0.1, 0.9, 0.2))
    spec = ctx.specs.build(
        "a fox",
        ["x-post", "instagram-story"],
        headline=layers.headline,
        brand="acme",
        overrides=layers.overrides,
        prompt_suffix="warm blues",
    )
    assert spec.layers == layers and spec.prompt_suffix == "warm blues"
    fewer = ctx.specs.rebuild(spec, platform_ids=["x-post"], prompt="a hare")
    assert fewer.layers == layers.reset("instagram-story")
    assert (fewer.prompt, fewer.prompt_suffix) == ("a hare", "warm blues")


def test_a_spec_from_before_layers_reads_as_having_none() -> None:
    old = JobSpec.from_legacy({"provider": "placeholder"}, "a fox", ["x-post"], None).to_dict()
    for key in ("layers", "prompt_suffix"):
        del old[key]
    old["version"] = 1
    spec = JobSpec.from_dict(old)
    assert (spec.version, spec.layers, spec.prompt_suffix) == (SPEC_VERSION, TextLayers(), "")
    assert spec.layers.is_empty


# -- the pipeline ------------------------------------------------------------------------


def test_a_placeholder_job_draws_its_layers_on_all_18_platforms_in_the_safe_area(
    ctx: AppContext, kit: BrandKit
) -> None:
    spec = ctx.specs.build(
        "a red fox in fresh snow at dawn",
        list(PLATFORMS),
        headline="Fresh snow, fresh start",
        cta="Shop the collection",
        brand="Acme",
    )
    assets = run_job(ctx, spec)
    assert sorted(a.platform for a in assets) == sorted(PLATFORMS)
    for asset in assets:
        platform = PLATFORMS[asset.platform]
        clean_path = ctx.library.clean_path(asset)
        assert clean_path is not None and asset.layers is not None
        clean, layered = pixels(clean_path), pixels(ctx.library.asset_path(asset))
        assert clean.size == layered.size == platform.size
        drawn = {entry["layer"]: entry for entry in asset.layers["layers"]}
        thumbnail = asset.layers["layout"] == "thumbnail"
        assert set(drawn) == {"headline", "logo"} | (set() if thumbnail else {"cta"}), asset
        area = safe_area_pixels(platform)
        zones = zones_for(platform)
        frame = platform.size
        for entry in drawn.values():
            assert inside(entry["box"], area), (asset.platform, entry)
            fraction = tuple(v / frame[i % 2] for i, v in enumerate(entry["box"]))
            assert not any(zone.hides(fraction, (1 / frame[0], 1 / frame[1])) for zone in zones)
            if "text_box" in entry:
                assert inside(entry["text_box"], entry["box"])
                box = tuple(entry["text_box"])
                ratio = measured_contrast(clean, layered, box, entry["colour"])
                assert ratio >= 4.5, (asset.platform, entry["layer"], ratio)
        assert drawn["headline"]["font"] == "Acme Serif"


@pytest.mark.parametrize(
    "headline",
    [
        LONG_HEADLINE,
        "تخفيضات الشتاء على كل شيء في المتجر هذا الأسبوع فقط",
        "מבצע חורף גדול בכל החנויות השבוע",
        "Winter sale 🎉❄️ everything must go 👩‍👩‍👧",
    ],
    ids=["long", "arabic", "hebrew", "emoji"],
)
def test_long_right_to_left_and_emoji_headlines_run_through_the_job(
    ctx: AppContext, headline: str
) -> None:
    spec = ctx.specs.build("a lake", SOME, headline=headline, subline="Warm layers", cta="Shop")
    for asset in run_job(ctx, spec):
        assert asset.layers is not None
        [drawn] = [e for e in asset.layers["layers"] if e["layer"] == "headline"]
        assert inside(drawn["box"], safe_area_pixels(PLATFORMS[asset.platform]))
        assert inside(drawn["text_box"], drawn["box"])
        layered = pixels(ctx.library.asset_path(asset))
        assert layered.crop(tuple(drawn["text_box"])).getbbox() is not None


def test_a_missing_font_or_logo_file_is_said_on_each_asset_and_by_the_command(
    ctx: AppContext, kit: BrandKit, capsys: pytest.CaptureFixture[str]
) -> None:
    kit.file_path(kit.fonts[0]).unlink()
    kit.file_path(kit.logos[0]).unlink()
    ctx.close()
    args = ["generate", "a fox", "-p", "x-post", "--headline", "Fresh snow", "--brand", "Acme"]
    code = main([*args, "--wait"])
    out = capsys.readouterr().out
    assert code == 0
    assert (
        "note: x-post — The font file of “Acme Serif” (Caladea-Bold.ttf) is missing from the "
        "kit “Acme”, so the headline is set in Inter Bold." in out
    )
    assert "note: x-post — The logo file acme-logo.png is missing from the kit “Acme”." in out


def test_a_kit_shared_as_a_file_draws_the_same_pixels_through_jobs_in_another_library(
    ctx: AppContext, kit: BrandKit, tmp_path: Path
) -> None:
    shared = ctx.brand.export(kit.id, tmp_path / "acme")
    other = AppContext.open(AppPaths(tmp_path / "d2", tmp_path / "c2", tmp_path / "l2"))
    try:
        other.settings.update(provider="placeholder", partial_images=0, alt_text=False)
        other.brand.import_file(shared)
        ask = {"headline": "Fresh snow, fresh start", "cta": "Shop now", "brand": "Acme"}
        here = run_job(ctx, ctx.specs.build("a fox", SOME, **ask))
        there = run_job(other, other.specs.build("a fox", SOME, **ask))
        for mine, theirs in zip(here, there, strict=True):
            assert mine.platform == theirs.platform
            ours = pixels(ctx.library.asset_path(mine))
            assert ours.tobytes() == pixels(other.library.asset_path(theirs)).tobytes()
            assert mine.layers == theirs.layers
    finally:
        other.close()


def test_layers_taken_off_leave_the_clean_picture(ctx: AppContext) -> None:
    [asset] = run_job(ctx, ctx.specs.build("a fox", ["x-post"], headline="Fresh snow"))
    clean_path = ctx.library.clean_path(asset)
    assert clean_path is not None
    clean = clean_path.read_bytes()
    redrawn = ctx.jobs.redraw_layers(asset.job_id, TextLayers())
    [bare] = redrawn.assets
    assert ctx.library.asset_path(bare).read_bytes() == clean
    assert (bare.clean_path, bare.layers) == (None, None) and not clean_path.exists()
    assert ctx.jobs.get(asset.job_id).spec.layers.is_empty
    again = ctx.jobs.redraw_layers(asset.job_id, TextLayers(headline="Back again"))
    [layered] = again.assets
    assert layered.layers is not None and layered.layers["layers"][0]["text"] == "Back again"
    assert ctx.library.clean_path(layered).read_bytes() == clean  # type: ignore[union-attr]


# -- drawing again after an edit ---------------------------------------------------------


def test_an_edit_is_drawn_again_here_without_an_api_call(
    ctx: AppContext, kit: BrandKit, fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    ctx.settings.update(provider="openai")
    spec = ctx.specs.build("a fox", SOME, headline="Fresh snow", cta="Shop", brand="acme")
    assets = run_job(ctx, spec)
    made = [r.path for r in fake_openai.requests]
    assert made[0] == GENERATIONS and set(made[1:]) <= {EDITS}  # the source, its expansions
    job_id = assets[0].job_id
    cleans = {a.platform: ctx.library.clean_path(a).read_bytes() for a in assets}  # type: ignore[union-attr]
    before = {a.platform: a.sha256 for a in assets}

    edited = ctx.jobs.redraw_layers(job_id, replace(spec.layers, headline="Warm kitchens"))
    assert len(fake_openai.requests) == len(made)  # drawn here, never painted again
    assert edited.skipped == []
    for asset in edited.assets:
        assert asset.sha256 != before[asset.platform]
        assert ctx.library.clean_path(asset).read_bytes() == cleans[asset.platform]  # type: ignore[union-attr]
        [headline] = [e for e in asset.layers["layers"] if e["layer"] == "headline"]  # type: ignore[index]
        assert headline["text"] == "Warm kitchens"
    job = ctx.jobs.get(job_id)
    assert job.spec.layers.headline == "Warm kitchens" and job.status == "completed"

    current = {a.platform: a.sha256 for a in edited.assets}
    moved = job.spec.layers.moved("x-header", "headline", (0.55, 0.2, 0.95, 0.6))
    dragged = ctx.jobs.redraw_layers(job_id, moved, platform_ids=["x-header"])
    [header] = dragged.assets
    [headline] = [e for e in header.layers["layers"] if e["layer"] == "headline"]  # type: ignore[index]
    assert headline["moved"] and headline["box"][0] >= 0.55 * 1500 - 1
    untouched = {a.platform: a.sha256 for a in ctx.library.assets_for_job(job_id)}
    assert untouched["instagram-story"] == current["instagram-story"]
    reset = ctx.jobs.redraw_layers(job_id, moved.reset("x-header"), platform_ids=["x-header"])
    assert reset.assets[0].sha256 == current["x-header"]  # back to the layout, to the pixel
    assert len(fake_openai.requests) == len(made)


def test_a_preview_draws_one_platform_as_the_redraw_will_and_saves_nothing(
    ctx: AppContext, kit: BrandKit
) -> None:
    spec = ctx.specs.build("a fox", SOME, headline="Fresh snow", brand="acme")
    assets = run_job(ctx, spec)
    job_id = assets[0].job_id
    files = {a.platform: a.sha256 for a in assets}
    edited = replace(spec.layers, headline="Warm kitchens", cta="Shop")
    preview = ctx.jobs.preview_layers(job_id, edited, "x-header")
    assert preview is not None and preview.layer("cta") is not None
    assert {a.platform: a.sha256 for a in ctx.library.assets_for_job(job_id)} == files
    assert ctx.jobs.get(job_id).spec.layers == spec.layers  # nothing kept
    [saved] = ctx.jobs.redraw_layers(job_id, edited, platform_ids=["x-header"]).assets
    assert pixels(ctx.library.asset_path(saved)).tobytes() == preview.image.tobytes()
    assert ctx.jobs.preview_layers(job_id, TextLayers(), "x-header") is None


def test_an_edit_naming_an_unknown_kit_or_an_unfinished_job_is_refused(
    ctx: AppContext,
) -> None:
    [asset] = run_job(ctx, ctx.specs.build("a fox", ["x-post"], headline="Hi"))
    with pytest.raises(InvalidInput, match=re.escape("There is no brand kit called “nope”")):
        ctx.jobs.redraw_layers(asset.job_id, TextLayers(headline="Hi", kit="nope"))
    waiting = ctx.jobs.submit(ctx.specs.build("a hare", ["x-post"], headline="Hi"))
    with pytest.raises(InvalidInput, match="once the job has finished"):
        ctx.jobs.redraw_layers(waiting.id, TextLayers(headline="Ho"))


# -- the command line and export ---------------------------------------------------------


def test_a_batch_csv_sets_layers_per_row(
    ctx: AppContext, kit: BrandKit, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "posts.csv"
    batch.write_text(
        "prompt,headline,subline,cta,brand\n"
        "a fox,Fresh snow,Warm layers,Shop,\n"
        "a hare,,,,default\n"
        "a lynx,Quiet walks,,,Acmee\n",
        encoding="utf-8",
    )
    ctx.close()
    code = main(["batch", str(batch), "-p", "x-post", "--brand", "acme", "--cta", "Go", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert result["refused"] == [
        {"line": 4, "reason": "There is no brand kit called “Acmee”. Did you mean “Acme”?"}
    ]
    reopened = AppContext.open()
    try:
        fox, hare = (reopened.jobs.get(job_id).spec.layers for job_id in result["jobs"])
    finally:
        reopened.close()
    assert fox == TextLayers(headline="Fresh snow", subline="Warm layers", cta="Shop", kit="acme")
    assert hare == TextLayers(cta="Go")  # the batch's call to action, SnapAsset's own look


def test_generate_says_what_the_brand_adds_to_the_prompt(
    ctx: AppContext, kit: BrandKit, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx.close()
    code = main(["generate", "a fox", "-p", "x-post", "--brand", "acme", "--brand-prompt"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Added to the prompt: Brand colours: blue (#2563eb)" in out
    assert "Mood: bright, friendly." in out


def test_export_writes_the_clean_picture_beside_and_the_layers_in_the_manifest(
    ctx: AppContext, kit: BrandKit, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_job(ctx, ctx.specs.build("a fox", ["x-post"], headline="Fresh snow", brand="acme"))
    ctx.close()
    out = tmp_path / "out"
    code = main(["export", "--to", str(out), "--clean", "--template", "{platform}", "--json"])
    assert code == 0, capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json",
        "x-post.png",
        "x-post_clean.png",
    ]
    [row] = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert row["clean_file"] == "x-post_clean.png"
    [headline] = [e for e in row["layers"]["layers"] if e["layer"] == "headline"]
    assert (headline["text"], headline["font"]) == ("Fresh snow", "Acme Serif")
    assert len(headline["box"]) == 4 and row["layers"]["platform"] == "x-post"
    assert pixels(out / "x-post.png").tobytes() != pixels(out / "x-post_clean.png").tobytes()
    csv_out = tmp_path / "csv"
    assert main(["export", "--to", str(csv_out), "--manifest", "csv"]) == 0
    text = (csv_out / "manifest.csv").read_text(encoding="utf-8-sig")
    assert "clean_file,layers" in text.splitlines()[0] and "Acme Serif" in text
    assert not any("clean" in p.name for p in csv_out.iterdir())  # only when asked
