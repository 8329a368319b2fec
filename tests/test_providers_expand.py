"""Expansions through OpenAIProvider: the real SDK's `images.edit` over HTTP to the fake server."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image, ImageChops

from snapasset_desktop.errors import Canceled, ProviderError
from snapasset_desktop.imaging.composition import plan_composition
from snapasset_desktop.imaging.expansion import edit_inputs
from snapasset_desktop.platforms import BUILTIN_PLATFORMS
from snapasset_desktop.providers.base import ExpandRequest
from snapasset_desktop.providers.composition import expand_source, refused_note
from snapasset_desktop.providers.openai_provider import OpenAIProvider
from tests.helpers.fake_openai import EDITS, FakeOpenAIServer, error
from tests.helpers.images import photo

SOURCE = (640, 640)
SUBJECT = (0.4, 0.4, 0.6, 0.6)


def make_provider(server: FakeOpenAIServer) -> OpenAIProvider:
    return OpenAIProvider(api_key=server.api_key, base_url=server.base_url, max_retries=0)


def opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image


def test_a_job_sends_exactly_one_edit_per_shape_group(fake_openai: FakeOpenAIServer) -> None:
    plan = plan_composition(SOURCE, BUILTIN_PLATFORMS, subject=SUBJECT)
    # From a square source every platform but the square post expands: 17 platforms, 4 calls.
    assert [e.key for e in plan.expansions] == ["tall", "square", "wide", "banner"]
    assert sum(len(e.platform_ids) for e in plan.expansions) == 17
    source = photo(SOURCE)
    provider = make_provider(fake_openai)
    for expansion in plan.expansions:
        result = expand_source(provider, source, expansion, prompt="a fox", model="gpt-image-2")
        assert result.size == expansion.canvas
        # The fake repaints everything, the kept area too: the original is back regardless.
        kept = result.crop(expansion.source_box)
        assert ImageChops.difference(kept, source).getbbox() is None
    sent = fake_openai.requests
    assert [r.path for r in sent] == [EDITS] * len(plan.expansions)
    assert [r.body["size"] for r in sent] == [e.size_param for e in plan.expansions]
    for request in sent:
        assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
        assert set(request.files) == {"image", "mask"}
        image, mask = (opened(request.files[name].data) for name in ("image", "mask"))
        assert image.format == mask.format == "PNG" and mask.mode == "RGBA"
        assert image.size == mask.size
        assert request.body["model"] == "gpt-image-2" and "a fox" in request.body["prompt"]


def test_an_expansion_streams_its_previews(fake_openai: FakeOpenAIServer) -> None:
    [expansion] = plan_composition(
        SOURCE, [p for p in BUILTIN_PLATFORMS if p.id == "instagram-story"]
    ).expansions
    previews: list[int] = []
    image, mask = edit_inputs(photo(SOURCE), expansion)
    result = make_provider(fake_openai).expand(
        ExpandRequest(image, mask, "a fox", expansion.size_param, partial_images=2),
        on_partial=lambda index, data: previews.append(index),
    )
    assert previews == [0, 1]
    assert (result.width, result.height) == expansion.request
    assert result.usage is not None and result.usage["total_tokens"] > 0
    [sent] = fake_openai.requests
    assert sent.body["stream"] is True and sent.body["partial_images"] == "2"


def request_for(server: FakeOpenAIServer) -> ExpandRequest:
    [expansion] = plan_composition(
        SOURCE, [p for p in BUILTIN_PLATFORMS if p.id == "x-header"]
    ).expansions
    image, mask = edit_inputs(photo(SOURCE), expansion)
    return ExpandRequest(image, mask, "a fox", expansion.size_param)


def test_a_refused_expansion_is_a_refusal_that_is_not_retried(
    fake_openai: FakeOpenAIServer,
) -> None:
    fake_openai.script(
        [error(400, code="moderation_blocked", message="Your request was rejected.")]
    )
    with pytest.raises(ProviderError) as caught:
        make_provider(fake_openai).expand(request_for(fake_openai))
    assert caught.value.kind == "refused" and not caught.value.transient
    assert "refused by OpenAI's safety system" in caught.value.message
    # The job's fallback: the refused group's platforms crop, the rest are untouched.
    plan = plan_composition(SOURCE, BUILTIN_PLATFORMS, subject=SUBJECT)
    refused = plan.expansion("banner").platform_ids
    fallback = plan_composition(SOURCE, BUILTIN_PLATFORMS, subject=SUBJECT, cover_only=refused)
    assert [e.key for e in fallback.expansions] == ["tall", "square", "wide"]
    assert {fallback.platform(pid).fit for pid in refused} == {"cover"}
    assert refused_note(plan.expansion("banner")) == (
        "OpenAI refused to extend the picture for the banners, so they are cropped instead."
    )


def test_a_mask_that_does_not_match_is_refused_by_the_server(
    fake_openai: FakeOpenAIServer,
) -> None:
    request = request_for(fake_openai)
    small = BytesIO()
    Image.new("RGBA", (512, 512)).save(small, "PNG")
    flat = BytesIO()
    Image.new("RGB", opened(request.image).size).save(flat, "PNG")
    provider = make_provider(fake_openai)
    for mask, says in ((small.getvalue(), "does not match"), (flat.getvalue(), "alpha channel")):
        bad = ExpandRequest(request.image, mask, request.prompt, request.size)
        with pytest.raises(ProviderError) as caught:
            provider.expand(bad)
        assert caught.value.kind == "invalid_request" and says in caught.value.message


def test_a_canceled_expansion_sends_nothing(fake_openai: FakeOpenAIServer) -> None:
    with pytest.raises(Canceled):
        make_provider(fake_openai).expand(request_for(fake_openai), should_cancel=lambda: True)
    assert fake_openai.requests == []


def test_no_key_no_request(fake_openai: FakeOpenAIServer) -> None:
    provider = OpenAIProvider(api_key=None, base_url=fake_openai.base_url)
    with pytest.raises(ProviderError) as caught:
        provider.expand(request_for(fake_openai))
    assert caught.value.kind == "auth"
    assert fake_openai.requests == []
