"""Bad images for the decoder, generated from a fixed seed, and a runner that decodes them.

`corpus(seed)` derives a few hundred damaged files from small, valid PNG, JPEG,
GIF, TIFF, BMP and WebP images: truncated, bit-flipped, header-mangled, and
with huge (or zero, or negative) dimensions written into their headers.

`python -m tests.helpers.image_fuzz SEED` decodes each with `image_info` and
`load_image` and prints one JSON summary: how many decoded, how many were
refused with an `ImageError`, anything else that was raised, and the peak
memory of the process. It runs in a process of its own so that a hang can be
cut short and the memory measured is the decoder's alone; the name of each
case goes to stderr before it is decoded, so a hang names its case.
"""

from __future__ import annotations

import json
import random
import resource
import struct
import sys
import zlib
from collections.abc import Callable, Iterator

from snapasset_desktop.errors import ImageError
from snapasset_desktop.imaging.decode import MAX_PIXELS, image_info, load_image
from tests.helpers.images import encoded, photo

# Inside the pixel limit (decoded for real, so memory is allocated) and far beyond it.
DIMENSIONS = [(4000, 4000), (65535, 65535), (1, 2_000_000), (0, 0), (40_000, 3)]


def valid_images() -> dict[str, bytes]:
    picture = photo((48, 32), seed=7)
    frames = [photo((48, 32), seed=n) for n in (8, 9)]
    transparent = picture.convert("RGBA")
    transparent.putalpha(128)
    return {
        "png": encoded(picture, "PNG"),
        "png-rgba": encoded(transparent, "PNG"),
        "png-palette": encoded(picture.convert("P"), "PNG", transparency=0),
        "png-16bit": encoded(picture.convert("I;16"), "PNG"),
        "jpeg": encoded(picture, "JPEG", quality=80),
        "jpeg-progressive": encoded(picture, "JPEG", progressive=True),
        "jpeg-cmyk": encoded(picture.convert("CMYK"), "JPEG"),
        "gif": encoded(picture, "GIF"),
        "gif-animated": encoded(picture, "GIF", save_all=True, append_images=frames),
        "tiff": encoded(picture, "TIFF"),
        "tiff-lzw": encoded(picture, "TIFF", compression="tiff_lzw"),
        "tiff-cmyk": encoded(picture.convert("CMYK"), "TIFF"),
        "tiff-16bit": encoded(picture.convert("I;16"), "TIFF"),
        "bmp": encoded(picture, "BMP"),
        "bmp-palette": encoded(picture.convert("P"), "BMP"),
        "webp": encoded(picture, "WEBP", quality=80),
        "webp-lossless": encoded(transparent, "WEBP", lossless=True),
        "webp-animated": encoded(picture, "WEBP", save_all=True, append_images=frames),
    }


def corpus(seed: int) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every bad input, the same ones for the same seed."""
    rng = random.Random(seed)
    for kind, data in valid_images().items():
        for _ in range(4):
            cut = rng.randrange(1, len(data))
            yield f"{kind} truncated at {cut}", data[:cut]
        for n in range(7):
            yield f"{kind} bit-flipped #{n}", _flip_bits(data, rng, rng.randint(1, 12))
        for n in range(4):
            yield f"{kind} header mangled #{n}", _mangle_header(data, rng)
        for width, height in DIMENSIONS:
            patched = _declare(kind, data, width, height)
            if patched is not None:
                yield f"{kind} declaring {width}x{height}", patched


def _flip_bits(data: bytes, rng: random.Random, count: int) -> bytes:
    damaged = bytearray(data)
    for _ in range(count):
        damaged[rng.randrange(len(damaged))] ^= 1 << rng.randrange(8)
    return bytes(damaged)


def _mangle_header(data: bytes, rng: random.Random) -> bytes:
    """Random bytes over a few places in the first 64 (signatures, sizes, offsets, lengths)."""
    damaged = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        start = rng.randrange(min(64, len(damaged)))
        length = rng.randint(1, 4)
        damaged[start : start + length] = rng.randbytes(length)
    return bytes(damaged)


def _declare(kind: str, data: bytes, width: int, height: int) -> bytes | None:
    """`data` with its header claiming `width`×`height`; None where the format can't say it."""
    patch = _DECLARE[kind.split("-")[0]]
    return patch(bytearray(data), width, height)


