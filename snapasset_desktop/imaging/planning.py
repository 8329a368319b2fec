"""Which source size to ask the model for, so every chosen platform crops least.

GPT image 2 models accept arbitrary sizes (sides divisible by 16, aspect
between 1:3 and 3:1, at most 3840×2160, 655,360 to 8,294,400 pixels; above
2560×1440 is "experimental"). The plan picks, in order: the smallest worst
crop loss across the platforms (within one percentage point, so a tiny gain
never buys a huge image), then a size no platform has to upscale from, then a
non-experimental size, then the fewest pixels (cost). Older GPT image models
only take three fixed sizes; the same ranking chooses among them.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from snapasset_desktop.errors import InvalidInput
from snapasset_desktop.imaging.geometry import cover_crop_size, crop_loss
from snapasset_desktop.platforms import Platform

STEP = 16
MAX_LONG_SIDE = 3840
MAX_SHORT_SIDE = 2160
MAX_ASPECT = 3.0
MIN_PIXELS = 655_360
MAX_PIXELS = MAX_LONG_SIDE * MAX_SHORT_SIDE
STANDARD_MAX_PIXELS = 2560 * 1440  # larger sizes are experimental: slower, costlier
FIXED_SIZES: tuple[tuple[int, int], ...] = ((1024, 1024), (1536, 1024), (1024, 1536))
LOSS_TOLERANCE = 0.01
_UPSCALE_SLACK = 1.0005  # half a pixel per thousand is rounding, not upscaling

_ARBITRARY_MODELS = re.compile(r"^gpt-image-2(?:$|[.-])")


@dataclass
class SourcePlan:
    width: int
    height: int
    losses: dict[str, float] = field(default_factory=dict)  # platform id -> fraction discarded
    upscaled: list[str] = field(default_factory=list)  # platform ids with too small a crop

    @property
    def size_param(self) -> str:
        """The size as the image API wants it, e.g. "1536x1024"."""
        return f"{self.width}x{self.height}"

    @property
    def worst_loss(self) -> float:
        return max(self.losses.values(), default=0.0)


def supports_arbitrary_sizes(model: str) -> bool:
    """True for GPT image 2 models (gpt-image-2, gpt-image-2.5-…, gpt-image-2.6-…)."""
    return bool(_ARBITRARY_MODELS.match(str(model).strip().lower()))


def validate_size(model: str, width: int, height: int) -> None:
    """Refuse a size the model would reject, with a sentence saying what it accepts."""
    if not supports_arbitrary_sizes(model):
        if (width, height) not in FIXED_SIZES:
            choices = ", ".join(f"{w}×{h}" for w, h in FIXED_SIZES)
            raise InvalidInput(
                f"{model} makes images of {choices} only; {width}×{height} is not one of them."
            )
        return
    problem = _arbitrary_size_problem(width, height)
    if problem:
        raise InvalidInput(f"{model} cannot make a {width}×{height} image: {problem}.")


def plan_source_size(platforms: Sequence[Platform], model: str = "gpt-image-2") -> SourcePlan:
    """The size to request so the platforms' crops discard least (see the module doc)."""
    targets = tuple({p.id: p.size for p in platforms}.items())
    if not targets:
        raise InvalidInput("Pick at least one platform.")
    plan = _plan(targets, model)
    # A fresh copy each time: callers may change theirs, the cached one must not change.
    return SourcePlan(plan.width, plan.height, dict(plan.losses), list(plan.upscaled))


@functools.lru_cache(maxsize=256)
def _plan(target_items: tuple[tuple[str, tuple[int, int]], ...], model: str) -> SourcePlan:
    """Cached: a batch of 1,000 prompts for the same platforms plans once, not 1,000 times
    (planning took ~1.7 ms a prompt, two thirds of a batch submit)."""
    targets = dict(target_items)
    arbitrary = supports_arbitrary_sizes(model)
    needs = _Needs(list(targets.values()))
    candidates = _arbitrary_candidates(needs) if arbitrary else list(FIXED_SIZES)
    worst = [needs.worst_loss(w / h) for w, h in candidates]
    limit = min(worst) + LOSS_TOLERANCE
    good = [size for size, loss in zip(candidates, worst, strict=True) if loss <= limit]
    width, height = min(good, key=lambda size: needs.rank(size, arbitrary))
    losses = {pid: crop_loss((width, height), target) for pid, target in targets.items()}
    upscaled = [pid for pid, target in targets.items() if _enlargement((width, height), target) > 1]
    return SourcePlan(width, height, losses, upscaled)


