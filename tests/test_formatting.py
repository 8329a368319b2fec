"""How numbers read: sizes, durations, percentages."""

from __future__ import annotations

import pytest

from snapasset_desktop.formatting import duration, file_size, percent


@pytest.mark.parametrize(
    ("count", "text"),
    [
        (None, "–"),
        (512, "512 B"),
        (1500, "1.5 KB"),
        (2_000_000, "2.0 MB"),
        (1_000_000, "1.0 MB"),
        (3 * 1000**3, "3.0 GB"),
    ],
)
def test_file_size(count: int | None, text: str) -> None:
    assert file_size(count) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, "–"),
        (3.25, "3.2 s"),
        (42, "42 s"),
        (95, "2 min"),
        (5400, "1 h 30 min"),
        (200_000, "2 d 7 h"),
    ],
)
def test_duration(seconds: float | None, text: str) -> None:
    assert duration(seconds) == text


def test_percent() -> None:
    assert percent(None) == "–"
    assert percent(0.925) == "92 %"
    assert percent(0.925, 1) == "92.5 %"
