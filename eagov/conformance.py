"""Levels of conformance and the roll-up from checklist items to a review's overall level.

The rule (also shown on the review page, with the items that decided it):
1. Items covered by a granted dispensation (waived) and items answered "irrelevant" are
   left out. Waived items stay visible everywhere, marked as waived.
2. If any remaining item is non-conformant, the review is non-conformant.
3. Otherwise the review takes the weakest level among the remaining items, in the order
   consistent < compliant < conformant < fully conformant.
4. With nothing left to judge, there is no overall level yet. Unanswered items make the
   result provisional: it can only stay or get weaker as they are answered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l


class Level(StrEnum):
    IRRELEVANT = "irrelevant"
    CONSISTENT = "consistent"
    COMPLIANT = "compliant"
    CONFORMANT = "conformant"
    FULLY_CONFORMANT = "fully_conformant"
    NON_CONFORMANT = "non_conformant"


# Weakest first; irrelevant and non-conformant stand outside the scale.
SCALE = (Level.CONSISTENT, Level.COMPLIANT, Level.CONFORMANT, Level.FULLY_CONFORMANT)


@dataclass(frozen=True)
class Answer:
    reference: str
    level: Level | None  # None: not answered yet
    waived: bool = False


@dataclass
class RollUp:
    level: Level | None
    reason: Any  # a lazy string, translated when shown
    deciding: list[str] = field(default_factory=list)
    counted: int = 0
    left_out_irrelevant: int = 0
    left_out_waived: int = 0
    unanswered: int = 0

    @property
    def provisional(self) -> bool:
        return self.unanswered > 0


def roll_up(answers: Iterable[Answer]) -> RollUp:
    counted: list[Answer] = []
    irrelevant = waived = unanswered = 0
    for answer in answers:
        if answer.waived:
            waived += 1
        elif answer.level is None:
            unanswered += 1
        elif answer.level == Level.IRRELEVANT:
            irrelevant += 1
        else:
            counted.append(answer)
    tally: dict[str, Any] = {
        "left_out_irrelevant": irrelevant,
        "left_out_waived": waived,
        "unanswered": unanswered,
    }
    if not counted:
        return RollUp(None, _l("No answered item counts towards a level yet."), **tally)
    failing = [a.reference for a in counted if a.level == Level.NON_CONFORMANT]
    if failing:
        return RollUp(
            Level.NON_CONFORMANT,
            _l(
                "Non-conformant because %(count)s item(s) implement the specification against it.",
                count=len(failing),
            ),
            failing,
            len(counted),
            **tally,
        )
    weakest = min((a.level for a in counted if a.level), key=SCALE.index)
    deciding = [a.reference for a in counted if a.level == weakest]
    return RollUp(
        weakest,
        _l(
            "The weakest level among %(count)s counted item(s); these items set it.",
            count=len(counted),
        ),
        deciding,
        len(counted),
        **tally,
    )
