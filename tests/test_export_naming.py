"""Export file-name templates: validation, rendering, clashes and the live preview."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.library.models import AssetRecord
from snapasset_desktop.library.naming import (
    UniqueNames,
    preview,
    render,
    shorten,
    slugify,
    validate_template,
)
from snapasset_desktop.library.store import Library


def asset(n: int = 1, prompt: str = "A red fox, in snow!", platform: str = "x-post") -> AssetRecord:
    made = datetime(2026, 3, 9, 14, 30).timestamp()
    return AssetRecord(
        id=n,
        job_id="j_20260309_143000000_abc123",
        platform=platform,
        variant=0,
        width=1600,
        height=900,
        format="png",
        path=f"assets/{n}.png",
        bytes=10,
        sha256="0" * 64,
        favourite=False,
        warning=None,
        created_at=made,
        prompt=prompt,
        model="gpt-image-2",
        job_created_at=made,
    )


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("{colour}_{platform}", "{colour} is not a field"),
        ("{}", "{} is not a field"),
        ("{platform:>20}", "plainly"),
        ("{platform!r}", "plainly"),
        ("{platform", "unmatched"),
        ("../{platform}", "“..”"),
        ("a/../../{platform}", "“..”"),
        ("/etc/{platform}", "inside the destination folder"),
        ("~/{platform}", "inside the destination folder"),
        ("C:{platform}", "can't contain :"),
        ("out\\{platform}", "not “\\”"),
        ("CON", "reserves"),
        ("nul.{platform}", "reserves"),
        ("lpt9/{platform}", "reserves"),
        ("bad\x07{platform}", "control characters"),
        ("a//{platform}", "empty file or folder name"),
        ("{platform}/", "empty file or folder name"),
        ("what?{platform}", "can't contain ?"),
        ("a/b/c/d/e/f/g/h/i/{platform}", "at most 8 subfolders"),
    ],
)
def test_bad_templates_are_refused(template: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_template(template)
    assert message in caught.value.message


def test_unknown_field_lists_the_allowed_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        validate_template("{size}")
    for field in ("{date}", "{prompt_slug}", "{platform}", "{width}", "{height}", "{job}", "{n}"):
        assert field in caught.value.message


@pytest.mark.parametrize(
    "template",
    [
        "{prompt_slug}_{platform}_{width}x{height}",
        "{date}/{platform}/{n}",
        "{job}-{format}.{ext}",
        "console_{platform}",
        "campaign {n}",
    ],
)
def test_good_templates_pass(template: str) -> None:
    validate_template(template)


def test_render_fields() -> None:
    item = asset(7)
    assert render("{prompt_slug}_{platform}_{width}x{height}", item, 0, 1, "png") == (
        "a-red-fox-in-snow_x-post_1600x900"
    )
    assert render("{date}/{n}_{format}_{ext}", item, 6, 120, "jpeg") == "2026-03-09/007_jpeg_jpg"
    assert render("{job}", item, 0, 1, "png") == "j_20260309_143000000_abc123"


def test_slug_is_ascii_short_and_never_empty() -> None:
    assert slugify("Café crème — à Paris") == "cafe-creme-a-paris"
    assert len(slugify("word " * 30)) <= 40 and not slugify("word " * 30).endswith("-")
    assert slugify("日本語のみ") == "image"


def test_a_long_prompt_slug_ends_with_a_whole_word() -> None:
    prompt = "a lighthouse at dawn, warm light over a calm sea"
    assert slugify(prompt) == "a-lighthouse-at-dawn-warm-light-over-a"  # was "…-over-a-c"
    assert slugify("a " + "b" * 50) == "a-" + "b" * 38  # one long word: cut where it must be
    preview_name = preview("{prompt_slug}", [asset(prompt=prompt)], None, 1)[0]
    assert preview_name == "a-lighthouse-at-dawn-warm-light-over-a.png"  # the preview says so


def test_reserved_names_from_values_are_made_safe() -> None:
    assert render("{prompt_slug}", asset(prompt="CON"), 0, 1, "png") == "con_"


def test_long_names_are_cut_by_bytes_at_a_word_end() -> None:
    # 200 "é" are 400 bytes: cut by characters (180) they were still over the 255-byte limit.
    cut = render("é" * 200, asset(), 0, 1, "png")
    assert cut == "é" * 90
    words = render("日本語の名前 " * 30 + "{platform}", asset(), 0, 1, "png")
    assert len(words.encode()) <= 180 and words.endswith("日本語の名前")
    assert shorten("ab" * 100, 9) == "ababababa"  # no word ends: cut where the bytes end
    assert shorten("€" * 10, 7) == "€€"  # never inside a character
    assert shorten("short", 180) == "short"


def test_unique_names_ignore_case_and_respect_disk() -> None:
    names = UniqueNames(taken=lambda name: name == "on-disk.png")
    assert names.claim("Fox", ".png") == "Fox.png"
    assert names.claim("fox", ".png") == "fox (2).png"
    assert names.claim("fox", ".png") == "fox (3).png"
    assert names.claim("on-disk", ".png") == "on-disk (2).png"


def test_preview_names_show_conversion_and_clashes(tmp_path: Path) -> None:
    with Library.open() as library:
        exporter = Exporter(library)
        items = [asset(1), asset(2), asset(3, platform="threads")]
        options = ExportOptions(destination=tmp_path, format="jpg")
        assert exporter.preview_names(items, options, count=2) == [
            "a-red-fox-in-snow_x-post_1600x900.jpg",
            "a-red-fox-in-snow_x-post_1600x900 (2).jpg",
        ]
        with pytest.raises(InvalidInput):
            exporter.preview_names(items, ExportOptions(destination=tmp_path, template="{x}"))


def test_preview_names_carry_the_extension_preflight_will_give(tmp_path: Path) -> None:
    with Library.open() as library:
        exporter = Exporter(library)
        items = [asset(1, platform="instagram-square"), asset(2, platform="x-post")]
        options = ExportOptions(destination=tmp_path, template="{platform}")
        # Instagram takes no PNG: its file is written as JPEG, and named so beforehand.
        assert exporter.preview_names(items, options) == ["instagram-square.jpg", "x-post.png"]
        unchecked = ExportOptions(destination=tmp_path, template="{platform}", preflight=False)
        assert exporter.preview_names(items, unchecked) == ["instagram-square.png", "x-post.png"]
