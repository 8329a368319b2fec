"""Drawing a finished job's text layers again, here and now: no queue, no source, no API.

Each asset kept its clean picture when its layers were drawn (`library.assets`), so new
texts, another kit or a layer a designer moved on one platform only need the layers
drawn on that picture and one encode per platform — in parallel threads, as rendering
does — then the files and rows replaced. Layers taken off altogether leave the clean
picture as the asset. What is drawn is the job's `TextLayers`, which the caller writes
into the job's spec. `preview_platform_layers` draws one platform's without encoding or
saving anything: what an editor shows while every platform is drawn and saved.

The layers keep off the subject each platform's crop was placed around, on the source or
on an expansion, as the job drew them: its composition is made again from its spec and
the expansions it stored (`queue.expansion_stage.composition_used`), which also gives
each asset back the warning its crop left (a subject under the interface, a refused
expansion).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.errors import InvalidInput, UnknownPlatform
from snapasset_desktop.imaging.decode import load_image
from snapasset_desktop.imaging.encode import AssetMetadata
from snapasset_desktop.imaging.expansion import expanded_box
from snapasset_desktop.imaging.layers import LayeredImage
from snapasset_desktop.imaging.overlay import layers_overlay, redraw
from snapasset_desktop.imaging.placement import Box, Size
from snapasset_desktop.imaging.render import Overlay, RenderedAsset
from snapasset_desktop.library.models import AssetRecord, JobRecord
from snapasset_desktop.library.store import Library
from snapasset_desktop.platforms import Platform, PlatformRegistry
from snapasset_desktop.queue.expansion_stage import Fitted, composition_used


@dataclass(frozen=True)
class Redrawn:
    assets: list[AssetRecord]  # the job's assets as they are now, drawn anew
    skipped: list[str]  # platforms that could not be drawn again, and why


def redraw_job_layers(
    library: Library,
    registry: PlatformRegistry,
    job: JobRecord,
    layers: TextLayers,
    platform_ids: Sequence[str] | None = None,
) -> Redrawn:
    """Draw `layers` on the job's assets (of `platform_ids`, or all) from their clean
    pictures and save them in place of the old ones."""
    _pictured(job)
    wanted = set(platform_ids) if platform_ids is not None else None
    assets = [a for a in library.assets_for_job(job.id) if wanted is None or a.platform in wanted]
    drawings = (
        {}
        if layers.is_empty
        else _drawings(library, registry, job, layers, (a.variant for a in assets))
    )
    metadata = AssetMetadata(
        prompt=job.prompt,
        model=job.spec.model,
        job_id=job.id,
        alt_text=(library.alt_texts([job.id]).get(job.id) or ""),
    )
    skipped: list[str] = []

    def one(asset: AssetRecord) -> RenderedAsset | None:
        clean_path = library.clean_path(asset) or library.asset_path(asset)
        clean = clean_path.read_bytes()
        if layers.is_empty:
            return _unlayered(asset, clean)
        try:
            platform = registry.get(asset.platform)
        except UnknownPlatform:
            skipped.append(f"{asset.platform}: its preset was deleted, so it keeps its layers")
            return None
        return _redrawn(asset, clean, platform, drawings[asset.variant], job, metadata)

    workers = min(4, os.cpu_count() or 1, max(1, len(assets)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="snapasset-layers") as pool:
        drawn = list(pool.map(one, assets))
    saved = []
    for asset, made in zip(assets, drawn, strict=True):
        if made is None:
            saved.append(asset)
            continue
        saved.append(
            library.save_asset(
                job.id,
                asset.platform,
                made.data,
                fmt=made.format,
                width=made.width,
                height=made.height,
                variant=asset.variant,
                warning=made.warning,
                clean=made.clean,
                layers=made.layers,
            )
        )
    return Redrawn(saved, skipped)


def preview_platform_layers(
    library: Library,
    registry: PlatformRegistry,
    job: JobRecord,
    layers: TextLayers,
    platform_id: str,
) -> LayeredImage | None:
    """`layers` drawn on one platform's clean picture, nothing saved; None when there are
    none to draw (the clean picture is what the asset will be)."""
    asset = next((a for a in library.assets_for_job(job.id) if a.platform == platform_id), None)
    if asset is None:
        raise InvalidInput(f"This job has no {platform_id} picture.")
    if layers.is_empty:
        _pictured(job)
        return None
    drawing = _drawings(library, registry, job, layers, [asset.variant])[asset.variant]
    platform = registry.get(platform_id)
    clean_path = library.clean_path(asset) or library.asset_path(asset)
    picture = load_image(clean_path.read_bytes(), what=f"the {platform_id} picture")
    return drawing.overlay(platform, picture)


@dataclass(frozen=True)
class _Drawing:
    """What draws a job's layers again on the pictures of one source variant."""

    overlay: Overlay
    fitted: Fitted  # the composition those pictures were cut by

    def crop_warning(self, platform_id: str) -> str | None:
        if all(p.platform_id != platform_id for p in self.fitted.plan.platforms):
            return None
        return self.fitted.warning(platform_id)


