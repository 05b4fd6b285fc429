"""Inequality measures against numbers worked by hand (weighted cases and ties included)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from access_app.core import equity


def test_weighted_mean_and_zero_weight():
    assert equity.weighted_mean([10, 20, 40], [1, 2, 1]) == pytest.approx(22.5)
    assert math.isnan(equity.weighted_mean([1.0, 2.0], [0, 0]))


@pytest.mark.parametrize(
    ("x", "w", "q", "expected"),
    [
        ([1, 2], None, 0.5, 1.5),  # exact hit on the CDF: average of the two values
        ([3, 1, 2], None, 0.5, 2.0),
        ([10, 20, 30], [1, 1, 2], 0.5, 25.0),  # cumulative weight 2 of 4 = exactly half
        ([10, 20, 30], [1, 1, 2], 0.9, 30.0),
        ([10, 20, 30], [1, 1, 2], 0.25, 15.0),
        ([10, 20, 30], [2, 1, 1], 0.5, 10.0 / 2 + 20.0 / 2),
        ([10, 20, 30], [3, 1, 1], 0.5, 10.0),
        ([5, 5, 5, 10], None, 0.5, 5.0),  # ties: both middle values are 5
        ([5, 5, 10, 10], None, 0.5, 7.5),
        ([1, 100, 2], [1, 0, 1], 0.5, 1.5),  # zero weight never chosen
        ([1, 100, 2], [1, 0, 1], 1.0, 2.0),
        ([7, 3, 9], [1, 1, 1], 0.0, 3.0),
    ],
)
def test_weighted_quantile_hand_worked(x, w, q, expected):
    assert equity.weighted_quantile(x, w, q) == pytest.approx(expected)


def test_weighted_quantile_matches_numpy_and_repetition():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 50, 101).astype(float)  # many ties
    w = rng.integers(1, 5, 101)
    expanded = np.repeat(x, w)
    for q in (0.1, 0.5, 0.9, 0.95):
        assert equity.weighted_quantile(x, None, q) == np.quantile(x, q, method="averaged_inverted_cdf")
        assert equity.weighted_quantile(x, w, q) == np.quantile(expanded, q, method="averaged_inverted_cdf")


def test_gini_hand_worked():
    # sum over ordered pairs |xi - xj| = 20, mean 2.5: 20 / (2 * 16 * 2.5)
    assert equity.gini([1, 2, 3, 4]) == pytest.approx(0.25)
    # weights 1, 3 on 1, 3 = the list 1, 3, 3, 3: 12 / (2 * 16 * 2.5)
    assert equity.gini([1, 3], [1, 3]) == pytest.approx(0.15)
    assert equity.gini([2, 2, 2]) == 0.0
    assert equity.gini([0, 0, 5]) == pytest.approx(2 / 3)


def test_gini_matches_pysal_and_pairwise_sum():
    from inequality.gini import Gini

    rng = np.random.default_rng(5)
    x = rng.gamma(2.0, 20.0, 400).round(0)  # rounded: many ties
    assert equity.gini(x) == pytest.approx(Gini(x).g, rel=1e-12)
    w = rng.uniform(0.5, 3.0, 400)
    pairwise = (w[:, None] * w[None, :] * np.abs(x[:, None] - x[None, :])).sum()
    mu = np.dot(w, x) / w.sum()
    assert equity.gini(x, w) == pytest.approx(pairwise / (2 * w.sum() ** 2 * mu), rel=1e-12)


def test_theil_hand_worked():
    expected = 0.5 * math.log(9 / 8)  # 1, 1, 2: mean 4/3
    assert equity.theil_t([1, 1, 2]) == pytest.approx(expected)
    assert equity.theil_t([1, 2], [2, 1]) == pytest.approx(expected)
    assert equity.theil_t([0, 2]) == pytest.approx(math.log(2))  # 0 ln 0 = 0
    assert equity.theil_t([4, 4, 4]) == 0.0


def test_theil_decomposition_hand_worked():
    dec = equity.theil_decomposition([1, 1, 2], ["a", "a", "b"])
    assert dec.between == pytest.approx(0.5 * math.log(9 / 8))
    assert dec.within == pytest.approx(0.0)
    assert dec.share == pytest.approx((0.5, 0.5))
    dec = equity.theil_decomposition([1, 3, 2, 2], ["a", "a", "b", "b"])
    t_a = 0.5 * (0.5 * math.log(0.5) + 1.5 * math.log(1.5))
    assert dec.between == pytest.approx(0.0)
    assert dec.within == pytest.approx(0.5 * t_a)
    assert dec.total == pytest.approx(dec.between + dec.within)
    # weighted: group a = 1 (w 2) and 3 (w 1); group b = 6 (w 1)
    dec = equity.theil_decomposition([1, 3, 6], ["a", "a", "b"], [2, 1, 1])
    mu, mu_a, mu_b = 11 / 4, 5 / 3, 6.0
    s_a, s_b = 3 * mu_a / (4 * mu), mu_b / (4 * mu)
    assert dec.between == pytest.approx(s_a * math.log(mu_a / mu) + s_b * math.log(mu_b / mu))
    assert dec.total == pytest.approx(equity.theil_t([1, 1, 3, 6]))


def test_theil_matches_pysal():
    from inequality.theil import Theil, TheilD

    rng = np.random.default_rng(7)
    x = rng.gamma(2.0, 20.0, 300) + 1.0
    groups = rng.integers(0, 5, 300)
    assert equity.theil_t(x) == pytest.approx(Theil(x).T, rel=1e-10)
    dec = equity.theil_decomposition(x, groups)
    ref = TheilD(x, groups)
    assert dec.between == pytest.approx(float(ref.bg[0]), rel=1e-10)
    assert dec.within == pytest.approx(float(ref.wg[0]), rel=1e-10)


def test_atkinson_for_a_bad_hand_worked():
    # epsilon = 1: quadratic mean
    assert equity.atkinson_bad_ede([1, 3]) == pytest.approx(math.sqrt(5))
    assert equity.atkinson_bad([1, 3]) == pytest.approx(math.sqrt(5) / 2 - 1)
    assert equity.atkinson_bad([1, 3], [3, 1]) == pytest.approx(math.sqrt(3) / 1.5 - 1)
    # epsilon = 2: cubic mean of 1, 2 = (9/2) ** (1/3)
    assert equity.atkinson_bad_ede([1, 2], epsilon=2) == pytest.approx(4.5 ** (1 / 3))
    assert equity.atkinson_bad([5, 5, 5]) == pytest.approx(0.0)
    with pytest.raises(ValueError):
        equity.atkinson_bad([1, 2], epsilon=0)


def test_kolm_pollak_hand_worked():
    assert equity.kolm_pollak_ede([0, math.log(3)], kappa=1) == pytest.approx(math.log(2))
    assert equity.kolm_pollak_ede([0, math.log(3)], [1, 3], kappa=1) == pytest.approx(math.log(2.5))
    # kappa 0.5: (e^0 + e^2) / 2 -> 2 ln((1 + e^2) / 2)
    assert equity.kolm_pollak_ede([0, 4], kappa=0.5) == pytest.approx(2 * math.log((1 + math.e**2) / 2))
    assert equity.kolm_pollak_ede([30, 30], kappa=0.1) == pytest.approx(30)
    # long journeys do not overflow
    assert equity.kolm_pollak_ede([1000, 1000], kappa=5) == pytest.approx(1000)
    assert equity.kolm_pollak_kappa([1, 3], aversion=0.5) == pytest.approx(0.2)


def test_fractional_rank_with_ties():
    np.testing.assert_allclose(equity.fractional_rank([1, 2, 3]), [1 / 6, 1 / 2, 5 / 6])
    np.testing.assert_allclose(equity.fractional_rank([1, 1, 2]), [1 / 3, 1 / 3, 5 / 6])
    np.testing.assert_allclose(equity.fractional_rank([2, 1], [3, 1]), [5 / 8, 1 / 8])


def test_concentration_index_sign_and_values():
    # most deprived (rank 1) travels furthest: negative
    assert equity.concentration_index([3, 2, 1], [1, 2, 3]) == pytest.approx(-2 / 9)
    assert equity.concentration_index([1, 2, 3], [1, 2, 3]) == pytest.approx(2 / 9)
    # weighted = the list 3, 1, 1, 1 with the last three tied in rank
    assert equity.concentration_index([3, 1], [1, 2], [1, 3]) == pytest.approx(-0.25)
    assert equity.concentration_index([3, 1, 1, 1], [1, 2, 2, 2]) == pytest.approx(-0.25)
    assert equity.concentration_index([4, 4, 4], [1, 2, 3]) == pytest.approx(0.0)


def test_concentration_index_matches_covariance_formula():
    rng = np.random.default_rng(11)
    x = rng.uniform(5, 120, 200)
    rank = rng.permutation(200) + 1
    # unweighted, no ties: C = 2 cov(x, r) / mu with r = (rank - 0.5) / n
    r = (rank - 0.5) / 200
    expected = 2 * np.mean((x - x.mean()) * (r - r.mean())) / x.mean()
    assert equity.concentration_index(x, rank) == pytest.approx(expected, rel=1e-12)


def test_group_gap():
    q1, q5, ratio, gap = equity.group_gap([30, 50, 20], [1, 1, 5], [1, 3, 2], first=1, last=5)
    assert (q1, q5, ratio, gap) == pytest.approx((45.0, 20.0, 2.25, 25.0))


def test_inputs_checked():
    with pytest.raises(ValueError, match="finite"):
        equity.gini([1.0, np.inf])
    with pytest.raises(ValueError, match="weights"):
        equity.weighted_mean([1.0, 2.0], [1.0, -1.0])
    with pytest.raises(ValueError, match=">= 0"):
        equity.theil_t([-1.0, 2.0])
    assert math.isnan(equity.gini([0.0, 0.0]))
    assert math.isnan(equity.weighted_quantile([], None, 0.5))
