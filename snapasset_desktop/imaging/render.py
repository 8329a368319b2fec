"""Render one source image into every chosen platform's exact size and format.

Cover crops the largest platform-shaped box around the focal point (or the box
the composition planned for it, `boxes`), then resizes once (Lanczos, with
`reducing_gap` so big downscales start with a cheap box reduction); contain fits
the whole image and pads with a colour, transparency, or a blurred, darkened
cover fill. Platforms render in parallel threads — Pillow releases the GIL while
resizing and encoding — biggest first, so no thread is left with a large one at the
end; platforms of the same size and crop (three are 1200×630) share one resize,
since only their metadata differs.

A job with text layers passes an `Overlay`: each platform's picture, once fitted, is
handed to it before encoding (`imaging.layers.render_layers`, in the same threads), and
the asset carries both the layered file and the clean one.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import Any

from PIL import Image, ImageColor, ImageFilter

from snapasset_desktop.errors import Canceled, InvalidInput
from snapasset_desktop.imaging.composition import LOSS_THRESHOLD, PlatformOverride, parse_fit
from snapasset_desktop.imaging.encode import (
    AssetMetadata,
    EncodedImage,
    encode_image,
    normalise_format,
)
from snapasset_desktop.imaging.focal import estimate_focal_point
from snapasset_desktop.imaging.geometry import contain_size, cover_box, crop_loss
from snapasset_desktop.imaging.layers import LayeredImage
from snapasset_desktop.platforms import Platform

Box = tuple[int, int, int, int]
_COLOUR = re.compile(r"^#(?:[0-9a-f]{3}|[0-9a-f]{6})$")
_REDUCING_GAP = 3.0  # box-reduce to within 3x of the target first: fast, visually lossless
_BLUR_SCALE = 16  # the blurred fill is computed at 1/16 size, then enlarged
_BLUR_BRIGHTNESS = 0.6  # darken it so the fitted image stands out


@dataclass(frozen=True)
class RenderOptions:
    """How sources become platform assets; validated and normalised on creation.

    `fit` is the policy (`imaging.composition`): every fit but contain renders as a crop,
    of the source or of an expansion, where the composition plans it."""

    fit: str = "cover"
    focus: tuple[float, float] | None = None  # None: estimate from the image
    pad: str = "#ffffff"  # "#rgb", "#rrggbb", "transparent" or "blur" (contain only)
    format: str = "png"
    quality: int = 90
    threshold: float = LOSS_THRESHOLD  # auto crops when a crop loses at most this share
    overrides: tuple[PlatformOverride, ...] = ()  # per platform, in platform id order

    def __post_init__(self) -> None:
        fit = parse_fit(self.fit)
        threshold = self.threshold
        if (
            isinstance(threshold, bool)
            or not isinstance(threshold, int | float)
            or not 0 <= threshold < 1
        ):
            raise InvalidInput(
                f"The crop threshold is a share of the picture from 0 to 1, not {threshold}."
            )
        overrides = tuple(sorted(self.overrides, key=lambda o: o.platform_id))
        for override in overrides:
            if override.focus is not None:
                _checked_focus(override.focus)
        pad = str(self.pad).strip().lower()
        if pad not in ("transparent", "blur") and not _COLOUR.match(pad):
            raise InvalidInput(
                f"The padding is a colour like #ffffff, “transparent” or “blur”; "
                f"“{self.pad}” is none of them."
            )
        quality = self.quality
        if isinstance(quality, bool) or not isinstance(quality, int) or not 1 <= quality <= 100:
            raise InvalidInput(f"Image quality is a whole number from 1 to 100, not {quality}.")
        focus = None if self.focus is None else _checked_focus(self.focus)
        # Frozen: normalised values are written once, here.
        object.__setattr__(self, "fit", fit)
        object.__setattr__(self, "pad", pad)
        object.__setattr__(self, "format", normalise_format(self.format))
        object.__setattr__(self, "focus", focus)
        object.__setattr__(self, "threshold", float(threshold))
        object.__setattr__(self, "overrides", overrides)

    def override(self, platform_id: str) -> PlatformOverride | None:
        return next((o for o in self.overrides if o.platform_id == platform_id), None)

    def with_override(self, override: PlatformOverride) -> RenderOptions:
        """These options with `override` for its platform (one that changes nothing goes)."""
        kept = [o for o in self.overrides if o.platform_id != override.platform_id]
        if override.crop or override.focus is not None:
            kept.append(override)
        return replace(self, overrides=tuple(kept))


def _checked_focus(focus: object) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in focus)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        x = y = -1.0
    if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
        raise InvalidInput("The focus point is two numbers from 0 to 1, like 0.5,0.4")
    return x, y


@dataclass(frozen=True)
class RenderedAsset:
    platform_id: str
    width: int
    height: int
    format: str
    data: bytes
    quality: int | None
    crop_loss: float  # fraction of the source discarded (0 for contain)
    warning: str | None = None
    clean: bytes | None = None  # without the text layers (None: none were drawn)
    layers: dict[str, Any] | None = None  # what was drawn (`LayeredImage.manifest`)

    @classmethod
    def encoded(
        cls,
        platform: Platform,
        encoded: EncodedImage,
        *,
        crop_loss: float,
        clean: bytes | None,
        layers: dict[str, Any] | None,
    ) -> RenderedAsset:
        """The platform's encoded file as an asset, with what the fit cost and what was drawn."""
        return cls(
            platform_id=platform.id,
            width=encoded.width,
            height=encoded.height,
            format=encoded.format,
            data=encoded.data,
            quality=encoded.quality,
            crop_loss=crop_loss,
            warning=encoded.warning,
            clean=clean,
            layers=layers,
        )


