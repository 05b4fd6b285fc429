"""What a course of radiotherapy costs the patient: hours, miles, money and emissions.

A course is ``fractions`` daily visits, each a return car journey, so per course::

    hours  = fractions x 2 x one-way minutes / 60
    km     = fractions x 2 x one-way km
    miles  = km / 1.609344
    cost   = miles x cost_per_mile + fractions x parking_per_visit
    CO2e   = km x co2e_kg_per_km

One-way km is the road distance along the fastest route
(:mod:`access_app.core.distance`). Defaults (:class:`BurdenOptions`), with sources:

- ``cost_per_mile`` 0.45 GBP: HMRC approved mileage allowance payment for cars and vans,
  45p a mile for the first 10,000 business miles in a tax year (25p after), unchanged
  since 6 April 2011 (HMRC, "Rates and allowances: travel - mileage and fuel
  allowances"). It covers fuel, wear and depreciation, so it is a full cost of motoring,
  not fuel alone. NHS patients on low incomes may claim travel costs back (Healthcare
  Travel Costs Scheme); the figure is the cost before any refund.
- ``parking_per_visit`` 0 GBP: many trusts waive parking for radiotherapy patients;
  set the local charge to include it.
- ``co2e_kg_per_km`` 0.16984: UK government GHG conversion factors for company
  reporting 2024 (DESNZ/DEFRA, v1.1), "Cars (by fuel) - Average car - Petrol", kg CO2e
  per km (the diesel average car is 0.16450 in the same table). Read from a secondary
  copy of the 2024 flat-file table: check it against the gov.uk spreadsheet for a
  formal carbon report.

Group values are demand-weighted means over the areas that reach a site (and, for
distances, have one); annual totals use the expected courses a year from
:func:`access_app.core.capacity.area_courses` and are ``NaN`` when that is unknown.
Changes compare areas reachable in both scenarios, weighted by the scenario's demand.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from .errors import ScenarioError
from .scenarios import ScenarioResult

log = logging.getLogger(__name__)

KM_PER_MILE = 1.609344
"""International mile, exactly."""

MEASURES: tuple[str, ...] = (
    "hours_per_course",
    "km_per_course",
    "miles_per_course",
    "cost_per_course",
    "co2e_kg_per_course",
)
"""Per-course measures, in the order the tables show them."""


@dataclass(frozen=True)
class BurdenOptions:
    """Choose the cost and emission factors of a course (sources in the module docstring).

    Attributes
    ----------
    cost_per_mile
        Pounds per mile driven.
    parking_per_visit
        Pounds per visit (one per fraction).
    co2e_kg_per_km
        Kilograms of CO2-equivalent per car kilometre.
    """

    cost_per_mile: float = 0.45
    parking_per_visit: float = 0.0
    co2e_kg_per_km: float = 0.16984

    def __post_init__(self) -> None:
        for name in ("cost_per_mile", "parking_per_visit", "co2e_kg_per_km"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise ScenarioError(f"Burden option {name} = {value!r} must be a number >= 0.")


def assigned_km(
    result: ScenarioResult,
    km: np.ndarray | None,
    site_ids: Sequence[str] | None = None,
    area_ids: Sequence[str] | None = None,
) -> np.ndarray:
    """Return each area's one-way km to its assigned site (``NaN`` if none or unknown).

    Parameters
    ----------
    result
        A scenario result.
    km
        ``(n_areas, n_sites)`` kilometres; ``None`` = distances unknown.
    site_ids
        Column ids of ``km``; assumed to be ``result.site_order`` when ``None``.
    area_ids
        Row ids of ``km``; assumed to be ``result.area_ids`` when ``None``. Rows are
        matched by id when they differ.
    """
    n = len(result.site_index)
    if km is None:
        return np.full(n, np.nan)
    if area_ids is not None and list(area_ids) != result.area_ids.tolist():
        lookup = {a: i for i, a in enumerate(area_ids)}
        missing = [a for a in result.area_ids.tolist() if a not in lookup]
        if missing:
            raise ScenarioError(
                f"{len(missing)} areas have no distances (e.g. {missing[:3]}); compute the "
                "distance matrix for the current areas."
            )
        km = km[[lookup[a] for a in result.area_ids.tolist()]]
    if km.shape[0] != n:
        raise ScenarioError(
            f"Scenario {result.scenario.name!r}: the distance matrix has {km.shape[0]} areas, "
            f"the result {n}; compute both for the same areas."
        )
    order = result.site_order.tolist()
    if site_ids is not None and list(site_ids) != order:
        lookup = {s: i for i, s in enumerate(site_ids)}
        missing = [s for s in order if s not in lookup]
        if missing:
            raise ScenarioError(f"Sites {missing[:5]} are not in the distance matrix; compute it again.")
        km = km[:, [lookup[s] for s in order]]
    out = np.full(n, np.nan)
    has = result.site_index >= 0
    out[has] = km[np.flatnonzero(has), result.site_index[has]]
    out[~np.isfinite(out)] = np.nan
    return out


def per_course(
    minutes: np.ndarray, km: np.ndarray, *, fractions: int, options: BurdenOptions
) -> dict[str, np.ndarray]:
    """Return hours, km, miles, cost and kg CO2e of one course for each area.

    Parameters
    ----------
    minutes, km
        One-way minutes and kilometres (``NaN`` = unknown or unreachable).
    fractions
        Visits per course.
    options
        Cost and emission factors.
    """
    km_course = fractions * 2.0 * km
    miles = km_course / KM_PER_MILE
    return {
        "hours_per_course": fractions * 2.0 * minutes / 60.0,
        "km_per_course": km_course,
        "miles_per_course": miles,
        "cost_per_course": miles * options.cost_per_mile + fractions * options.parking_per_visit,
        "co2e_kg_per_course": km_course * options.co2e_kg_per_km,
    }


def _grouping_matrix(groups: Sequence[tuple[str, tuple[np.ndarray, list[object]]]],
                     n: int) -> tuple[sparse.csr_matrix, list[tuple[str, list[object]]]]:
    """Return a 0/1 matrix (one row per group of every grouping, one column per area).

    ``G @ values`` then sums ``values`` over each group of every grouping at once (the
    sums of :func:`numpy.bincount`, in the same order of areas).
    """
    rows, offset, layout = [], 0, []
    for g, (codes, labels) in groups:
        rows.append(np.asarray(codes, dtype=np.int64) + offset)
        offset += len(labels)
        layout.append((g, list(labels)))
    r = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    c = np.tile(np.arange(n, dtype=np.int64), len(groups))
    mat = sparse.csr_matrix((np.ones(len(r)), (r, c)), shape=(offset, n))
    mat.sum_duplicates()
    return mat, layout


def _mean_inputs(values: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(w x value, w)`` with unknown values and zero weights set to 0."""
    ok = np.isfinite(values) & (w > 0)
    return np.where(ok, w * np.where(ok, values, 0.0), 0.0), np.where(ok, w, 0.0)


