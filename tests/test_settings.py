"""Settings: defaults, round trip, and a hand-edited file that loses only bad values."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from snapasset_desktop.errors import InvalidInput, StorageError
from snapasset_desktop.settings import Settings, SettingsStore, check_setting, load_settings


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.toml") == Settings()


def test_every_setting_is_described() -> None:
    described = Settings.describe()
    assert set(described) == set(Settings().to_dict())
    assert all(text.strip() for text in described.values())


def test_every_default_passes_its_own_check() -> None:
    for name, value in Settings().to_dict().items():
        assert check_setting(name, value) == value


def test_update_saves_and_notifies(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    store = SettingsStore(path)
    seen: list[object] = []
    store.subscribe("concurrency", seen.append)
    store.update(concurrency=6, custom_platforms=[{"id": "a", "width": 1, "height": "2"}])
    assert seen == [6]
    again = load_settings(path)
    assert again.concurrency == 6
    assert again.custom_platforms == [
        {"id": "a", "network": "Custom", "label": "a", "width": 1, "height": 2}
    ]


def test_bad_values_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('concurrency = "lots"\nmodel = "gpt-image-2.5-flare"\nnonsense = 1\n')
    settings = load_settings(path)
    assert settings.concurrency == Settings().concurrency
    assert settings.model == "gpt-image-2.5-flare"


@pytest.mark.parametrize(
    "line",
    [
        'cloud_sync = "false"',  # a string is not a switch: it turned sync on
        "cloud_sync = 1",
        "openai_timeout = nan",
        "openai_timeout = inf",
        "openai_timeout = -3.0",
        "concurrency = 0",
        "concurrency = 99",
        "concurrency = 4.0",
        "concurrency = true",
        "image_quality = 1000",
        "cleanup_hour = 24",
        "partial_images = 1.5",
        "lease_seconds = -1",
        "monthly_budget_usd = -inf",
        'quality = "ultra"',
        "provider = 3",
        'pad_color = "red"',
        "retry_attempts = 9223372036854775807",
        "custom_platforms = 3",
        'platform_sets = ["x-post"]',
    ],
)
def test_a_bad_value_loses_only_that_value(
    tmp_path: Path, line: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(f'{line}\nmodel = "gpt-image-2.5-flare"\nretry_delay = 0.5\n')
    with caplog.at_level(logging.WARNING, logger="snapasset_desktop.settings"):
        settings = load_settings(path)
    name = line.split(" = ")[0]
    assert getattr(settings, name) == getattr(Settings(), name)
    assert (settings.model, settings.retry_delay) == ("gpt-image-2.5-flare", 0.5)
    [record] = caplog.records
    assert record.setting == name
    assert f"“{name}” is" in record.detail


def test_good_values_are_kept_and_tidied(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        'quality = " High "\npad_color = "#1E1E1E"\nopenai_timeout = 30\ncloud_sync = true\n'
        "cleanup_hour = 0\n"
    )
    settings = load_settings(path)
    assert settings.quality == "high"
    assert settings.pad_color == "#1e1e1e"
    assert settings.openai_timeout == 30.0 and isinstance(settings.openai_timeout, float)
    assert settings.cloud_sync is True
    assert settings.cleanup_hour == 0


def test_bad_presets_and_sets_drop_only_the_bad_entry(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        "custom_platforms = [\n"
        '  { id = "hero", width = 1200, height = 400, label = "Hero" },\n'
        "  1, 2,\n"
        '  { id = "nan-wide", width = nan, height = 100 },\n'
        '  { id = "inf-wide", width = inf, height = 100 },\n'
        '  { id = "x-post", width = 10, height = 10 },\n'
        '  { id = "hero", width = 10, height = 10 },\n'
        '  { id = "card", width = 800, height = 800 },\n'
        "]\n"
        '[platform_sets]\nlaunch = ["x-post", "hero"]\nbroken = 3\nmixed = ["x-post", 4]\n'
    )
    with caplog.at_level(logging.WARNING, logger="snapasset_desktop.settings"):
        settings = load_settings(path)
    assert [p["id"] for p in settings.custom_platforms] == ["hero", "card"]
    assert settings.platform_sets == {"launch": ["x-post", "hero"]}
    dropped = [r for r in caplog.records if r.message == "bad entry dropped"]
    assert [r.setting for r in dropped] == ["custom_platforms"] * 6 + ["platform_sets"] * 2


def test_update_refuses_a_bad_value_and_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    store = SettingsStore(path)
    store.update(concurrency=6)
    before = path.read_text()
    seen: list[object] = []
    store.subscribe("concurrency", seen.append)
    for bad in (
        {"concurrency": 2, "cloud_sync": "false"},
        {"openai_timeout": float("nan")},
        {"custom_platforms": [{"id": "ok", "width": 1, "height": 1}, 7]},
        {"platform_sets": {"launch": "x-post"}},
    ):
        with pytest.raises(InvalidInput):
            store.update(**bad)
    assert store.current.concurrency == 6
    assert store.current.custom_platforms == []
    assert path.read_text() == before
    assert seen == []


def test_settings_that_cannot_be_saved_say_where(tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("a file where the settings folder should be")
    store = SettingsStore(tmp_path / "blocked" / "config" / "settings.toml")
    with pytest.raises(StorageError, match="can't write to its settings folder"):
        store.update(concurrency=2)
    assert store.current.concurrency == Settings().concurrency


def test_unparseable_file_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("this is = = not toml")
    assert load_settings(path) == Settings()


def test_the_local_apis_origins_are_origins_only() -> None:
    from snapasset_desktop.settings import cors_origins

    tidy = check_setting("api_cors_origins", " https://Brand.example , http://localhost:3000/ ")
    assert tidy == "https://brand.example, http://localhost:3000"
    assert cors_origins(Settings(api_cors_origins=tidy)) == [
        "https://brand.example",
        "http://localhost:3000",
    ]
    assert cors_origins(Settings()) == []  # none listed: cross-origin calls stay refused
    for bad in ("https://brand.example/plugin", "*", "ftp://files.example"):
        with pytest.raises(InvalidInput, match="isn't a web page's origin"):
            check_setting("api_cors_origins", bad)
