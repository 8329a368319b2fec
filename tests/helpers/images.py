"""Test images made in memory: photos, split images, hostile files, odd ICC profiles."""

from __future__ import annotations

import io
import random
import struct
import zlib

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from snapasset_desktop.providers.placeholder import render_placeholder


def photo(size: tuple[int, int] = (640, 480), seed: int = 1) -> Image.Image:
    """A deterministic photo-like RGB image: gradient sky, soft grain and a few shapes."""
    width, height = size
    rng = random.Random(seed)
    sky = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (sky, sky.point(lambda v: v // 2), sky.point(lambda v: 255 - v)))
    grain = Image.frombytes("RGB", size, rng.randbytes(width * height * 3))
    image = Image.blend(image, grain.filter(ImageFilter.BoxBlur(1)), 0.25)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(width), rng.randrange(height)
        radius = rng.randrange(5, max(6, min(size) // 6))
        colour = tuple(rng.randrange(256) for _ in range(3))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    return image


def noisy(size: tuple[int, int], seed: int = 2) -> Image.Image:
    """Pure RGB noise: the worst case for every encoder."""
    rng = random.Random(seed)
    return Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))


def halves(
    size: tuple[int, int] = (400, 100),
    left: tuple[int, int, int] = (255, 0, 0),
    right: tuple[int, int, int] = (0, 0, 255),
) -> Image.Image:
    """Left half one colour, right half another."""
    image = Image.new("RGB", size, left)
    image.paste(right, (size[0] // 2, 0, size[0], size[1]))
    return image


def encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims `width`×`height` (a decompression-bomb lookalike)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    data = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def tiff_16bit(size: tuple[int, int], sample: tuple[int, ...], photometric: int = 2) -> bytes:
    """An uncompressed little-endian TIFF of one colour, 16 bits per sample, as scanners
    and raw developers write (Pillow saves only 8-bit RGB and CMYK). `photometric` is
    TIFF's colour model: 2 for RGB (3 samples), 5 for CMYK (4 samples)."""
    width, height = size
    count = len(sample)
    pixels = struct.pack(f"<{count}H", *sample) * (width * height)
    entries = 10
    bits_at = 8 + 2 + 12 * entries + 4
    pixels_at = bits_at + 2 * count
    short, long_ = 3, 4

    def entry(tag: int, kind: int, value: int) -> bytes:
        packed = struct.pack("<HH", value, 0) if kind == short else struct.pack("<I", value)
        return struct.pack("<HHI", tag, kind, 1) + packed

    ifd = b"".join(
        [
            entry(256, long_, width),
            entry(257, long_, height),
            # BitsPerSample: `count` shorts, too many for the entry, so it points at them.
            struct.pack("<HHII", 258, short, count, bits_at),
            entry(259, short, 1),  # no compression
            entry(262, short, photometric),
            entry(273, long_, pixels_at),
            entry(277, short, count),
            entry(278, long_, height),  # one strip
            entry(279, long_, len(pixels)),
            entry(284, short, 1),  # samples interleaved
        ]
    )
    bits = struct.pack(f"<{count}H", *[16] * count)
    header = b"II*\0" + struct.pack("<I", 8) + struct.pack("<H", entries)
    return header + ifd + b"\0\0\0\0" + bits + pixels


# sRGB primaries adapted to D50, as ICC profiles store them.
_D50 = (0.9642, 1.0, 0.8249)
_SRGB_RED = (0.4361, 0.2225, 0.0139)
_SRGB_GREEN = (0.3851, 0.7169, 0.0971)
_SRGB_BLUE = (0.1431, 0.0606, 0.7141)


def swapped_primaries_icc() -> bytes:
    """An RGB matrix/TRC ICC profile whose "red" is sRGB's green and "green" is sRGB's red.

    Decoding an image tagged with it must turn pure red pixels green, which
    proves the embedded profile was honoured rather than ignored.
    """

    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(values: tuple[float, float, float]) -> bytes:
        return b"XYZ \0\0\0\0" + b"".join(s15(v) for v in values)

    text = b"Swapped primaries test\0"
    desc = b"desc\0\0\0\0" + struct.pack(">I", len(text)) + text + b"\0" * (4 + 4 + 2 + 1 + 67)
    linear = b"curv\0\0\0\0" + struct.pack(">IH", 1, 256) + b"\0\0"  # gamma 1.0
    tags = [
        (b"desc", desc),
        (b"cprt", b"text\0\0\0\0none\0\0\0\0"),
        (b"wtpt", xyz(_D50)),
        (b"rXYZ", xyz(_SRGB_GREEN)),
        (b"gXYZ", xyz(_SRGB_RED)),
        (b"bXYZ", xyz(_SRGB_BLUE)),
        (b"rTRC", linear),
        (b"gTRC", linear),
        (b"bTRC", linear),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, blob = b"", b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(blob), len(data))
        blob += data
    body = struct.pack(">I", len(tags)) + table + blob
    header = (
        struct.pack(">I", 128 + len(body))
        + b"\0\0\0\0"
        + struct.pack(">I", 0x02100000)
        + b"mntrRGB XYZ "
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 24
        + struct.pack(">I", 0)
        + b"".join(s15(v) for v in _D50)
        + b"\0" * 48
    )
    assert len(header) == 128
    return header + body


RED = (255, 0, 0)


def marked_source(
    size: tuple[int, int], centre: tuple[float, float], side: float
) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """A placeholder picture with a pure red square (the subject, `side` of the short side)
    at `centre`, and the square's box as fractions of the picture."""
    image = render_placeholder("a marked subject", *size)
    pixels = side * min(size)
    left, top = centre[0] * size[0] - pixels / 2, centre[1] * size[1] - pixels / 2
    ImageDraw.Draw(image).rectangle([left, top, left + pixels - 1, top + pixels - 1], fill=RED)
    return image, (
        left / size[0],
        top / size[1],
        (left + pixels) / size[0],
        (top + pixels) / size[1],
    )


def red_mark(asset: Image.Image) -> tuple[float, float, float, float] | None:
    """Where the red mark is in `asset`, as fractions. The placeholder's expansion mirrors
    the picture, so blurred copies of the mark may lie beside it: the mark is the cluster
    with the most pure red."""
    red, green, blue = asset.convert("RGB").split()
    mark = ImageChops.multiply(
        red.point(lambda v: 255 if v >= 235 else 0),
        ImageChops.multiply(
            green.point(lambda v: 255 if v <= 25 else 0),
            blue.point(lambda v: 255 if v <= 25 else 0),
        ),
    )
    clusters = [
        (left, top, right, bottom)
        for left, right in _runs(mark, horizontal=True)
        for top, bottom in _runs(mark.crop((left, 0, right, mark.height)), horizontal=False)
    ]
    if not clusters:
        return None
    box = max(clusters, key=lambda b: mark.crop(b).histogram()[255])
    return box[0] / asset.width, box[1] / asset.height, box[2] / asset.width, box[3] / asset.height


def _runs(mark: Image.Image, *, horizontal: bool) -> list[tuple[int, int]]:
    """Spans of columns (or rows) of `mark` that hold any marked pixel."""
    squeezed = mark.resize(
        (mark.width, 1) if horizontal else (1, mark.height), Image.Resampling.BOX
    )
    marked = [value > 0 for value in squeezed.get_flattened_data()]
    runs, start = [], None
    for index, on in enumerate([*marked, False]):
        if on and start is None:
            start = index
        elif not on and start is not None:
            runs.append((start, index))
            start = None
    return runs