def _sum_inputs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(value or 0, 1 where unknown)``."""
    nan = ~np.isfinite(values)
    return np.where(nan, 0.0, values), nan.astype(float)


def _grouped(mat: sparse.csr_matrix, means: Mapping[str, tuple[np.ndarray, np.ndarray]],
             sums: Mapping[str, tuple[np.ndarray, np.ndarray]],
             plain: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Return per-group weighted means, sums (``NaN`` where any value is unknown) and totals.

    ``means`` maps a name to ``(w x value, w)`` (:func:`_mean_inputs`), ``sums`` to
    ``(value or 0, unknown flag)`` (:func:`_sum_inputs`), ``plain`` to values summed as
    they are; one sparse product gives them all.
    """
    cols = [a for pair in means.values() for a in pair]
    cols += [a for pair in sums.values() for a in pair]
    cols += list(plain.values())
    if not cols:
        return {}
    out = np.asarray(mat @ np.column_stack(cols))
    res: dict[str, np.ndarray] = {}
    j = 0
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in means:
            num, den = out[:, j], out[:, j + 1]
            res[name] = np.where(den > 0, num / den, np.nan)
            j += 2
        for name in sums:
            res[name] = np.where(out[:, j + 1] > 0, np.nan, out[:, j])
            j += 2
    for name in plain:
        res[name] = out[:, j]
        j += 1
    return res


def _label_columns(layout: Sequence[tuple[str, list[object]]]) -> tuple[np.ndarray, np.ndarray]:
    group_by = np.concatenate([[g] * len(labels) for g, labels in layout]).astype(object)
    group = np.empty(len(group_by), dtype=object)
    group[:] = [label for _g, labels in layout for label in labels]
    return group_by, group


_TOTALS: tuple[tuple[str, str, float], ...] = (
    ("hours_per_year", "hours_per_course", 1.0),
    ("km_per_year", "km_per_course", 1.0),
    ("cost_per_year", "cost_per_course", 1.0),
    ("co2e_t_per_year", "co2e_kg_per_course", 1e-3),
)


def _stack(parts: list[dict[str, Any]], columns: Sequence[str]) -> pd.DataFrame:
    """Return one frame from per-scenario column dicts (``group`` kept as objects)."""
    frame = pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in columns})
    frame["group"] = pd.Series(np.concatenate([p["group"] for p in parts]), dtype=object)
    return frame


