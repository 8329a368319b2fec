"""Drawing a finished job's text layers again, here and now: no queue, no source, no API.

Each asset kept its clean picture when its layers were drawn (`library.assets`), so new
texts, another kit or a layer a designer moved on one platform only need the layers
drawn on that picture and one encode per platform — in parallel threads, as rendering
does — then the files and rows replaced. Layers taken off altogether leave the clean
picture as the asset. What is drawn is the job's `TextLayers`, which the caller writes
into the job's spec. `preview_platform_layers` draws one platform's without encoding or
saving anything: what an editor shows while every platform is drawn and saved.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from snapasset_desktop.brand.layers import TextLayers
from snapasset_desktop.errors import InvalidInput, UnknownPlatform
from snapasset_desktop.imaging.decode import load_image
from snapasset_desktop.imaging.encode import AssetMetadata
from snapasset_desktop.imaging.layers import LayeredImage
from snapasset_desktop.imaging.overlay import layers_overlay, redraw
from snapasset_desktop.imaging.render import Overlay, RenderedAsset, frame_box
from snapasset_desktop.library.models import AssetRecord, JobRecord
from snapasset_desktop.library.store import Library
from snapasset_desktop.platforms import Platform, PlatformRegistry


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
    overlay, source_size, focus = _drawing(library, job, layers)
    wanted = set(platform_ids) if platform_ids is not None else None
    assets = [a for a in library.assets_for_job(job.id) if wanted is None or a.platform in wanted]
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
        if overlay is None:
            return _unlayered(asset, clean)
        try:
            platform = registry.get(asset.platform)
        except UnknownPlatform:
            skipped.append(f"{asset.platform}: its preset was deleted, so it keeps its layers")
            return None
        return _redrawn(asset, clean, platform, overlay, job, source_size, focus, metadata)

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
    overlay, source_size, focus = _drawing(library, job, layers)
    if overlay is None:
        return None
    platform = registry.get(platform_id)
    clean_path = library.clean_path(asset) or library.asset_path(asset)
    picture = load_image(clean_path.read_bytes(), what=f"the {platform_id} picture")
    frame = frame_box(source_size, platform.size, job.spec.render.fit, focus)
    return overlay(platform, picture, frame)


def _drawing(
    library: Library, job: JobRecord, layers: TextLayers
) -> tuple[Overlay | None, tuple[int, int], tuple[float, float]]:
    """What draws `layers` on the job's pictures, the source's size and the focal point
    their frames were cut around."""
    if job.focus_x is None or job.focus_y is None or not job.source_width:
        raise InvalidInput("This job has no pictures to draw on yet; wait for it to finish.")
    focus = (job.focus_x, job.focus_y)
    source_size = (job.source_width, job.source_height or 0)
    kit, note = library.kits.kit_for(layers)
    overlay = layers_overlay(layers, kit, source_size=source_size, focus=focus, kit_note=note)
    return overlay, source_size, focus


def _redrawn(
    asset: AssetRecord,
    clean: bytes,
    platform: Platform,
    overlay: Overlay,
    job: JobRecord,
    source_size: tuple[int, int],
    focus: tuple[float, float],
    metadata: AssetMetadata,
) -> RenderedAsset:
    picture = load_image(clean, what=f"the {asset.platform} picture")
    options = replace(job.spec.render, format=asset.format)
    return redraw(
        picture,
        platform,
        overlay,
        options,
        source_size=source_size,
        focus=focus,
        clean_data=clean,
        metadata=metadata,
    )


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
