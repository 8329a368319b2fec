"""OpenAIProvider end to end: the real SDK over real HTTP against the fake OpenAI server."""

from __future__ import annotations

import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.errors import Canceled, InvalidInput, ProviderError
from snapasset_desktop.providers.base import ImageRequest
from snapasset_desktop.providers.openai_provider import NO_KEY_MESSAGE, OpenAIProvider
from tests.helpers.fake_openai import (
    FakeOpenAIServer,
    drop_connection,
    drop_mid_stream,
    error,
    latency,
    malformed_json,
    not_an_image,
    slow_stream,
    stream_error,
)

REPO = Path(__file__).resolve().parents[1]


def make_provider(server: FakeOpenAIServer, **options: object) -> OpenAIProvider:
    options = {"api_key": server.api_key, "base_url": server.base_url, "max_retries": 0, **options}
    return OpenAIProvider(**options)  # type: ignore[arg-type]


def opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image


def test_generates_a_real_image_of_the_requested_size(fake_openai: FakeOpenAIServer) -> None:
    request = ImageRequest(prompt="  a red fox\x07 in snow ", size="1536x864", quality="high")
    [result] = make_provider(fake_openai).generate(request)

    image = opened(result.data)
    assert image.size == (1536, 864) == (result.width, result.height)
    assert image.format == "PNG" and result.output_format == "png"
    assert result.usage is not None and result.usage["total_tokens"] > 0
    [sent] = fake_openai.requests
    assert sent.path == "/v1/images/generations"
    assert sent.headers["authorization"] == f"Bearer {fake_openai.api_key}"
    assert sent.body == {
        "model": "gpt-image-2",
        "prompt": "a red fox in snow",
        "size": "1536x864",
        "quality": "high",
        "background": "auto",
        "output_format": "png",
        "n": 1,
    }


@pytest.mark.parametrize(("output_format", "pil_format"), [("jpeg", "JPEG"), ("webp", "WEBP")])
def test_other_output_formats(
    fake_openai: FakeOpenAIServer, output_format: str, pil_format: str
) -> None:
    request = ImageRequest(prompt="logo", size="1024x1536", output_format=output_format, n=2)
    results = make_provider(fake_openai).generate(request)
    assert len(results) == 2
    for result in results:
        assert opened(result.data).format == pil_format
        assert (result.output_format, result.width, result.height) == (output_format, 1024, 1536)


def test_streams_partials_then_the_final_image(fake_openai: FakeOpenAIServer) -> None:
    partials: list[tuple[int, bytes]] = []
    request = ImageRequest(prompt="city at dusk", size="1024x1024", partial_images=3)
    [result] = make_provider(fake_openai).generate(
        request, on_partial=lambda index, data: partials.append((index, data))
    )

    assert [index for index, _ in partials] == [0, 1, 2]
    for _, data in partials:
        assert opened(data).size == (1024, 1024)
    assert result.data not in {data for _, data in partials}
    assert opened(result.data).size == (1024, 1024)
    assert result.usage is not None and result.usage["output_tokens"] == 1056
    [sent] = fake_openai.requests
    assert sent.body["stream"] is True and sent.body["partial_images"] == 3


def test_without_a_preview_callback_nothing_is_streamed(fake_openai: FakeOpenAIServer) -> None:
    make_provider(fake_openai).generate(ImageRequest(prompt="x", partial_images=2))
    assert "stream" not in fake_openai.requests[0].body


FAULTS = [
    (error(401, code="invalid_api_key"), "auth", False, "Your OpenAI key was rejected"),
    (
        error(403, message="Your organization must be verified to use the model."),
        "permission",
        False,
        "This OpenAI key may not use gpt-image-2 (your organisation may need verification).",
    ),
    (
        error(400, code="moderation_blocked", message="Your request was rejected by safety."),
        "refused",
        False,
        "The image was refused by OpenAI's safety system: Your request was rejected by safety.",
    ),
    (
        error(400, code="content_policy_violation", message="Not allowed."),
        "refused",
        False,
        "safety system: Not allowed.",
    ),
    (
        error(400, code="invalid_value", message="Invalid size '1000x1000'.", param="size"),
        "invalid_request",
        False,
        "Invalid size '1000x1000'.",
    ),
    (
        error(404, code="model_not_found"),
        "unknown_model",
        False,
        "OpenAI doesn't know the model “gpt-image-2”; pick another in Settings.",
    ),
    (
        error(429, code="insufficient_quota", type="insufficient_quota"),
        "quota",
        False,
        "Your OpenAI account is out of credit (quota exhausted) — check billing.",
    ),
    (error(429, code="rate_limit_exceeded"), "rate_limit", True, "OpenAI is rate-limiting us"),
    (error(500), "server", True, "error 500"),
    (error(503), "server", True, "error 503"),
    (error(408), "server", True, "error 408"),
    (error(409), "server", True, "error 409"),
    (malformed_json(), "bad_response", True, "garbled"),
    (
        not_an_image(),
        "bad_response",
        True,
        "OpenAI sent back something that isn't an image.",
    ),
    (
        drop_connection(),
        "network",
        True,
        "Can't reach OpenAI — check your internet connection.",
    ),
    (drop_mid_stream(), "network", True, "Can't reach OpenAI"),
]


