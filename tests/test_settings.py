"""Settings: defaults, round trip, and a hand-edited file that loses only bad values."""

from __future__ import annotations

from pathlib import Path

from snapasset_desktop.settings import Settings, SettingsStore, load_settings


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "none.toml") == Settings()


def test_every_setting_is_described() -> None:
    described = Settings.describe()
    assert set(described) == set(Settings().to_dict())
    assert all(text.strip() for text in described.values())


def test_update_saves_and_notifies(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    store = SettingsStore(path)
    seen: list[object] = []
    store.subscribe("concurrency", seen.append)
    store.update(concurrency=6, custom_platforms=[{"id": "a", "width": 1, "height": 2}])
    assert seen == [6]
    again = load_settings(path)
    assert again.concurrency == 6
    assert again.custom_platforms == [{"id": "a", "width": 1, "height": 2}]


def test_bad_values_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('concurrency = "lots"\nmodel = "gpt-image-2.5-flare"\nnonsense = 1\n')
    settings = load_settings(path)
    assert settings.concurrency == Settings().concurrency
    assert settings.model == "gpt-image-2.5-flare"


def test_unparseable_file_gives_defaults(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text("this is = = not toml")
    assert load_settings(path) == Settings()
