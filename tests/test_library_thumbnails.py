"""The on-disk thumbnail cache."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.errors import ImageError
from snapasset_desktop.library.thumbnails import ThumbnailCache, file_sha256


def make_image(path: Path, size: tuple[int, int], mode: str = "RGB", fmt: str = "PNG") -> Path:
    color = (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30)
    Image.new(mode, size, color).save(path, fmt)
    return path


def test_thumbnail_is_rendered_once_and_reused(tmp_path: Path) -> None:
    source = make_image(tmp_path / "big.jpg", (1600, 900), fmt="JPEG")
    cache = ThumbnailCache(tmp_path / "thumbs")
    first = cache.get(source, 256)
    with Image.open(first) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (256, 144)
    stamp = first.stat().st_mtime_ns
    again = cache.get(source, 256)
    assert again == first and (cache.hits, cache.misses) == (1, 1)
    assert again.read_bytes() == first.read_bytes()
    assert first.stat().st_mtime_ns >= stamp  # touched, for LRU pruning

    # With the recorded hash the source is not even read: it may be gone.
    key = file_sha256(source)
    source.unlink()
    assert cache.get(source, 256, key=key) == first
    assert cache.misses == 1


def test_sizes_are_cached_separately_and_alpha_stays_png(tmp_path: Path) -> None:
    source = make_image(tmp_path / "logo.png", (400, 800), mode="RGBA")
    cache = ThumbnailCache(tmp_path / "thumbs")
    small, large = cache.get(source, 64), cache.get(source, 128)
    assert small != large
    with Image.open(small) as thumb:
        assert thumb.format == "PNG" and thumb.mode == "RGBA" and thumb.size == (32, 64)


def test_broken_and_missing_images_raise_image_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    cache = ThumbnailCache(tmp_path / "thumbs")
    with pytest.raises(ImageError, match="damaged or not an image"):
        cache.get(broken)
    with pytest.raises(ImageError, match="missing"):
        cache.get(tmp_path / "nowhere.png")
    with pytest.raises(ImageError, match="missing"):
        cache.get(tmp_path / "nowhere.png", key="ab" * 32)


def test_concurrent_callers_render_once(tmp_path: Path) -> None:
    source = make_image(tmp_path / "photo.png", (1200, 1200))
    key = file_sha256(source)
    cache = ThumbnailCache(tmp_path / "thumbs")
    with ThreadPoolExecutor(max_workers=8) as pool:
        paths = list(pool.map(lambda _: cache.get(source, 200, key=key), range(16)))
    assert len(set(paths)) == 1 and cache.misses == 1 and cache.hits == 15


def test_prune_removes_least_recently_used(tmp_path: Path) -> None:
    cache = ThumbnailCache(tmp_path / "thumbs")
    thumbs = []
    for i in range(4):
        source = make_image(tmp_path / f"s{i}.png", (300 + i, 300))
        thumbs.append(cache.get(source, 100))
    for age, thumb in enumerate(thumbs):  # thumbs[0] oldest
        os.utime(thumb, (1_000_000 + age, 1_000_000 + age))
    sizes = [t.stat().st_size for t in thumbs]
    removed = cache.prune(max_bytes=sizes[2] + sizes[3])
    assert removed == 2
    assert [t.exists() for t in thumbs] == [False, False, True, True]
    assert cache.prune(max_bytes=10**9) == 0
