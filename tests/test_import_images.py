"""Importing images to resize: every input format is read, PNG/JPEG/WebP are written,
special files are refused at once, and a failed import leaves no job behind."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from snapasset_desktop.errors import ImageError, StorageError
from snapasset_desktop.library import Library
from snapasset_desktop.services.context import AppContext
from tests.helpers.images import encoded, photo, tiff_16bit

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX special files")

RED, BLUE = (200, 30, 30), (20, 40, 200)
SIZE = (240, 160)


def solid(mode: str, colour: tuple[int, ...] | int) -> Image.Image:
    return Image.new(mode, SIZE, colour)


def animated_gif() -> bytes:
    frames = [solid("RGB", BLUE), solid("RGB", (0, 160, 0))]
    return encoded(solid("RGB", RED), "GIF", save_all=True, append_images=frames, duration=80)


# (file name, bytes, the colour every pixel of every asset must have); CMYK without
# a profile is converted naively, as browsers show it.
INPUTS = {
    "gif": ("logo.gif", lambda: encoded(solid("RGB", RED), "GIF"), RED),
    "animated gif": ("loop.gif", animated_gif, RED),  # the first frame
    "bmp": ("scan.bmp", lambda: encoded(solid("RGB", BLUE), "BMP"), BLUE),
    "16-bit grey tiff": ("grey.tif", lambda: encoded(solid("I;16", 40_000), "TIFF"), (156,) * 3),
    "16-bit rgb tiff": ("film.tif", lambda: tiff_16bit(SIZE, (65535, 32768, 0)), (255, 128, 0)),
    "cmyk tiff": (
        "press.tif",
        lambda: encoded(solid("CMYK", (0, 100, 200, 0)), "TIFF"),
        (255, 155, 55),
    ),
    "16-bit cmyk tiff": (
        "press16.tif",
        lambda: tiff_16bit(SIZE, (0, 65535, 65535, 0), 5),
        (255, 0, 0),
    ),
    "lab tiff": ("lab.tif", lambda: encoded(solid("LAB", (138, 209, 198)), "TIFF"), (251, 5, 4)),
}


@pytest.fixture
def context(isolated_dirs: Path) -> Iterator[AppContext]:
    ctx = AppContext.open()
    yield ctx
    ctx.close()


def close_to(pixel: tuple[int, ...], expected: tuple[int, ...]) -> bool:
    return all(abs(a - b) <= 2 for a, b in zip(pixel, expected, strict=True))


@pytest.mark.parametrize("kind", INPUTS)
def test_every_input_format_resizes_to_every_platform(
    context: AppContext, tmp_path: Path, kind: str
) -> None:
    name, make, colour = INPUTS[kind]
    path = tmp_path / name
    path.write_bytes(make())
    platforms = context.platforms.all()
    # Cropped: the decoding is what is tested here, not the composition.
    job = context.jobs.import_image(path, [p.id for p in platforms], fit="cover")
    assert context.queue.executor.execute(job.id) == "completed"
    assets = {a.platform: a for a in context.library.assets_for_job(job.id, include_source=True)}
    assert assets.pop("source").format == "png"  # written losslessly, in a format we write
    assert sorted(assets) == sorted(p.id for p in platforms)
    for platform in platforms:
        asset = assets[platform.id]
        with Image.open(context.library.asset_path(asset)) as image:
            assert (image.format, image.size) == ("PNG", (platform.width, platform.height))
            low, high = zip(*image.convert("RGB").getextrema(), strict=True)
            assert close_to(low, colour) and close_to(high, colour), (platform.id, low, high)


def test_an_imported_jpeg_is_kept_as_it_is(context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "holiday.jpg"
    path.write_bytes(encoded(photo((320, 240)), "JPEG", quality=90))
    job = context.jobs.import_image(path, ["x-post"])
    [source] = [
        a for a in context.library.assets_for_job(job.id, include_source=True) if a.is_source
    ]
    assert source.format == "jpeg"
    stored = context.library.asset_path(source).read_bytes()
    assert hashlib.sha256(stored).digest() == hashlib.sha256(path.read_bytes()).digest()


def test_an_imported_photo_keeps_a_photo_s_format(context: AppContext, tmp_path: Path) -> None:
    """A JPEG photo came out as 2.9 MB PNGs; its assets are JPEG unless another format is
    asked, and a PNG's stay PNG."""
    path = tmp_path / "holiday.jpg"
    path.write_bytes(encoded(photo((1600, 1200)), "JPEG", quality=90))
    job = context.jobs.import_image(path, ["x-post", "instagram-square"])
    assert (job.spec.render.format, job.spec.render.quality) == ("jpeg", 90)
    assert context.queue.executor.execute(job.id) == "completed"
    jpegs = context.library.assets_for_job(job.id)
    assert {a.format for a in jpegs} == {"jpeg"}

    as_png = context.jobs.import_image(path, ["x-post", "instagram-square"], asset_format="png")
    assert context.queue.executor.execute(as_png.id) == "completed"
    pngs = context.library.assets_for_job(as_png.id)
    assert {a.format for a in pngs} == {"png"}
    assert sum(a.bytes for a in jpegs) * 3 < sum(a.bytes for a in pngs)

    drawing = tmp_path / "logo.png"
    drawing.write_bytes(encoded(solid("RGB", RED), "PNG"))
    assert context.jobs.import_image(drawing, ["x-post"]).spec.render.format == "png"
    context.settings.update(output_format="webp")
    gif = tmp_path / "logo.gif"
    gif.write_bytes(encoded(solid("RGB", RED), "GIF"))
    assert context.jobs.import_image(gif, ["x-post"]).spec.render.format == "webp"


def test_an_import_that_cannot_be_stored_leaves_no_job(context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "logo.gif"
    path.write_bytes(encoded(solid("RGB", RED), "GIF"))
    assets_dir = context.library.paths.assets_dir  # the library open, its folders made
    assets_dir.rmdir()
    assets_dir.write_bytes(b"a file where the assets folder should be")
    with pytest.raises(StorageError, match=r"^SnapAsset can't write to "):
        context.jobs.import_image(path, ["x-post"])
    assert context.library.list_jobs() == []


def test_an_image_that_cannot_be_read_leaves_no_job(context: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "cut.gif"
    data = encoded(photo((320, 240)), "GIF")
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match=r"^cut\.gif looks cut off"):
        context.jobs.import_image(path, ["x-post"])
    assert context.library.list_jobs() == []


# The CLI in a child whose address space is capped: reading /dev/zero whole (as it
# once did, 7 GB in 8 s) would fail with MemoryError rather than the sentence.
BOUNDED_CLI = """
import resource, runpy, sys
limit = 512 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
sys.argv[0] = "snapasset-desktop"
runpy.run_module("snapasset_desktop", run_name="__main__")
"""


@posix
@pytest.mark.timeout(60)  # a FIFO opened for reading without a writer would wait forever
@pytest.mark.parametrize("command", ["resize", "batch"])
@pytest.mark.parametrize("special", ["device", "pipe"])
def test_special_files_are_refused_at_once_with_a_sentence(
    tmp_path: Path, command: str, special: str
) -> None:
    path = Path("/dev/zero")
    if special == "pipe":
        path = tmp_path / "prompts.txt"
        os.mkfifo(path)
    what = "an image" if command == "resize" else "a batch file"
    result = subprocess.run(
        [sys.executable, "-c", BOUNDED_CLI, command, str(path), "-p", "x-post"],
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"snapasset-desktop: {path} is a {special}, not {what} — choose a file saved on disk.\n"
    )
    with Library.open() as library:
        assert library.list_jobs() == []
