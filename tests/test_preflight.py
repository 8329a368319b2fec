"""Preflight: every rule in resources/preflight.toml, applied to real files before export.

The rules are read from the data file itself, and each one is broken on purpose
by a case made for it; the outcome is checked by `violations`, which reads the
written file with Pillow and knows nothing of the code under test.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from snapasset_desktop.imaging.color import srgb_icc_bytes
from snapasset_desktop.imaging.decode import load_image
from snapasset_desktop.imaging.encode import encode_image
from snapasset_desktop.imaging.preflight import check_file, plan_file
from snapasset_desktop.imaging.render import RenderOptions, render_platforms
from snapasset_desktop.library import Library
from snapasset_desktop.library.export import Exporter, ExportOptions
from snapasset_desktop.platforms import BUILTIN_PLATFORMS, PlatformRegistry, make_custom_platform
from snapasset_desktop.preflight import PreflightRule, builtin_entries, parse_rules
from tests.helpers.images import noisy, photo
from tests.helpers.specs import make_spec

RULES = PlatformRegistry().preflight()
ENTRIES = builtin_entries()
_PIL = {"PNG": "png", "JPEG": "jpeg", "WEBP": "webp"}
_SAVE = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
RULE_KEYS = (
    "max_bytes",
    "formats",
    "srgb",
    "min_width",
    "min_height",
    "max_width",
    "max_height",
    "min_aspect",
    "max_aspect",
)


def violations(rule: PreflightRule, data: bytes) -> list[str]:
    """Every way `data` breaks `rule` (empty: the platform takes it)."""
    found = []
    with Image.open(io.BytesIO(data)) as image:
        width, height = image.size
        fmt = _PIL[image.format or ""]
        icc = image.info.get("icc_profile")
    if rule.max_bytes is not None and len(data) > rule.max_bytes:
        found.append("max_bytes")
    if fmt not in rule.formats:
        found.append("formats")
    if rule.srgb and icc != srgb_icc_bytes():
        found.append("srgb")
    limits = {
        "min_width": rule.min_width and width < rule.min_width,
        "min_height": rule.min_height and height < rule.min_height,
        "max_width": rule.max_width and width > rule.max_width,
        "max_height": rule.max_height and height > rule.max_height,
        "min_aspect": rule.min_aspect and width / height < rule.min_aspect - 0.005,
        "max_aspect": rule.max_aspect and width / height > rule.max_aspect + 0.005,
    }
    return found + [name for name, broken in limits.items() if broken]


def encoded(
    image: Image.Image, fmt: str, *, srgb: bool = True, pad: int = 0, quality: int = 90
) -> bytes:
    buffer = io.BytesIO()
    options: dict[str, Any] = {"icc_profile": srgb_icc_bytes()} if srgb else {}
    if fmt != "png":
        options["quality"] = quality
    image.convert("RGB").save(buffer, _SAVE[fmt], **options)
    # Bytes after the image's end: a file over the limit whatever its pixels.
    return buffer.getvalue() + b"\0" * pad


def flat(size: tuple[int, int]) -> Image.Image:
    return Image.linear_gradient("L").resize(size).convert("RGB")


# -- the data file --------------------------------------------------------------------------


def test_every_builtin_platform_has_a_rule_with_its_source_and_date() -> None:
    assert set(ENTRIES) == {platform.id for platform in BUILTIN_PLATFORMS}
    for platform_id, entry in ENTRIES.items():
        assert entry["source"].startswith("https://"), platform_id
        assert entry["checked"].year >= 2026, platform_id
        assert entry["formats"] and entry["max_bytes"] > 0, platform_id


def test_every_builtin_preset_size_passes_its_own_rules() -> None:
    for platform in BUILTIN_PLATFORMS:
        rule = RULES.get(platform.id)
        assert rule is not None
        data = encoded(flat(platform.size), rule.formats[0])
        assert violations(rule, data) == [], platform.id


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[a]\nmax_bytes = 1\nchecked = 2026-12-07\n", "https:// source"),
        ('[a]\nsource = "https://x"\n', "date it was checked"),
        ('[a]\nsource = "https://x"\nchecked = 2026-12-07\nmax_bytes = -1\n', "positive"),
        ('[a]\nsource = "https://x"\nchecked = 2026-12-07\nformats = ["gif"]\n', "formats"),
        ('[a]\nsource = "https://x"\nchecked = 2026-12-07\nmax_mb = 2\n', "unknown keys"),
    ],
)
def test_a_broken_rule_is_refused_when_read(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_rules(text)


# -- each rule, broken on purpose -------------------------------------------------------------


def _rule_cases() -> Iterator[tuple[str, str]]:
    for platform_id, entry in ENTRIES.items():
        for key in RULE_KEYS:
            if key in entry:
                yield platform_id, key


def _breaking(rule: PreflightRule, key: str, size: tuple[int, int]) -> tuple[bytes, bool]:
    """A file that breaks `rule`'s `key` and nothing else it can help; True when the
    platform can't take it however it is converted (it must not be written)."""
    width, height = size
    allowed = rule.formats[0]
    if key == "max_bytes":
        assert rule.max_bytes is not None
        return encoded(flat(size), allowed, pad=rule.max_bytes), False
    if key == "formats":
        refused = [fmt for fmt in ("png", "webp", "jpeg") if fmt not in rule.formats]
        return encoded(flat(size), refused[0] if refused else allowed), False
    if key == "srgb":
        return encoded(flat(size), allowed, srgb=False), False
    if key == "min_width":
        assert rule.min_width is not None
        small = rule.min_width - 1
        return encoded(flat((small, max(1, round(small * height / width)))), allowed), True
    if key == "min_height":
        assert rule.min_height is not None
        small = rule.min_height - 1
        return encoded(flat((max(1, round(small * width / height)), small)), allowed), True
    if key == "max_width":
        assert rule.max_width is not None
        big = rule.max_width + 200
        return encoded(flat((big, round(big * height / width))), allowed), False
    if key == "max_height":
        assert rule.max_height is not None
        big = rule.max_height + 200
        return encoded(flat((round(big * width / height), big)), allowed), False
    if key == "min_aspect":
        assert rule.min_aspect is not None
        return encoded(flat((width, round(width / (rule.min_aspect * 0.9)))), allowed), True
    assert key == "max_aspect" and rule.max_aspect is not None
    return encoded(flat((width, max(1, round(width / (rule.max_aspect * 1.1))))), allowed), True