@pytest.mark.parametrize(("action", "kind", "transient", "message"), FAULTS)
def test_faults_become_designer_readable_errors(
    fake_openai: FakeOpenAIServer, action: object, kind: str, transient: bool, message: str
) -> None:
    fake_openai.script([action])  # type: ignore[list-item]
    with pytest.raises(ProviderError) as caught:
        make_provider(fake_openai).generate(ImageRequest(prompt="a cat"))

    assert (caught.value.kind, caught.value.transient) == (kind, transient)
    assert message in caught.value.message
    assert caught.value.detail
    assert len(fake_openai.requests) == 1  # max_retries=0: the job queue owns retries


def test_status_errors_keep_status_and_request_id_for_the_log(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.script([error(502)])
    with pytest.raises(ProviderError) as caught:
        make_provider(fake_openai).generate(ImageRequest(prompt="a cat"))
    assert "status=502" in caught.value.detail
    assert "request_id=req_fake_" in caught.value.detail


def test_unknown_model_name_is_sent_and_fails_permanently(fake_openai: FakeOpenAIServer) -> None:
    with pytest.raises(ProviderError) as caught:
        make_provider(fake_openai).generate(ImageRequest(prompt="a", model="gpt-image-9"))
    assert caught.value.kind == "unknown_model" and not caught.value.transient
    assert "“gpt-image-9”" in caught.value.message
    assert fake_openai.requests[0].body["model"] == "gpt-image-9"


def test_sdk_retries_a_rate_limit_honouring_retry_after(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script([error(429, headers={"retry-after-ms": "20"})])
    [result] = make_provider(fake_openai, max_retries=2).generate(ImageRequest(prompt="a"))

    assert opened(result.data).size == (1024, 1024)
    assert [r.status for r in fake_openai.requests] == [429, 200]
    assert fake_openai.requests[1].headers["x-stainless-retry-count"] == "1"


def test_sdk_retries_server_errors_then_gives_up(fake_openai: FakeOpenAIServer) -> None:
    fast = {"retry-after-ms": "10"}
    fake_openai.script([error(500, headers=fast), error(503, headers=fast), error(500)])
    with pytest.raises(ProviderError) as caught:
        make_provider(fake_openai, max_retries=2).generate(ImageRequest(prompt="a"))
    assert caught.value.kind == "server" and caught.value.transient
    assert len(fake_openai.requests) == 3


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "12"}, 12.0),
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({}, None),
    ],
)
def test_rate_limit_surfaces_retry_after_without_sdk_retries(
    fake_openai: FakeOpenAIServer, headers: dict[str, str], seconds: float | None
) -> None:
    fake_openai.script([error(429, headers=headers)])
    with pytest.raises(ProviderError) as caught:
        make_provider(fake_openai).generate(ImageRequest(prompt="a"))
    assert caught.value.kind == "rate_limit" and caught.value.transient
    assert caught.value.retry_after == seconds
    assert caught.value.message == "OpenAI is rate-limiting us."
    assert len(fake_openai.requests) == 1


def test_max_retries_can_be_turned_off_after_construction(fake_openai: FakeOpenAIServer) -> None:
    provider = make_provider(fake_openai, max_retries=2)
    provider.generate(ImageRequest(prompt="warm up the client"))
    provider.max_retries = 0
    fake_openai.script([error(500, headers={"retry-after-ms": "10"})])
    with pytest.raises(ProviderError):
        provider.generate(ImageRequest(prompt="a"))
    assert len(fake_openai.requests) == 2


