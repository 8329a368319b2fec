"""The fake OpenAI server itself: wire format, auth, scripting, recording and clean shutdown."""

from __future__ import annotations

import base64
import http.client
import io
import json
import threading
from urllib.parse import urlsplit

import openai
import pytest
from PIL import Image

from tests.helpers.fake_openai import FakeOpenAIServer, error, ok


def raw_post(server: FakeOpenAIServer, body: dict, key: str | None = None) -> tuple:
    url = urlsplit(server.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    conn.request(
        "POST",
        "/v1/images/generations",
        body=json.dumps(body),
        headers={
            "Authorization": f"Bearer {key or server.api_key}",
            "Content-Type": "application/json",
        },
    )
    response = conn.getresponse()
    result = (response.status, dict(response.getheaders()), response.read())
    conn.close()
    return result


def test_wrong_key_gets_openais_error_shape(fake_openai: FakeOpenAIServer) -> None:
    status, headers, body = raw_post(fake_openai, {"prompt": "x"}, key="sk-nope")
    assert status == 401
    assert headers["Content-Type"] == "application/json"
    error_body = json.loads(body)["error"]
    assert set(error_body) == {"message", "type", "param", "code"}
    assert error_body["code"] == "invalid_api_key"


def test_stream_is_chunked_server_sent_events(fake_openai: FakeOpenAIServer) -> None:
    body = {"prompt": "x", "model": "gpt-image-2", "size": "64x64"}
    status, headers, raw = raw_post(fake_openai, {**body, "stream": True, "partial_images": 2})
    assert status == 200
    assert headers["Content-Type"].startswith("text/event-stream")
    assert headers["Transfer-Encoding"] == "chunked"
    blocks = [block for block in raw.decode().split("\n\n") if block]
    names = [block.split("\n")[0] for block in blocks]
    assert names == [
        "event: image_generation.partial_image",
        "event: image_generation.partial_image",
        "event: image_generation.completed",
    ]
    last = json.loads(blocks[-1].split("\n", 1)[1].removeprefix("data: "))
    assert last["type"] == "image_generation.completed" and "usage" in last


def test_sdk_parses_stream_events_into_its_models(fake_openai: FakeOpenAIServer) -> None:
    client = openai.OpenAI(api_key=fake_openai.api_key, base_url=fake_openai.base_url)
    events = list(
        client.images.generate(
            model="gpt-image-2", prompt="x", size="64x64", stream=True, partial_images=1
        )
    )
    assert [type(event).__name__ for event in events] == [
        "ImageGenPartialImageEvent",
        "ImageGenCompletedEvent",
    ]
    assert events[1].usage.total_tokens > 0
    client.close()


def test_script_is_consumed_in_order_then_success(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script([error(503), ok(), error(400, code="invalid_value")])
    statuses = [raw_post(fake_openai, {"prompt": "x"})[0] for _ in range(4)]
    assert statuses == [503, 200, 400, 200]
    assert [r.action for r in fake_openai.requests] == ["error", "ok", "error", "ok"]
    assert all(r.body == {"prompt": "x"} for r in fake_openai.requests)


def test_scripted_headers_are_sent(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script([error(429, headers={"retry-after-ms": "50"})])
    status, headers, _ = raw_post(fake_openai, {"prompt": "x"})
    assert status == 429 and headers["retry-after-ms"] == "50"


@pytest.mark.parametrize("body", [{"model": "gpt-image-2"}, {"prompt": 3}])
def test_missing_prompt_is_a_400(fake_openai: FakeOpenAIServer, body: dict) -> None:
    assert raw_post(fake_openai, body)[0] == 400


def test_stop_returns_promptly_with_idle_keep_alive_connections() -> None:
    server = FakeOpenAIServer().start()
    client = openai.OpenAI(api_key=server.api_key, base_url=server.base_url, max_retries=0)
    client.images.generate(model="gpt-image-2", prompt="x", size="32x32")  # leaves a pooled socket
    stopper = threading.Thread(target=server.stop)
    stopper.start()
    stopper.join(timeout=5)
    assert not stopper.is_alive()
    with pytest.raises(openai.APIConnectionError):
        client.images.generate(model="gpt-image-2", prompt="x", size="32x32")
    client.close()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def test_edits_take_multipart_and_stream_edit_events(fake_openai: FakeOpenAIServer) -> None:
    client = openai.OpenAI(api_key=fake_openai.api_key, base_url=fake_openai.base_url)
    picture = _png(Image.new("RGB", (64, 32), (200, 10, 10)))
    mask = Image.new("RGBA", (64, 32), (0, 0, 0, 0))
    mask.paste((0, 0, 0, 255), (16, 0, 48, 32))
    events = list(
        client.images.edit(
            image=("image.png", picture, "image/png"),
            mask=("mask.png", _png(mask), "image/png"),
            prompt="wider",
            size="96x32",
            stream=True,
            partial_images=1,
        )
    )
    assert [type(event).__name__ for event in events] == [
        "ImageEditPartialImageEvent",
        "ImageEditCompletedEvent",
    ]
    edited = Image.open(io.BytesIO(base64.b64decode(events[-1].b64_json)))
    assert edited.size == (96, 32)
    [sent] = fake_openai.requests
    assert sent.body["prompt"] == "wider" and sent.files["image"].data == picture
    client.close()


@pytest.mark.parametrize(
    ("mask", "says"),
    [
        (Image.new("RGB", (64, 32)), "alpha channel"),
        (Image.new("RGBA", (32, 32)), "does not match"),
    ],
)
def test_an_edit_mask_must_match_its_image(
    fake_openai: FakeOpenAIServer, mask: Image.Image, says: str
) -> None:
    client = openai.OpenAI(api_key=fake_openai.api_key, base_url=fake_openai.base_url)
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(
            image=("image.png", _png(Image.new("RGB", (64, 32))), "image/png"),
            mask=("mask.png", _png(mask), "image/png"),
            prompt="wider",
        )
    assert says in caught.value.message and caught.value.param == "mask"
    client.close()
