"""A real HTTP server on loopback that speaks OpenAI's image-generation wire format.

`POST /v1/images/generations` takes JSON; `POST /v1/images/edits` takes multipart form
data (image and mask files plus the fields), checks the mask as OpenAI does (a PNG with
an alpha channel, the image's size) and answers with the image repainted everywhere —
the kept area shifted in colour too, as the real model does — at the requested size.

Tests drive the official SDK against it, so retries, timeouts, SSE parsing and
error classes are the SDK's own. Each request consumes the next scripted action
(then plain success); every request is recorded for assertions:

    with FakeOpenAIServer() as server:
        server.script([error(429, headers={"retry-after-ms": "20"}), ok()])
        client = openai.OpenAI(api_key=server.api_key, base_url=server.base_url)
        ...
        assert len(server.requests) == 2

HTTP/1.1 with keep-alive; JSON answers carry Content-Length, streams are
`text/event-stream` sent chunked, one flushed chunk per event — as api.openai.com does.

`POST /v1/responses` answers as the Responses API does for a vision request
(the alt text a job asks for): it checks the model and that an `input_image` is a
data URL of a real image, and answers a `response` object whose message says
`text_answer`. Those requests are kept apart — recorded in `text_requests`,
scripted with `script_text` — so image tests count and script image calls alone.

`FakeOpenAIServer(rate_limit=(n, seconds))` also enforces a rate limit: at most
n image requests start in any `seconds` window; beyond it a request gets 429
with `retry-after` (whole seconds until a slot frees) and consumes no scripted
action. `rate_limited` counts those answers, and `early` the requests that
came while an earlier `retry-after` had not yet expired — a client that
honours it everywhere sends none.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from typing import Any

from PIL import Image, ImageDraw, UnidentifiedImageError

DEFAULT_KEY = "sk-test-fake-0123456789abcdef"
KNOWN_MODELS = frozenset(
    {
        "gpt-image-2",
        "gpt-image-2-2026-04-21",
        "gpt-image-2.5-sunburst",
        "gpt-image-2.5-sunburst-2026-09-08",
        "gpt-image-2.5-flare",
        "gpt-image-2.5-flare-2026-09-08",
        "gpt-image-2.6-sunburst",
        "gpt-image-2.6-flare",
        "gpt-image-1.5",
        "gpt-image-1-mini",
        "chatgpt-image-latest",
    }
)
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "invalid_request_error",
    403: "invalid_request_error",
    404: "invalid_request_error",
    429: "requests",
}
TEXT_MODELS = frozenset({"gpt-6-luna", "gpt-6-sol", "gpt-5.6-luna", "gpt-5.5"})
DEFAULT_TEXT_ANSWER = "A yellow square on a blue background."
_PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
_IMAGE_DETAILS = ("low", "high", "auto", "original")


@dataclass(frozen=True)
class Action:
    """One scripted behaviour for one request."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)


def ok() -> Action:
    return Action("ok")


def latency(seconds: float) -> Action:
    """Answer normally after `seconds` (longer than the client's timeout → a timeout)."""
    return Action("latency", {"seconds": seconds})


