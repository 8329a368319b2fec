"""A brand kit: colours, fonts, logos and the default look of each text layer, as data.

A kit is a frozen value, checked when it is made, so a kit that exists can be drawn. It
names its own files (the designer's fonts and logos) relative to its folder; `folder`
says where that folder is (None for SnapAsset's built-in look). Text styles name a font
by its name, either one of the kit's own or one SnapAsset ships (`brand.fonts`), and
colours by their role in the palette, so changing a colour changes every layer using it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from snapasset_desktop.brand.fonts import FontFace, bundled_font
from snapasset_desktop.errors import InvalidInput

KIT_FORMAT = "snapasset-brand-kit"
KIT_VERSION = 1
COLOUR_ROLES = ("primary", "secondary", "text", "background")
TEXT_ROLES = ("headline", "subline", "cta")
CASES = ("as-typed", "upper")
BACKDROPS = ("scrim", "shadow", "plate")  # what makes text legible where the picture doesn't
DEFAULT_KIT_ID = "default"
MAX_NAME = 60
MAX_MOOD = 200
MAX_FONTS = 16
MAX_LOGOS = 8
_HEX = re.compile(r"^#(?:[0-9a-f]{3}|[0-9a-f]{6})$")
_FILE = re.compile(r"^(fonts|logos)/[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")


@dataclass(frozen=True)
class Palette:
    """The kit's colours as #rrggbb; layers use them by role."""

    primary: str = "#2563eb"
    secondary: str = "#f59e0b"
    text: str = "#ffffff"
    background: str = "#111827"

    def __post_init__(self) -> None:
        for role in COLOUR_ROLES:
            object.__setattr__(self, role, _colour(role, getattr(self, role)))

    def rgb(self, role: str) -> tuple[int, int, int]:
        value = getattr(self, role)
        return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)

    def to_dict(self) -> dict[str, str]:
        return {role: getattr(self, role) for role in COLOUR_ROLES}


def _colour(role: str, value: Any) -> str:
    text = str(value).strip().lower()
    if not _HEX.match(text):
        raise InvalidInput(f"The {role} colour is written like #1f6feb, not “{value}”.")
    return "#" + "".join(c * 2 for c in text[1:]) if len(text) == 4 else text


@dataclass(frozen=True)
class TextStyle:
    """How one text layer looks by default.

    `colour`: the palette role of the letters. `fill`: the role of what goes behind them
    when the picture doesn't let them read (a scrim, a shadow or a plate, per `backdrop`),
    and the call to action's button.
    """

    font: str
    colour: str = "text"
    fill: str = "background"
    case: str = "as-typed"
    backdrop: str = "scrim"

    def __post_init__(self) -> None:
        for name in ("colour", "fill"):
            if getattr(self, name) not in COLOUR_ROLES:
                raise InvalidInput(
                    f"A text style's {name} is one of the kit's colours: "
                    f"{', '.join(COLOUR_ROLES)} — not “{getattr(self, name)}”."
                )
        if self.case not in CASES:
            raise InvalidInput(f"A text style's case is “as-typed” or “upper”, not “{self.case}”.")
        if self.backdrop not in BACKDROPS:
            raise InvalidInput(
                f"A text style's backdrop is one of {', '.join(BACKDROPS)}, not “{self.backdrop}”."
            )
        if not str(self.font).strip():
            raise InvalidInput("A text style needs a font.")

    def to_dict(self) -> dict[str, str]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class TextStyles:
    headline: TextStyle = TextStyle("Inter Bold")
    subline: TextStyle = TextStyle("Inter Regular")
    cta: TextStyle = TextStyle("Inter Bold", fill="primary", backdrop="plate")

    def for_role(self, role: str) -> TextStyle:
        return getattr(self, role)

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {role: self.for_role(role).to_dict() for role in TEXT_ROLES}


@dataclass(frozen=True)
class KitFile:
    """One of the kit's own files: a font or a logo, by the name a designer sees."""

    name: str
    file: str  # relative to the kit's folder: fonts/… or logos/…

    def __post_init__(self) -> None:
        if not _FILE.match(self.file) or ".." in self.file:
            raise InvalidInput(f"“{self.file}” isn't a file name a brand kit can hold.")
        if not self.name.strip() or len(self.name) > MAX_NAME:
            raise InvalidInput(f"A kit's fonts and logos have names of 1 to {MAX_NAME} characters.")


