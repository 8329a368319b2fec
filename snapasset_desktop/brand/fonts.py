"""Fonts for text layers: the faces SnapAsset ships, designers' own, and what each can draw.

The shipped faces and their licences are listed in `resources/fonts/fonts.toml`. A
designer's own TTF or OTF is checked when it is added (a collection, a web font or a
file FreeType can't read is refused with a sentence). Text is laid out by Pillow's raqm
engine when it is there (bidirectional text, Arabic joining, ligatures), so any script a
font covers is drawn; `missing_characters` finds what a face can't draw, so a layer can
be set in the wide-coverage fallback or say what it leaves out, never draw empty boxes.
"""

from __future__ import annotations

import functools
import io
import threading
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from PIL import ImageFont, features

from snapasset_desktop.errors import InvalidInput

MAX_FONT_BYTES = 30 * 1024 * 1024
BUNDLED_DIR = Path(str(files("snapasset_desktop") / "resources" / "fonts"))
_ACCEPTED = (b"\x00\x01\x00\x00", b"true", b"OTTO")  # TrueType and OpenType outlines
_REFUSED = {
    b"ttcf": "a font collection (.ttc)",
    b"wOFF": "a web font (WOFF)",
    b"wOF2": "a web font (WOFF2)",
}
_NOTDEF_PROBE = "\U0010fffd"  # a private-use code point no font maps: draws .notdef
_PROBE_SIZE = 24
_CACHED_SIZES = 64  # per thread: a few faces at the sizes one fitting tries


class FontUnavailable(InvalidInput):
    """A font file that is gone or can't be read any more."""

    kind = "font"


@dataclass(frozen=True)
class FontFace:
    """A font a text style can name: `name` ("Inter Bold") and the file it lives in."""

    name: str
    path: Path
    bundled: bool = False
    fallback: bool = False  # the wide-coverage face for letters a kit's font lacks
    bold: bool = False
    licence: str | None = None  # bundled faces: the licence file beside them


def raqm_available() -> bool:
    """Whether Pillow lays text out with raqm (needed for right-to-left and joined scripts)."""
    return bool(features.check("raqm"))


@functools.cache
def bundled_fonts() -> Mapping[str, FontFace]:
    """The shipped faces by name, in the catalogue's order."""
    catalogue = tomllib.loads((BUNDLED_DIR / "fonts.toml").read_text(encoding="utf-8"))
    return {
        entry["name"]: FontFace(
            name=entry["name"],
            path=BUNDLED_DIR / entry["file"],
            bundled=True,
            fallback=bool(entry.get("fallback", False)),
            bold=bool(entry.get("bold", False)),
            licence=entry["licence"],
        )
        for entry in catalogue["font"]
    }


def bundled_font(name: str) -> FontFace | None:
    """A shipped face by name, whatever its capitals."""
    wanted = name.strip().casefold()
    return next((f for f in bundled_fonts().values() if f.name.casefold() == wanted), None)


def fallback_face(bold: bool) -> FontFace:
    """The wide-coverage face (Latin, Greek, Cyrillic, Arabic, Hebrew…) in the nearer weight."""
    faces = [face for face in bundled_fonts().values() if face.fallback]
    return next((face for face in faces if face.bold == bold), faces[0])


def font_data(path: Path) -> bytes:
    """The bytes of a font file, read once; FontUnavailable when it is gone or unreadable."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise FontUnavailable(f"The font file {path.name} is missing.", detail=repr(exc)) from None
    return _read_font(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=32)
def _read_font(path: Path, _mtime_ns: int, _size: int) -> bytes:
    # Keyed by modification time and size too, so a file replaced on disk is read anew.
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FontUnavailable(
            f"SnapAsset couldn't read the font file {path.name}.", detail=repr(exc)
        ) from None


_local = threading.local()


def load_font(face: FontFace, size: int) -> ImageFont.FreeTypeFont:
    """`face` at `size` pixels. FreeType faces must not be shared between threads, so each
    thread keeps its own few, most recently used first."""
    cache: dict[tuple[Path, int], ImageFont.FreeTypeFont] = _local.__dict__.setdefault("fonts", {})
    key = (face.path, size)
    font = cache.pop(key, None)
    if font is None:
        font = ImageFont.truetype(io.BytesIO(font_data(face.path)), size)
        if len(cache) >= _CACHED_SIZES:
            del cache[next(iter(cache))]
    cache[key] = font
    return font


def missing_characters(face: FontFace, text: str) -> str:
    """The characters of `text` that `face` has no glyph for, each once, in order.

    Spaces, joiners and variation selectors are never missing: they draw nothing.
    """
    found = []
    for char in dict.fromkeys(text):
        if unicodedata.category(char)[0] in "ZC":
            continue
        if not _draws(face.path, char):
            found.append(char)
    return "".join(found)


_coverage_lock = threading.Lock()


@functools.lru_cache(maxsize=8192)
def _draws(path: Path, char: str) -> bool:
    # Pillow exposes no character map; a character without a glyph draws the font's
    # .notdef box, exactly as a code point no font maps does.
    with _coverage_lock:
        font, notdef = _probe(path)
        drawn = font.getmask(char)
        return (drawn.size, bytes(drawn)) != notdef


@functools.lru_cache(maxsize=16)
def _probe(path: Path) -> tuple[ImageFont.FreeTypeFont, tuple[tuple[int, int], bytes]]:
    font = ImageFont.truetype(io.BytesIO(font_data(path)), _PROBE_SIZE)
    notdef = font.getmask(_NOTDEF_PROBE)
    return font, (notdef.size, bytes(notdef))


def inspect_font(data: bytes, file_name: str) -> str:
    """The name ("Family Style") of a designer's font file, or InvalidInput saying why
    SnapAsset can't use it."""
    head = data[:4]
    if head in _REFUSED:
        raise InvalidInput(
            f"{file_name} is {_REFUSED[head]}; add the single TTF or OTF file of the style "
            "you want instead."
        )
    if head not in _ACCEPTED:
        raise InvalidInput(f"{file_name} isn't a font file SnapAsset can use (TTF or OTF).")
    if len(data) > MAX_FONT_BYTES:
        raise InvalidInput(
            f"{file_name} is too large for a font: at most {MAX_FONT_BYTES // 2**20} MB."
        )
    try:
        family, style = ImageFont.truetype(io.BytesIO(data), _PROBE_SIZE).getname()
    except OSError as exc:
        raise InvalidInput(
            f"{file_name} is damaged or isn't a font SnapAsset can read.", detail=repr(exc)
        ) from None
    name = " ".join(part.strip() for part in (family or "", style or "") if part and part.strip())
    return name or Path(file_name).stem
