"""Hostile input, generated: settings files, batch files and command lines.

A few hundred cases each from a fixed seed, so a failure replays exactly (its case number
is in the message). Every case ends in a result or one sentence — never a traceback, never
a hang (each test is bounded) — and the library stays sound: SQLite's integrity check
passes, no job is left running, and a job finished before the fuzz keeps its files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from snapasset_desktop.cli import main
from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.paths import app_paths
from snapasset_desktop.settings import Settings, check_setting, load_settings
from tests.conftest import write_settings
from tests.helpers.images import photo

SEED = 20261207
CASES = 200
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Outcome:
    code: int
    out: str
    err: str


def attempt(capsys: pytest.CaptureFixture[str], argv: list[str], case: int) -> Outcome:
    """Run one command in-process; anything but a result or a sentence fails the test."""
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own refusals: usage and a line, status 2
        code = exit_.code if isinstance(exit_.code, int) else 2
    except Exception as exc:
        pytest.fail(f"case {case}: {argv!r} raised {type(exc).__name__}: {exc}")
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err, f"case {case}: {argv!r}"
    assert code in (0, 1, 2), f"case {case}: {argv!r} exited {code}"
    if code:
        assert captured.err.strip(), f"case {case}: {argv!r} failed without a word"
    return Outcome(code, captured.out, captured.err)


@dataclass
class Finished:
    """A job completed before the fuzz, and the bytes of its files."""

    job_id: str
    files: dict[Path, str]


@pytest.fixture
def finished(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Finished:
    write_settings(provider="placeholder", max_jobs_per_minute=0)
    source = tmp_path / "harbour.png"
    photo((320, 240)).save(source)
    assert main(["resize", str(source), "-p", "x-post", "-p", "tiktok", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    files = {Path(a["path"]): _sha(Path(a["path"])) for a in made["assets"]}
    return Finished(made["job"], files)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_library_intact(finished: Finished) -> None:
    with contextlib.closing(sqlite3.connect(app_paths().library_db)) as conn:
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        statuses = dict(conn.execute("select id, status from jobs").fetchall())
    assert "active" not in statuses.values()
    assert statuses[finished.job_id] == "completed"
    assert {path: _sha(path) for path in finished.files} == finished.files


def job_count() -> int:
    with contextlib.closing(sqlite3.connect(app_paths().library_db)) as conn:
        return conn.execute("select count(*) from jobs").fetchone()[0]


# -- settings.toml --------------------------------------------------------------------

KEYS = [*Settings.describe(), "nonsense", "Concurrency", ""]
WORDS = ["openai", "placeholder", "auto", "high", "png", "jpeg", "cover", "contain", "#1e1e1e"]
WORDS += ["blur", "false", "true", "", "  ", "é" * 300, "\u202eevil", "redis://x?bogus=1"]
SCALARS = ["0", "-1", "1", "4", "16", "17", "100", "9223372036854775807", "-9223372036854775808"]
SCALARS += ["0x7fff", "1_000", "nan", "inf", "-inf", "+inf", "1e308", "-0.0", "0.5", "3.0"]
SCALARS += ["true", "false", "1979-05-27T07:32:00Z", "07:32:00", "1979-05-27"]


def toml_value(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if roll < 0.4:
        return rng.choice(SCALARS)
    if roll < 0.7 or depth > 1:
        return json.dumps(rng.choice(WORDS))
    if roll < 0.85:
        return "[" + ", ".join(toml_value(rng, depth + 1) for _ in range(rng.randint(0, 3))) + "]"
    return "{ " + ", ".join(f"k{i} = {toml_value(rng, depth + 1)}" for i in range(2)) + " }"


def preset(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return toml_value(rng, 1)
    fields = {
        "id": json.dumps(rng.choice(["hero", "x-post", "card", "HERO", "bad id", "source", ""])),
        "width": rng.choice(["1200", "nan", "inf", "-5", "0", "10001", '"800"', '"wide"', "1.5"]),
        "height": rng.choice(["400", "-inf", "1e400", "true", "[1]", "630"]),
        "label": json.dumps(rng.choice(["Hero", "", "x" * 100])),
        "max_bytes": rng.choice(["1000", "0", "-1", "inf", "nan", '"lots"']),
    }
    chosen = rng.sample(sorted(fields), rng.randint(1, len(fields)))
    return "{ " + ", ".join(f"{name} = {fields[name]}" for name in chosen) + " }"


def settings_text(rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.05:
        return rng.randbytes(rng.randint(0, 200))  # not text at all
    lines = [
        f"{json.dumps(key)} = {toml_value(rng)}" for key in rng.sample(KEYS, rng.randint(1, 8))
    ]
    if rng.random() < 0.5:
        presets = ", ".join(preset(rng) for _ in range(rng.randint(0, 5)))
        lines.append(f"custom_platforms = [{presets}]")
    if rng.random() < 0.4:
        lines.append("[platform_sets]")
        for name in rng.sample(["launch", "all", "", "é"], rng.randint(1, 3)):
            ids = rng.choice(['["x-post", "tiktok"]', "[]", "3", '["x-post", 4]', '"x-post"'])
            lines.append(f"{json.dumps(name)} = {ids}")
    text = "\n".join(lines) + "\n"
    if roll > 0.95:
        text = text[: rng.randint(0, len(text))]  # cut off mid-value
    return text.encode()


def kept_when_valid(path: Path, settings: Settings) -> None:
    """Every setting holds a legal value, and a legal value in the file was kept."""
    for name, value in settings.to_dict().items():
        assert check_setting(name, value) == value, name
    try:
        data = tomllib.loads(path.read_bytes().decode())
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        assert settings == Settings()
        return
    for name in data.keys() & settings.to_dict().keys():
        with contextlib.suppress(InvalidInput):
            assert getattr(settings, name) == check_setting(name, data[name]), name


@pytest.mark.timeout(90)
def test_generated_settings_files_lose_only_their_bad_values(
    finished: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED)
    path = app_paths().settings_file
    for case in range(CASES):
        path.write_bytes(settings_text(rng))
        kept_when_valid(path, load_settings(path))
        if case % 10 == 0:  # and the app still works with it
            assert attempt(capsys, ["platforms", "--json"], case).code == 0
            attempt(capsys, ["generate", "a harbour", "-p", "x-post"], case)
    assert_library_intact(finished)


@pytest.mark.timeout(90)
def test_generated_settings_files_in_real_processes(finished: Finished) -> None:
    rng = random.Random(SEED + 1)
    path = app_paths().settings_file
    for case in range(2):
        path.write_bytes(settings_text(rng))
        wait = ["generate", "a pier", "-p", "x-post", "--provider", "placeholder", "--wait"]
        for args in (["platforms"], wait):
            result = subprocess.run(
                [sys.executable, "-m", "snapasset_desktop", *args],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=60,
                check=False,
            )
            assert "Traceback" not in result.stderr, f"case {case}: {result.stderr}"
            assert result.returncode == 0, f"case {case}: {result.stderr}"
    assert_library_intact(finished)


# -- batch files ----------------------------------------------------------------------

PROMPTS = ["a harbour at dawn", "", "   ", "# a comment", "é" * 40, "🚀 launch", "\u202etxet"]
PROMPTS += ["a\x00b", "bell\x07", "line\u2028break", "x" * 40_000, "{platform}", '"quoted"']
PLATFORM_CELLS = ["x-post", "x-post tiktok", "nope", "", "x-post;;,|tiktok", "X-POST", "source"]


def batch_bytes(rng: random.Random, csv_file: bool) -> bytes:
    rows = [rng.choice(PROMPTS) for _ in range(rng.randint(0, 12))]
    if csv_file:
        header = rng.choice(["prompt,platforms", " Prompt , Platforms", "platforms,prompt"])
        if rng.random() < 0.2:
            header = rng.choice(["prompt;platforms", "name", ""])
        cells = [
            f'"{row}",{rng.choice(PLATFORM_CELLS)}' if rng.random() < 0.5 else row for row in rows
        ]
        if rng.random() < 0.15:
            cells.insert(rng.randint(0, len(cells)), "a" * 140_000)  # over csv's 128 KB limit
        if rng.random() < 0.2:
            cells.append('"unclosed,' + rng.choice(PROMPTS))
        text = "\n".join([header, *cells])
    else:
        text = rng.choice(["\n", "\r\n", "\r"]).join(rows)
    encoding = rng.choice(["utf-8"] * 4 + ["utf-8-sig", "latin-1", "utf-16"])
    data = text.encode(encoding, "replace")
    if rng.random() < 0.1:
        data += rng.randbytes(20)
    return data


@pytest.mark.timeout(120)
def test_generated_batch_files_queue_what_they_can_and_say_why_not(
    tmp_path: Path, finished: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(SEED + 2)
    for case in range(CASES):
        csv_file = rng.random() < 0.5
        path = tmp_path / f"batch-{case}{'.csv' if csv_file else rng.choice(['.txt', ''])}"
        path.write_bytes(batch_bytes(rng, csv_file))
        before = job_count()
        platform = rng.choice(["x-post", "x-post", "nope"])
        args = ["batch", str(path), "-p", platform, "--provider", "placeholder", "--json"]
        outcome = attempt(capsys, args, case)
        queued = json.loads(outcome.out)["jobs"] if outcome.code == 0 else []
        assert job_count() == before + len(queued), f"case {case}"
    assert_library_intact(finished)


# -- command lines --------------------------------------------------------------------

TEXT = ["", " ", "a harbour", "é" * 3000, "\x00", "\x1b[31mred", "ab\udcffcd", "{", "../..", "🚀"]
NUMBERS = ["-1", "0", "1", "3", "101", "1e9", "nan", "inf", "99999999999999999999", "abc", ""]
WHEN = ["+1e20h", "+nanm", "+5x", "25:00", "9999-12-31T00:00", "2020-01-01T00:00", "+-5m", "+"]
TEMPLATES = ["é" * 200, "{platform:>9}", "{", "../x", "a/" * 20 + "{n}", "{prompt_slug}", "CON"]
DATES = ["2026-13-01", "yesterday", "0001-01-01", "9999-12-31", "2026-02-30", ""]


def command_line(rng: random.Random, files: dict[str, Path], job_id: str) -> list[str]:
    def path() -> str:
        return str(rng.choice(list(files.values())))

    def platforms() -> list[str]:
        ids = ["x-post", "tiktok", "nope", "", "SOURCE", "instagram-post", "x-post"]
        return [arg for _ in range(rng.randint(0, 3)) for arg in ("-p", rng.choice(ids))]

    def some(options: dict[str, list[str]]) -> list[str]:
        chosen = rng.sample(sorted(options), rng.randint(0, min(3, len(options))))
        return [arg for name in chosen for arg in (name, rng.choice(options[name]))]

    render = {
        "--fit": ["cover", "contain", "stretch"],
        "--focus": ["0.5,0.5", "2,0", "nan,nan", "x", "1,1,1"],
        "--pad": ["#fff", "blur", "#zzz", "transparent", ""],
        "--format": ["png", "webp", "gif"],
        "--image-quality": NUMBERS,
    }
    making = render | {
        "--model": ["gpt-image-2", "dall-e-3", "", "é"],
        "--quality": ["low", "ultra"],
        "-n": NUMBERS,
        "--priority": ["high", "urgent"],
        "--style": ["photo", "nope"],
    }
    listing = {"--search": TEXT, "--since": DATES, "--until": DATES, "--limit": NUMBERS}
    kind = rng.choice(
        ["generate", "resize", "batch", "platforms", "jobs", "queue", "library", "export"]
    )
    if kind == "generate":
        when = ["--at", rng.choice(WHEN)] if rng.random() < 0.3 else []
        return ["generate", rng.choice(TEXT), *platforms(), *some(making), *when]
    if kind == "resize":
        return ["resize", path(), *platforms(), *some(render)]
    if kind == "batch":
        return ["batch", path(), *platforms(), *some(making), "--name", rng.choice(TEXT)]
    if kind == "platforms":
        action = rng.choice(["add", "edit", "remove", "list"])
        if action == "list":
            return ["platforms", "--json"]
        if action == "remove":
            return ["platforms", "remove", rng.choice(["hero", "x-post", "", "nope"])]
        size = rng.choice(["1200x400", "nanxnan", "1e400x1", "0x0", "10x", "x", "12×34"])
        name = rng.choice(["hero", "x-post", "source", "Bad Name", "é"])
        return ["platforms", action, name, size, *some({"--label": TEXT, "--max-bytes": NUMBERS})]
    if kind == "jobs":
        return ["jobs", *some({"--limit": NUMBERS, "--status": ["failed", "nope"]}), "--json"]
    if kind == "queue":
        # Not "pause": resize follows its job to the end, and a paused queue never ends it.
        verb = rng.choice(["cancel", "retry", "priority", "resume"])
        if verb == "resume":
            return [verb]
        ids = [rng.choice([job_id, "j_nope", "", "ab\udcffcd"]) for _ in range(rng.randint(1, 2))]
        return [verb, *(["high"] if verb == "priority" else []), *ids]
    if kind == "library":
        return ["library", *platforms(), *some(listing)]
    target = ["--to", str(files["out"] / str(rng.randrange(10**6)))]
    if rng.random() < 0.3:
        target = ["--zip", str(files["out"] / f"{rng.randrange(10**6)}.zip")]
    export = listing | {"--template": TEMPLATES, "--format": ["jpeg", "bmp"], "--quality": NUMBERS}
    return ["export", *target, *some(export)]


@pytest.mark.timeout(150)
def test_generated_command_lines_end_in_a_result_or_a_sentence(
    tmp_path: Path, finished: Finished, capsys: pytest.CaptureFixture[str]
) -> None:
    files = {
        "photo": tmp_path / "photo.png",
        "text": tmp_path / "notes.txt",
        "empty": tmp_path / "empty.csv",
        "folder": tmp_path,
        "missing": tmp_path / "missing.jpg",
        "null": Path("/dev/null"),
        "out": tmp_path / "exports",
    }
    photo((64, 48)).save(files["photo"])
    files["text"].write_text("a harbour\nsecond prompt\n")
    files["empty"].write_text("")
    rng = random.Random(SEED + 3)
    for case in range(CASES):
        attempt(capsys, command_line(rng, files, finished.job_id), case)
    assert_library_intact(finished)
