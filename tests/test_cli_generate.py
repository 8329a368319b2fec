"""`generate` end to end: the real SDK against the loopback fake server, and offline."""

from __future__ import annotations

import json
import socket
import time

import pytest
from PIL import Image

from snapasset_desktop.cli import main
from snapasset_desktop.library.store import Library
from tests.conftest import write_settings
from tests.helpers.fake_openai import (
    FakeOpenAIServer,
    error,
    latency,
    malformed_json,
    not_an_image,
    stream_error,
)


@pytest.fixture
def openai_env(fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAIServer:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    return fake_openai


def generate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict | None, str]:
    code = main(["generate", *args, "--wait", "--json"])
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if code == 0 else None), captured.err


def test_generate_with_openai_streams_and_stores_every_platform(
    openai_env: FakeOpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result, err = generate(
        capsys, "a lighthouse at dawn", "-p", "instagram-square", "-p", "x-post", "--fit", "cover"
    )
    assert code == 0, err
    sizes = {a["platform"]: (a["width"], a["height"]) for a in result["assets"]}
    assert sizes == {"instagram-square": (1080, 1080), "x-post": (1600, 900)}
    for asset in result["assets"]:
        with Image.open(asset["path"]) as image:
            assert image.size == (asset["width"], asset["height"])
    [request] = openai_env.requests
    body = request.body
    assert body["prompt"] == "a lighthouse at dawn"
    assert body["model"] == "gpt-image-2"
    width, height = (int(v) for v in body["size"].split("x"))
    assert width % 16 == 0 and height % 16 == 0 and width > height  # planned, not square
    assert body["stream"] is True and body["partial_images"] == 2
    with Library.open() as library:
        job = library.get_job(result["job"])
        assert job.status == "completed" and job.progress == 100
        assert library.source_images(job.id)


def test_generate_with_placeholder_needs_no_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, result, err = generate(
        capsys,
        "a lighthouse at dawn",
        "-p",
        "instagram-square",
        "-p",
        "x-post",
        "--provider",
        "placeholder",
        "--format",
        "jpeg",
    )
    assert code == 0, err
    assert {a["format"] for a in result["assets"]} == {"jpeg"}
    assert len(result["assets"]) == 2


def test_variations_make_one_asset_set_each(
    openai_env: FakeOpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result, err = generate(capsys, "two takes", "-p", "x-post", "-n", "2")
    assert code == 0, err
    assert sorted(a["variant"] for a in result["assets"]) == [0, 1]


@pytest.mark.parametrize(
    ("action", "message", "kind"),
    [
        (error(401, code="invalid_api_key"), "key was rejected", "auth"),
        (
            error(400, code="moderation_blocked", message="Your request was rejected."),
            "refused by OpenAI's safety system",
            "refused",
        ),
        (error(429, code="insufficient_quota"), "out of credit", "quota"),
    ],
)
def test_permanent_api_errors_fail_the_job_with_a_clear_line(
    openai_env: FakeOpenAIServer, capsys: pytest.CaptureFixture[str], action, message, kind
) -> None:
    openai_env.script([action])
    code, _, err = generate(capsys, "a lighthouse", "-p", "x-post")
    assert code == 1
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert len(openai_env.requests) == 1  # permanent: not retried
    with Library.open() as library:
        [job] = library.list_jobs()
        assert (job.status, job.error_kind) == ("failed", kind)
        assert library.count_assets() == 0


def test_missing_key_says_what_to_do(
    fake_openai: FakeOpenAIServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    code, _, err = generate(capsys, "a lighthouse", "-p", "x-post")
    assert code == 1
    assert "No OpenAI key" in err and "placeholder" in err
    assert fake_openai.requests == []


def test_dead_network_is_reported_plainly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fast_retries: None
) -> None:
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-nothing-listens")
    code, _, err = generate(capsys, "a lighthouse", "-p", "x-post")
    assert code == 1
    assert "Can't reach OpenAI" in err


def test_rate_limit_waits_for_retry_after_then_succeeds(
    openai_env: FakeOpenAIServer, capsys: pytest.CaptureFixture[str], fast_retries: None
) -> None:
    openai_env.script([error(429, code="rate_limit_exceeded", headers={"retry-after-ms": "150"})])
    started = time.monotonic()
    code, result, err = generate(capsys, "a lighthouse", "-p", "x-post")
    assert code == 0, err
    assert time.monotonic() - started >= 0.15  # honoured the server, not the 10 ms backoff
    assert len(openai_env.requests) == 2
    with Library.open() as library:
        job = library.get_job(result["job"])
        assert job.attempts == 2
        assert [h["kind"] for h in job.history] == ["rate_limit"]


def test_server_errors_fail_after_the_configured_attempts(
    openai_env: FakeOpenAIServer, capsys: pytest.CaptureFixture[str], fast_retries: None
) -> None:
    openai_env.script([error(500)] * 3 + [error(500)])
    code, _, err = generate(capsys, "a lighthouse", "-p", "x-post")
    assert code == 1 and "OpenAI" in err
    assert len(openai_env.requests) == 3
    with Library.open() as library:
        [job] = library.list_jobs()
        assert (job.status, job.attempts, len(job.history)) == ("failed", 3, 3)


@pytest.mark.parametrize(
    ("fault", "cause"),
    [
        (error(500), "OpenAI had a problem on its side (error 500)"),
        (error(429, code="rate_limit_exceeded"), "OpenAI is rate-limiting us"),
        (latency(5), "OpenAI took too long to answer"),
        (not_an_image(), "OpenAI sent back something that isn't an image"),
        (malformed_json(), "OpenAI sent back a garbled answer"),
        (stream_error("server_error", "Boom."), "OpenAI stopped while drawing the image (Boom.)"),
    ],
)
def test_the_last_attempt_says_it_gave_up_never_that_it_is_retrying(
    openai_env: FakeOpenAIServer,
    capsys: pytest.CaptureFixture[str],
    fast_retries: None,
    fault: object,
    cause: str,
) -> None:
    write_settings(openai_timeout=1)  # the shortest a designer may set; the slow fault takes 5 s
    openai_env.script([fault] * 3)  # type: ignore[list-item]
    code, _, err = generate(capsys, "a lighthouse", "-p", "x-post")
    final = f"snapasset-desktop: {cause} — gave up after 3 attempts."
    assert code == 1 and err.strip().splitlines()[-1] == final
    assert "retrying" not in err.splitlines()[-1] and "shortly" not in err
    assert err.count("— retrying in") == 2  # the two real retries, said as they happened
    assert len(openai_env.requests) == 3
    with Library.open() as library:
        [job] = library.list_jobs()
        assert job.error_message == final.removeprefix("snapasset-desktop: ")
        assert [h["message"] for h in job.history] == [f"{cause}."] * 3


@pytest.mark.parametrize(
    ("prompt", "message"),
    [("", "can't be empty"), ("x" * 40_000, "40,000")],
)
def test_bad_prompts_are_refused_before_any_job(
    openai_env: FakeOpenAIServer, capsys: pytest.CaptureFixture[str], prompt: str, message: str
) -> None:
    code, _, err = generate(capsys, prompt, "-p", "x-post")
    assert code == 1 and message in err
    assert openai_env.requests == []
    with Library.open() as library:
        assert library.list_jobs() == []


def test_retired_model_is_refused(
    openai_env: FakeOpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = generate(capsys, "a lighthouse", "-p", "x-post", "--model", "dall-e-3")
    assert code == 1 and "retired" in err
    assert openai_env.requests == []


def test_focus_rerender_needs_no_api_call(
    openai_env: FakeOpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    from snapasset_desktop.cli.follow import follow_job
    from snapasset_desktop.services.context import AppContext

    code, result, err = generate(capsys, "a lighthouse", "-p", "instagram-story", "--fit", "cover")
    assert code == 0, err
    context = AppContext.open()
    try:
        before = context.library.assets_for_job(result["job"])[0]
        after = context.queue.event_log.last_seq()
        context.jobs.rerender(result["job"], focus=(0.05, 0.5))
        follow_job(context, result["job"], after=after)
        [asset] = context.library.assets_for_job(result["job"])
        assert asset.id == before.id  # replaced, not duplicated
        assert asset.sha256 != before.sha256
        assert context.library.get_job(result["job"]).focus_x == 0.05
    finally:
        context.close()
    assert len(openai_env.requests) == 1
