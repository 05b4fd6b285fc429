r"""Weighted summaries and inequality measures of travel time, on plain arrays.

Every function takes the values ``x`` (one-way minutes, ``>= 0``) and optional weights ``w``
(the demand of each area; all 1 if omitted) and ignores nothing silently: callers must drop
unreachable areas first (they are reported apart, never folded into averages). With a total
weight of zero the result is ``NaN``. The formulas are written out in ``docs/measures.md``;
in short, with :math:`W = \sum w_i` and :math:`\mu = \sum w_i x_i / W`:

- weighted quantile, "averaged inverted CDF": sort ``x``; with cumulative weight
  :math:`C_k`, the ``q`` quantile is the smallest :math:`x_{(k)}` with :math:`C_k \ge qW`;
  if :math:`C_k = qW` exactly, the mean of :math:`x_{(k)}` and the next larger value
  (so the median of 1, 2 is 1.5; with unit weights this is NumPy's
  ``method="averaged_inverted_cdf"``);
- Gini (Cowell 2011, eq. 2.8 weighted):
  :math:`G = \sum_i\sum_j w_i w_j |x_i-x_j| / (2 W^2 \mu)`;
- Theil T: :math:`T = \frac{1}{W}\sum_i w_i \frac{x_i}{\mu}\ln\frac{x_i}{\mu}`
  (:math:`0\ln 0 = 0`), decomposed over groups into between
  :math:`\sum_g s_g \ln(\mu_g/\mu)` and within :math:`\sum_g s_g T_g` with
  :math:`s_g = W_g\mu_g/(W\mu)`;
- Atkinson for a bad (Sheriff and Maguire 2020): the equally distributed equivalent
  :math:`\xi = (\frac{1}{W}\sum w_i x_i^{1+\varepsilon})^{1/(1+\varepsilon)}` and
  :math:`A = \xi/\mu - 1 \ge 0` for aversion :math:`\varepsilon > 0`;
- Kolm-Pollak for a bad (Kolm 1976):
  :math:`\xi = \frac{1}{\kappa}\ln(\frac{1}{W}\sum w_i e^{\kappa x_i})`, index
  :math:`\xi - \mu` minutes;
- concentration index (O'Donnell et al. 2008, ch. 8; Kakwani, Wagstaff and van Doorslaer
  1997): :math:`C = \frac{2}{W\mu}\sum_i w_i (x_i-\mu)(R_i - \tfrac12)` with the
  weighted fractional rank :math:`R_i = (W_{<i} + w_i/2)/W`, areas ordered from the most
  deprived (IMD rank 1) to the least; tied ranks share their mean fractional rank.
  :math:`C < 0` means travel time is concentrated among the more deprived: **negative =
  the deprived travel further**.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ArrayLike = np.ndarray | list[float] | tuple[float, ...]


def _prepare(
    x: ArrayLike, w: ArrayLike | None = None, *, nonnegative: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    xa = np.asarray(x, dtype=float).ravel()
    wa = np.ones_like(xa) if w is None else np.asarray(w, dtype=float).ravel()
    if wa.shape != xa.shape:
        raise ValueError(f"{xa.size} values but {wa.size} weights")
    if not np.all(np.isfinite(xa)):
        raise ValueError("values must be finite; drop unreachable areas first")
    if not np.all(np.isfinite(wa)) or (wa < 0).any():
        raise ValueError("weights must be finite and >= 0")
    if nonnegative and (xa < 0).any():
        raise ValueError("values must be >= 0")
    return xa, wa


def weighted_mean(x: ArrayLike, w: ArrayLike | None = None) -> float:
    r"""Return the weighted arithmetic mean :math:`\sum w x / \sum w`."""
    xa, wa = _prepare(x, w)
    total = wa.sum()
    return float(np.dot(wa, xa) / total) if total > 0 else float("nan")


def sorted_quantile(xs: np.ndarray, cw: np.ndarray, q: float) -> float:
    """Return the ``q`` quantile of sorted values ``xs`` with cumulative weights ``cw``.

    Uses the averaged inverted-CDF rule described in the module docstring. Zero-weight
    values never become the quantile.
    """
    if xs.size == 0 or cw[-1] <= 0:
        return float("nan")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile {q} is outside [0, 1]")
    total = cw[-1]
    target = q * total
    tol = 1e-12 * total
    k = int(np.searchsorted(cw, target - tol, side="left"))
    k = min(k, xs.size - 1)
    # skip leading zero-weight values (their cumulative weight equals the previous one)
    while k < xs.size - 1 and (cw[k] - (cw[k - 1] if k else 0.0)) <= 0:
        k += 1
    if abs(cw[k] - target) <= tol and q < 1.0:
        nxt = int(np.searchsorted(cw, cw[k] + tol, side="left"))
        if nxt < xs.size:
            return float((xs[k] + xs[nxt]) / 2.0)
    return float(xs[k])


def weighted_quantile(x: ArrayLike, w: ArrayLike | None = None, q: float = 0.5) -> float:
    """Return the weighted ``q`` quantile by the averaged inverted-CDF rule."""
    xa, wa = _prepare(x, w)
    order = np.argsort(xa, kind="stable")
    return sorted_quantile(xa[order], np.cumsum(wa[order]), q)


def weighted_median(x: ArrayLike, w: ArrayLike | None = None) -> float:
    """Return the weighted median (the 0.5 quantile, averaged inverted CDF)."""
    return weighted_quantile(x, w, 0.5)


def gini(x: ArrayLike, w: ArrayLike | None = None) -> float:
    r"""Return the weighted Gini coefficient (Cowell; no small-sample correction).

    :math:`G = \sum_i\sum_j w_i w_j |x_i - x_j| / (2 W^2 \mu)`, computed in
    :math:`O(n \log n)` as :math:`\sum_i w_i x_i (W_{<i} - W_{>i}) / (W^2 \mu)` over
    values in ascending order.
    """
    xa, wa = _prepare(x, w, nonnegative=True)
    total = wa.sum()
    if total <= 0:
        return float("nan")
    mu = np.dot(wa, xa) / total
    if mu <= 0:
        return float("nan")
    order = np.argsort(xa, kind="stable")
    xs, ws = xa[order], wa[order]
    cw = np.cumsum(ws)
    below = cw - ws
    above = total - cw
    return float(np.sum(ws * xs * (below - above)) / (total**2 * mu))


def _xlogx_mean(xa: np.ndarray, wa: np.ndarray, mu: float) -> float:
    r = xa / mu
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)
    return float(np.dot(wa, terms) / wa.sum())


def theil_t(x: ArrayLike, w: ArrayLike | None = None) -> float:
    r"""Return Theil's T index :math:`\frac1W\sum w_i \frac{x_i}{\mu}\ln\frac{x_i}{\mu}`."""
    xa, wa = _prepare(x, w, nonnegative=True)
    total = wa.sum()
    if total <= 0:
        return float("nan")
    mu = float(np.dot(wa, xa) / total)
    if mu <= 0:
        return float("nan")
    return _xlogx_mean(xa, wa, mu)