@pytest.mark.parametrize(("platform_id", "key"), list(_rule_cases()))
def test_each_rule_in_the_data_is_enforced(platform_id: str, key: str) -> None:
    rule = RULES.get(platform_id)
    assert rule is not None
    size = PlatformRegistry().get(platform_id).size
    data, refused = _breaking(rule, key, size)
    if key != "formats" or any(fmt not in rule.formats for fmt in ("png", "webp", "jpeg")):
        assert key in violations(rule, data)  # the case really breaks the rule
    outcome = check_file(data, rule)
    if refused:
        assert outcome.data is None
        assert outcome.notes and outcome.notes[0].startswith(f"{rule.label}: not exported — ")
    else:
        assert outcome.data is not None and violations(rule, outcome.data) == []


# -- what the designer reads ------------------------------------------------------------------


def test_a_png_over_youtubes_limit_becomes_a_jpeg_that_fits() -> None:
    rule = RULES.get("youtube-thumbnail")
    assert rule is not None
    data = encoded(noisy((1280, 720)), "png")
    assert len(data) > 2_000_000
    outcome = check_file(data, rule)
    assert outcome.data is not None and violations(rule, outcome.data) == []
    [note] = outcome.notes
    assert note.startswith("YouTube thumbnail: saved as JPEG q ")
    assert note.endswith(f"— as PNG it was {len(data) / 1e6:.1f} MB, over YouTube's 2 MB limit")


def test_a_jpeg_over_its_limit_gets_the_highest_quality_that_fits() -> None:
    rule = RULES.get("bluesky-card")
    assert rule is not None
    data = encoded(noisy((1600, 1000)), "jpeg", quality=100)
    outcome = check_file(data, rule, quality=95)
    assert outcome.data is not None and len(outcome.data) <= 1_000_000
    [note] = outcome.notes
    quality = int(note.split(" q ")[1].split()[0])
    assert note == f"Bluesky link card: JPEG q {quality} to stay under 1 MB"
    assert 40 <= quality < 95
    one_better = encode_image(load_image(data), "jpeg", quality=quality + 1)
    assert len(one_better.data) > 1_000_000


def test_tiktok_takes_no_png() -> None:
    rule = RULES.get("tiktok")
    assert rule is not None
    outcome = check_file(encoded(photo((1080, 1920)), "png"), rule)
    assert outcome.format == "jpeg" and outcome.data is not None
    assert outcome.notes == ["TikTok video cover: saved as JPEG — TikTok doesn't take PNG"]


def test_a_transparent_png_says_its_background_turns_white() -> None:
    rule = RULES.get("instagram-square")
    assert rule is not None
    buffer = io.BytesIO()
    Image.new("RGBA", (1080, 1080), (255, 0, 0, 0)).save(
        buffer, "PNG", icc_profile=srgb_icc_bytes()
    )
    outcome = check_file(buffer.getvalue(), rule)
    assert outcome.notes == [
        "Instagram square post: saved as JPEG (transparent areas on white) — "
        "Instagram doesn't take PNG"
    ]