def _pictured(job: JobRecord) -> tuple[tuple[float, float], Size]:
    """The focal point the job's frames were cut around and the source's size."""
    if job.focus_x is None or job.focus_y is None or not job.source_width:
        raise InvalidInput("This job has no pictures to draw on yet; wait for it to finish.")
    return (job.focus_x, job.focus_y), (job.source_width, job.source_height or 0)


def _drawings(
    library: Library,
    registry: PlatformRegistry,
    job: JobRecord,
    layers: TextLayers,
    variants: Iterable[int],
) -> dict[int, _Drawing]:
    """How `layers` are drawn on each of these source variants' pictures."""
    focus, size = _pictured(job)
    platforms = _known(registry, job.platforms)
    kit, note = library.kits.kit_for(layers)
    drawings = {}
    for variant in set(variants):
        stored = _stored_expansions(library, job.id, variant)
        fitted = composition_used(job.spec, size, platforms, focus, stored)
        overlay = layers_overlay(layers, kit, subjects=fitted.plan.subjects(), kit_note=note)
        if overlay is None:
            raise ValueError("layers that draw nothing have no drawing")
        drawings[variant] = _Drawing(overlay, fitted)
    return drawings


def _known(registry: PlatformRegistry, platform_ids: Sequence[str]) -> list[Platform]:
    """The job's platforms whose presets are still there."""
    known = []
    for platform_id in platform_ids:
        try:
            known.append(registry.get(platform_id))
        except UnknownPlatform:
            continue
    return known


def _stored_expansions(library: Library, job_id: str, variant: int) -> dict[str, tuple[Size, Box]]:
    """The job's stored expansions of one source variant: canvas size and source box."""
    stored = {}
    for asset in library.assets_for_job(job_id, include_source=True):
        if asset.expansion_key is None or asset.variant != variant:
            continue
        try:
            box = expanded_box(library.asset_path(asset).read_bytes())
        except FileNotFoundError:
            continue
        if box is not None:
            stored[asset.expansion_key] = ((asset.width, asset.height), box)
    return stored


def _redrawn(
    asset: AssetRecord,
    clean: bytes,
    platform: Platform,
    drawing: _Drawing,
    job: JobRecord,
    metadata: AssetMetadata,
) -> RenderedAsset:
    picture = load_image(clean, what=f"the {asset.platform} picture")
    options = replace(job.spec.render, format=asset.format)
    made = redraw(picture, platform, drawing.overlay, options, clean_data=clean, metadata=metadata)
    warnings = (drawing.crop_warning(platform.id), made.warning)
    return replace(made, warning=" ".join(w for w in warnings if w) or None)


def _unlayered(asset: AssetRecord, clean: bytes) -> RenderedAsset:
    """The asset as its clean picture: the layers are gone."""
    return RenderedAsset(
        platform_id=asset.platform,
        width=asset.width,
        height=asset.height,
        format=asset.format,
        data=clean,
        quality=None,
        crop_loss=0.0,
        warning=asset.warning,
    )
