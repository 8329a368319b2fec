"""Text and logo layers drawn over one platform's picture: fitted, legible, in its safe area.

`render_layers` takes a platform's cropped picture, the job's `TextLayers` and a brand
kit, and returns the flattened picture with the box of every layer (for the manifest
and the editor) and the notes a designer should read: a font that lacks some letters, a
character no font here draws, a layer over the subject, words cut to fit. It never fails
on the kit's files: a missing font or logo is a note, and the layer uses SnapAsset's own
font or goes without the logo. The picture given is not changed.

Layout (`layout`), fitting (`text_fit`) and legibility (`backdrop`) are their own
modules; this one resolves fonts, places lines and draws.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from snapasset_desktop.brand.fonts import (
    FontFace,
    FontUnavailable,
    fallback_face,
    font_data,
    load_font,
    missing_characters,
)
from snapasset_desktop.brand.kit import DEFAULT_KIT, BrandKit, TextStyle
from snapasset_desktop.brand.layers import TEXT_LAYERS, TextLayers
from snapasset_desktop.errors import ImageError
from snapasset_desktop.imaging.backdrop import button, make_legible
from snapasset_desktop.imaging.decode import load_image
from snapasset_desktop.imaging.layout import Box, Layout, Slot, overlap, plan_layout
from snapasset_desktop.imaging.text_fit import FittedText, fit_text
from snapasset_desktop.platforms import Platform
from snapasset_desktop.preflight import platform_label
from snapasset_desktop.safe_zones import Rect, hiding, zones_for

LINE_SPACING = {"headline": 1.08, "subline": 1.25, "cta": 1.0}
ROLE_WORDS = {"headline": "headline", "subline": "subline", "cta": "call to action"}
_SUBJECT_SIDE = 0.3  # a subject known only by its focal point: this share of the short side
_BUTTON_PADDING = (0.55, 0.32)  # of the letters' size, around a call to action
_SMALLER = {"headline": 1.0, "subline": 0.7, "cta": 0.8}  # at most this of the headline's size
_INVISIBLE_AFTER = {"\u200d", "\ufe0f", "\ufe0e"}  # joiners and variation selectors


@dataclass(frozen=True)
class DrawnLayer:
    name: str  # headline, subline, cta or logo
    box: Box  # all the layer covers: letters and their scrim, plate or button; the logo
    text_box: Box | None  # the letters' ink (None for the logo)
    text: str = ""  # the words as drawn
    lines: tuple[str, ...] = ()
    font: str = ""
    size: int = 0
    colour: str = ""  # the letters' colour, #rrggbb
    backdrop: str = "none"  # none, shadow, scrim, plate or button
    contrast: float | None = None  # letters against what is behind them, as drawn
    moved: bool = False  # placed by the designer on this platform
    over_subject: bool = False

    def to_dict(self, frame: tuple[int, int]) -> dict[str, Any]:
        """The layer as the manifest records it: pixel boxes and the same in fractions."""
        data: dict[str, Any] = {
            "layer": self.name,
            "box": list(self.box),
            "box_fraction": _fractions(self.box, frame),
            "moved": self.moved,
            "over_subject": self.over_subject,
        }
        if self.text_box is not None:
            data |= {
                "text": self.text,
                "lines": list(self.lines),
                "font": self.font,
                "size": self.size,
                "colour": self.colour,
                "backdrop": self.backdrop,
                "contrast": None if self.contrast is None else round(self.contrast, 2),
                "text_box": list(self.text_box),
            }
        return data


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


def subject_in_frame(
    crop: Box,
    source_size: tuple[int, int],
    *,
    subject: Rect | None = None,
    focus: tuple[float, float] | None = None,
) -> Rect | None:
    """The subject (or a box around the focal point) as fractions of a platform's crop.

    `subject` and `focus` are fractions of the source, `crop` its box in source pixels.
    """
    width, height = crop[2] - crop[0], crop[3] - crop[1]
    if subject is None:
        if focus is None:
            return None
        half = _SUBJECT_SIDE * min(width, height) / 2
        x, y = focus[0] * source_size[0], focus[1] * source_size[1]
        pixels = (x - half, y - half, x + half, y + half)
    else:
        pixels = (
            subject[0] * source_size[0],
            subject[1] * source_size[1],
            subject[2] * source_size[0],
            subject[3] * source_size[1],
        )
    left = min(1.0, max(0.0, (pixels[0] - crop[0]) / width))
    top = min(1.0, max(0.0, (pixels[1] - crop[1]) / height))
    right = min(1.0, max(0.0, (pixels[2] - crop[0]) / width))
    bottom = min(1.0, max(0.0, (pixels[3] - crop[1]) / height))
    return (left, top, right, bottom) if right > left and bottom > top else None


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
    notes = _Notes()
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
        name: (layout.slot_at(name, _pixels(box, platform.size)), True)
        if (box := layers.override(platform.id, name)) is not None
        else (layout.slots[name], False)
        for name in names
        if name in layout.slots or layers.override(platform.id, name) is not None
    }
    painter = _Painter(canvas, kit, layout, rtl, notes)
    drawn = painter.words(words, slots)
    if "logo" in slots:
        drawn.append(painter.logo(logos, *slots["logo"]))
    subject_px = _pixels(subject, platform.size) if subject else None
    drawn = [_checked(layer, subject_px) for layer in drawn]
    _note_placement(drawn, platform, notes)
    order = {name: index for index, name in enumerate((*TEXT_LAYERS, "logo"))}
    drawn.sort(key=lambda layer: order[layer.name])
    return LayeredImage(canvas, platform.id, layout.family, tuple(drawn), notes.all())


class _Notes:
    def __init__(self) -> None:
        self._notes: dict[str, None] = {}

    def add(self, note: str) -> None:
        self._notes[note] = None

    def all(self) -> tuple[str, ...]:
        return tuple(self._notes)


def _prepared(role: str, text: str, kit: BrandKit, notes: _Notes) -> tuple[str, FontFace] | None:
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


def _usable_face(role: str, style: TextStyle, kit: BrandKit, notes: _Notes) -> FontFace:
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


@functools.lru_cache(maxsize=32)
def _logo_image(path: Path, _stamp: tuple[int, int]) -> Image.Image:
    return load_image(path, what=f"the logo {path.name}").convert("RGBA")


@functools.lru_cache(maxsize=128)
def _logo_at(path: Path, stamp: tuple[int, int], size: tuple[int, int]) -> Image.Image:
    return _logo_image(path, stamp).resize(size, Image.Resampling.LANCZOS)


def _logos(kit: BrandKit, notes: _Notes) -> list[tuple[Path, tuple[int, int]]]:
    """The kit's logo files that can be drawn (path and stamp); a note for each that can't."""
    found = []
    for logo in kit.logos:
        path = kit.file_path(logo)
        try:
            status = path.stat()
            stamp = (status.st_mtime_ns, status.st_size)
            _logo_image(path, stamp)
        except OSError:
            notes.add(f"The logo file {path.name} is missing from the kit “{kit.name}”.")
            continue
        except ImageError as exc:
            notes.add(f"The kit “{kit.name}”'s logo can't be drawn: {exc.message}")
            continue
        found.append((path, stamp))
    return found


class _Painter:
    """Draws the layers of one platform onto its canvas, slot by slot."""

    def __init__(
        self, canvas: Image.Image, kit: BrandKit, layout: Layout, rtl: bool, notes: _Notes
    ) -> None:
        self.canvas, self.kit, self.layout, self.rtl, self.notes = canvas, kit, layout, rtl, notes
        self.draw = ImageDraw.Draw(canvas)

    def words(
        self, words: Mapping[str, tuple[str, FontFace]], slots: Mapping[str, tuple[Slot, bool]]
    ) -> list[DrawnLayer]:
        """The text layers, headline first: the others are never set larger than it."""
        drawn: dict[str, DrawnLayer] = {}
        flowing = (
            {"headline", "subline"} <= slots.keys()
            and not (slots["headline"][1] or slots["subline"][1])
            and slots["headline"][0].anchor == "top"
        )
        for role in (r for r in TEXT_LAYERS if r in words and r in slots):
            slot, moved = slots[role]
            if flowing and role == "subline" and "headline" in drawn:
                slot = self._after(slot, drawn["headline"])
            headline = drawn.get("headline")
            cap = round(_SMALLER[role] * headline.size) if headline else None
            layer = self.text(role, *words[role], slot, moved, cap)
            if layer is not None:
                drawn[role] = layer
        return list(drawn.values())

    def _after(self, slot: Slot, previous: DrawnLayer) -> Slot:
        """The subline moved up under the headline's letters, from the bottom of its slot."""
        x0, _, x1, y1 = slot.box
        box = (x0, min(previous.box[3] + self.layout.gap, y1 - 1), x1, y1)
        return Slot(box, slot.align, slot.anchor, slot.sizes)

    def text(
        self, role: str, text: str, face: FontFace, slot: Slot, moved: bool, cap: int | None
    ) -> DrawnLayer | None:
        style = self.kit.styles.for_role(role)
        palette = self.kit.palette
        pad = self.layout.pad
        inner = _inset(slot.box, pad)
        width, height = inner[2] - inner[0], inner[3] - inner[1]
        if role == "cta":  # leave the button's padding room around the letters
            width, height = round(width * 0.82), round(height / (1 + 2 * _BUTTON_PADDING[1]))
        if width < 4 or height < 4:
            self.notes.add(f"The {ROLE_WORDS[role]} has no room here.")
            return None
        sizes = slot.sizes
        if cap is not None:
            largest = max(sizes.floor, min(sizes.max_size, cap))
            sizes = replace(sizes, max_size=largest, min_size=min(sizes.min_size, largest))
        fitted = fit_text(
            text,
            face,
            (width, height),
            max_size=sizes.max_size,
            min_size=sizes.min_size,
            floor=sizes.floor,
            max_lines=sizes.max_lines,
            line_spacing=LINE_SPACING[role],
        )
        self._note_fit(role, fitted)
        if not fitted.lines:
            return None
        font = load_font(face, fitted.size)
        colour = palette.rgb(style.colour)
        fill = palette.rgb(style.fill)
        radius = max(2, round(fitted.size * 0.25))
        if role == "cta":
            area = self._button_box(fitted, inner, slot.align)
            placed, text_box = self._lines(fitted, _inset(area, 1), "centre", "middle")
            colour, contrast, changed = button(self.canvas, area, fill, colour, radius)
            if changed:
                self.notes.add(
                    "The call to action's letters are set in "
                    f"{'white' if colour[0] else 'black'}: the kit's colour doesn't read on "
                    "its button."
                )
            kind, box = "button", area
        else:
            placed, text_box = self._lines(fitted, inner, slot.align, slot.anchor)
            backdrop_box = _clamped(_outset(text_box, pad), slot.box)
            made = make_legible(
                self.canvas,
                text_box,
                backdrop_box,
                lambda: self._glyphs(placed, font, text_box),
                colour,
                fill,
                style.backdrop,
                radius,
            )
            if made.substituted:
                self.notes.add(
                    f"The {ROLE_WORDS[role]}'s {made.kind} is "
                    f"{'white' if made.colour and made.colour[0] else 'black'}: the kit's "
                    f"{style.fill} colour is too close to its {style.colour} colour."
                )
            kind, contrast = made.kind, made.contrast
            box = _union(text_box, made.box) if made.box else text_box
        for x, y, line in placed:
            self.draw.text((x, y), line, font=font, fill=colour, anchor="ls", embedded_color=True)
        return DrawnLayer(
            name=role,
            box=box,
            text_box=text_box,
            text=" ".join(fitted.lines) if fitted.shortened else text,
            lines=fitted.lines,
            font=face.name,
            size=fitted.size,
            colour="#{:02x}{:02x}{:02x}".format(*colour),
            backdrop=kind,
            contrast=contrast,
            moved=moved,
        )

    def _note_fit(self, role: str, fitted: FittedText) -> None:
        if fitted.shortened:
            self.notes.add(
                f"The {ROLE_WORDS[role]} is too long for this size and is cut short; "
                "shorten it, or move it where there is more room."
            )
        elif fitted.below_minimum:
            self.notes.add(
                f"The {ROLE_WORDS[role]} is set small to fit ({fitted.size} px); it may be "
                "hard to read on phones."
            )

    def _button_box(self, fitted: FittedText, inner: Box, align: str) -> Box:
        across = round(fitted.width + 2 * _BUTTON_PADDING[0] * fitted.size)
        down = round(fitted.height + 2 * _BUTTON_PADDING[1] * fitted.size)
        across, down = min(across, inner[2] - inner[0]), min(down, inner[3] - inner[1])
        left = _aligned_start(inner, across, align, self.rtl)
        top = inner[1] + (inner[3] - inner[1] - down) // 2
        return (left, top, left + across, top + down)

    def _lines(
        self, fitted: FittedText, area: Box, align: str, anchor: str
    ) -> tuple[list[tuple[int, int, str]], Box]:
        """Where each line's baseline starts in `area`, and the ink box of them all.

        Lines align by their ink, so side bearings never push letters out of `area`.
        """
        if anchor == "top":
            top = area[1]
        elif anchor == "bottom":
            top = area[3] - fitted.height
        else:
            top = area[1] + (area[3] - area[1] - fitted.height) // 2
        top -= min(-fitted.ascent, fitted.ink[0][1]) + fitted.ascent  # ink above the ascent
        side = "centre" if align == "centre" else "end" if (align == "end") != self.rtl else "start"
        placed = []
        boxes = []
        for index, (line, (left, upper, right, lower)) in enumerate(
            zip(fitted.lines, fitted.ink, strict=True)
        ):
            baseline = top + fitted.ascent + index * fitted.line_step
            if side == "start":
                x = area[0] - left
            elif side == "end":
                x = area[2] - right
            else:
                x = (area[0] + area[2] - left - right) // 2
            placed.append((x, baseline, line))
            boxes.append((x + left, baseline + upper, x + right, baseline + lower))
        return placed, functools.reduce(_union, boxes)

    @staticmethod
    def _glyphs(
        placed: list[tuple[int, int, str]], font: ImageFont.FreeTypeFont, box: Box
    ) -> Image.Image:
        mask = Image.new("L", (box[2] - box[0], box[3] - box[1]), 0)
        draw = ImageDraw.Draw(mask)
        for x, y, line in placed:
            draw.text((x - box[0], y - box[1]), line, font=font, fill=255, anchor="ls")
        return mask

    def logo(
        self, logos: list[tuple[Path, tuple[int, int]]], slot: Slot, moved: bool
    ) -> DrawnLayer:
        area = _inset(slot.box, self.layout.pad)
        path, stamp = self._best_logo(logos, area)
        natural = _logo_image(path, stamp).size
        scale = min((area[2] - area[0]) / natural[0], (area[3] - area[1]) / natural[1])
        size = (max(1, round(natural[0] * scale)), max(1, round(natural[1] * scale)))
        left = _aligned_start(area, size[0], slot.align, self.rtl)
        top = area[1] + (area[3] - area[1] - size[1]) // 2
        picture = _logo_at(path, stamp, size)
        self.canvas.paste(picture, (left, top), picture)
        return DrawnLayer("logo", (left, top, left + size[0], top + size[1]), None, moved=moved)

    def _best_logo(
        self, logos: list[tuple[Path, tuple[int, int]]], area: Box
    ) -> tuple[Path, tuple[int, int]]:
        """Of a kit's logos (a light and a dark one, say), the one that stands out most here."""
        if len(logos) == 1:
            return logos[0]
        behind = _mean_luminance(self.canvas.crop(area))
        return max(logos, key=lambda logo: abs(_mean_luminance(_logo_image(*logo)) - behind))