# Draws a platform's layers on its fitted picture (`imaging.overlay`, which knows where
# the subject shows in it); None when there is nothing to draw.
Overlay = Callable[[Platform, Image.Image], LayeredImage | None]


def render_platforms(
    source: Image.Image,
    platforms: Sequence[Platform],
    options: RenderOptions,
    *,
    metadata: AssetMetadata | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    workers: int | None = None,
    boxes: Mapping[str, Box] | None = None,
    overlay: Overlay | None = None,
) -> list[RenderedAsset]:
    """Render every platform, in parallel; results come back in the order of `platforms`.

    `boxes`: each platform's crop of `source`, as the composition placed it; a platform
    without one is cropped around the focal point (cover) or padded (contain).
    `overlay` draws each platform's text layers between its fit and its encoding.

    `on_progress(done, total)` runs after each platform, on the calling thread,
    with `done` increasing: the render threads live for one call, and what a
    progress report touches (the job's database connection, its Redis client)
    belongs to the job's own thread. `should_cancel()` is asked before each
    platform starts, on a render thread; when it says yes, `Canceled` is raised
    once running platforms finish and nothing else starts.
    """
    if not platforms:
        return []
    source = _usable(source)
    focus = options.focus or estimate_focal_point(source)
    total = len(platforms)
    chosen = boxes or {}
    cuts = [(p.size, chosen.get(p.id)) for p in platforms]
    pixels = _SharedPixels(source, options, focus, cuts)

    def render_one(index: int) -> RenderedAsset:
        if should_cancel is not None and should_cancel():
            raise Canceled()
        platform = platforms[index]
        image = pixels.take(cuts[index])
        layered = overlay(platform, image) if overlay is not None else None
        return _encode_platform(image, source.size, platform, options, metadata, layered)

    # Biggest first (longest-job-first keeps both cores busy to the end); a cut's
    # later platforms go after every first one, so they find its pixels ready.
    first_of_cut: dict[_Cut, int] = {}
    for index, cut in enumerate(cuts):
        first_of_cut.setdefault(cut, index)
    order = sorted(
        range(total),
        key=lambda i: (
            first_of_cut[cuts[i]] != i,
            -platforms[i].width * platforms[i].height,
            i,
        ),
    )
    count = workers or min(4, os.cpu_count() or 1)
    futures: list[Future[RenderedAsset]] = [None] * total  # type: ignore[list-item]
    with ThreadPoolExecutor(max_workers=count, thread_name_prefix="snapasset-render") as pool:
        for index in order:
            futures[index] = pool.submit(render_one, index)
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                if future.exception() is not None:
                    break
                if on_progress is not None:
                    on_progress(done, total)
        finally:
            for future in futures:
                future.cancel()  # after a failure start nothing more; running ones finish
    failures = [e for f in futures if not f.cancelled() and (e := f.exception()) is not None]
    if failures:
        # A cancel request wins over errors it may have caused elsewhere.
        raise next((e for e in failures if isinstance(e, Canceled)), failures[0])
    return [future.result() for future in futures]


_Cut = tuple[tuple[int, int], Box | None]  # a platform's size and its planned crop, if any


class _SharedPixels:
    """Each cut's fitted pixels, made once; kept only until its last platform took them."""

    def __init__(
        self,
        source: Image.Image,
        options: RenderOptions,
        focus: tuple[float, float],
        cuts: Sequence[_Cut],
    ) -> None:
        self.source, self.options, self.focus = source, options, focus
        self._lock = threading.Lock()
        self._uses: dict[_Cut, int] = {}
        for cut in cuts:
            self._uses[cut] = self._uses.get(cut, 0) + 1
        self._cells: dict[_Cut, tuple[threading.Lock, list[Image.Image]]] = {}

    def take(self, cut: _Cut) -> Image.Image:
        with self._lock:
            self._uses[cut] -= 1
            last = self._uses[cut] == 0
            cell = self._cells.setdefault(cut, (threading.Lock(), []))
            if last:
                del self._cells[cut]  # the last user keeps the only reference
        with cell[0]:
            if not cell[1]:
                size, box = cut
                cell[1].append(_fit(self.source, size, self.options, self.focus, box))
            # Saving writes settings onto the Image object (encoderinfo, encoderconfig),
            # so concurrent encoders each need their own; copying pixels costs ~1 ms.
            return cell[1][0] if last else cell[1][0].copy()