def test_a_file_that_passes_is_written_byte_for_byte() -> None:
    rule = RULES.get("x-post")
    assert rule is not None
    data = encoded(photo((1600, 900)), "png")
    outcome = check_file(data, rule)
    assert outcome.data == data and outcome.notes == []
    # Another sRGB profile (here: ours, made on another day) is sRGB too: nothing to change.
    other = bytearray(srgb_icc_bytes())
    other[24:26] = (2001).to_bytes(2, "big")  # the header's creation year
    buffer = io.BytesIO()
    photo((1600, 900)).save(buffer, "PNG", icc_profile=bytes(other))
    assert check_file(buffer.getvalue(), rule).notes == []


def test_a_format_the_platform_doesnt_take_is_not_written_even_when_asked() -> None:
    rule = RULES.get("youtube-thumbnail")
    assert rule is not None
    outcome = check_file(encoded(photo((1280, 720)), "png"), rule, fmt="webp")
    assert outcome.format == "jpeg" and outcome.data is not None
    assert violations(rule, outcome.data) == []
    assert outcome.notes == ["YouTube thumbnail: saved as JPEG — YouTube doesn't take WebP"]


def test_the_plan_says_beforehand_what_the_check_does() -> None:
    cases = {
        "tiktok": encoded(photo((1080, 1920)), "png"),
        "youtube-thumbnail": encoded(noisy((1280, 720)), "png"),
        "threads": encoded(flat((1600, 2000)), "png"),
        "youtube-banner": encoded(flat((1000, 563)), "png"),
        "x-post": encoded(photo((1600, 900)), "png"),
    }
    for platform_id, data in cases.items():
        rule = RULES.get(platform_id)
        assert rule is not None
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        planned = plan_file(rule, file_format="png", width=width, height=height, size=len(data))
        done = check_file(data, rule).notes
        assert [_gist(n) for n in planned] == [_gist(n) for n in done], platform_id


def _gist(note: str) -> str:
    """A note without the figures only known once the file is written."""
    return note.split(" q ")[0].split(" — ")[0].replace(" quality lowered", "")


def test_a_custom_presets_limit_is_its_rule() -> None:
    preset = make_custom_platform("newsletter-hero", 600, 300, label="Hero", max_bytes=50_000)
    rule = PlatformRegistry([preset]).preflight().get("newsletter-hero")
    assert rule == replace(rule, max_bytes=50_000, formats=("png", "jpeg", "webp"), srgb=True)
    outcome = check_file(encoded(photo((600, 300)), "png"), rule)
    assert outcome.data is not None and len(outcome.data) <= 50_000
    assert outcome.notes[0].startswith("Custom hero: saved as JPEG q ")


# -- the export -----------------------------------------------------------------------------


@pytest.fixture
def library() -> Iterator[Library]:
    with Library.open() as lib:
        yield lib


def test_every_builtin_platforms_export_passes_its_rules(library: Library, tmp_path: Path) -> None:
    """Rendered from one grainy source as the pipeline does, then exported: every file the
    export writes is one its platform takes, and what changed is said per file."""
    job = library.create_job(make_spec("Grain at dusk", [p.id for p in BUILTIN_PLATFORMS]))
    source = noisy((1536, 1024))
    assets = [
        library.save_asset(
            job.id, r.platform_id, r.data, fmt=r.format, width=r.width, height=r.height
        )
        for r in render_platforms(source, list(BUILTIN_PLATFORMS), RenderOptions(), workers=2)
    ]
    exporter = Exporter(library, rules=RULES)
    options = ExportOptions(destination=tmp_path / "out", template="{platform}")
    planned = exporter.preview_notes(assets, options)
    result = exporter.export(assets, options)
    assert result.warnings == []
    assert len(result.files) == len(BUILTIN_PLATFORMS)
    for name in result.files:
        platform_id = name.rsplit(".", 1)[0]
        rule = RULES.get(platform_id)
        assert rule is not None
        assert violations(rule, (tmp_path / "out" / name).read_bytes()) == [], name
    changed = {note.platform for note in result.notes}
    assert {"tiktok", "instagram-square", "youtube-thumbnail", "bluesky-card"} <= changed
    assert {note.platform for note in planned} == changed
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    by_file = {row["file"]: row for row in manifest}
    assert by_file["tiktok.jpg"]["format"] == "jpeg"
    assert (
        "TikTok video cover: saved as JPEG — TikTok doesn't take PNG"
        in (by_file["tiktok.jpg"]["preflight"])
    )


def test_preflight_can_be_turned_off_for_an_export(library: Library, tmp_path: Path) -> None:
    job = library.create_job(make_spec("a fox", ["tiktok"]))
    asset = library.save_asset(
        job.id, "tiktok", encoded(photo((1080, 1920)), "png"), fmt="png", width=1080, height=1920
    )
    options = ExportOptions(destination=tmp_path / "o", preflight=False)
    result = Exporter(library, rules=RULES).export([asset], options)
    assert result.files == ["a-fox_tiktok_1080x1920.png"] and result.notes == []
    assert Exporter(library, rules=RULES).preview_notes([asset], options) == []
