"""What the API accepts: request bodies checked field by field, unknown fields refused, and
whole-number query parameters.

Each check that the CLI makes of a value (the prompt, the style, the model, the
focal point, how far ahead a start may be) is made here by the same function, so
a refusal names its field; what depends on the library (platform ids) is checked
when the job is built. `validation_errors` turns pydantic's findings into
sentences a designer can act on.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.requests import Request

from snapasset_desktop.api.errors import Refused, refusal
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.providers.base import check_model, validate_prompt
from snapasset_desktop.styles import check_style

MAX_PAGE = 200
MAX_PLATFORMS = 64
MAX_BATCH_JOBS = 1000
MAX_AHEAD_SECONDS = 366 * 86_400  # as the CLI's --at: a queue holds work for this year

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Body = TypeVar("Body", bound=BaseModel)


class JobOptions(BaseModel):
    """How a job is made: what a job and a whole batch share."""

    model_config = ConfigDict(extra="forbid")

    style: str | None = None
    priority: Literal["high", "normal", "low"] = "normal"
    provider: Literal["openai", "placeholder"] | None = None
    model: str | None = Field(None, max_length=100)
    quality: Literal["auto", "low", "medium", "high"] | None = None
    background: Literal["auto", "opaque", "transparent"] | None = None
    fit: Literal["auto", "cover", "crop", "expand", "contain"] | None = None
    pad: str | None = Field(None, max_length=20)
    focus: tuple[Unit, Unit] | None = None
    format: Literal["png", "jpeg", "jpg", "webp"] | None = None
    image_quality: int | None = Field(None, ge=1, le=100)
    variations: int = Field(1, ge=1, le=4)
    # Text and brand layers, drawn on every platform's picture (the builder checks lengths
    # and that the kit exists, in the designer's words).
    headline: str | None = Field(None, max_length=1000)
    subline: str | None = Field(None, max_length=1000)
    cta: str | None = Field(None, max_length=1000)
    brand: str | None = Field(None, max_length=200)
    logo: bool | None = None

    @field_validator("style")
    @classmethod
    def _style(cls, value: str | None) -> str | None:
        return _refused_as_value_error(check_style, value)

    @field_validator("model")
    @classmethod
    def _model(cls, value: str | None) -> str | None:
        return None if value is None else _refused_as_value_error(check_model, value)

    def builder_options(self) -> dict[str, Any]:
        """The keyword options of the services' request builder."""
        return {
            "provider": self.provider,
            "model": self.model,
            "quality": self.quality,
            "background": self.background,
            "asset_format": self.format,
            "image_quality": self.image_quality,
            "fit": self.fit,
            "pad": self.pad,
            "focus": self.focus,
            "variations": self.variations,
            "style": self.style,
            "headline": self.headline,
            "subline": self.subline,
            "cta": self.cta,
            "brand": self.brand,
            "logo": self.logo,
        }


class JobBody(JobOptions):
    """`POST /api/v1/jobs`."""

    prompt: str = Field(max_length=100_000)
    platforms: list[str] = Field(min_length=1, max_length=MAX_PLATFORMS)
    run_at: datetime | float | None = None

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str) -> str:
        return _refused_as_value_error(validate_prompt, value)

    @field_validator("run_at")
    @classmethod
    def _run_at(cls, value: datetime | float | None) -> float | None:
        if value is None:
            return None
        when = value.timestamp() if isinstance(value, datetime) else float(value)
        if when > time.time() + MAX_AHEAD_SECONDS:
            raise ValueError("That start is too far ahead: SnapAsset schedules up to a year.")
        return when

    @property
    def starts_at(self) -> float | None:
        """`run_at` as epoch seconds (the validator has made it one)."""
        return self.run_at.timestamp() if isinstance(self.run_at, datetime) else self.run_at


def _refused_as_value_error(check: Callable[[Any], Any], value: Any) -> Any:
    """pydantic reports a ValueError as the field's problem; our checks raise InvalidInput."""
    try:
        return check(value)
    except InvalidInput as exc:
        raise ValueError(exc.message) from None


class BatchJob(BaseModel):
    """One job of a batch: its prompt, and its platforms when not the batch's."""

    model_config = ConfigDict(extra="forbid")

    prompt: str = Field(max_length=100_000)
    platforms: list[str] = Field(default_factory=list, max_length=MAX_PLATFORMS)


class BatchBody(JobOptions):
    """`POST /api/v1/batches`: like a batch file, the options apply to every job."""

    name: str = Field("", max_length=200)
    platforms: list[str] = Field(default_factory=list, max_length=MAX_PLATFORMS)
    jobs: list[BatchJob] = Field(min_length=1, max_length=MAX_BATCH_JOBS)


class PriorityBody(BaseModel):
    """`PATCH /api/v1/jobs/{id}`."""

    model_config = ConfigDict(extra="forbid")

    priority: Literal["high", "normal", "low"]


async def parsed(request: Request, model: type[Body]) -> Body:
    """The body as `model`, or a 422 naming the field and saying what to fix."""
    raw = await request.body()
    try:
        return model.model_validate_json(raw or b"null")
    except ValidationError as exc:
        field, message = validation_errors(exc, model)
        raise Refused(refusal(422, "validation", message, field=field)) from None


def whole_number(text: str, field: str, low: int, high: int) -> int:
    """A query parameter that is a whole number in [low, high], or a 422 naming it."""
    if not text.isdigit() or not low <= int(text) <= high:
        message = f"“{field}” is a whole number from {low} to {high}, not “{text[:20]}”."
        raise Refused(refusal(422, "validation", message, field=field))
    return int(text)


def validation_errors(error: ValidationError, model: type[BaseModel]) -> tuple[str, str]:
    """(field, sentence) for the first problem pydantic found."""
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "body"
    kind, context = first["type"], first.get("ctx") or {}
    if kind == "value_error":  # our own checks' sentences
        return field, str(context.get("error", first["msg"]))
    if kind == "extra_forbidden":
        accepted = ", ".join(model.model_fields)
        return field, f"“{field}” isn't something this takes; it takes {accepted}."
    if kind == "missing":
        return field, f"“{field}” is missing."
    if kind in ("too_short", "too_long"):
        bound = context.get("min_length") if kind == "too_short" else context.get("max_length")
        what = "at least" if kind == "too_short" else "at most"
        return field, f"“{field}” takes {what} {bound} {'entry' if bound == 1 else 'entries'}."
    if kind == "literal_error":
        return field, f"“{field}” is one of {context.get('expected')}."
    if kind in ("json_invalid", "model_type", "model_attributes_type"):
        return (
            "body",
            "The body isn't a JSON object; send one, with Content-Type: application/json.",
        )
    return field, f"“{field}”: {first['msg'][:1].lower()}{first['msg'][1:]}."
