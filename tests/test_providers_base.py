"""Request checks: prompts, models, sizes and options are refused clearly before any work."""

from __future__ import annotations

import typing

import pytest
from openai.types.image_model import ImageModel

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.providers.base import (
    MAX_PROMPT_CHARS,
    RETIRED_MODELS,
    SUPPORTED_MODELS,
    ImageRequest,
    check_model,
    parse_size,
    validate_prompt,
    validate_request,
)


def test_prompt_is_trimmed_and_control_characters_removed() -> None:
    raw = "  \x00A quiet\x1b lake\r\nat dawn\tmisty\x7f  "
    assert validate_prompt(raw) == "A quiet lake\nat dawn\tmisty"


@pytest.mark.parametrize("prompt", ["", "   ", "\n\t ", "\x00\x01"])
def test_empty_prompt_is_refused(prompt: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_prompt(prompt)
    assert caught.value.message == "Write a prompt first — it can't be empty."


def test_prompt_limit_is_the_sdk_documented_one() -> None:
    assert MAX_PROMPT_CHARS == 32_000
    assert validate_prompt("y" * MAX_PROMPT_CHARS) == "y" * MAX_PROMPT_CHARS
    with pytest.raises(InvalidInput) as caught:
        validate_prompt("y" * 40_123)
    assert "40,123 characters" in caught.value.message
    assert "32,000" in caught.value.message


def test_model_lists_match_the_installed_sdk() -> None:
    assert set(SUPPORTED_MODELS) | set(RETIRED_MODELS) == set(typing.get_args(ImageModel))
    assert not set(SUPPORTED_MODELS) & set(RETIRED_MODELS)


@pytest.mark.parametrize("model", SUPPORTED_MODELS)
def test_supported_models_pass(model: str) -> None:
    assert check_model(f" {model} ") == model


@pytest.mark.parametrize("model", ["dall-e-2", "dall-e-3", "gpt-image-1", "DALL-E-3"])
def test_retired_models_are_refused(model: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_model(model)
    assert caught.value.message == (
        f"{model.lower()} was retired by OpenAI; pick a current GPT image model "
        "such as gpt-image-2."
    )


@pytest.mark.parametrize("model", ["gpt-image-3", "ft:gpt-image-2:acme::abc123", "org/model-x"])
def test_plausible_unknown_models_are_left_to_the_server(model: str) -> None:
    assert check_model(model) == model


@pytest.mark.parametrize("model", ["", "  ", "gpt image 2", "gpt\timage", "-x", "a;b"])
def test_implausible_model_names_are_refused(model: str) -> None:
    with pytest.raises(InvalidInput):
        check_model(model)


@pytest.mark.parametrize(
    ("size", "parsed"),
    [("1536x1024", (1536, 1024)), (" 1080 X 1920 ", (1080, 1920)), ("auto", None)],
)
def test_parse_size(size: str, parsed: tuple[int, int] | None) -> None:
    assert parse_size(size) == parsed


@pytest.mark.parametrize("size", ["", "1024", "0x100", "100x0", "axb", "99999x10", "10x-5"])
def test_bad_sizes_are_refused(size: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_size(size)
    assert "1536x1024" in caught.value.message


def test_validate_request_normalises() -> None:
    cleaned = validate_request(
        ImageRequest(
            prompt=" hi ",
            model=" gpt-image-2 ",
            size="1024 x 1536",
            quality="HIGH",
            background="Transparent",
            output_format="WEBP",
        )
    )
    assert cleaned == ImageRequest(
        prompt="hi",
        model="gpt-image-2",
        size="1024x1536",
        quality="high",
        background="transparent",
        output_format="webp",
    )


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"output_format": "gif"}, "supported image format"),
        ({"quality": "hd"}, "quality setting"),
        ({"background": "green"}, "background setting"),
        ({"background": "transparent", "output_format": "jpeg"}, "JPEG can't be transparent"),
        ({"n": 0}, "between 1 and 10"),
        ({"n": 11}, "between 1 and 10"),
        ({"partial_images": 4}, "0 to 3"),
        ({"partial_images": -1}, "0 to 3"),
    ],
)
def test_validate_request_refuses_bad_options(changes: dict, fragment: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_request(ImageRequest(prompt="x", **changes))
    assert fragment in caught.value.message