def _declare_png(data: bytearray, width: int, height: int) -> bytes:
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))  # a valid IHDR
    return bytes(data)


def _declare_jpeg(data: bytearray, width: int, height: int) -> bytes | None:
    width, height = min(width, 65535), min(height, 65535)  # 16-bit fields
    for marker in (b"\xff\xc0", b"\xff\xc2"):  # baseline or progressive frame header
        at = data.find(marker)
        if at >= 0:
            data[at + 5 : at + 9] = struct.pack(">HH", height, width)
            return bytes(data)
    return None


def _declare_gif(data: bytearray, width: int, height: int) -> bytes:
    width, height = min(width, 65535), min(height, 65535)  # 16-bit fields
    data[6:10] = struct.pack("<HH", width, height)  # the logical screen
    return bytes(data)


def _declare_tiff(data: bytearray, width: int, height: int) -> bytes:
    (ifd,) = struct.unpack_from("<I", data, 4)
    (count,) = struct.unpack_from("<H", data, ifd)
    for entry in range(ifd + 2, ifd + 2 + 12 * count, 12):
        tag, kind = struct.unpack_from("<HH", data, entry)
        if tag in (256, 257):
            value = width if tag == 256 else height
            if kind == 3:  # SHORT
                struct.pack_into("<HH", data, entry + 8, min(value, 65535), 0)
            else:
                struct.pack_into("<I", data, entry + 8, value)
    return bytes(data)


def _declare_bmp(data: bytearray, width: int, height: int) -> bytes:
    struct.pack_into("<ii", data, 18, width, -height)  # negative: stored top-down
    return bytes(data)


def _declare_webp(data: bytearray, width: int, height: int) -> bytes | None:
    if width < 1 or height < 1:
        return None  # sizes are stored minus one: zero can't be said
    width, height = min(width, 16384), min(height, 16384)  # 14-bit fields
    chunk = bytes(data[12:16])
    if chunk == b"VP8X":  # the canvas, 24 bits each, stored minus one
        data[24:30] = (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    elif chunk == b"VP8L":  # 14 bits each after the signature byte, minus one
        bits = (width - 1) | (height - 1) << 14 | (data[24] >> 4 << 28)
        data[21:25] = bits.to_bytes(4, "little")
    elif chunk == b"VP8 ":  # the key frame's 14-bit sizes
        data[26:30] = struct.pack("<HH", width, height)
    return bytes(data)


_DECLARE: dict[str, Callable[[bytearray, int, int], bytes | None]] = {
    "png": _declare_png,
    "jpeg": _declare_jpeg,
    "gif": _declare_gif,
    "tiff": _declare_tiff,
    "bmp": _declare_bmp,
    "webp": _declare_webp,
}


def decode_all(seed: int) -> dict[str, object]:
    decoded, refused = 0, 0
    unexpected: list[str] = []
    for name, data in corpus(seed):
        print(name, file=sys.stderr, flush=True)
        try:
            image_info(data, what=name)
            image = load_image(data, what=name)
        except ImageError as exc:
            if exc.message and str(exc) == exc.message:
                refused += 1
            else:
                unexpected.append(f"{name}: ImageError without a message")
        except Exception as exc:  # what the fuzz is looking for
            unexpected.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            good = image.mode in ("RGB", "RGBA") and 0 < image.width * image.height <= MAX_PIXELS
            decoded += 1 if good else 0
            if not good:
                unexpected.append(f"{name}: decoded to {image.mode} {image.size}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
    return {
        "decoded": decoded,
        "refused": refused,
        "unexpected": unexpected,
        "peak_mb": peak / 1024,
    }


if __name__ == "__main__":
    # A guard for the machine should a decoder run away; the peak is what is checked.
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
    print(json.dumps(decode_all(int(sys.argv[1]))))
