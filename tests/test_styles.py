"""Style presets: validated on the request, kept in the job, sent as prompt wording."""

from __future__ import annotations

import json

import pytest

from snapasset_desktop.cli import main
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library.store import Library
from snapasset_desktop.paths import app_paths
from snapasset_desktop.platforms import PlatformRegistry
from snapasset_desktop.providers.base import MAX_PROMPT_CHARS
from snapasset_desktop.services.brand import BrandService
from snapasset_desktop.services.requests import SpecBuilder
from snapasset_desktop.settings import Settings
from snapasset_desktop.spec import JobSpec
from snapasset_desktop.styles import STYLE_PRESETS, apply_style
from tests.helpers.fake_openai import FakeOpenAIServer


def build(prompt: str = "a lighthouse", **options: object) -> JobSpec:
    builder = SpecBuilder(PlatformRegistry.from_settings([]), Settings(), BrandService(app_paths()))
    return builder.build(prompt, ["x-post"], **options)


def test_every_preset_but_none_adds_its_own_wording() -> None:
    assert apply_style("a fox", None) == "a fox"
    assert apply_style("a fox", "none") == "a fox"
    styled = {name: apply_style("a fox", name) for name in STYLE_PRESETS if name != "none"}
    for name, text in styled.items():
        assert text.startswith("a fox\n\n") and STYLE_PRESETS[name] in text
    assert len(set(styled.values())) == len(styled)


def test_the_spec_carries_the_style_and_keeps_the_designers_prompt() -> None:
    spec = build(style="Vivid ")
    assert spec.prompt == "a lighthouse"
    assert spec.style == "vivid"
    assert build().style is None
    assert build(style="none").style is None


def test_unknown_style_lists_the_choices() -> None:
    with pytest.raises(InvalidInput) as caught:
        build(style="baroque")
    assert "baroque" in caught.value.message
    assert all(name in caught.value.message for name in STYLE_PRESETS)


def test_style_wording_counts_against_the_prompt_limit() -> None:
    long_prompt = "x" * (MAX_PROMPT_CHARS - 10)
    assert build(long_prompt).prompt == long_prompt
    with pytest.raises(InvalidInput, match="style"):
        build(long_prompt, style="photographic")


def test_openai_receives_the_styled_prompt_and_the_job_keeps_the_plain_one(
    fake_openai: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    code = main(
        ["generate", "a lighthouse", "-p", "x-post", "--style", "illustration", "--wait", "--json"]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    [request] = fake_openai.requests
    assert request.body["prompt"] == apply_style("a lighthouse", "illustration")
    assert STYLE_PRESETS["illustration"] in request.body["prompt"]
    with Library.open() as library:
        job = library.get_job(json.loads(captured.out)["job"])
        assert job.prompt == "a lighthouse" and job.spec.style == "illustration"


def test_batch_style_option_reaches_every_job(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a fox\na bear\n", encoding="utf-8")
    code = main(["batch", str(prompts), "-p", "x-post", "--style", "natural", "--json"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    with Library.open() as library:
        jobs = library.list_jobs()
        assert len(jobs) == 2
        assert {job.spec.style for job in jobs} == {"natural"}
