"""Alt text: suggested once per job, stored, edited, written into exported files.

OpenAI is the fake server on loopback speaking the Responses API, driven by the
real SDK; jobs run through the real executor on the embedded SQLite backend (and
a Redis-mode test hands the text back through the event stream). Exported files
are read back with Pillow, their XMP parsed on its own here.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import openai
import pytest
from PIL import ExifTags, Image

from snapasset_desktop.cli import main
from snapasset_desktop.errors import InvalidInput, ProviderError
from snapasset_desktop.library import Library
from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.providers.alt_text import (
    ALT_TEXT_MODEL,
    OpenAIAltText,
    alt_text_from_file_name,
    alt_text_from_prompt,
    clean_suggestion,
)
from snapasset_desktop.services.context import AppContext
from tests.conftest import write_settings
from tests.helpers.fake_openai import FakeOpenAIServer, error
from tests.helpers.images import photo
from tests.helpers.machines import machines

NS = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "Iptc4xmpCore": "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/",
}
EDITED = "A white lighthouse on a cliff at dawn, its lamp lit."


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def xmp_text(image: Image.Image, prop: str) -> str | None:
    """A language-alternative XMP property's default text, read from the file's packet."""
    packet = image.info.get("xmp") or image.info.get("XML:com.adobe.xmp")
    raw = packet.encode() if isinstance(packet, str) else packet
    root = ET.fromstring(raw[raw.index(b"<x:xmpmeta") : raw.rindex(b"</x:xmpmeta>") + 12])
    item = root.find(f".//{prop}/rdf:Alt/rdf:li", NS)
    return item.text if item is not None else None


# -- the request ------------------------------------------------------------------------------


def test_openai_describes_the_picture_in_one_responses_request(
    fake_openai: FakeOpenAIServer,
) -> None:
    writer = OpenAIAltText(api_key=fake_openai.api_key, base_url=fake_openai.base_url)
    answer = writer.describe(png_bytes(photo((1536, 1024))), prompt="dusk", file_name=None)
    assert (answer.text, answer.model) == (fake_openai.text_answer, ALT_TEXT_MODEL)
    assert answer.usage is not None and answer.usage["input_tokens"] > 0
    [sent] = fake_openai.text_requests
    assert fake_openai.requests == []  # no image request
    assert sent.path == "/v1/responses"
    body = sent.body
    assert body["model"] == "gpt-6-luna" and body["store"] is False
    assert body["reasoning"] == {"effort": "none"}
    [part] = body["input"][0]["content"]
    assert (part["type"], part["detail"]) == ("input_image", "low")
    header, payload = part["image_url"].split(",", 1)
    assert header == "data:image/jpeg;base64"
    with Image.open(io.BytesIO(base64.b64decode(payload))) as preview:
        assert preview.format == "JPEG" and preview.size == (512, 341)  # downscaled, same shape


def test_a_refused_request_is_one_request_and_a_sentence(fake_openai: FakeOpenAIServer) -> None:
    fake_openai.script_text([error(429, code="rate_limit_exceeded", headers={"retry-after": "1"})])
    writer = OpenAIAltText(api_key=fake_openai.api_key, base_url=fake_openai.base_url)
    with pytest.raises(ProviderError) as caught:
        writer.describe(png_bytes(photo((64, 64))), prompt="x", file_name=None)
    assert caught.value.kind == "rate_limit" and caught.value.transient
    assert len(fake_openai.text_requests) == 1  # the SDK's own retries are off


def test_the_fake_server_refuses_what_the_api_refuses(fake_openai: FakeOpenAIServer) -> None:
    writer = OpenAIAltText(
        api_key=fake_openai.api_key, base_url=fake_openai.base_url, model="gpt-nope"
    )
    with pytest.raises(ProviderError) as unknown:
        writer.describe(png_bytes(photo((64, 64))), prompt="x", file_name=None)
    assert unknown.value.kind == "unknown_model"
    client = openai.OpenAI(api_key=fake_openai.api_key, base_url=fake_openai.base_url)
    image = {"type": "input_image", "image_url": "data:image/png;base64,bm90IGFuIGltYWdl"}
    with pytest.raises(openai.BadRequestError) as bad:
        client.responses.create(
            model="gpt-6-luna", input=[{"role": "user", "content": [{**image, "detail": "low"}]}]
        )
    assert bad.value.code == "invalid_image"
    assert [r.status for r in fake_openai.text_requests] == [400, 400]


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        ("a cozy café at dusk, warm light", "A cozy café at dusk, warm light."),
        ("  Two foxes in snow!  ", "Two foxes in snow!"),
        ("", ""),
    ],
)
def test_offline_alt_text_from_the_prompt(prompt: str, expected: str) -> None:
    assert alt_text_from_prompt(prompt) == expected


def test_offline_alt_text_from_a_file_name_and_length_limits() -> None:
    assert alt_text_from_file_name("cafe-at-dusk_final.jpg") == "Cafe at dusk final."
    assert alt_text_from_file_name("IMG_0042.JPG") == "An imported image."
    assert alt_text_from_file_name("0042.png") == "An imported image."
    long = clean_suggestion('"' + "word " * 200 + '"')
    assert len(long) <= 500 and long.endswith("…") and not long.startswith('"')


# -- in a job -------------------------------------------------------------------------------


@pytest.fixture
def context(
    fake_openai: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch, isolated_dirs: Path
) -> Iterator[AppContext]:
    monkeypatch.setenv("OPENAI_API_KEY", fake_openai.api_key)
    write_settings(
        provider="openai", openai_base_url=fake_openai.base_url, partial_images=0, retry_delay=0.01
    )
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def run_job(ctx: AppContext, prompt: str = "a lighthouse at dawn", **options: object) -> str:
    job = ctx.jobs.submit(ctx.specs.build(prompt, ["x-post"], **options))
    assert ctx.queue.executor.execute(job.id) == "completed"
    return job.id


def completed_event(ctx: AppContext, job_id: str) -> dict:
    [event] = [
        e for e in ctx.queue.event_log.read(0) if e.job_id == job_id and e.type == "completed"
    ]
    return event.data


def test_a_job_gets_its_alt_text_once_and_files_carry_it(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    job_id = run_job(context)
    stored = context.library.alt_text(job_id)
    assert stored is not None
    assert (stored.text, stored.origin) == (fake_openai.text_answer, "openai")
    assert len(fake_openai.text_requests) == 1 and len(fake_openai.requests) == 1
    assert completed_event(context, job_id)["alt_text"] == {
        "text": fake_openai.text_answer,
        "origin": "openai",
        "note": None,
    }
    [asset] = context.library.assets_for_job(job_id)
    with Image.open(context.library.asset_path(asset)) as image:
        assert xmp_text(image, "Iptc4xmpCore:AltTextAccessibility") == fake_openai.text_answer

    context.library.update_job(job_id, status="failed")  # run it again: nothing asked twice
    context.jobs.retry(job_id)
    assert context.queue.executor.execute(job_id) == "completed"
    assert len(fake_openai.text_requests) == 1 and len(fake_openai.requests) == 1


def test_the_request_is_in_the_jobs_cost(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    with_alt_text = context.library.get_job(run_job(context)).cost_usd
    context.settings.update(alt_text=False)
    without = context.library.get_job(run_job(context)).cost_usd
    assert with_alt_text is not None and without is not None
    assert 0 < with_alt_text - without < 0.0001


def test_a_failed_suggestion_leaves_a_note_and_the_job_completes(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    fake_openai.script_text([error(500, message="The server had an error.")])
    job_id = run_job(context)
    stored = context.library.alt_text(job_id)
    assert stored is not None and stored.text is None
    assert stored.note == (
        "No alt text yet — OpenAI had a problem on its side. Write it in the job's details."
    )
    assert completed_event(context, job_id)["alt_text"]["note"] == stored.note


def test_the_setting_turns_it_off_with_no_request(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    context.settings.update(alt_text=False)
    job_id = run_job(context)
    assert fake_openai.text_requests == [] and len(fake_openai.requests) == 1
    assert context.library.alt_text(job_id) is None
    assert "alt_text" not in completed_event(context, job_id)


def test_the_placeholder_derives_it_offline(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    job_id = run_job(context, "a lighthouse at dawn", provider="placeholder")
    stored = context.library.alt_text(job_id)
    assert stored is not None
    assert (stored.text, stored.origin) == ("A lighthouse at dawn.", "prompt")
    assert fake_openai.text_requests == [] and fake_openai.requests == []


def test_an_import_without_a_key_uses_its_file_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "harbour-at-night.png"
    photo((800, 600)).save(source)
    assert main(["resize", str(source), "-p", "x-post", "--json"]) == 0
    job_id = json.loads(capsys.readouterr().out)["job"]
    with Library.open() as library:
        stored = library.alt_text(job_id)
    assert stored is not None and (stored.text, stored.origin) == ("Harbour at night.", "file name")


# -- edited, then exported ------------------------------------------------------------------


def test_an_edit_is_kept_over_suggestions_and_refused_when_too_long(
    context: AppContext, fake_openai: FakeOpenAIServer
) -> None:
    job_id = run_job(context)
    edited = context.jobs.set_alt_text(job_id, f"  {EDITED}\n")
    assert (edited.text, edited.origin) == (EDITED, "designer")
    context.library.store_alt_text(job_id, "a later suggestion", origin="openai")
    assert context.jobs.alt_text(job_id) == edited
    context.library.update_job(job_id, status="failed")  # a re-run keeps the designer's text
    context.jobs.retry(job_id)
    assert context.queue.executor.execute(job_id) == "completed"
    assert context.library.alt_texts([job_id]) == {job_id: EDITED}
    [asset] = context.library.assets_for_job(job_id)
    with Image.open(context.library.asset_path(asset)) as image:
        assert xmp_text(image, "Iptc4xmpCore:AltTextAccessibility") == EDITED
    assert len(fake_openai.text_requests) == 1
    with pytest.raises(InvalidInput, match="at most 1,000 characters"):
        context.library.set_alt_text(job_id, "x" * 1001)
    with pytest.raises(InvalidInput, match="No job"):
        context.library.set_alt_text("j_20260101_000000000_0000000000", EDITED)


def test_a_file_already_carrying_its_alt_text_is_exported_as_it_is(
    context: AppContext, tmp_path: Path
) -> None:
    [asset] = context.library.assets_for_job(run_job(context))
    options = ExportOptions(destination=tmp_path / "out", template="{platform}")
    result = Exporter(context.library, rules=context.platforms.preflight()).export([asset], options)
    assert result.notes == []
    exported = (tmp_path / "out" / result.files[0]).read_bytes()
    assert exported == context.library.asset_path(asset).read_bytes()  # not encoded again


@pytest.mark.parametrize("fmt", ["jpeg", "png", "webp"])
def test_exported_files_and_manifests_carry_the_edited_alt_text(
    context: AppContext, tmp_path: Path, fmt: str
) -> None:
    job_id = run_job(context, asset_format=fmt)
    context.library.set_alt_text(job_id, EDITED)
    [asset] = context.library.assets_for_job(job_id)
    for manifest in ("json", "csv"):
        out = tmp_path / manifest
        options = ExportOptions(destination=out, manifest=manifest, template="{platform}")
        result = Exporter(context.library, rules=context.platforms.preflight()).export(
            [asset], options
        )
        [name] = result.files
        with Image.open(out / name) as image:
            assert xmp_text(image, "dc:description") == EDITED
            assert xmp_text(image, "Iptc4xmpCore:AltTextAccessibility") == EDITED
            if fmt == "png":
                assert image.text["Description"] == EDITED
            else:
                assert image.getexif()[ExifTags.Base.ImageDescription] == EDITED
            if fmt == "png":  # lossless: only the metadata changed
                with Image.open(context.library.asset_path(asset)) as original:
                    assert image.convert("RGB").tobytes() == original.convert("RGB").tobytes()
        if manifest == "json":
            [row] = json.loads((out / "manifest.json").read_text())
        else:
            [row] = csv.DictReader(io.StringIO((out / "manifest.csv").read_text("utf-8-sig")))
        assert row["alt_text"] == EDITED


# -- Redis: a worker on another disk --------------------------------------------------------


@pytest.mark.redis
def test_the_alt_text_reaches_the_app_through_the_event(
    tmp_path: Path, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SNAPASSET_REDIS_URL", redis_url)
    with machines(tmp_path, provider="placeholder", partial_images=0) as open_context:
        app, worker = open_context("app"), open_context("worker", "worker")
        job = app.jobs.submit(app.specs.build("a harbour at night", ["x-post"]))
        assert worker.queue.executor.execute(job.id) == "completed"
        assert worker.library.stats()["jobs"]["completed"] == 0  # nothing on the worker's disk
        assert app.jobs.wait(job.id, timeout=10).status == "completed"
        stored = app.library.alt_text(job.id)
        assert stored is not None
        assert (stored.text, stored.origin) == ("A harbour at night.", "prompt")
        [asset] = app.library.assets_for_job(job.id)
        with Image.open(app.library.asset_path(asset)) as image:
            assert xmp_text(image, "Iptc4xmpCore:AltTextAccessibility") == "A harbour at night."
