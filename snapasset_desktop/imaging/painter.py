"""Drawing one platform's layers onto its canvas: letters, their backdrops, buttons, logos.

`Painter` takes the slots a layout gave (or the designer's own), fits each text
(`text_fit`), places its lines by their ink so nothing leaves the slot, lets `backdrop`
make it legible, and draws; the call to action gets a button, the logo the one of the
kit's logos that stands out most where it goes. `DrawnLayer` records what was drawn.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from snapasset_desktop.brand.fonts import FontFace, load_font
from snapasset_desktop.brand.kit import BrandKit
from snapasset_desktop.brand.layers import TEXT_LAYERS
from snapasset_desktop.imaging.backdrop import button, make_legible
from snapasset_desktop.imaging.decode import load_image
from snapasset_desktop.imaging.layout import Box, Layout, Slot
from snapasset_desktop.imaging.text_fit import FittedText, fit_text

LINE_SPACING = {"headline": 1.08, "subline": 1.25, "cta": 1.0}
ROLE_WORDS = {"headline": "headline", "subline": "subline", "cta": "call to action"}
_BUTTON_PADDING = (0.55, 0.32)  # of the letters' size, around a call to action
_SMALLER = {"headline": 1.0, "subline": 0.7, "cta": 0.8}  # at most this of the headline's size


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
            "box_fraction": fractions(self.box, frame),
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


class Notes:
    """What a designer should read about one platform's layers, each said once."""

    def __init__(self) -> None:
        self._notes: dict[str, None] = {}

    def add(self, note: str) -> None:
        self._notes[note] = None

    def all(self) -> tuple[str, ...]:
        return tuple(self._notes)


@functools.lru_cache(maxsize=32)
def logo_image(path: Path, _stamp: tuple[int, int]) -> Image.Image:
    return load_image(path, what=f"the logo {path.name}").convert("RGBA")


@functools.lru_cache(maxsize=128)
def _logo_at(path: Path, stamp: tuple[int, int], size: tuple[int, int]) -> Image.Image:
    return logo_image(path, stamp).resize(size, Image.Resampling.LANCZOS)


class Painter:
    """Draws the layers of one platform onto its canvas, slot by slot."""

    def __init__(
        self, canvas: Image.Image, kit: BrandKit, layout: Layout, rtl: bool, notes: Notes
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
        natural = logo_image(path, stamp).size
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
        return max(logos, key=lambda logo: abs(_mean_luminance(logo_image(*logo)) - behind))


def _mean_luminance(image: Image.Image) -> float:
    grey = image.convert("LA") if image.mode == "RGBA" else image.convert("L")
    if grey.mode == "LA":
        values, alpha = grey.split()
        histogram = values.histogram(mask=alpha.point(lambda a: 255 if a > 127 else 0))
    else:
        histogram = grey.histogram()
    total = sum(histogram) or 1
    return sum(index * count for index, count in enumerate(histogram)) / total / 255


def _aligned_start(area: Box, length: int, align: str, rtl: bool) -> int:
    if align == "centre":
        return area[0] + (area[2] - area[0] - length) // 2
    at_end = (align == "end") != rtl
    return area[2] - length if at_end else area[0]


def fractions(box: Box, frame: tuple[int, int]) -> list[float]:
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
