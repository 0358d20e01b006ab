"""The roll-up rule, table-driven, and checked over every combination of item levels."""

from __future__ import annotations

import itertools

import pytest

from eagov.conformance import SCALE, Answer, Level, roll_up

L = Level
TABLE = [
    # item levels -> overall level
    ([], None),
    ([L.IRRELEVANT], None),
    ([L.FULLY_CONFORMANT], L.FULLY_CONFORMANT),
    ([L.FULLY_CONFORMANT, L.CONFORMANT], L.CONFORMANT),
    ([L.FULLY_CONFORMANT, L.COMPLIANT, L.CONFORMANT], L.COMPLIANT),
    ([L.CONSISTENT, L.FULLY_CONFORMANT], L.CONSISTENT),
    ([L.IRRELEVANT, L.CONFORMANT], L.CONFORMANT),
    ([L.FULLY_CONFORMANT, L.NON_CONFORMANT], L.NON_CONFORMANT),
    ([L.IRRELEVANT, L.NON_CONFORMANT, L.CONSISTENT], L.NON_CONFORMANT),
]


@pytest.mark.parametrize(("levels", "expected"), TABLE)
def test_roll_up_table(levels, expected):
    result = roll_up(Answer(f"R-{i:02d}", lvl) for i, lvl in enumerate(levels))
    assert result.level == expected


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_every_combination_follows_the_rule(size):
    for combo in itertools.product(list(Level), repeat=size):
        result = roll_up(Answer(f"R-{i:02d}", lvl) for i, lvl in enumerate(combo))
        relevant = [lvl for lvl in combo if lvl != L.IRRELEVANT]
        if not relevant:
            assert result.level is None
        elif L.NON_CONFORMANT in relevant:
            assert result.level == L.NON_CONFORMANT
            assert result.deciding == [
                f"R-{i:02d}" for i, lvl in enumerate(combo) if lvl == L.NON_CONFORMANT
            ]
        else:
            assert result.level == min(relevant, key=SCALE.index)
            assert all(combo[int(ref[2:])] == result.level for ref in result.deciding)
        assert result.left_out_irrelevant == combo.count(L.IRRELEVANT)


def test_waived_items_are_left_out_but_counted_as_waived():
    result = roll_up([Answer("A-01", L.NON_CONFORMANT, waived=True), Answer("A-02", L.CONFORMANT)])
    assert result.level == L.CONFORMANT and result.left_out_waived == 1


def test_unanswered_items_make_the_result_provisional():
    result = roll_up([Answer("A-01", None), Answer("A-02", L.COMPLIANT)])
    assert result.level == L.COMPLIANT and result.provisional and result.unanswered == 1
