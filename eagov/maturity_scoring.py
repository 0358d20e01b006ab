"""How a maturity assessment is scored: pure functions of levels and weights.

The rules (also in docs/user-guide/maturity.md):

- **Weighted mean** (the ACMM's method): score = sum(weight * level) / sum(weight) over the
  elements that have a consolidated level; the overall level is the score rounded *down*
  (a unit at 2.9 has not reached level 3 yet).
- **Lowest level** ("gated"): the overall level is the lowest element level; every element
  has to reach a level before the unit does.
- **High-water mark**: the highest level reached by any element. It shows how far the best
  practice of the unit has got, not how mature the whole is; read it together with the
  share of elements per level.
- Elements without a consolidated level are left out of every figure, and make the result
  *provisional*.
- Gap per element: target - level, never below 0 (an element above its target has no gap).
- Assessors disagree on an element when their highest and lowest scores differ by 2 levels
  or more; the facilitator's default proposal is the median of the scores, rounded down.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

WEIGHTED_MEAN, LOWEST, HIGH_WATER = "weighted_mean", "lowest", "high_water"
METHODS = (WEIGHTED_MEAN, LOWEST, HIGH_WATER)
DISAGREEMENT = 2  # levels between the lowest and the highest score
# A weighted mean such as 2.9999999 is level 3: floats must not cost a unit its level.
_EPSILON = 1e-9


@dataclass(frozen=True)
class Overall:
    score: float | None
    level: int | None
    counted: int  # elements with a level
    provisional: bool  # some element has no level yet


def weighted_mean(items: Iterable[tuple[int, float]]) -> float | None:
    """sum(weight * level) / sum(weight); None when there is nothing (or no weight) to count."""
    pairs = list(items)
    total = sum(w for _level, w in pairs)
    if not pairs or total <= 0:
        return None
    return sum(level * w for level, w in pairs) / total


def floor_level(score: float | None) -> int | None:
    return None if score is None else math.floor(score + _EPSILON)


def overall(method: str, items: Sequence[tuple[int | None, float]]) -> Overall:
    """The overall score and level of ``(level, weight)`` per element by ``method``."""
    if method not in METHODS:
        raise ValueError(f"unknown scoring method {method!r}")
    known = [(level, weight) for level, weight in items if level is not None]
    provisional = len(known) < len(items)
    levels = [level for level, _w in known]
    score: float | None
    if not levels:
        score = None
    elif method == WEIGHTED_MEAN:
        score = weighted_mean(known)
    elif method == LOWEST:
        score = float(min(levels))
    else:
        score = float(max(levels))
    rounded = None if score is None else round(score, 2)
    return Overall(rounded, floor_level(score), len(levels), provisional)


def level_shares(levels: Iterable[int | None], values: Iterable[int]) -> dict[int, float]:
    """level value -> share (0..1) of the elements at exactly that level, over the elements
    that have one; every value of the model is present (0.0 when no element is there)."""
    known = [level for level in levels if level is not None]
    shares = {value: 0.0 for value in values}
    for level in known:
        shares[level] = shares.get(level, 0.0) + 1 / len(known)
    return shares


def gap(level: int | None, target: int | None) -> int | None:
    if level is None or target is None:
        return None
    return max(target - level, 0)


def spread(scores: Iterable[int]) -> tuple[int, int] | None:
    values = list(scores)
    return (min(values), max(values)) if values else None


def disagreement(scores: Iterable[int], threshold: int = DISAGREEMENT) -> bool:
    found = spread(scores)
    return found is not None and found[1] - found[0] >= threshold


def proposal(scores: Iterable[int]) -> int | None:
    """The median of the assessors' scores, rounded down (the lower middle of an even count)."""
    values = sorted(scores)
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return math.floor((values[middle - 1] + values[middle]) / 2)