def error(
    status: int,
    *,
    code: str | None = None,
    message: str | None = None,
    type: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Action:
    """An error answer in OpenAI's shape: {"error": {"message", "type", "param", "code"}}."""
    return Action(
        "error",
        {
            "status": status,
            "code": code,
            "message": message or f"Fake OpenAI error {status}.",
            "type": type or _ERROR_TYPES.get(status, "server_error"),
            "param": param,
            "headers": headers or {},
        },
    )


def malformed_json() -> Action:
    """A 200 whose JSON (or SSE data line, when streaming) is cut in half."""
    return Action("malformed_json")


def not_an_image() -> Action:
    """Valid JSON whose base64 decodes to bytes that are not an image."""
    return Action("not_an_image")


def drop_connection() -> Action:
    """Read the request, then close the socket without any response."""
    return Action("drop_connection")


def drop_mid_stream() -> Action:
    """Start the answer (one partial when streaming, half the body otherwise), then close."""
    return Action("drop_mid_stream")


def slow_stream(delay: float) -> Action:
    """Stream normally but wait `delay` seconds before each event."""
    return Action("slow_stream", {"delay": delay})


def stream_error(code: str = "server_error", message: str = "Fake stream failure.") -> Action:
    """Send one partial, then an `error` event in the stream (as OpenAI does mid-generation)."""
    return Action("stream_error", {"code": code, "message": message})


@dataclass(frozen=True)
class UploadedFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(eq=False)  # identity: two identical requests are still two records
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # the parsed JSON body, or a multipart body's fields (None when neither)
    files: dict[str, UploadedFile] = field(default_factory=dict)  # a multipart body's files
    action: str = "ok"
    status: int | None = None
    events_sent: int = 0
    client_disconnected: bool = False  # a write failed: the client closed the connection
    finished: bool = False


def _parse_size(size: Any) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in str(size).lower().split("x"))
    except ValueError:
        return 1024, 1024
    return width, height


