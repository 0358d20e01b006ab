"""The scoring rules on known inputs."""

from __future__ import annotations

import pytest

from eagov import maturity_scoring as s


def test_weighted_mean_is_sum_of_weighted_levels_over_weights_and_level_is_floored():
    found = s.overall(s.WEIGHTED_MEAN, [(3, 2.0), (1, 1.0), (4, 1.0)])
    assert found.score == pytest.approx((6 + 1 + 4) / 4)  # 2.75
    assert found.level == 2  # 2.75 has not reached level 3
    assert not found.provisional and found.counted == 3


def test_weighted_mean_that_lands_on_a_level_reaches_it_despite_float_error():
    found = s.overall(s.WEIGHTED_MEAN, [(3, 0.1), (3, 0.2), (3, 0.7)])
    assert found.level == 3


def test_lowest_is_the_minimum_and_high_water_the_maximum():
    items = [(3, 1.0), (1, 5.0), (4, 1.0)]
    assert s.overall(s.LOWEST, items) == s.Overall(1.0, 1, 3, False)
    assert s.overall(s.HIGH_WATER, items) == s.Overall(4.0, 4, 3, False)


def test_elements_without_a_level_are_left_out_and_make_it_provisional():
    found = s.overall(s.WEIGHTED_MEAN, [(2, 1.0), (None, 1.0), (4, 1.0)])
    assert found.score == 3.0 and found.level == 3
    assert found.provisional and found.counted == 2
    assert s.overall(s.LOWEST, [(None, 1.0)]) == s.Overall(None, None, 0, True)


def test_zero_weights_give_no_mean_and_unknown_methods_are_refused():
    assert s.overall(s.WEIGHTED_MEAN, [(2, 0.0)]).score is None
    with pytest.raises(ValueError):
        s.overall("average", [(1, 1.0)])


def test_level_shares_count_exact_levels_over_the_elements_with_a_level():
    shares = s.level_shares([1, 1, 3, None, 2], range(6))
    assert shares == {0: 0.0, 1: 0.5, 2: 0.25, 3: 0.25, 4: 0.0, 5: 0.0}
    assert s.level_shares([None], range(3)) == {0: 0.0, 1: 0.0, 2: 0.0}


def test_gap_is_target_minus_level_floored_at_zero():
    assert s.gap(2, 4) == 2
    assert s.gap(4, 3) == 0
    assert s.gap(None, 3) is None and s.gap(2, None) is None


def test_spread_and_the_two_level_disagreement_rule():
    assert s.spread([3, 1, 2]) == (1, 3)
    assert s.spread([]) is None
    assert s.disagreement([1, 3])
    assert not s.disagreement([2, 3, 3])
    assert not s.disagreement([])


@pytest.mark.parametrize(
    ("scores", "expected"),
    [([2], 2), ([1, 3, 4], 3), ([1, 4], 2), ([2, 3], 2), ([0, 1, 4, 5], 2), ([], None)],
)
def test_proposal_is_the_median_rounded_down(scores, expected):
    assert s.proposal(scores) == expected