class _Needs:
    """What a set of platforms asks of a source size, answerable in O(log n) per size.

    For a source of aspect a, a platform of aspect p < a crops to the full
    height (it needs H ≥ its height); one with p ≥ a crops to the full width
    (W ≥ its width). Sorting by aspect with running maxima answers both at once.
    """

    def __init__(self, sizes: list[tuple[int, int]]) -> None:
        ordered = sorted(sizes, key=lambda size: size[0] / size[1])
        self.aspects = [w / h for w, h in ordered]
        self.max_height_below = [0, *itertools.accumulate((h for _, h in ordered), max)]
        widths_from_right = itertools.accumulate((w for w, _ in reversed(ordered)), max)
        self.max_width_from = [*reversed(list(widths_from_right)), 0]

    def worst_loss(self, aspect: float) -> float:
        return max(0.0, 1 - self.aspects[0] / aspect, 1 - aspect / self.aspects[-1])

    def enlargement(self, width: int, height: int) -> float:
        split = bisect.bisect_left(self.aspects, width / height)
        return max(self.max_height_below[split] / height, self.max_width_from[split] / width)

    def rank(self, size: tuple[int, int], arbitrary: bool) -> tuple[float | int | bool, ...]:
        width, height = size
        pixels = width * height
        enlarge = self.enlargement(width, height)
        upscales = enlarge > _UPSCALE_SLACK
        experimental = arbitrary and pixels > STANDARD_MAX_PIXELS
        return (
            upscales,
            experimental,
            round(enlarge, 2) if upscales else 0.0,
            pixels,
            self.worst_loss(width / height),
            width,
        )


def _enlargement(src: tuple[int, int], target: tuple[int, int]) -> float:
    """> 1 when the crop available for `target` is smaller than `target` (beyond rounding)."""
    crop_w, crop_h = cover_crop_size(src, target)
    factor = max(target[0] / crop_w, target[1] / crop_h)
    return factor if factor > _UPSCALE_SLACK else 1.0


def _arbitrary_candidates(needs: _Needs) -> list[tuple[int, int]]:
    """Every valid size whose aspect is within the loss tolerance of the best aspect.

    Worst loss depends only on the aspect: with platform log-aspects spanning
    [lo, hi], it is smallest at the midpoint (clamped to 1:3..3:1), and the
    aspects within tolerance form an interval — so only a few widths per
    height are valid candidates, and the size rules bound them directly.
    """
    lo, hi = math.log(needs.aspects[0]), math.log(needs.aspects[-1])
    limit = math.log(MAX_ASPECT)
    centre = min(limit, max(-limit, (lo + hi) / 2))
    best_loss = 1 - math.exp(-max(centre - lo, hi - centre))
    for tolerance in (LOSS_TOLERANCE, 0.05, 0.25):
        reach = -math.log(max(1e-9, 1 - best_loss - tolerance))
        low_aspect = math.exp(max(-limit, hi - reach))
        high_aspect = math.exp(min(limit, lo + reach))
        sizes = [
            (width, height)
            for height in range(STEP, MAX_LONG_SIDE + 1, STEP)
            for width in _widths(height, low_aspect, high_aspect)
        ]
        if sizes:
            return sizes
    return list(FIXED_SIZES)


def _widths(height: int, low_aspect: float, high_aspect: float) -> range:
    """Valid widths (multiples of 16) for `height` with aspect in [low, high]."""
    narrowest = max(low_aspect, 1 / MAX_ASPECT) * height
    widest = min(high_aspect, MAX_ASPECT) * height
    narrowest = max(narrowest, MIN_PIXELS / height, STEP)
    widest = min(widest, MAX_PIXELS / height, MAX_LONG_SIDE)
    if height > MAX_SHORT_SIDE:
        widest = min(widest, MAX_SHORT_SIDE)  # height is the long side: width is the short one
    first = math.ceil(narrowest / STEP - 1e-9) * STEP
    last = math.floor(widest / STEP + 1e-9) * STEP
    return range(first, last + 1, STEP)


def _arbitrary_size_problem(width: int, height: int) -> str:
    """Why a GPT image 2 model would refuse this size, or "" when it is fine."""
    if not (isinstance(width, int) and isinstance(height, int)) or width <= 0 or height <= 0:
        return "width and height must be whole numbers of pixels"
    if width % STEP or height % STEP:
        return f"both sides must be multiples of {STEP} pixels"
    if max(width, height) > MAX_ASPECT * min(width, height):
        return "the long side can be at most 3 times the short side"
    if max(width, height) > MAX_LONG_SIDE or min(width, height) > MAX_SHORT_SIDE:
        return f"the largest size is {MAX_LONG_SIDE}×{MAX_SHORT_SIDE}, or the same turned upright"
    if width * height < MIN_PIXELS:
        return f"it needs at least {MIN_PIXELS:,} pixels in all (e.g. 1024×640)"
    return ""