def burden_tables(
    results: Sequence[ScenarioResult],
    groupings: Mapping[str, tuple[np.ndarray, list[object]]],
    *,
    km: Mapping[str, np.ndarray],
    courses: Mapping[str, np.ndarray],
    baseline: str,
    options: BurdenOptions,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the burden per group and its change against the baseline.

    Parameters
    ----------
    results
        Scenario results, all for the same areas.
    groupings
        Breakdown name -> (group code per area, labels); ``"all"`` is added first.
    km
        One-way km per area by scenario name (from :func:`assigned_km`).
    courses
        Expected courses a year per area by scenario name (``NaN`` = unknown).
    baseline
        Name of the baseline scenario.
    options
        Cost and emission factors.

    Returns
    -------
    tuple of pandas.DataFrame
        ``burden``: scenario, group_by, group, demand (reachable), the mean of each of
        :data:`MEASURES`, courses a year, and annual totals (hours, km, cost, tonnes CO2e).
        ``burden_changes``: scenario, baseline, group_by, group, compared demand, each
        measure before, after and its change, and the change in annual totals.
    """
    n = len(results[0].minutes) if results else 0
    all_group: tuple[np.ndarray, list[object]] = (np.zeros(n, dtype=np.intp), ["all"])
    mat, layout = _grouping_matrix([("all", all_group), *groupings.items()], n)
    group_by, group = _label_columns(layout)
    per: dict[str, dict[str, np.ndarray]] = {}
    parts: list[dict[str, Any]] = []
    sum_names = ["courses_per_year", *(t for t, _m, _s in _TOTALS)]
    for res in results:
        name = res.scenario.name
        reach = res.reachable
        minutes = np.where(reach, res.minutes, np.nan)
        per[name] = per_course(minutes, km[name], fractions=res.scenario.fractions, options=options)
        means = {m: _mean_inputs(per[name][m], res.demand) for m in MEASURES}
        sums = {"courses_per_year": _sum_inputs(np.where(reach, courses[name], 0.0))}
        for total, m, scale in _TOTALS:
            sums[total] = _sum_inputs(np.where(reach, courses[name] * per[name][m] * scale, 0.0))
        got = _grouped(mat, means, sums, {"demand": res.demand * reach})
        parts.append({"scenario": np.full(len(group), name, dtype=object), "group_by": group_by,
                      "group": group, **got})
    burden = (_stack(parts, ["scenario", "group_by", "group", "demand", *MEASURES, *sum_names])
              if parts else pd.DataFrame())
    base = next((r for r in results if r.scenario.name == baseline), None)
    change_parts: list[dict[str, Any]] = []
    diff_totals = [(t, m, sc) for t, m, sc in _TOTALS if t in ("cost_per_year", "co2e_t_per_year")]
    change_cols = ["scenario", "baseline", "group_by", "group", "compared_demand"]
    for m in MEASURES:
        change_cols += [f"{m}_before", f"{m}_after", f"{m}_change"]
    change_cols += [f"{t}_change" for t, _m, _s in diff_totals]
    if base is not None:
        bp = per[baseline]
        for res in results:
            if res is base:
                continue
            name = res.scenario.name
            both = base.reachable & res.reachable
            w = res.demand * both
            means = {}
            for m in MEASURES:
                known = np.isfinite(bp[m]) & np.isfinite(per[name][m])
                means[f"{m}_before"] = _mean_inputs(np.where(known, bp[m], np.nan), w)
                means[f"{m}_after"] = _mean_inputs(np.where(known, per[name][m], np.nan), w)
            diffs = {
                f"{total}_change": _sum_inputs(
                    np.where(both, courses[name] * (per[name][m] - bp[m]) * scale, 0.0))
                for total, m, scale in diff_totals
            }
            got = _grouped(mat, means, diffs, {"compared_demand": w})
            for m in MEASURES:
                got[f"{m}_change"] = got[f"{m}_after"] - got[f"{m}_before"]
            change_parts.append({"scenario": np.full(len(group), name, dtype=object),
                                 "baseline": np.full(len(group), baseline, dtype=object),
                                 "group_by": group_by, "group": group, **got})
    changes = (
        _stack(change_parts, change_cols)
        if change_parts
        else pd.DataFrame(columns=["scenario", "baseline", "group_by", "group", "compared_demand"])
    )
    return burden, changes


__all__ = ["KM_PER_MILE", "MEASURES", "BurdenOptions", "assigned_km", "burden_tables", "per_course"]