def test_slow_server_times_out(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script([latency(5)])
    with pytest.raises(ProviderError) as caught:
        make_provider(fake_openai, timeout=0.3).generate(ImageRequest(prompt="a"))
    assert caught.value.kind == "timeout" and caught.value.transient
    assert caught.value.message == "OpenAI took too long to answer."


STREAM_FAULTS = [
    (drop_mid_stream(), "network", True, 1),
    (stream_error("moderation_blocked", "Output was flagged."), "refused", False, 1),
    (stream_error("server_error", "Boom."), "server", True, 1),
    (malformed_json(), "bad_response", True, 2),
    (not_an_image(), "bad_response", True, 2),
    (error(429, headers={"retry-after": "3"}), "rate_limit", True, 0),
]


@pytest.mark.parametrize(("action", "kind", "transient", "previews"), STREAM_FAULTS)
def test_stream_faults(
    fake_openai: FakeOpenAIServer, action: object, kind: str, transient: bool, previews: int
) -> None:
    fake_openai.script([action])  # type: ignore[list-item]
    partials: list[int] = []
    with pytest.raises(ProviderError) as caught:
        make_provider(fake_openai).generate(
            ImageRequest(prompt="a", partial_images=2),
            on_partial=lambda index, data: partials.append(index),
        )
    assert (caught.value.kind, caught.value.transient) == (kind, transient)
    assert len(partials) == previews


def test_stream_refusal_quotes_the_server(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script([stream_error("moderation_blocked", "Output was flagged.")])
    with pytest.raises(ProviderError) as caught:
        make_provider(fake_openai).generate(
            ImageRequest(prompt="a", partial_images=1), on_partial=lambda i, d: None
        )
    assert caught.value.message == (
        "The image was refused by OpenAI's safety system: Output was flagged."
    )


def test_cancel_mid_stream_closes_the_connection(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script([slow_stream(0.15)])
    partials: list[int] = []
    with pytest.raises(Canceled):
        make_provider(fake_openai).generate(
            ImageRequest(prompt="a", partial_images=3),
            on_partial=lambda index, data: partials.append(index),
            should_cancel=lambda: bool(partials),
        )
    assert partials == [0]
    [sent] = fake_openai.requests
    assert fake_openai.wait_until(lambda: sent.finished)
    assert sent.client_disconnected
    assert sent.events_sent < 4  # the final image was never delivered


def test_cancel_before_sending_makes_no_request(fake_openai: FakeOpenAIServer) -> None:
    with pytest.raises(Canceled):
        make_provider(fake_openai).generate(ImageRequest(prompt="a"), should_cancel=lambda: True)
    assert fake_openai.requests == []


@pytest.mark.parametrize("key", [None, "", "   "])
def test_missing_key_fails_without_a_request(
    fake_openai: FakeOpenAIServer, key: str | None
) -> None:
    provider = OpenAIProvider(api_key=key, base_url=fake_openai.base_url)
    assert not provider.has_key
    with pytest.raises(ProviderError) as caught:
        provider.generate(ImageRequest(prompt="a"))
    assert caught.value.kind == "auth" and not caught.value.transient
    assert caught.value.message == NO_KEY_MESSAGE
    assert fake_openai.requests == []


def test_wrong_key_never_reaches_the_error_text(fake_openai: FakeOpenAIServer) -> None:
    secret = "sk-proj-very-secret-value-123456"
    with pytest.raises(ProviderError) as caught:
        make_provider(fake_openai, api_key=secret).generate(ImageRequest(prompt="a"))
    assert caught.value.kind == "auth"
    assert fake_openai.requests[0].status == 401
    for text in (caught.value.message, caught.value.detail, str(caught.value)):
        assert secret not in text and "very-secret" not in text


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (
            ImageRequest(prompt="a", model="dall-e-3"),
            "dall-e-3 was retired by OpenAI; pick a current GPT image model such as gpt-image-2.",
        ),
        (ImageRequest(prompt="a", model="gpt-image-1"), "gpt-image-1 was retired by OpenAI"),
        (ImageRequest(prompt=" \n\t "), "Write a prompt first — it can't be empty."),
        (ImageRequest(prompt="x" * 32_001), "32,001 characters"),
    ],
)
def test_bad_requests_are_refused_before_any_request(
    fake_openai: FakeOpenAIServer, request_: ImageRequest, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        make_provider(fake_openai).generate(request_)
    assert message in caught.value.message
    assert fake_openai.requests == []


def test_base_url_falls_back_to_the_environment(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    provider = OpenAIProvider(api_key=fake_openai.api_key, max_retries=0)
    assert provider.base_url is None
    [result] = provider.generate(ImageRequest(prompt="a", size="512x512"))
    assert (result.width, result.height) == (512, 512)
    assert len(fake_openai.requests) == 1


def test_importing_providers_does_not_import_the_sdk_or_qt() -> None:
    code = (
        "import sys, snapasset_desktop.providers as p; "
        "p.OpenAIProvider(api_key='sk-x'); "
        "bad = [m for m in ('openai', 'PySide6') if m in sys.modules]; "
        "sys.exit(f'imported: {bad}' if bad else 0)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=REPO
    )
    assert done.returncode == 0, done.stderr or done.stdout


def test_a_failing_preview_callback_is_not_mistaken_for_a_bad_answer(
    fake_openai: FakeOpenAIServer,
) -> None:
    def broken_preview(index: int, data: bytes) -> None:
        raise ValueError("bug in the preview widget")

    with pytest.raises(ValueError, match="bug in the preview widget"):
        make_provider(fake_openai).generate(
            ImageRequest(prompt="a", partial_images=1), on_partial=broken_preview
        )
