"""Suggested alt text for a job's picture: a short, literal description for screen readers.

`OpenAIAltText` asks a vision model once per job, through the official SDK's
Responses API (OpenAI's API for new work; chat completions remain for older
code). The model is `gpt-6-luna`, OpenAI's most efficient current model with
image input ($0.10 / $0.50 per million tokens in / out at the time of writing):
describing one picture needs no larger model, and reasoning is off
(`effort: none`) so the answer is quick and costs only its words. The picture
is sent downscaled (at most 512 px, JPEG) with `detail: low`, which the model
reads at a fixed, small token cost. As for images, the SDK's own retries are
off: one suggestion is one request.

Offline — the placeholder provider, or an import with no key — the text is
derived from the prompt or the file name instead: free, instant, and honest
about being a guess (the designer can edit it).
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from PIL import Image

from snapasset_desktop.errors import ProviderError
from snapasset_desktop.providers.openai_errors import map_openai_error
from snapasset_desktop.providers.openai_provider import NO_KEY_MESSAGE, _shared_client

if TYPE_CHECKING:
    import openai

ALT_TEXT_MODEL = "gpt-6-luna"
SUGGESTED_LENGTH = 500  # Pinterest's limit, the shortest of the networks that take alt text
PREVIEW_SIDE = 512
# Names cameras and phones give their files: "IMG 0042", "DSC01234", "PXL 20260101 …".
_CAMERA_NAME = re.compile(r"^(img|dsc|dscn|dcim|pxl|mvimg|gopr|photo|image)\s*\d", re.I)
INSTRUCTIONS = (
    "Write alt text for this image, for people using a screen reader. Describe literally "
    "what is visible: the subject, the setting, notable colours, and any legible text, "
    "quoted. One or two plain sentences, at most 300 characters. Do not begin with "
    "'Image of' or 'Picture of', do not interpret mood or intent, no hashtags or emoji."
)


@dataclass(frozen=True)
class Description:
    text: str
    usage: dict[str, Any] | None = None  # the API's reported tokens, for the job's cost
    model: str = ""


class AltTextWriter(Protocol):
    origin: str  # recorded with the text: "openai", "prompt" or "file name"

    def describe(self, image: bytes, *, prompt: str, file_name: str | None) -> Description: ...


class PromptAltText:
    """The placeholder's pictures are labels, not the scene: the prompt says what was meant."""

    origin = "prompt"

    def describe(self, image: bytes, *, prompt: str, file_name: str | None) -> Description:
        return Description(alt_text_from_prompt(prompt))


class FileNameAltText:
    """An imported picture with no key to describe it: its file name is the best guess."""

    origin = "file name"

    def describe(self, image: bytes, *, prompt: str, file_name: str | None) -> Description:
        return Description(alt_text_from_file_name(file_name or ""))


class OpenAIAltText:
    origin = "openai"

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None = None,
        timeout: float = 60.0,
        model: str = ALT_TEXT_MODEL,
    ) -> None:
        self._api_key = (api_key or "").strip() or None
        self.base_url = (base_url or "").strip() or None
        self.timeout = timeout
        self.model = model

    def describe(self, image: bytes, *, prompt: str, file_name: str | None) -> Description:
        if self._api_key is None:
            raise ProviderError(NO_KEY_MESSAGE, kind="auth", transient=False, detail="no api key")
        client = _shared_client(self._api_key, self.base_url, self.timeout, 0)
        import openai

        try:
            response = client.responses.create(
                model=self.model,
                instructions=INSTRUCTIONS,
                input=[
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "input_image",
                                "image_url": preview_url(image),
                                "detail": "low",
                            }
                        ],
                    }
                ],
                reasoning={"effort": "none"},
                max_output_tokens=200,
                store=False,
            )
        except openai.OpenAIError as exc:
            raise map_openai_error(exc, model=self.model, secret=self._api_key) from exc
        text = clean_suggestion(response.output_text)
        if not text:
            raise ProviderError(
                "OpenAI answered without a description.",
                detail=f"response {response.id}: status {response.status}",
                kind="bad_response",
                transient=True,
            )
        return Description(text, _usage(response), self.model)


def preview_url(image: bytes) -> str:
    """The picture as a small JPEG data URL: what the model needs, a fraction of the bytes."""
    with Image.open(io.BytesIO(image)) as opened:
        preview = opened.convert("RGB")
    preview.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    preview.save(buffer, "JPEG", quality=80)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _usage(response: openai.types.responses.Response) -> dict[str, Any] | None:
    usage = getattr(response, "usage", None)
    return usage.model_dump(exclude_none=True) if usage is not None else None


def clean_suggestion(text: str) -> str:
    """One paragraph, no wrapping quotes, within SUGGESTED_LENGTH (cut at a word)."""
    cleaned = " ".join(str(text or "").split()).strip().strip("\"'“”")
    return _shorten(cleaned)


def alt_text_from_prompt(prompt: str) -> str:
    """ "a cozy café at dusk, warm light" → "A cozy café at dusk, warm light." """
    text = " ".join(prompt.split()).strip(" ,;:")
    if not text:
        return ""
    text = _shorten(text[0].upper() + text[1:])
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."


def alt_text_from_file_name(file_name: str) -> str:
    """ "cafe-at-dusk_final.jpg" → "Cafe at dusk final."; a camera's "IMG_0042.JPG", or a
    name with no words, → "An imported image." (nothing better is known offline)."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", file_name.strip())
    words = " ".join(re.split(r"[\s_\-.]+", stem)).strip()
    if not re.search(r"[^\W\d_]{2,}", words) or _CAMERA_NAME.match(words):
        return "An imported image."
    return alt_text_from_prompt(words)


def _shorten(text: str) -> str:
    if len(text) <= SUGGESTED_LENGTH:
        return text
    cut = text[: SUGGESTED_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return f"{cut}…"
