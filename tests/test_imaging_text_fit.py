"""Fitting text: the largest size that fits, balanced lines without orphans, never overflowing;
and WCAG contrast as the layers measure it."""

from __future__ import annotations

import random

import pytest
from PIL import Image

from snapasset_desktop.brand.fonts import bundled_font
from snapasset_desktop.imaging.contrast import (
    backdrop_contrast,
    colour_contrast,
    scrim_opacity,
)
from snapasset_desktop.imaging.text_fit import fit_text

INTER = bundled_font("Inter Bold")
WORDS = [
    "fresh",
    "snow",
    "start",
    "winter",
    "collection",
    "here",
    "warm",
    "layers",
    "cold",
    "mornings",
    "made",
    "to",
    "last",
]


def fit(text: str, box: tuple[int, int], **options: int):
    sizes = {"max_size": 140, "min_size": 30, "floor": 12, "max_lines": 4} | options
    assert INTER is not None
    return fit_text(text, INTER, box, **sizes)


def test_random_texts_never_leave_their_box() -> None:
    rng = random.Random(7)
    for _ in range(60):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 20)))
        box = (rng.randint(120, 1000), rng.randint(40, 500))
        fitted = fit(text, box)
        assert fitted.width <= box[0] and fitted.height <= box[1], (text, box, fitted)
        assert fitted.lines and len(fitted.lines) <= 4
        if not fitted.shortened:
            assert " ".join(fitted.lines) == text


def test_the_largest_size_that_fits_is_chosen() -> None:
    fitted = fit("Fresh snow today", (500, 150))
    assert 12 < fitted.size < 140
    one_more = fitted.size + 1
    bigger = fit("Fresh snow today", (500, 150), max_size=one_more, floor=one_more)
    assert bigger.shortened or bigger.lines != fitted.lines  # intact, it no longer fits


def test_a_line_fewer_wins_over_a_little_more_size() -> None:
    fitted = fit("Run further", (900, 400), max_size=300)
    larger = fit("Run further", (900, 400), max_size=300, floor=fitted.size + 1)
    assert fitted.lines == ("Run further",)  # not "Run / further", a little larger
    assert larger.lines == ("Run", "further") and larger.size <= fitted.size / 0.8
    # Where one line would be much smaller, the words take two.
    assert fit("Run further", (600, 400), max_size=300).lines == ("Run", "further")


def test_lines_are_balanced_and_no_word_is_orphaned() -> None:
    fitted = fit("Our winter collection is finally here for you", (700, 400), max_size=70)
    assert len(fitted.lines) >= 2
    assert all(len(line.split()) >= 2 for line in fitted.lines)
    widths = [right - left for left, _, right, _ in fitted.ink]
    assert max(widths) - min(widths) < 0.5 * max(widths)


def test_a_word_longer_than_the_box_breaks_only_at_the_floor() -> None:
    fitted = fit("Donaudampfschifffahrtsgesellschaftskapitän", (200, 200))
    assert fitted.size == 12 and len(fitted.lines) > 1 and fitted.width <= 200


def test_what_fits_nowhere_is_cut_with_an_ellipsis() -> None:
    fitted = fit(" ".join(WORDS * 3), (300, 40), max_lines=1)
    assert fitted.shortened and fitted.lines[0].endswith("…") and fitted.width <= 300


def test_text_without_spaces_breaks_between_characters() -> None:
    face = bundled_font("DejaVu Sans")
    assert face is not None
    fitted = fit_text(
        "ทดสอบข้อความยาวมากสำหรับการตัดบรรทัด",
        face,
        (260, 300),
        max_size=60,
        min_size=20,
        floor=12,
        max_lines=4,
    )
    assert len(fitted.lines) > 1 and fitted.width <= 260
    assert not any(
        line[0] in "\u0e31\u0e34\u0e35\u0e36\u0e37\u0e38\u0e39\u0e47\u0e48\u0e49"
        for line in fitted.lines
    )


def test_wcag_contrast_of_colours() -> None:
    assert colour_contrast((255, 255, 255), (0, 0, 0)) == pytest.approx(21.0)
    assert colour_contrast((255, 255, 255), (37, 99, 235)) == pytest.approx(5.17, abs=0.01)
    grey = Image.new("RGB", (300, 100), (118, 118, 118))
    assert backdrop_contrast(grey, (255, 255, 255)) == pytest.approx(4.54, abs=0.05)


def test_a_few_bright_pixels_dont_count_a_band_does() -> None:
    dark = Image.new("RGB", (400, 100), (0, 0, 0))
    specks = dark.copy()
    specks.paste((255, 255, 255), (0, 0, 400, 3))  # 3 % of the pixels
    band = dark.copy()
    band.paste((255, 255, 255), (0, 0, 400, 10))  # 10 %
    assert backdrop_contrast(specks, (255, 255, 255)) > 20
    assert backdrop_contrast(band, (255, 255, 255)) < 1.1


def test_a_scrim_is_just_opaque_enough() -> None:
    light = Image.new("RGB", (300, 100), (220, 225, 230))
    found = scrim_opacity(light, (255, 255, 255), (17, 24, 39), 4.95)
    assert found is not None
    opacity, reached = found
    assert 0.3 < opacity < 1 and reached >= 4.95
    veiled = Image.blend(light, Image.new("RGB", light.size, (17, 24, 39)), opacity)
    assert backdrop_contrast(veiled, (255, 255, 255)) >= 4.95
    thinner = Image.blend(light, Image.new("RGB", light.size, (17, 24, 39)), opacity - 0.07)
    assert backdrop_contrast(thinner, (255, 255, 255)) < 4.95
    assert scrim_opacity(light, (255, 255, 255), (250, 250, 250), 4.5) is None