def _mean_luminance(image: Image.Image) -> float:
    grey = image.convert("LA") if image.mode == "RGBA" else image.convert("L")
    if grey.mode == "LA":
        values, alpha = grey.split()
        histogram = values.histogram(mask=alpha.point(lambda a: 255 if a > 127 else 0))
    else:
        histogram = grey.histogram()
    total = sum(histogram) or 1
    return sum(index * count for index, count in enumerate(histogram)) / total / 255


def _checked(layer: DrawnLayer, subject: Box | None) -> DrawnLayer:
    if subject is None or not overlap(layer.box, subject):
        return layer
    return replace(layer, over_subject=True)


def _note_placement(drawn: list[DrawnLayer], platform: Platform, notes: _Notes) -> None:
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
        hidden = hiding(zones, _fractions(layer.box, platform.size))
        for zone in hidden:
            where = "cut off" if zone.kind == "crop" else "under"
            notes.add(f"The {ROLE_WORDS.get(layer.name, layer.name)} is {where} {zone.label}.")


def _label(platform: Platform) -> str:
    return platform_label(platform.network, platform.label)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _aligned_start(area: Box, length: int, align: str, rtl: bool) -> int:
    if align == "centre":
        return area[0] + (area[2] - area[0] - length) // 2
    at_end = (align == "end") != rtl
    return area[2] - length if at_end else area[0]


def _pixels(rect: Rect, frame: tuple[int, int]) -> Box:
    return (
        round(rect[0] * frame[0]),
        round(rect[1] * frame[1]),
        round(rect[2] * frame[0]),
        round(rect[3] * frame[1]),
    )


def _fractions(box: Box, frame: tuple[int, int]) -> list[float]:
    return [
        round(box[0] / frame[0], 4),
        round(box[1] / frame[1], 4),
        round(box[2] / frame[0], 4),
        round(box[3] / frame[1], 4),
    ]


def _inset(box: Box, by: int) -> Box:
    return (box[0] + by, box[1] + by, max(box[0] + by, box[2] - by), max(box[1] + by, box[3] - by))


def _outset(box: Box, by: int) -> Box:
    return (box[0] - by, box[1] - by, box[2] + by, box[3] + by)


def _clamped(box: Box, within: Box) -> Box:
    return (
        max(box[0], within[0]),
        max(box[1], within[1]),
        min(box[2], within[2]),
        min(box[3], within[3]),
    )


def _union(a: Box, b: Box) -> Box:
    return (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))