@dataclass(frozen=True)
class BrandKit:
    id: str
    name: str
    palette: Palette = Palette()
    styles: TextStyles = TextStyles()
    fonts: tuple[KitFile, ...] = ()
    logos: tuple[KitFile, ...] = ()  # the first is the one layers draw
    mood: str = ""  # a few words for the prompt suffix ("warm, optimistic, hand-made")
    folder: Path | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        name = " ".join(str(self.name).split())
        if not name or len(name) > MAX_NAME:
            raise InvalidInput(f"A brand kit's name has 1 to {MAX_NAME} characters.")
        mood = " ".join(str(self.mood).split())
        if len(mood) > MAX_MOOD:
            raise InvalidInput(f"A kit's mood is a few words: at most {MAX_MOOD} characters.")
        if len(self.fonts) > MAX_FONTS or len(self.logos) > MAX_LOGOS:
            raise InvalidInput(
                f"A brand kit holds at most {MAX_FONTS} fonts and {MAX_LOGOS} logos."
            )
        for kind, items in (("font", self.fonts), ("logo", self.logos)):
            names = [item.name.casefold() for item in items]
            if len(set(names)) != len(names):
                raise InvalidInput(f"Two of the kit's {kind}s have the same name.")
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "mood", mood)
        for role in TEXT_ROLES:
            font = self.styles.for_role(role).font
            if self.font_face(font) is None:
                raise InvalidInput(
                    f"The {_ROLE_WORDS[role]} uses the font “{font}”, which is neither in "
                    "this kit nor one SnapAsset ships."
                )

    def font_face(self, name: str) -> FontFace | None:
        """The face a style's font name stands for: the kit's own first, then a shipped one."""
        wanted = name.strip().casefold()
        own = next((f for f in self.fonts if f.name.casefold() == wanted), None)
        if own is not None:
            return FontFace(own.name, (self.folder or Path()) / own.file)
        return bundled_font(name)

    def file_path(self, item: KitFile) -> Path:
        return (self.folder or Path()) / item.file

    def files(self) -> tuple[KitFile, ...]:
        return (*self.fonts, *self.logos)

    def with_changes(self, **changes: Any) -> BrandKit:
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The kit as its kit.json document (the folder is where it is read from)."""
        return {
            "format": KIT_FORMAT,
            "version": KIT_VERSION,
            "id": self.id,
            "name": self.name,
            "mood": self.mood,
            "palette": self.palette.to_dict(),
            "styles": self.styles.to_dict(),
            "fonts": [{"name": f.name, "file": f.file} for f in self.fonts],
            "logos": [{"name": f.name, "file": f.file} for f in self.logos],
        }

    @classmethod
    def from_dict(cls, data: Any, *, folder: Path | None = None) -> BrandKit:
        """A kit from its document, or InvalidInput saying what is wrong with it."""
        if not isinstance(data, Mapping) or data.get("format") != KIT_FORMAT:
            raise InvalidInput("This isn't a SnapAsset brand kit.")
        version = data.get("version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise InvalidInput("This brand kit has no version SnapAsset can read.")
        if version > KIT_VERSION:
            raise InvalidInput(
                "This brand kit was made by a newer version of SnapAsset — update SnapAsset "
                "to use it."
            )
        try:
            styles = data.get("styles", {})
            return cls(
                id=check_kit_id(data.get("id")),
                name=data.get("name", ""),
                palette=Palette(**_table(data.get("palette", {}), COLOUR_ROLES, "palette")),
                styles=TextStyles(
                    **{
                        role: TextStyle(**_table(styles[role], _STYLE_KEYS, f"{role} style"))
                        for role in _table(styles, TEXT_ROLES, "styles")
                    }
                ),
                fonts=tuple(_kit_file(entry) for entry in _list(data.get("fonts", []))),
                logos=tuple(_kit_file(entry) for entry in _list(data.get("logos", []))),
                mood=data.get("mood", ""),
                folder=folder,
            )
        except TypeError as exc:
            raise InvalidInput("This brand kit is damaged.", detail=repr(exc)) from None


_ROLE_WORDS = {"headline": "headline", "subline": "subline", "cta": "call to action"}
_STYLE_KEYS = tuple(f.name for f in fields(TextStyle))
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")


def check_kit_id(value: Any) -> str:
    if not isinstance(value, str) or not _ID.match(value):
        raise InvalidInput("A brand kit's id uses lowercase letters, digits and dashes.")
    return value


def kit_id_for(name: str) -> str:
    """The id a new kit called `name` starts from: "Café Noir" → "cafe-noir"."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug or "kit"


def _table(value: Any, keys: tuple[str, ...], what: str) -> dict[str, Any]:
    if not isinstance(value, Mapping) or not set(value) <= set(keys):
        raise InvalidInput(f"This brand kit's {what} is damaged.")
    return dict(value)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise InvalidInput("This brand kit's list of fonts or logos is damaged.")
    return value


def _kit_file(entry: Any) -> KitFile:
    if not isinstance(entry, Mapping) or set(entry) != {"name", "file"}:
        raise InvalidInput("This brand kit's list of fonts or logos is damaged.")
    return KitFile(str(entry["name"]), str(entry["file"]))


DEFAULT_KIT = BrandKit(id=DEFAULT_KIT_ID, name="SnapAsset")