@lru_cache(maxsize=64)
def _image_b64(width: int, height: int, output_format: str, variant: int) -> str:
    """A real image of the size; variant 0 is the final image, 1.. are the partials."""
    shade = 40 + 50 * variant
    image = Image.new("RGB", (width, height), (shade, 120, 200 - shade))
    ImageDraw.Draw(image).rectangle(
        [width // 4, height // 4, width * 3 // 4, height * 3 // 4], fill=(250, 210, 60)
    )
    out = BytesIO()
    pil_format = _PIL_FORMATS.get(output_format, "PNG")
    image.save(out, pil_format, **({"compress_level": 1} if pil_format == "PNG" else {}))
    return base64.b64encode(out.getvalue()).decode("ascii")


GENERATIONS = "/v1/images/generations"
EDITS = "/v1/images/edits"
_FORM_FLAGS = {"true": True, "false": False}


def _multipart(content_type: str, raw: bytes) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """A multipart/form-data body as (fields, files), parsed by the standard library."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    fields: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if part.get_filename() is not None:
            files[name] = UploadedFile(part.get_filename(), part.get_content_type(), data)
        else:
            text = data.decode()
            fields[name] = _FORM_FLAGS.get(text, text)  # form fields are text: "true", "2"
    return fields, files


def _invalid(param: str, message: str) -> Action:
    return error(400, code="invalid_image", message=message, param=param)


def _decoded(data: bytes) -> Image.Image | None:
    try:
        image = Image.open(BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    return image


def _edit_inputs_problem(files: dict[str, UploadedFile]) -> Action | None:
    """OpenAI's refusals of an edit's inputs: no or unreadable image, a mask that is not a
    PNG with an alpha channel of the image's size."""
    if "image" not in files:
        return error(400, code="missing_required_parameter", message="Missing 'image'.")
    image = _decoded(files["image"].data)
    if image is None or image.format not in ("PNG", "JPEG", "WEBP"):
        return _invalid("image", "Invalid image file or mode for image 1; use PNG, JPEG or WebP.")
    if "mask" not in files:
        return None
    mask = _decoded(files["mask"].data)
    if mask is None or mask.format != "PNG":
        return _invalid("mask", "Invalid mask image: it must be a PNG file.")
    if "A" not in mask.getbands():
        return _invalid("mask", f"Invalid mask image: it needs an alpha channel, got {mask.mode}.")
    if mask.size != image.size:
        return _invalid(
            "mask",
            f"Invalid mask image: mask size {mask.size} does not match image size {image.size}.",
        )
    return None


def _edited_b64(files: dict[str, UploadedFile], size: tuple[int, int], output_format: str) -> str:
    """The input image at `size`, every pixel shifted (the real model repaints the kept area
    too) and the mask's transparent area painted with stripes."""
    image = Image.open(BytesIO(files["image"].data)).convert("RGB").resize(size)
    repainted = Image.blend(image, Image.new("RGB", size, (255, 0, 128)), 0.2)
    if "mask" in files:
        mask = Image.open(BytesIO(files["mask"].data)).getchannel("A").resize(size)
        stripes = Image.new("RGB", size, (20, 150, 90))
        draw = ImageDraw.Draw(stripes)
        for x in range(0, size[0] + size[1], 24):
            draw.line([(x, 0), (x - size[1], size[1])], fill=(230, 230, 90), width=8)
        repainted = Image.composite(repainted, stripes, mask)
    out = BytesIO()
    pil_format = _PIL_FORMATS.get(output_format, "PNG")
    repainted.save(out, pil_format, **({"compress_level": 1} if pil_format == "PNG" else {}))
    return base64.b64encode(out.getvalue()).decode("ascii")


class _ClientGone(Exception):
    pass


def _responses_problem(body: Any, models: frozenset[str]) -> Action | None:
    """The 400 the Responses API gives a malformed vision request, if this is one."""
    if not isinstance(body, dict) or not body.get("model"):
        return error(
            400,
            code="missing_required_parameter",
            message="Missing required parameter: 'model'.",
            param="model",
        )
    if body["model"] not in models:
        message = f"The requested model '{body['model']}' does not exist."
        return error(400, code="model_not_found", message=message, param="model")
    images = [
        part
        for item in body.get("input") or []
        if isinstance(item, dict)
        for part in item.get("content") or []
        if isinstance(part, dict) and part.get("type") == "input_image"
    ]
    for part in images:
        if part.get("detail") not in _IMAGE_DETAILS:
            return error(400, code="invalid_value", message="Invalid 'detail'.", param="detail")
        url = str(part.get("image_url") or "")
        header, _, payload = url.partition(",")
        try:
            if not header.startswith("data:image/") or not header.endswith(";base64"):
                raise ValueError("not a base64 data URL")
            with Image.open(BytesIO(base64.b64decode(payload, validate=True))) as image:
                image.verify()
        except Exception:
            message = "Invalid image: the data URL does not contain a supported image."
            return error(400, code="invalid_image", message=message, param="image_url")
    if not images:
        return error(400, code="invalid_value", message="The request has no image to describe.")
    return None


def _response_object(body: dict, text: str, record: Any) -> dict[str, Any]:
    """A completed `response` with one assistant message, in the Responses API's shape."""
    number = id(record) % 10_000
    input_tokens = 85 + max(1, len(str(body.get("instructions") or "")) // 4)
    output_tokens = max(1, len(text) // 4)
    return {
        "id": f"resp_fake_{number:04d}",
        "object": "response",
        "created_at": int(time.time()),
        "status": "completed",
        "background": False,
        "error": None,
        "incomplete_details": None,
        "instructions": body.get("instructions"),
        "max_output_tokens": body.get("max_output_tokens"),
        "model": body["model"],
        "output": [
            {
                "id": f"msg_fake_{number:04d}",
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [
                    {"type": "output_text", "text": text, "annotations": [], "logprobs": []}
                ],
            }
        ],
        "parallel_tool_calls": True,
        "previous_response_id": None,
        "reasoning": {"effort": (body.get("reasoning") or {}).get("effort"), "summary": None},
        "store": bool(body.get("store", True)),
        "temperature": 1.0,
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": {
            "input_tokens": input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": input_tokens + output_tokens,
        },
        "user": None,
        "metadata": {},
    }


class FakeOpenAIServer:
    """OpenAI's image generation and edit endpoints on 127.0.0.1, scriptable per request."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_KEY,
        models: Iterable[str] = KNOWN_MODELS,
        rate_limit: tuple[int, float] | None = None,
    ):
        self.api_key = api_key
        self.models = frozenset(models)
        self.rate_limit = rate_limit
        self.rate_limited = 0  # requests answered 429 by the rate limit
        self.early = 0  # requests sent before an earlier retry-after expired
        self._admitted: list[float] = []  # start times of admitted requests, in the window
        self._wait_until = 0.0
        self.requests: list[RecordedRequest] = []
        self._script: list[Action] = []
        self.text_models = TEXT_MODELS
        self.text_answer = DEFAULT_TEXT_ANSWER
        self.text_requests: list[RecordedRequest] = []  # POST /v1/responses
        self._text_script: list[Action] = []
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd = _Server(("127.0.0.1", 0), _Handler, self)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FakeOpenAIServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers waiting in latency/slow_stream
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._changed:
            connections = list(self._connections)
        for conn in connections:  # unblock keep-alive handlers waiting for a next request
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def script(self, actions: Iterable[Action]) -> None:
        """Queue actions for the next requests, in order; afterwards every request succeeds."""
        with self._changed:
            self._script.extend(actions)

    def script_text(self, actions: Iterable[Action]) -> None:
        """Like `script`, for the Responses API's requests."""
        with self._changed:
            self._text_script.extend(actions)

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Block until `predicate()` holds (re-checked whenever a request changes state)."""
        with self._changed:
            return self._changed.wait_for(predicate, timeout=timeout)

    # -- used by the handler -------------------------------------------------

    def _admit(self) -> float | None:
        """None when the rate limit lets this request through, else the retry-after (s)."""
        if self.rate_limit is None:
            return None
        limit, window = self.rate_limit
        with self._changed:
            now = time.monotonic()
            if now < self._wait_until:
                self.early += 1
            self._admitted = [t for t in self._admitted if t > now - window]
            if len(self._admitted) < limit:
                self._admitted.append(now)
                return None
            self.rate_limited += 1
            wait = max(1, math.ceil(self._admitted[0] + window - now))
            self._wait_until = max(self._wait_until, now + wait)
            return wait

    def _next_action(self, text: bool = False) -> Action:
        with self._changed:
            script = self._text_script if text else self._script
            return script.pop(0) if script else ok()

    def _record(self, record: RecordedRequest, **changes: Any) -> None:
        with self._changed:
            for name, value in changes.items():
                setattr(record, name, value)
            kept = self.text_requests if record.path.startswith("/v1/responses") else self.requests
            if record not in kept:
                kept.append(record)
            self._changed.notify_all()

    def _pause(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, fake: FakeOpenAIServer):
        self.fake = fake
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.fake._changed:
            self.fake._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.fake._changed:
            self.fake._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-answer is a scripted situation, not a server bug


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server
    timeout = 30  # idle keep-alive connections give up eventually

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def fake(self) -> FakeOpenAIServer:
        return self.server.fake

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        files: dict[str, UploadedFile] = {}
        if self.headers.get_content_type() == "multipart/form-data":
            body, files = _multipart(self.headers.get("Content-Type", ""), raw)
        else:
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
        record = RecordedRequest(
            "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body, files
        )
        self.fake._record(record)
        try:
            self._answer(record, body)
        except _ClientGone:
            self.close_connection = True
            self.fake._record(record, client_disconnected=True)
        self.fake._record(record, finished=True)

    def do_GET(self) -> None:
        """`GET /v1/models/<id>`: the model object, 401 for a bad key, 404 for an unknown id."""
        record = RecordedRequest(
            "GET", self.path, {k.lower(): v for k, v in self.headers.items()}, None
        )
        self.fake._record(record)
        path = self.path.split("?")[0]
        if self.headers.get("Authorization") != f"Bearer {self.fake.api_key}":
            self._error(record, error(401, code="invalid_api_key", message="Incorrect API key."))
        elif not path.startswith("/v1/models/"):
            self._error(record, error(404, message=f"Invalid URL (GET {self.path})"))
        elif (model := path.removeprefix("/v1/models/")) not in self.fake.models:
            message = f"The model `{model}` does not exist or you do not have access to it."
            self._error(record, error(404, code="model_not_found", message=message))
        else:
            data = json.dumps(
                {"id": model, "object": "model", "created": 1_700_000_000, "owned_by": "system"}
            ).encode()
            self._start(record, 200, "application/json", length=len(data))
            self._write(data)
        self.fake._record(record, finished=True)

    # -- answers ---------------------------------------------------------------

    def _answer(self, record: RecordedRequest, body: Any) -> None:
        if self.headers.get("Authorization") != f"Bearer {self.fake.api_key}":
            supplied = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            message = f"Incorrect API key provided: {supplied}. You can find your API key at …"
            return self._error(record, error(401, code="invalid_api_key", message=message))
        if self.path.split("?")[0] == "/v1/responses":
            return self._respond(record, body)
        if self.path.split("?")[0] not in (GENERATIONS, EDITS):
            return self._error(record, error(404, message=f"Invalid URL (POST {self.path})"))
        if not isinstance(body, dict) or not isinstance(body.get("prompt"), str):
            message = "Missing required parameter: 'prompt'."
            return self._error(
                record,
                error(400, code="missing_required_parameter", message=message, param="prompt"),
            )
        if record.path == EDITS and (refusal := _edit_inputs_problem(record.files)):
            return self._error(record, refusal)
        retry_after = self.fake._admit()
        if retry_after is not None:
            record.action = "rate_limited"
            limited = error(
                429,
                code="rate_limit_exceeded",
                message="Rate limit reached for images per minute.",
                headers={"retry-after": str(retry_after)},
            )
            return self._error(record, limited)
        action = self.fake._next_action()
        record.action = action.kind
        if action.kind == "error":
            return self._error(record, action)
        if action.kind == "drop_connection":
            return self._hang_up()
        model = body.get("model") or "gpt-image-2"
        if model not in self.fake.models:
            message = f"The model `{model}` does not exist or you do not have access to it."
            return self._error(record, error(404, code="model_not_found", message=message))
        if action.kind == "latency":
            self.fake._pause(action.params["seconds"])
        if body.get("stream"):
            return self._stream(record, body, action)
        return self._complete(record, body, action)

    def _respond(self, record: RecordedRequest, body: Any) -> None:
        """`POST /v1/responses` with an image to describe, as the Responses API answers it."""
        problem = _responses_problem(body, self.fake.text_models)
        if problem is not None:
            return self._error(record, problem)
        action = self.fake._next_action(text=True)
        record.action = action.kind
        if action.kind == "error":
            return self._error(record, action)
        if action.kind == "drop_connection":
            return self._hang_up()
        if action.kind == "latency":
            self.fake._pause(action.params["seconds"])
        data = json.dumps(_response_object(body, self.fake.text_answer, record)).encode()
        if action.kind == "malformed_json":
            data = data[: len(data) // 2]
        self._start(record, 200, "application/json", length=len(data))
        self._write(data)

    def _settings(self, body: dict) -> dict[str, Any]:
        quality = body.get("quality") or "auto"
        return {
            "background": "transparent" if body.get("background") == "transparent" else "opaque",
            "output_format": body.get("output_format") or "png",
            "quality": "medium" if quality == "auto" else quality,
            "size": "1024x1024" if body.get("size") in (None, "auto") else body["size"],
        }

    def _usage(self, body: dict) -> dict[str, Any]:
        text_tokens = max(1, len(body["prompt"]) // 4)
        return {
            "input_tokens": text_tokens,
            "input_tokens_details": {"image_tokens": 0, "text_tokens": text_tokens},
            "output_tokens": 1056,
            "total_tokens": text_tokens + 1056,
        }

    def _final_b64(self, settings: dict, action: Action, record: RecordedRequest) -> str:
        if action.kind == "not_an_image":
            return base64.b64encode(b"<html>definitely not an image</html>").decode()
        width, height = _parse_size(settings["size"])
        if record.path == EDITS:
            return _edited_b64(record.files, (width, height), settings["output_format"])
        return _image_b64(width, height, settings["output_format"], 0)

    def _event_name(self, record: RecordedRequest, kind: str) -> str:
        return f"{'image_edit' if record.path == EDITS else 'image_generation'}.{kind}"

    def _complete(self, record: RecordedRequest, body: dict, action: Action) -> None:
        settings = self._settings(body)
        final = self._final_b64(settings, action, record)
        payload = {
            "created": int(time.time()),
            "data": [{"b64_json": final} for _ in range(int(body.get("n") or 1))],
            **settings,
            "usage": {
                **self._usage(body),
                "output_tokens_details": {"image_tokens": 1056, "text_tokens": 0},
            },
        }
        data = json.dumps(payload).encode()
        if action.kind == "malformed_json":
            data = data[: len(data) // 2]
        self._start(record, 200, "application/json", length=len(data))
        if action.kind == "drop_mid_stream":
            self._write(data[: len(data) // 2])
            return self._hang_up()
        self._write(data)

    def _stream(self, record: RecordedRequest, body: dict, action: Action) -> None:
        settings = self._settings(body)
        width, height = _parse_size(settings["size"])
        partials = min(3, max(0, int(body.get("partial_images") or 0)))
        delay = action.params.get("delay", 0.0) if action.kind == "slow_stream" else 0.0
        self._start(record, 200, "text/event-stream; charset=utf-8", length=None)
        for _ in range(int(body.get("n") or 1)):
            for index in range(partials):
                event = {
                    "type": self._event_name(record, "partial_image"),
                    "b64_json": _image_b64(width, height, settings["output_format"], index + 1),
                    "created_at": int(time.time()),
                    "partial_image_index": index,
                    **settings,
                    "background": body.get("background") or "auto",
                }
                self.fake._pause(delay)
                self._event(record, event["type"], json.dumps(event))
                if action.kind == "drop_mid_stream":
                    return self._hang_up()
                if action.kind == "stream_error":
                    failure = {"type": "error", "error": {**action.params, "param": None}}
                    self._event(record, "error", json.dumps(failure))
                    return self._end_chunks()
            completed = {
                "type": self._event_name(record, "completed"),
                "b64_json": self._final_b64(settings, action, record),
                "created_at": int(time.time()),
                **settings,
                "usage": self._usage(body),
            }
            data = json.dumps(completed)
            if action.kind == "malformed_json":
                data = data[: len(data) // 2]
            self.fake._pause(delay)
            self._event(record, completed["type"], data)
        self._end_chunks()

    # -- wire helpers ----------------------------------------------------------

    def _start(
        self,
        record: RecordedRequest,
        status: int,
        content_type: str,
        *,
        length: int | None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("x-request-id", f"req_fake_{len(self.fake.requests):04d}")
        self.send_header("openai-processing-ms", "1")
        if length is None:
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Cache-Control", "no-cache")
        else:
            self.send_header("Content-Length", str(length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        try:
            self.end_headers()
        except OSError as exc:
            raise _ClientGone from exc
        self.fake._record(record, status=status)

    def _write(self, data: bytes) -> None:
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError as exc:
            raise _ClientGone from exc

    def _event(self, record: RecordedRequest, name: str, data: str) -> None:
        payload = f"event: {name}\ndata: {data}\n\n".encode()
        self._write(b"%x\r\n%s\r\n" % (len(payload), payload))
        self.fake._record(record, events_sent=record.events_sent + 1)

    def _end_chunks(self) -> None:
        self._write(b"0\r\n\r\n")

    def _error(self, record: RecordedRequest, action: Action) -> None:
        p = action.params
        fields = {
            "message": p["message"],
            "type": p["type"],
            "param": p["param"],
            "code": p["code"],
        }
        data = json.dumps({"error": fields}).encode()
        self._start(record, p["status"], "application/json", length=len(data), headers=p["headers"])
        self._write(data)

    def _hang_up(self) -> None:
        """Close the socket at once, mid-answer or before any answer."""
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)