@dataclass(frozen=True)
class TheilDecomposition:
    r"""Theil T split into between-group and within-group parts (``total = between + within``).

    Attributes
    ----------
    total, between, within
        The index and its two parts.
    groups
        Group labels in the order of the other arrays.
    share
        Each group's share of total travel time :math:`s_g = W_g\mu_g/(W\mu)`.
    theil
        Theil T within each group.
    """

    total: float
    between: float
    within: float
    groups: tuple[object, ...]
    share: tuple[float, ...]
    theil: tuple[float, ...]


def theil_decomposition(x: ArrayLike, groups: ArrayLike, w: ArrayLike | None = None) -> TheilDecomposition:
    r"""Decompose Theil T by group: between :math:`\sum s_g\ln(\mu_g/\mu)`, within :math:`\sum s_g T_g`."""
    xa, wa = _prepare(x, w, nonnegative=True)
    ga = np.asarray(groups, dtype=object).ravel()
    if ga.shape != xa.shape:
        raise ValueError(f"{xa.size} values but {ga.size} group labels")
    nan = float("nan")
    total_w = wa.sum()
    mu = float(np.dot(wa, xa) / total_w) if total_w > 0 else nan
    if not total_w > 0 or not mu > 0:
        return TheilDecomposition(nan, nan, nan, (), (), ())
    codes, uniques = pd.factorize(pd.Series(ga, dtype=object), sort=True, use_na_sentinel=False)
    k = len(uniques)
    wg = np.bincount(codes, weights=wa, minlength=k)
    xg = np.bincount(codes, weights=wa * xa, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu_g = np.where(wg > 0, xg / np.where(wg > 0, wg, 1.0), np.nan)
        r = np.where(mu_g[codes] > 0, xa / np.where(mu_g[codes] > 0, mu_g[codes], 1.0), 0.0)
        terms = np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)
        t_g = np.where(wg > 0, np.bincount(codes, weights=wa * terms, minlength=k) / wg, np.nan)
    s_g = xg / (total_w * mu)
    pos = xg > 0
    between = float(np.sum(s_g[pos] * np.log(mu_g[pos] / mu)))
    within = float(np.sum(s_g[pos] * t_g[pos]))
    total = _xlogx_mean(xa, wa, mu)
    return TheilDecomposition(
        total=total,
        between=between,
        within=within,
        groups=tuple(uniques.tolist()),
        share=tuple(float(v) for v in s_g),
        theil=tuple(float(v) for v in t_g),
    )


