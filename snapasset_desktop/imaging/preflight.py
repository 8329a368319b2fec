"""Preflight one file before it is exported: make it something its platform accepts.

`check_file` looks at the file as it is (format, pixel size, embedded profile,
bytes) against its platform's `PreflightRule`, changes only what it must —
scale down, convert the format, embed the sRGB profile, lower the quality to
fit the size limit — and says what it changed in a designer's words. A file
the platform would still refuse (too small, a shape it doesn't take, too big
even at the lowest quality) is not written, and the note says why.
`plan_file` predicts the same notes from what the library knows of a file,
without reading it, for the export dialog to show before anything is written,
and `planned_format` the format (so the names it previews have the right
extension).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace

from PIL import Image

from snapasset_desktop.imaging.color import is_srgb_icc
from snapasset_desktop.imaging.decode import load_image
from snapasset_desktop.imaging.encode import (
    AssetMetadata,
    EncodedImage,
    embedded_alt_text,
    encode_image,
    size_text,
)
from snapasset_desktop.preflight import PreflightRule

_NAMES = {"png": "PNG", "jpeg": "JPEG", "webp": "WebP"}
_LOSSY = ("jpeg", "webp")


@dataclass
class PreflightOutcome:
    """The bytes to write (None: not written), their format and size, and what changed."""

    data: bytes | None
    format: str
    width: int
    height: int
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Header:
    format: str
    width: int
    height: int
    srgb: bool
    alpha: bool
    alt_text: str | None


def check_file(
    data: bytes,
    rule: PreflightRule | None,
    *,
    fmt: str | None = None,
    quality: int = 90,
    metadata: AssetMetadata | None = None,
) -> PreflightOutcome:
    """`data` ready for its platform. `fmt`: the format the designer asked for (None: keep
    the file's); `metadata` is written into any file that is encoded again, and a file whose
    embedded alt text differs from `metadata.alt_text` is encoded again to carry it."""
    header = _read_header(data)
    metadata = metadata or AssetMetadata()
    notes: list[str] = []
    target = fmt or header.format
    refusal = _refusal(rule, header.width, header.height)
    if refusal:
        return PreflightOutcome(None, target, header.width, header.height, [refusal])
    size = _fitted_size(rule, header.width, header.height, notes)
    target = _accepted_format(rule, target, header.alpha, notes)
    if rule is not None and rule.srgb and not header.srgb:
        notes.append(f"{rule.label}: sRGB colour profile embedded")
    limit = rule.max_bytes if rule is not None else None
    if not (
        notes
        or target != header.format
        or header.alt_text != (metadata.alt_text or None)
        or (limit is not None and len(data) > limit)
    ):
        return PreflightOutcome(data, target, header.width, header.height, notes)
    image = load_image(data, what=rule.label if rule else "the image")
    if size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
    encoded = encode_image(image, target, quality=quality, metadata=metadata, max_bytes=limit)
    if rule is not None and limit is not None:
        over = len(data) > limit and target == header.format
        fitted = _fit_limit(image, encoded, rule, quality, metadata, notes, over=over)
        if fitted is None:
            return PreflightOutcome(None, target, size[0], size[1], notes)
        encoded = fitted
    return PreflightOutcome(encoded.data, encoded.format, encoded.width, encoded.height, notes)


def plan_file(
    rule: PreflightRule | None,
    *,
    file_format: str,
    width: int,
    height: int,
    size: int,
    fmt: str | None = None,
) -> list[str]:
    """The notes `check_file` is expected to give, from the library's record of the file.
    (Whether the file carries the sRGB profile, and the exact quality, show when it is written.)"""
    return _plan(rule, file_format, width, height, size, fmt)[1]


def planned_format(
    rule: PreflightRule | None,
    *,
    file_format: str,
    width: int,
    height: int,
    size: int,
    fmt: str | None = None,
) -> str:
    """The format `check_file` is expected to write the file in (its name's extension)."""
    return _plan(rule, file_format, width, height, size, fmt)[0]


def _plan(
    rule: PreflightRule | None,
    file_format: str,
    width: int,
    height: int,
    size: int,
    fmt: str | None,
) -> tuple[str, list[str]]:
    target = fmt or file_format
    if rule is None:
        return target, []
    refusal = _refusal(rule, width, height)
    if refusal:
        return target, [refusal]
    notes: list[str] = []
    fitted = _fitted_size(rule, width, height, notes)
    target = _accepted_format(rule, target, False, notes)
    unchanged = target == file_format and fitted == (width, height)
    if rule.max_bytes is not None and unchanged and size > rule.max_bytes:
        limit = size_text(rule.max_bytes)
        if target in _LOSSY:
            notes.append(f"{rule.label}: {_NAMES[target]} quality lowered to stay under {limit}")
        else:
            lossy = _lossy_choice(rule)
            if lossy is not None:
                notes.append(
                    f"{rule.label}: saved as {_NAMES[lossy]} — as {_NAMES[target]} it is "
                    f"{size_text(size)}, over {rule.network}'s {limit} limit"
                )
                target = lossy
    return target, notes


def _read_header(data: bytes) -> _Header:
    with Image.open(io.BytesIO(data)) as image:
        fmt = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}.get(image.format or "", "png")
        alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        return _Header(
            format=fmt,
            width=image.width,
            height=image.height,
            srgb=is_srgb_icc(image.info.get("icc_profile")),
            alpha=alpha,
            alt_text=embedded_alt_text(image),
        )


def _refusal(rule: PreflightRule | None, width: int, height: int) -> str | None:
    """Why the platform would refuse a file of this pixel size, if it would."""
    if rule is None:
        return None
    what = f"{rule.label}: not exported —"
    if rule.min_width and width < rule.min_width:
        return f"{what} {width} px wide is under {rule.network}'s {rule.min_width} px minimum"
    if rule.min_height and height < rule.min_height:
        return f"{what} {height} px tall is under {rule.network}'s {rule.min_height} px minimum"
    aspect = width / height
    if rule.min_aspect and aspect < rule.min_aspect - 0.005:
        return f"{what} {width}×{height} is taller than {rule.network} takes"
    if rule.max_aspect and aspect > rule.max_aspect + 0.005:
        return f"{what} {width}×{height} is wider than {rule.network} takes"
    return None


def _fitted_size(
    rule: PreflightRule | None, width: int, height: int, notes: list[str]
) -> tuple[int, int]:
    """The size within the platform's maximum width and height, keeping the shape."""
    if rule is None:
        return (width, height)
    scale = min(
        1.0,
        (rule.max_width or width) / width,
        (rule.max_height or height) / height,
    )
    if scale >= 1.0:
        return (width, height)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    bound = f"{rule.max_width} px wide" if size[0] == rule.max_width else "its maximum size"
    if rule.max_height and size[1] == rule.max_height and size[0] != rule.max_width:
        bound = f"{rule.max_height} px tall"
    notes.append(
        f"{rule.label}: scaled down to {size[0]}×{size[1]} — {rule.network} takes at most {bound}"
    )
    return size


def _accepted_format(rule: PreflightRule | None, fmt: str, alpha: bool, notes: list[str]) -> str:
    if rule is None or fmt in rule.formats:
        return fmt
    target = rule.formats[0]
    filled = " (transparent areas on white)" if alpha and target == "jpeg" else ""
    notes.append(
        f"{rule.label}: saved as {_NAMES[target]}{filled} — "
        f"{rule.network} doesn't take {_NAMES[fmt]}"
    )
    return target


def _lossy_choice(rule: PreflightRule) -> str | None:
    return next((fmt for fmt in rule.formats if fmt in _LOSSY), None)


def _fit_limit(
    image: Image.Image,
    encoded: EncodedImage,
    rule: PreflightRule,
    quality: int,
    metadata: AssetMetadata,
    notes: list[str],
    *,
    over: bool,
) -> EncodedImage | None:
    """Within the size limit, saying how; None (and a note) when no allowed format fits.
    `over`: the file was over the limit as it was, so its new quality is news too."""
    assert rule.max_bytes is not None
    limit = size_text(rule.max_bytes)
    if encoded.format == "png" and len(encoded.data) > rule.max_bytes:
        lossy = _lossy_choice(rule)
        if lossy is None:
            notes.append(
                f"{rule.label}: not exported — as PNG it is {size_text(len(encoded.data))}, "
                f"over {rule.network}'s {limit} limit, and {rule.network} takes no JPEG or WebP"
            )
            return None
        as_png = len(encoded.data)
        encoded = encode_image(
            image, lossy, quality=quality, metadata=metadata, max_bytes=rule.max_bytes
        )
        if len(encoded.data) <= rule.max_bytes:
            notes.append(
                f"{rule.label}: saved as {_NAMES[lossy]} q {encoded.quality} — as PNG it was "
                f"{size_text(as_png)}, over {rule.network}'s {limit} limit"
            )
            return encoded
    if len(encoded.data) > rule.max_bytes:
        notes.append(
            f"{rule.label}: not exported — {size_text(len(encoded.data))} even at quality "
            f"{encoded.quality}, over {rule.network}'s {limit} limit"
        )
        return None
    if encoded.quality is not None and (encoded.quality < quality or over):
        name = _NAMES[encoded.format]
        notes.append(f"{rule.label}: {name} q {encoded.quality} to stay under {limit}")
    return replace(encoded, warning=None)
