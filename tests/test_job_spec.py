"""The job spec: one typed, versioned value, stored as JSON and read back, older versions
migrated forward — from SQLite rows of the previous schema and from Redis records."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.composition import PlatformOverride
from snapasset_desktop.library import Library
from snapasset_desktop.library.db import MIGRATIONS, _statements
from snapasset_desktop.library.job_specs import UNREADABLE
from snapasset_desktop.paths import app_paths
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.services.brand import BrandService
from snapasset_desktop.services.context import AppContext
from snapasset_desktop.services.requests import SpecBuilder
from snapasset_desktop.settings import Settings
from snapasset_desktop.spec import SPEC_VERSION, Background, JobSpec, Provider, Quality, SpecError
from tests.conftest import write_settings
from tests.helpers.redis_server import RedisServer
from tests.helpers.specs import make_spec


def test_a_spec_round_trips_through_json_with_its_version() -> None:
    spec = make_spec(
        "a lighthouse",
        ["instagram-story", "x-post"],
        provider="openai",
        model="gpt-image-1.5",
        quality="high",
        background="opaque",
        asset_format="webp",
        image_quality=70,
        fit="contain",
        pad="blur",
        focus=(0.25, 0.75),
        variations=3,
        style="vivid",
    )
    stored = json.loads(spec.to_json())
    assert stored["version"] == SPEC_VERSION == spec.version
    assert stored["render"] == {
        "fit": "contain",
        "pad": "blur",
        "format": "webp",
        "quality": 70,
        "focus": [0.25, 0.75],
        "threshold": 0.15,
        "overrides": {},
    }
    again = JobSpec.from_json(spec.to_json())
    assert again == spec
    assert (again.provider, again.quality, again.background) == (
        Provider.OPENAI,
        Quality.HIGH,
        Background.OPAQUE,
    )
    assert again.size == (1024, 1024)  # planned among gpt-image-1.5's fixed sizes


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"version": SPEC_VERSION + 1}, f"spec version {SPEC_VERSION + 1}"),
        ({"brand": "acme"}, "unknown ['brand']"),
        ({"variations": "2"}, "variations"),
        ({"provider": "dall-e"}, "dall-e"),
        ({"size": [1024]}, "size"),
        ({"render": {"fit": "cover"}}, "missing"),
        ({"version": None}, "no readable version"),
    ],
)
def test_a_malformed_or_newer_spec_is_refused_with_a_sentence(
    change: dict[str, object], detail: str
) -> None:
    data = make_spec().to_dict() | change
    with pytest.raises(SpecError) as caught:
        JobSpec.from_dict(data)
    assert detail in str(caught.value.detail)
    assert caught.value.message in (
        "SnapAsset can't read this job's settings; submit it again.",
        "This job was made by a newer version of SnapAsset — update SnapAsset to use it.",
    )


def test_the_fit_policy_and_per_platform_overrides_round_trip() -> None:
    spec = make_spec("a fox", ["instagram-story", "x-header"], fit="auto", fit_threshold=0.2)
    spec = spec.with_override(PlatformOverride("x-header", crop=True))
    spec = spec.with_override(PlatformOverride("instagram-story", focus=(0.3, 0.6)))
    stored = spec.to_dict()["render"]
    assert (stored["fit"], stored["threshold"]) == ("auto", 0.2)
    assert stored["overrides"] == {
        "instagram-story": {"crop": False, "focus": [0.3, 0.6]},
        "x-header": {"crop": True, "focus": None},
    }
    assert JobSpec.from_json(spec.to_json()) == spec
    # An override that changes nothing is dropped, not kept as noise.
    cleared = spec.with_override(PlatformOverride("x-header"))
    assert [o.platform_id for o in cleared.render.overrides] == ["instagram-story"]
    with pytest.raises(SpecError):
        JobSpec.from_dict(spec.to_dict() | {"render": stored | {"overrides": {"x": {"crop": 1}}}})


def test_a_version_1_or_2_spec_crops_or_pads_as_it_did() -> None:
    for fit in ("cover", "contain"):
        data = make_spec(fit=fit, headline="Fresh snow").to_dict()
        del data["render"]["threshold"], data["render"]["overrides"]
        layered = JobSpec.from_dict(data | {"version": 2})  # text layers, no fit policy yet
        assert layered.layers == TextLayers(headline="Fresh snow")
        del data["layers"], data["prompt_suffix"]
        bare = JobSpec.from_dict(data | {"version": 1})  # neither
        assert bare.layers.is_empty and bare.prompt_suffix == ""
        for spec in (layered, bare):
            assert (spec.version, spec.render.fit, spec.render.overrides) == (SPEC_VERSION, fit, ())
            assert spec.render.threshold == 0.15


def test_new_jobs_fit_auto_unless_asked() -> None:
    assert make_spec().render.fit == "auto"
    assert make_spec(fit="crop").render.fit == "cover"
    assert make_spec(fit="expand").render.fit == "expand"
    with pytest.raises(InvalidInput, match="Fit is “auto”, “cover” \\(crop\\), “expand”"):
        make_spec(fit="stretch")


def test_a_missing_field_is_refused_too() -> None:
    data = make_spec().to_dict()
    del data["partial_images"]
    with pytest.raises(SpecError, match="can't read this job's settings"):
        JobSpec.from_dict(data)
    with pytest.raises(SpecError):
        JobSpec.from_json("{not json")


def test_a_params_dict_migrates_as_its_readers_read_it() -> None:
    # As the window wrote a placeholder job: the composer's model, though none was used.
    window = {"provider": "placeholder", "model": "gpt-image-2", "size": "1536x1024"}
    spec = JobSpec.from_legacy(window, "a fox", ["x-post"], None)
    assert (spec.provider, spec.model, spec.size) == (Provider.PLACEHOLDER, "", (1536, 1024))
    # Keys it lacks are what the runner used to take for them.
    bare = JobSpec.from_legacy({}, "a fox", ["x-post"], (0.2, 0.4))
    assert (bare.provider, bare.model, bare.size) == (Provider.OPENAI, "gpt-image-2", (1024, 1024))
    assert (bare.partial_images, bare.render.fit, bare.render.focus) == (2, "cover", (0.2, 0.4))
    with pytest.raises(SpecError):
        JobSpec.from_legacy({"size": "auto"}, "a fox", ["x-post"], None)


# -- the library's migration -------------------------------------------------------------


def old_library(rows: list[tuple[str, str, str, list[str], object, float | None]]) -> Path:
    """A library.db of schema 3 (before specs), with these jobs in it."""
    path = app_paths().library_db
    path.parent.mkdir(parents=True)
    raw = sqlite3.connect(path)
    for script in MIGRATIONS[:3]:
        assert isinstance(script, str)
        for statement in _statements(script):
            raw.execute(statement)
    for job_id, status, prompt, platforms, params, focus in rows:
        raw.execute(
            "INSERT INTO jobs (id, status, prompt, platforms, params, focus_x, focus_y,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1)",
            (
                job_id,
                status,
                prompt,
                json.dumps(platforms),
                params if isinstance(params, str) else json.dumps(params),
                focus,
                focus,
            ),
        )
    raw.execute("PRAGMA user_version = 3")
    raw.commit()
    raw.close()
    return path


def test_rows_of_the_previous_schema_become_specs() -> None:
    requested = {
        "provider": "openai",
        "model": "gpt-image-1.5",
        "size": "1536x1024",
        "quality": "high",
        "background": "opaque",
        "asset_format": "webp",
        "image_quality": 80,
        "fit": "contain",
        "pad": "blur",
        "variations": 2,
        "style": "vivid",
        "partial_images": 1,
    }
    imported = {"provider": "import", "model": "", "size": "800x600", "file_name": "beach.jpg"}
    pulled = {"model": "gpt-image-2", "cloud_user": "u1"}  # trimmed by cloud sync
    path = old_library(
        [
            ("j_asked", "completed", "a red fox", ["x-post", "threads"], requested, 0.3),
            ("j_window", "queued", "a barn", ["x-post"], {"provider": "placeholder"}, None),
            ("j_import", "completed", "beach", ["instagram-square"], imported, None),
            ("j_pulled", "completed", "a lake", ["x-post"], pulled, 0.5),
            ("j_broken", "queued", "a pier", ["x-post"], '{"variations": "lots"}', None),
        ]
    )
    with Library.open() as library:
        asked = library.get_job("j_asked").spec
        assert asked.to_dict() == {
            "version": SPEC_VERSION,
            "prompt": "a red fox",
            "platforms": ["x-post", "threads"],
            "provider": "openai",
            "model": "gpt-image-1.5",
            "size": [1536, 1024],
            "quality": "high",
            "background": "opaque",
            "variations": 2,
            "partial_images": 1,
            "style": "vivid",
            "file_name": None,
            "render": {
                "fit": "contain",
                "pad": "blur",
                "format": "webp",
                "quality": 80,
                "focus": [0.3, 0.3],
                "threshold": 0.15,
                "overrides": {},
            },
            "layers": TextLayers().to_dict(),
            "prompt_suffix": "",
        }
        window = library.get_job("j_window")
        assert (window.status, window.spec.provider, window.spec.model) == (
            "queued",
            "placeholder",
            "",
        )
        beach = library.get_job("j_import").spec
        assert (beach.source_label(), beach.size) == ("imported beach.jpg", (800, 600))
        assert library.get_job("j_pulled").spec.model == "gpt-image-2"
        broken = library.get_job("j_broken")
        assert (broken.status, broken.error_kind, broken.error_message) == (
            "failed",
            "damaged",
            UNREADABLE,
        )
        assert (broken.prompt, broken.platforms) == ("a pier", ["x-post"])
    conn = sqlite3.connect(path)
    columns = {row[1] for row in conn.execute("PRAGMA table_info(jobs)")}
    assert {"spec", "retry_of", "prompt", "platforms"} <= columns and "params" not in columns
    # The index columns still answer queries, written from the spec.
    assert conn.execute("SELECT prompt FROM jobs WHERE id = 'j_asked'").fetchone() == ("a red fox",)
    conn.close()


def test_the_index_columns_follow_the_spec_when_it_changes() -> None:
    with Library.open() as library:
        job = library.create_job(make_spec("a fox", ["x-post"]))
        library.update_job(job.id, spec=make_spec("a wolf", ["threads", "x-post"]))
        with library.reader() as conn:
            row = conn.execute("SELECT prompt, platforms FROM jobs").fetchone()
        assert (row["prompt"], json.loads(row["platforms"])) == ("a wolf", ["threads", "x-post"])
        assert library.get_job(job.id).platforms == ["threads", "x-post"]


# -- Redis records written before specs -----------------------------------------------------


@pytest.fixture
def redis_app(
    redis_server: RedisServer, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path
) -> Iterator[AppContext]:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", redis_server.url)
    write_settings(provider="placeholder")
    ctx = AppContext.open()
    yield ctx
    ctx.close()


@pytest.mark.redis
def test_a_redis_record_of_an_older_version_is_read_through_the_migration_and_runs(
    redis_app: AppContext,
) -> None:
    job = redis_app.jobs.submit(redis_app.specs.build("a lighthouse", ["x-post"]))
    key = f"snapasset:job:{job.id}"
    client = redis_app.queue.redis
    # As an older SnapAsset wrote it: a params dict beside the prompt and platforms.
    client.hdel(key, "spec")
    legacy = {"provider": "placeholder", "model": "gpt-image-2", "size": "1280x720"}
    client.hset(
        key,
        mapping={
            "prompt": "a lighthouse",
            "platforms": '["x-post"]',
            "params": json.dumps(legacy),
        },
    )
    spec = redis_app.queue.store.get(job.id).spec
    assert (spec.provider, spec.model, spec.size, spec.prompt) == (
        "placeholder",
        "",
        (1280, 720),
        "a lighthouse",
    )
    assert redis_app.queue.executor.execute(job.id) == "completed"
    source = redis_app.library.get_job(job.id)
    assert (source.source_width, source.source_height) == (1280, 720)  # the record's size


def test_an_import_is_expanded_by_openai_only_with_a_key_and_stays_an_import() -> None:
    registry, brand = PlatformRegistry.from_settings([]), BrandService(app_paths())
    imported = {"provider": "import", "file_name": "beach.jpg", "source_size": (1200, 800)}
    with_key = SpecBuilder(registry, Settings(), brand, has_openai_key=lambda: True)
    spec = with_key.build("", ["instagram-story"], **imported)
    assert (spec.expander, spec.model, spec.source_label()) == (
        Provider.OPENAI,
        "gpt-image-2",
        "imported beach.jpg",
    )
    offline = SpecBuilder(registry, Settings(), brand, has_openai_key=lambda: False)
    assert offline.build("", ["instagram-story"], **imported).expander is Provider.PLACEHOLDER
    # OpenAI refused the key: retried once Settings say placeholder, it is still an import,
    # expanded offline now.
    switched = SpecBuilder(
        registry, Settings(provider="placeholder"), brand, has_openai_key=lambda: True
    )
    again = switched.with_settings_after(spec, "auth")
    assert (again.provider, again.expander, again.size) == (
        Provider.IMPORT,
        Provider.PLACEHOLDER,
        (1200, 800),
    )