def atkinson_bad_ede(x: ArrayLike, w: ArrayLike | None = None, *, epsilon: float = 1.0) -> float:
    r"""Return the Atkinson equally distributed equivalent for a bad.

    :math:`\xi = (\frac1W\sum w_i x_i^{1+\varepsilon})^{1/(1+\varepsilon)}` (a power mean
    of order :math:`1+\varepsilon`, which weighs long journeys more), ``epsilon > 0``.
    """
    if not epsilon > 0:
        raise ValueError("epsilon must be > 0 for a bad")
    xa, wa = _prepare(x, w, nonnegative=True)
    total = wa.sum()
    if total <= 0:
        return float("nan")
    p = 1.0 + epsilon
    scale = xa.max() if xa.size and xa.max() > 0 else 1.0
    return float(scale * (np.dot(wa, (xa / scale) ** p) / total) ** (1.0 / p))


def atkinson_bad(x: ArrayLike, w: ArrayLike | None = None, *, epsilon: float = 1.0) -> float:
    r"""Return the Atkinson index for a bad, :math:`A = \xi/\mu - 1` (0 = equal, grows with spread)."""
    mu = weighted_mean(x, w)
    if not mu > 0:
        return float("nan")
    return atkinson_bad_ede(x, w, epsilon=epsilon) / mu - 1.0


def kolm_pollak_ede(x: ArrayLike, w: ArrayLike | None = None, *, kappa: float) -> float:
    r"""Return the Kolm-Pollak equally distributed equivalent for a bad, in minutes.

    :math:`\xi = \frac1\kappa \ln(\frac1W\sum w_i e^{\kappa x_i})` with aversion
    ``kappa > 0`` per minute; :math:`\xi \ge \mu`, equality when everyone travels the same.
    """
    if not kappa > 0:
        raise ValueError("kappa must be > 0 for a bad")
    xa, wa = _prepare(x, w)
    total = wa.sum()
    if total <= 0:
        return float("nan")
    m = xa[wa > 0].max()
    # log-sum-exp for numerical safety
    return float(m + np.log(np.dot(wa, np.exp(kappa * (xa - m))) / total) / kappa)


def kolm_pollak_kappa(x: ArrayLike, w: ArrayLike | None = None, *, aversion: float = 0.5) -> float:
    r"""Return a Kolm-Pollak ``kappa`` calibrated on a reference distribution.

    :math:`\kappa = \alpha \sum w_i x_i / \sum w_i x_i^2` (Sheriff and Maguire 2020;
    Logan et al. 2021). Use one ``kappa`` for every scenario compared.
    """
    xa, wa = _prepare(x, w)
    denom = float(np.dot(wa, xa * xa))
    return float(aversion * np.dot(wa, xa) / denom) if denom > 0 else float("nan")


def fractional_rank(rank: ArrayLike, w: ArrayLike | None = None) -> np.ndarray:
    """Return the weighted fractional rank, ``rank`` ascending = most deprived first.

    :math:`R_i = (W_{<i} + w_i/2)/W`; areas with the same ``rank`` share the mean
    fractional rank of their block, :math:`(W_{<block} + W_{block}/2)/W`.
    """
    ra, wa = _prepare(rank, w)
    total = wa.sum()
    if total <= 0:
        return np.full(ra.shape, np.nan)
    uniq, codes = np.unique(ra, return_inverse=True)
    block_w = np.bincount(codes, weights=wa, minlength=uniq.size)
    before = np.cumsum(block_w) - block_w
    return (before + block_w / 2.0)[codes] / total


def concentration_index(x: ArrayLike, rank: ArrayLike, w: ArrayLike | None = None) -> float:
    r"""Return the concentration index of ``x`` by ``rank`` (1 = most deprived).

    :math:`C = \frac{2}{W\mu}\sum_i w_i (x_i-\mu)(R_i-\tfrac12)`, i.e.
    :math:`2\,\mathrm{cov}_w(x, R)/\mu`. Ranges over (-1, 1); negative means the more
    deprived travel further.
    """
    xa, wa = _prepare(x, w)
    total = wa.sum()
    if total <= 0:
        return float("nan")
    mu = float(np.dot(wa, xa) / total)
    if mu == 0:
        return float("nan")
    r = fractional_rank(rank, wa)
    return float(2.0 * np.dot(wa, (xa - mu) * (r - 0.5)) / (total * mu))


def group_gap(
    x: ArrayLike, groups: ArrayLike, w: ArrayLike | None = None, *, first: object, last: object
) -> tuple[float, float, float, float]:
    """Return (mean of ``first``, mean of ``last``, ratio first/last, gap first - last).

    With ``first`` = the most deprived quintile and ``last`` = the least deprived, a ratio
    above 1 and a positive gap mean the most deprived travel further.
    """
    xa, wa = _prepare(x, w)
    ga = np.asarray(groups, dtype=object).ravel()
    m1 = weighted_mean(xa[ga == first], wa[ga == first]) if (ga == first).any() else np.nan
    m2 = weighted_mean(xa[ga == last], wa[ga == last]) if (ga == last).any() else np.nan
    ratio = m1 / m2 if np.isfinite(m1) and np.isfinite(m2) and m2 > 0 else np.nan
    return float(m1), float(m2), float(ratio), float(m1 - m2)
