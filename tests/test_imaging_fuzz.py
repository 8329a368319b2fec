"""The image decoder under a few hundred generated bad inputs (tests/helpers/image_fuzz.py):
each one decodes to a good image or is refused with a sentence, never anything else,
never a hang, and memory stays bounded by the pixel limit rather than by the input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SEED = 20261207
ROOT = Path(__file__).resolve().parent.parent
# The largest picture the corpus declares inside the limit is 16 MP: 64 MB per RGBA
# copy, a few copies while converting (280 MB peak alone, up to 550 MB seen in a full
# run as the allocator's reuse varies). Trusting a header's 65535 × 65535 would take 17 GB.
PEAK_MB = 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="peak memory as Linux reports it")
@pytest.mark.timeout(120)
def test_bad_images_are_refused_with_a_sentence_in_bounded_time_and_memory() -> None:
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tests.helpers.image_fuzz", str(SEED)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=100,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        stderr = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        last = stderr.strip().splitlines()[-1:] or ["(none)"]
        pytest.fail(f"the decoder hung; the last case started: {last[0]}")
    assert result.returncode == 0, result.stderr[-2000:]
    summary = json.loads(result.stdout)
    assert summary["unexpected"] == []
    assert summary["decoded"] + summary["refused"] >= 300
    assert summary["decoded"] > 0 and summary["refused"] > 0  # both outcomes are exercised
    assert summary["peak_mb"] < PEAK_MB
