"""Text and logo layers drawn over one platform's picture: fitted, legible, in its safe area.

`render_layers` takes a platform's cropped picture, the job's `TextLayers` and a brand
kit, and returns the flattened picture with the box of every layer (for the manifest
and the editor) and the notes a designer should read: a font that lacks some letters, a
character no font here draws, a layer over the subject, words cut to fit. It never fails
on the kit's files: a missing font or logo is a note, and the layer uses SnapAsset's own
font or goes without the logo. The picture given is not changed.

Layout (`layout`), fitting (`text_fit`), legibility (`backdrop`) and drawing
(`painter`) are their own modules; this one resolves fonts and characters, picks the
slots and says what a designer should know.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image

from snapasset_desktop.brand.fonts import (
    FontFace,
    FontUnavailable,
    fallback_face,
    font_data,
    missing_characters,
)
from snapasset_desktop.brand.kit import DEFAULT_KIT, BrandKit, TextStyle
from snapasset_desktop.brand.layers import TEXT_LAYERS, TextLayers
from snapasset_desktop.errors import ImageError
from snapasset_desktop.imaging.layout import Box, overlap, plan_layout, to_pixels
from snapasset_desktop.imaging.painter import (
    ROLE_WORDS,
    DrawnLayer,
    Notes,
    Painter,
    fractions,
    logo_image,
)
from snapasset_desktop.platforms import Platform
from snapasset_desktop.preflight import platform_label
from snapasset_desktop.safe_zones import Rect, hiding, zones_for

_INVISIBLE_AFTER = {"\u200d", "\ufe0f", "\ufe0e"}  # joiners and variation selectors


@dataclass(frozen=True)
class LayeredImage:
    image: Image.Image
    platform_id: str
    family: str  # the layout family used (tall, square, wide, banner, thumbnail)
    layers: tuple[DrawnLayer, ...]
    notes: tuple[str, ...]

    @property
    def subject_covered(self) -> bool:
        return any(layer.over_subject for layer in self.layers)

    def layer(self, name: str) -> DrawnLayer | None:
        return next((layer for layer in self.layers if layer.name == name), None)

    def manifest(self) -> dict[str, Any]:
        """What an export records so another tool can rebuild the layers."""
        return {
            "platform": self.platform_id,
            "layout": self.family,
            "layers": [layer.to_dict(self.image.size) for layer in self.layers],
            "notes": list(self.notes),
        }


def render_layers(
    image: Image.Image,
    platform: Platform,
    layers: TextLayers,
    kit: BrandKit = DEFAULT_KIT,
    *,
    subject: Rect | None = None,
) -> LayeredImage:
    """`image` (the platform's crop, at its exact size) with `layers` drawn in `kit`'s look.

    `subject`: where the subject is, in fractions of the frame; layers keep off it when
    their layout has room, and say so when they can't.
    """
    if image.size != platform.size:
        raise ValueError(f"{platform.id} is {platform.size}, the image {image.size}")
    canvas = image.copy() if image.mode in ("RGB", "RGBA") else image.convert("RGB")
    notes = Notes()
    words = {}
    for role, text in layers.texts.items():
        prepared = _prepared(role, text, kit, notes)
        if prepared is not None:
            words[role] = prepared
    logos = _logos(kit, notes) if layers.logo else []
    names = set(words) | ({"logo"} if logos else set())
    if not names:
        return LayeredImage(canvas, platform.id, "", (), notes.all())
    rtl = _right_to_left(" ".join(text for text, _ in words.values()))
    layout = plan_layout(platform, names, subject=subject, rtl=rtl)
    for name, reason in layout.left_out.items():
        notes.add(f"The {ROLE_WORDS[name]} is left out of the {_label(platform)}: {reason}.")
    slots = {
        name: (layout.slot_at(name, to_pixels(box, platform.size)), True)
        if (box := layers.override(platform.id, name)) is not None
        else (layout.slots[name], False)
        for name in names
        if name in layout.slots or layers.override(platform.id, name) is not None
    }
    painter = Painter(canvas, kit, layout, rtl, notes)
    drawn = painter.words(words, slots)
    if "logo" in slots:
        drawn.append(painter.logo(logos, *slots["logo"]))
    subject_px = to_pixels(subject, platform.size) if subject else None
    drawn = [_checked(layer, subject_px) for layer in drawn]
    _note_placement(drawn, platform, notes)
    order = {name: index for index, name in enumerate((*TEXT_LAYERS, "logo"))}
    drawn.sort(key=lambda layer: order[layer.name])
    return LayeredImage(canvas, platform.id, layout.family, tuple(drawn), notes.all())


def _prepared(role: str, text: str, kit: BrandKit, notes: Notes) -> tuple[str, FontFace] | None:
    """The words as they will be drawn, and the face that can draw them."""
    style = kit.styles.for_role(role)
    text = text.upper() if style.case == "upper" else text
    face = _usable_face(role, style, kit, notes)
    missing = missing_characters(face, text)
    if missing:
        fallback = fallback_face(bold=_looks_bold(face.name))
        if len(missing_characters(fallback, missing)) < len(missing):
            notes.add(
                f"The {ROLE_WORDS[role]} is set in {fallback.name}: {face.name} has no "
                f"letters for {_some(missing)}."
            )
            face = fallback
        left = missing_characters(face, text)
        if left:
            text = _without(text, left)
            notes.add(
                f"{_some(left)} can't be drawn by the fonts here, so the {ROLE_WORDS[role]} "
                "leaves it out; add a font that has it to the kit."
            )
    return (text, face) if text.strip() else None


def _usable_face(role: str, style: TextStyle, kit: BrandKit, notes: Notes) -> FontFace:
    face = kit.font_face(style.font) or _default_face(role)
    try:
        font_data(face.path)
    except FontUnavailable:
        default = _default_face(role)
        notes.add(
            f"The font file of “{face.name}” ({face.path.name}) is missing from the kit "
            f"“{kit.name}”, so the {ROLE_WORDS[role]} is set in {default.name}."
        )
        return default
    return face


def _default_face(role: str) -> FontFace:
    face = DEFAULT_KIT.font_face(DEFAULT_KIT.styles.for_role(role).font)
    assert face is not None  # the default kit names shipped fonts only
    return face


def _looks_bold(name: str) -> bool:
    return any(word in name.lower() for word in ("bold", "black", "heavy", "semibold"))


def _some(characters: str) -> str:
    shown = " ".join(characters[:5])
    return shown + (" …" if len(characters) > 5 else "")


def _without(text: str, characters: str) -> str:
    """`text` less `characters`, with the joiners and selectors that went with them."""
    kept: list[str] = []
    dropped = False
    for char in text:
        if char in characters or (dropped and char in _INVISIBLE_AFTER):
            dropped = True
            continue
        dropped = False
        kept.append(char)
    return " ".join("".join(kept).split())


def _right_to_left(text: str) -> bool:
    """Whether the first letter with a direction is written right to left."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def _logos(kit: BrandKit, notes: Notes) -> list[tuple[Path, tuple[int, int]]]:
    """The kit's logo files that can be drawn (path and stamp); a note for each that can't."""
    found = []
    for logo in kit.logos:
        path = kit.file_path(logo)
        try:
            status = path.stat()
            stamp = (status.st_mtime_ns, status.st_size)
            logo_image(path, stamp)
        except OSError:
            notes.add(f"The logo file {path.name} is missing from the kit “{kit.name}”.")
            continue
        except ImageError as exc:
            notes.add(f"The kit “{kit.name}”'s logo can't be drawn: {exc.message}")
            continue
        found.append((path, stamp))
    return found


def _checked(layer: DrawnLayer, subject: Box | None) -> DrawnLayer:
    if subject is None or not overlap(layer.box, subject):
        return layer
    return replace(layer, over_subject=True)


def _note_placement(drawn: list[DrawnLayer], platform: Platform, notes: Notes) -> None:
    over = [layer for layer in drawn if layer.over_subject]
    placed = [ROLE_WORDS.get(layer.name, layer.name) for layer in over if layer.moved]
    laid = [ROLE_WORDS.get(layer.name, layer.name) for layer in over if not layer.moved]
    if laid:
        notes.add(
            f"The {_listed(laid)} {'covers' if len(laid) == 1 else 'cover'} part of the "
            f"subject: the {_label(platform)} has no room clear of it."
        )
    if placed:
        notes.add(
            f"The {_listed(placed)} {'covers' if len(placed) == 1 else 'cover'} part of the "
            "subject where you placed it."
        )
    zones = zones_for(platform)
    for layer in drawn:
        if not layer.moved:
            continue
        left, top, right, bottom = fractions(layer.box, platform.size)
        hidden = hiding(zones, (left, top, right, bottom))
        for zone in hidden:
            where = "cut off" if zone.kind == "crop" else "under"
            notes.add(f"The {ROLE_WORDS.get(layer.name, layer.name)} is {where} {zone.label}.")


def _label(platform: Platform) -> str:
    return platform_label(platform.network, platform.label)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