def _fit(
    source: Image.Image,
    size: tuple[int, int],
    options: RenderOptions,
    focus: tuple[float, float],
    box: Box | None = None,
) -> Image.Image:
    if options.fit == "contain":
        return _contain(source, size, options.pad, focus)
    box = box or cover_box(source.size, size, focus)
    # One resize of just the crop box: never the whole source per target.
    return source.resize(size, Image.Resampling.LANCZOS, box=box, reducing_gap=_REDUCING_GAP)


def _encode_platform(
    image: Image.Image,
    source_size: tuple[int, int],
    platform: Platform,
    options: RenderOptions,
    metadata: AssetMetadata | None,
    layered: LayeredImage | None = None,
) -> RenderedAsset:
    loss = crop_loss(source_size, platform.size) if options.fit != "contain" else 0.0
    encoded = encode_platform(image, platform, options, metadata)
    clean, layers = None, None
    if layered is not None:
        clean, layers = encoded.data, layered.manifest()
        encoded = encode_platform(layered.image, platform, options, metadata)
    return RenderedAsset.encoded(platform, encoded, crop_loss=loss, clean=clean, layers=layers)


def encode_platform(
    image: Image.Image,
    platform: Platform,
    options: RenderOptions,
    metadata: AssetMetadata | None,
) -> EncodedImage:
    """One platform's file: its format and quality, within its size limit, tagged with it."""
    return encode_image(
        image,
        options.format,
        quality=options.quality,
        metadata=replace(metadata or AssetMetadata(), platform=platform.id),
        max_bytes=platform.max_bytes,
        label=f"{platform.network} {platform.label}",
    )


def render_platform(
    source: Image.Image,
    platform: Platform,
    options: RenderOptions,
    *,
    focus: tuple[float, float],
    metadata: AssetMetadata | None = None,
) -> RenderedAsset:
    """One platform's asset: exact size, chosen format, metadata naming the platform."""
    source = _usable(source)
    image = _fit(source, platform.size, options, focus)
    return _encode_platform(image, source.size, platform, options, metadata)


def _usable(source: Image.Image) -> Image.Image:
    """Loaded RGB/RGBA pixels; a lazy file image must not be loaded by several threads."""
    source.load()
    if source.mode in ("RGB", "RGBA"):
        return source
    has_alpha = source.mode in ("LA", "PA", "RGBa", "La") or "transparency" in source.info
    return source.convert("RGBA" if has_alpha else "RGB")


def _contain(
    source: Image.Image, size: tuple[int, int], pad: str, focus: tuple[float, float]
) -> Image.Image:
    fitted_size = contain_size(source.size, size)
    fitted = source.resize(fitted_size, Image.Resampling.LANCZOS, reducing_gap=_REDUCING_GAP)
    if pad == "blur":
        canvas = _blurred_fill(source, size, focus)
    elif pad == "transparent":
        canvas = Image.new("RGBA", size, (0, 0, 0, 0))
    else:
        canvas = Image.new("RGB", size, ImageColor.getrgb(pad))
    if fitted.mode == "RGBA" or canvas.mode == "RGBA":
        canvas = canvas.convert("RGBA")
        offset = ((size[0] - fitted_size[0]) // 2, (size[1] - fitted_size[1]) // 2)
        canvas.alpha_composite(fitted.convert("RGBA"), offset)
        return canvas
    canvas.paste(fitted, ((size[0] - fitted_size[0]) // 2, (size[1] - fitted_size[1]) // 2))
    return canvas


def _blurred_fill(
    source: Image.Image, size: tuple[int, int], focus: tuple[float, float]
) -> Image.Image:
    """A darkened, heavily blurred cover crop; blurring a tiny copy keeps it cheap."""
    small = (max(1, size[0] // _BLUR_SCALE), max(1, size[1] // _BLUR_SCALE))
    box = cover_box(source.size, size, focus)
    tiny = source.resize(small, Image.Resampling.BOX, box=box, reducing_gap=2.0).convert("RGB")
    tiny = tiny.filter(ImageFilter.GaussianBlur(radius=2))
    tiny = tiny.point(lambda value: value * _BLUR_BRIGHTNESS)
    return tiny.resize(size, Image.Resampling.BILINEAR)
