"""Equity impact tables built from scenario results (the content of every export).

:func:`build_report` turns a list of :class:`~access_app.core.scenarios.ScenarioResult`
into an :class:`EquityReport` of tidy DataFrames:

``summary``
    One row per scenario: demand, reachable and unreachable demand, mean / median / 90th
    percentile / maximum minutes, demand and share within each threshold, hours of travel
    per course, and every inequality index.
``groups``
    The same statistics by group, long format (``group_by``, ``group``): IMD decile and
    quintile, urban/rural, RUC class, network, region, ICB and assigned site.
``sites``
    Per scenario and site: open or not, areas and demand served, demand per linac, minutes.
``changes``
    Per scenario against the baseline, overall (``group_by = "all"``) and by group: mean
    minutes before and after, demand whose journey grows (by more than 0, 15 and 30
    minutes), demand pushed past 45 / 60 / 90 minutes, newly unreachable demand.
``index_changes``
    Every summary measure of every scenario next to the baseline's and the change.
``site_changes``
    Demand (and per linac) of every site before and after.
``areas``
    One row per area and scenario: area, demand, IMD decile and quintile, urban/rural,
    network, assigned site, minutes, baseline minutes and change.

Conventions: statistics use reachable areas only (unreachable demand is its own column);
"within 45" means ``minutes <= 45``; shares are fractions of *reachable* demand; hours per
course = fractions x 2 x mean one-way minutes / 60; the IMD quintile is ``(decile + 1) // 2``
(quintile 1 = most deprived). Changes compare areas reachable in both scenarios and are
weighted by the scenario's demand.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import equity, schema
from .errors import ScenarioError
from .progress import CancelFn, ProgressFn, check_cancelled, report
from .scenarios import Scenario, ScenarioResult

log = logging.getLogger(__name__)

IMD_QUINTILE = "imd_quintile"
SITE_GROUP = "site"
GROUPINGS: tuple[str, ...] = (
    schema.IMD_DECILE,
    IMD_QUINTILE,
    schema.URBAN_RURAL,
    schema.RUC_CLASS,
    schema.NETWORK,
    schema.REGION,
    schema.ICB,
    SITE_GROUP,
)
"""Breakdowns computed when the areas table has the column (``site`` always)."""

MISSING = "(missing)"
UNREACHABLE = "(unreachable)"


@dataclass(frozen=True)
class ReportOptions:
    r"""Choose thresholds and inequality-aversion parameters of a report.

    Attributes
    ----------
    thresholds
        Minutes for the "within" counts and shares.
    push_thresholds
        Minutes for "pushed past" counts in the changes table.
    atkinson_epsilon
        Aversion of the Atkinson index for a bad (> 0).
    kolm_pollak_aversion
        Aversion :math:`\alpha` used to calibrate ``kappa`` on the baseline.
    kolm_pollak_kappa
        Fixed ``kappa`` per minute; ``None`` = calibrate on the baseline's reachable areas,
        :math:`\kappa = \alpha\sum wx/\sum wx^2`, so every scenario uses the same one.
    """

    thresholds: tuple[int, ...] = (30, 45, 60, 90)
    push_thresholds: tuple[int, ...] = (45, 60, 90)
    atkinson_epsilon: float = 1.0
    kolm_pollak_aversion: float = 0.5
    kolm_pollak_kappa: float | None = None


@dataclass(frozen=True)
class EquityReport:
    """Hold every table of the equity impact report (see the module docstring)."""

    scenarios: tuple[Scenario, ...]
    baseline: str
    summary: pd.DataFrame
    groups: pd.DataFrame
    sites: pd.DataFrame
    changes: pd.DataFrame
    index_changes: pd.DataFrame
    site_changes: pd.DataFrame
    areas: pd.DataFrame
    kappa: float
    options: ReportOptions = field(default_factory=ReportOptions)

    def breakdown(self, group_by: str) -> pd.DataFrame:
        """Return the group statistics for one breakdown (e.g. ``"imd_quintile"``)."""
        return self.groups[self.groups["group_by"] == group_by].reset_index(drop=True)

    @property
    def group_bys(self) -> tuple[str, ...]:
        """Return the breakdowns present, in the standard order."""
        present = set(self.groups["group_by"])
        return tuple(g for g in GROUPINGS if g in present)

    @property
    def summary_long(self) -> pd.DataFrame:
        """Return the summary in long form: one row per scenario and numeric measure."""
        measures = [c for c in self.summary.columns if c not in _NOT_MEASURES or c in ("areas", "fractions")]
        long = self.summary.melt(
            id_vars="scenario", value_vars=measures, var_name="measure", value_name="value"
        )
        long["value"] = long["value"].astype(float)
        return long

    def tables(self) -> dict[str, pd.DataFrame]:
        """Return every aggregate table by file-friendly name (``areas`` excluded)."""
        return {
            "summary": self.summary,
            "summary_long": self.summary_long,
            "groups": self.groups,
            "sites": self.sites,
            "changes": self.changes,
            "index_changes": self.index_changes,
            "site_changes": self.site_changes,
        }


# ----------------------------------------------------------------- array statistics


def group_stats(
    minutes: np.ndarray,
    demand: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    *,
    thresholds: Sequence[int],
    order: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Return weighted travel-time statistics per group code.

    Parameters
    ----------
    minutes
        One-way minutes; ``NaN`` = unreachable.
    demand
        Weight of each area.
    codes
        Group of each area, ``0 .. n_groups - 1``.
    n_groups
        Number of groups.
    thresholds
        Minutes for the ``within_T_demand`` / ``within_T_share`` columns.
    order
        Optional positions of the reachable areas sorted by minutes (stable), from
        :func:`minutes_order`; saves a sort when one scenario is broken down many ways.

    Returns
    -------
    dict
        Arrays of length ``n_groups``: ``areas``, ``demand``, ``reachable_demand``,
        ``unreachable_demand``, ``mean_min``, ``median_min``, ``p90_min``, ``max_min`` and
        the within columns. Statistics of groups without reachable demand are ``NaN``.
    """
    reach = np.isfinite(minutes)
    c_r, x_r, w_r = codes[reach], minutes[reach], demand[reach]
    out: dict[str, np.ndarray] = {
        "areas": np.bincount(codes, minlength=n_groups).astype(np.int64),
        "demand": np.bincount(codes, weights=demand, minlength=n_groups),
    }
    rd = np.bincount(c_r, weights=w_r, minlength=n_groups)
    out["reachable_demand"] = rd
    out["unreachable_demand"] = out["demand"] - rd
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_min"] = np.where(
            rd > 0, np.bincount(c_r, weights=w_r * x_r, minlength=n_groups) / rd, np.nan
        )
    med = np.full(n_groups, np.nan)
    p90 = np.full(n_groups, np.nan)
    mx = np.full(n_groups, np.nan)
    if order is None:
        order = minutes_order(minutes)
    # stable sort by group keeps the minutes order inside each group (radix sort on int16)
    small = codes.astype(np.int16) if n_groups < np.iinfo(np.int16).max else codes
    order = order[np.argsort(small[order], kind="stable")]
    cs = codes[order]
    bounds = np.searchsorted(cs, np.arange(n_groups + 1), side="left")
    xs_all, ws_all = minutes[order], demand[order]
    for g in range(n_groups):
        lo, hi = bounds[g], bounds[g + 1]
        if hi <= lo or rd[g] <= 0:
            continue
        xs, ws = xs_all[lo:hi], ws_all[lo:hi]
        cw = np.cumsum(ws)
        med[g] = equity.sorted_quantile(xs, cw, 0.5)
        p90[g] = equity.sorted_quantile(xs, cw, 0.9)
        mx[g] = xs[ws > 0].max()
    out["median_min"] = med
    out["p90_min"] = p90
    out["max_min"] = mx
    for t in thresholds:
        within = np.bincount(c_r, weights=w_r * (x_r <= t), minlength=n_groups)
        out[f"within_{t}_demand"] = within
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"within_{t}_share"] = np.where(rd > 0, within / rd, np.nan)
    return out


def minutes_order(minutes: np.ndarray) -> np.ndarray:
    """Return the positions of reachable (finite) minutes in ascending order, ties stable."""
    reach = np.flatnonzero(np.isfinite(minutes))
    return reach[np.argsort(minutes[reach], kind="stable")]


def imd_quintile(decile: pd.Series) -> pd.Series:
    """Return the IMD quintile ``(decile + 1) // 2`` (1 = most deprived), nullable integer."""
    d = pd.to_numeric(decile, errors="coerce")
    return ((d + 1) // 2).astype("Int64")


def _group_labels(values: pd.Series) -> tuple[np.ndarray, list[object]]:
    codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
    labels: list[object] = [
        int(u) if isinstance(u, int | np.integer) else (float(u) if isinstance(u, float) else u)
        for u in uniques.tolist()
    ]
    labels = [int(v) if isinstance(v, float) and float(v).is_integer() else v for v in labels]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(labels), codes)
        labels.append(MISSING)
    return codes.astype(np.intp), labels


def _area_groupings(areas: pd.DataFrame) -> dict[str, pd.Series]:
    cols: dict[str, pd.Series] = {}
    for g in GROUPINGS:
        if g == IMD_QUINTILE:
            if schema.IMD_DECILE in areas.columns:
                cols[g] = imd_quintile(areas[schema.IMD_DECILE])
        elif g != SITE_GROUP and g in areas.columns:
            cols[g] = areas[g]
    return cols


def _site_labels(result: ScenarioResult) -> tuple[np.ndarray, list[object]]:
    n = len(result.site_order)
    codes = np.where(result.site_index >= 0, result.site_index, n)
    labels: list[object] = [*result.site_order.tolist(), UNREACHABLE]
    used = np.unique(codes)
    remap = np.full(n + 1, -1, dtype=np.intp)
    remap[used] = np.arange(used.size)
    return remap[codes], [labels[i] for i in used]


# ----------------------------------------------------------------- building the report


def _indices(
    result: ScenarioResult,
    areas: pd.DataFrame,
    quint: pd.Series | None,
    *,
    kappa: float,
    options: ReportOptions,
) -> dict[str, float]:
    r = result.reachable
    x, w = result.minutes[r], result.demand[r]
    nan = float("nan")
    out: dict[str, float] = {}
    ok = w.sum() > 0
    out["gini"] = equity.gini(x, w) if ok else nan
    out["theil_t"] = equity.theil_t(x, w) if ok else nan
    for name, labels in (
        ("imd_quintile", quint),
        ("network", areas[schema.NETWORK] if schema.NETWORK in areas.columns else None),
    ):
        if labels is None or not ok:
            out[f"theil_between_{name}"] = nan
            out[f"theil_within_{name}"] = nan
            continue
        lab = labels.astype(object).where(labels.notna(), MISSING).to_numpy()[r]
        dec = equity.theil_decomposition(x, lab, w)
        out[f"theil_between_{name}"] = dec.between
        out[f"theil_within_{name}"] = dec.within
    eps = options.atkinson_epsilon
    out["atkinson_bad"] = equity.atkinson_bad(x, w, epsilon=eps) if ok else nan
    out["atkinson_ede_min"] = equity.atkinson_bad_ede(x, w, epsilon=eps) if ok else nan
    kp_ok = ok and np.isfinite(kappa) and kappa > 0
    out["kolm_pollak_ede_min"] = equity.kolm_pollak_ede(x, w, kappa=kappa) if kp_ok else nan
    mean = equity.weighted_mean(x, w) if ok else nan
    out["kolm_pollak_index_min"] = out["kolm_pollak_ede_min"] - mean
    if schema.IMD_RANK in areas.columns and ok:
        rank = pd.to_numeric(areas[schema.IMD_RANK], errors="coerce").to_numpy(dtype=float)[r]
        has = np.isfinite(rank)
        out["concentration_index"] = (
            equity.concentration_index(x[has], rank[has], w[has]) if has.any() else nan
        )
    else:
        out["concentration_index"] = nan
    if quint is not None and ok:
        q = quint.astype(object).where(quint.notna(), MISSING).to_numpy()[r]
        q1, q5, ratio, gap = equity.group_gap(x, q, w, first=1, last=5)
    else:
        q1 = q5 = ratio = gap = nan
    out["q1_mean_min"] = q1
    out["q5_mean_min"] = q5
    out["q1_q5_ratio"] = ratio
    out["q1_q5_gap_min"] = gap
    return out


def _check_results(results: Sequence[ScenarioResult], areas: pd.DataFrame) -> None:
    if not results:
        raise ScenarioError("No scenario results to report on.")
    names = [r.scenario.name for r in results]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(f"Scenario names must be unique; repeated: {dupes}.")
    for r in results:
        if len(r.area_ids) != len(areas) or not np.array_equal(
            r.area_ids, areas[schema.AREA_ID].astype(str).to_numpy()
        ):
            raise ScenarioError(
                f"Scenario {r.scenario.name!r} was computed for other areas; assign it again."
            )


def _stats_frame(stats: dict[str, np.ndarray], fractions: int, thresholds: Sequence[int]) -> pd.DataFrame:
    frame = pd.DataFrame(stats)
    frame["hours_per_course"] = fractions * 2.0 * frame["mean_min"] / 60.0
    order = [
        "areas",
        "demand",
        "reachable_demand",
        "unreachable_demand",
        "mean_min",
        "median_min",
        "p90_min",
        "max_min",
    ]
    for t in thresholds:
        order += [f"within_{t}_demand", f"within_{t}_share"]
    return frame[[*order, "hours_per_course"]]


def build_report(
    results: Sequence[ScenarioResult],
    areas: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    baseline: str | None = None,
    options: ReportOptions | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> EquityReport:
    """Build every equity table for the given scenario results.

    Parameters
    ----------
    results
        From :func:`~access_app.core.scenarios.assign`, all for ``areas`` in its row order.
    areas
        Canonical areas table (optional columns are used when present).
    sites
        Canonical sites table (``site_name`` and ``linacs`` are used when present).
    baseline
        Name of the scenario the others are compared with; the first one if ``None``.
    options
        Thresholds and aversion parameters.
    progress, cancelled
        Optional progress and cancellation hooks.

    Returns
    -------
    EquityReport
    """
    options = options or ReportOptions()
    _check_results(results, areas)
    by_name = {r.scenario.name: r for r in results}
    baseline = baseline if baseline is not None else results[0].scenario.name
    if baseline not in by_name:
        raise ScenarioError(f"Baseline {baseline!r} is not one of the scenarios ({', '.join(by_name)}).")
    base = by_name[baseline]
    thresholds = options.thresholds
    groupings = _area_groupings(areas)
    coded = {g: _group_labels(s) for g, s in groupings.items()}
    quint = groupings.get(IMD_QUINTILE)
    kappa = options.kolm_pollak_kappa
    if kappa is None:
        r = base.reachable
        kappa = (
            equity.kolm_pollak_kappa(base.minutes[r], base.demand[r], aversion=options.kolm_pollak_aversion)
            if base.demand[r].sum() > 0
            else float("nan")
        )
    site_info = _site_info(sites)

    summary_rows: list[dict[str, object]] = []
    group_frames: list[pd.DataFrame] = []
    site_frames: list[pd.DataFrame] = []
    n = len(results)
    for i, res in enumerate(results):
        check_cancelled(cancelled)
        report(progress, i / (n + 1), f"Measuring scenario {res.scenario.name!r}")
        sc = res.scenario
        zero = np.zeros(len(res.minutes), dtype=np.intp)
        order = minutes_order(res.minutes)
        overall = _stats_frame(
            group_stats(res.minutes, res.demand, zero, 1, thresholds=thresholds),
            sc.fractions,
            thresholds,
        )
        row: dict[str, object] = {
            "scenario": sc.name,
            "service": sc.service,
            "rule": sc.rule,
            "open_sites": len(sc.hub_sites) if sc.hub_sites else len(sc.open_sites),
            "demand_column": sc.demand,
            "fractions": sc.fractions,
            "unreachable_areas": int((~res.reachable).sum()),
        }
        row.update(overall.iloc[0].to_dict())
        row["areas"] = int(overall["areas"].iloc[0])
        row.update(_indices(res, areas, quint, kappa=kappa, options=options))
        summary_rows.append(row)

        for g, (codes, labels) in (
            *coded.items(),
            (SITE_GROUP, _site_labels(res)),
        ):
            st = _stats_frame(
                group_stats(res.minutes, res.demand, codes, len(labels), thresholds=thresholds, order=order),
                sc.fractions,
                thresholds,
            )
            total = st["demand"].sum()
            st.insert(0, "demand_share", st["demand"] / total if total > 0 else np.nan)
            st.insert(0, "group", labels)
            st.insert(0, "group_by", g)
            st.insert(0, "scenario", sc.name)
            group_frames.append(st)
        site_frames.append(_sites_table(res, site_info, thresholds))

    summary = pd.DataFrame(summary_rows)
    groups = pd.concat(group_frames, ignore_index=True)
    groups["group"] = groups["group"].astype(object)
    sites_table = pd.concat(site_frames, ignore_index=True)

    report(progress, n / (n + 1), "Comparing scenarios with the baseline")
    check_cancelled(cancelled)
    changes = pd.concat(
        [_changes(res, base, coded, options) for res in results if res is not base]
        or [_changes(base, base, coded, options).iloc[:0]],
        ignore_index=True,
    )
    index_changes = _index_changes(summary, baseline)
    site_changes = _site_changes(sites_table, baseline)
    area_table = _areas_table(results, base, areas, site_info)
    report(progress, 1.0, "Equity tables ready")
    return EquityReport(
        scenarios=tuple(r.scenario for r in results),
        baseline=baseline,
        summary=summary,
        groups=groups,
        sites=sites_table,
        changes=changes,
        index_changes=index_changes,
        site_changes=site_changes,
        areas=area_table,
        kappa=float(kappa),
        options=options,
    )


def _site_info(sites: pd.DataFrame) -> pd.DataFrame:
    info = pd.DataFrame({schema.SITE_ID: sites[schema.SITE_ID].astype(str).to_numpy()})
    info[schema.SITE_NAME] = (
        sites[schema.SITE_NAME].astype(str).to_numpy()
        if schema.SITE_NAME in sites.columns
        else info[schema.SITE_ID]
    )
    info[schema.NETWORK] = sites[schema.NETWORK].to_numpy() if schema.NETWORK in sites.columns else None
    info[schema.NETWORK_CONFIDENCE] = (sites[schema.NETWORK_CONFIDENCE].to_numpy(dtype=object)
                                       if schema.NETWORK_CONFIDENCE in sites.columns else None)
    info[schema.LINACS] = (
        pd.to_numeric(sites[schema.LINACS], errors="coerce").to_numpy()
        if schema.LINACS in sites.columns
        else np.nan
    )
    return info.set_index(schema.SITE_ID, drop=False)


def _sites_table(res: ScenarioResult, info: pd.DataFrame, thresholds: Sequence[int]) -> pd.DataFrame:
    n = len(res.site_order)
    codes = np.where(res.site_index >= 0, res.site_index, n)
    st = group_stats(res.minutes, res.demand, codes, n + 1, thresholds=())
    sc = res.scenario
    ids = res.site_order.tolist()
    known = info.reindex(ids)
    linacs = known[schema.LINACS].to_numpy(dtype=float)
    demand = st["demand"][:n]
    with np.errstate(invalid="ignore", divide="ignore"):
        per_linac = np.where(linacs > 0, demand / linacs, np.nan)
    hubs = set(sc.hub_sites)
    frame = pd.DataFrame(
        {
            "scenario": sc.name,
            schema.SITE_ID: ids,
            schema.SITE_NAME: known[schema.SITE_NAME].fillna("").to_numpy(),
            schema.NETWORK: known[schema.NETWORK].to_numpy(),
            schema.NETWORK_CONFIDENCE: known[schema.NETWORK_CONFIDENCE].to_numpy(dtype=object),
            schema.LINACS: linacs,
            "open": [s in set(sc.open_sites) for s in ids],
            "hub": [s in hubs for s in ids],
            "areas": st["areas"][:n],
            "demand": demand,
            "demand_per_linac": per_linac,
            "mean_min": st["mean_min"][:n],
            "p90_min": st["p90_min"][:n],
            "max_min": st["max_min"][:n],
        }
    )
    return frame


def _changes(
    res: ScenarioResult,
    base: ScenarioResult,
    coded: dict[str, tuple[np.ndarray, list[object]]],
    options: ReportOptions,
) -> pd.DataFrame:
    before, after, w = base.minutes, res.minutes, res.demand
    both = np.isfinite(before) & np.isfinite(after)
    delta = np.where(both, after - before, 0.0)
    tol = 1e-9
    cols: dict[str, np.ndarray] = {
        "demand": w,
        "compared_demand": w * both,
        "_wb": w * np.where(both, before, 0.0),
        "_wa": w * np.where(both, after, 0.0),
        "demand_longer": w * (both & (delta > tol)),
        "demand_shorter": w * (both & (delta < -tol)),
        "demand_longer_15": w * (both & (delta > 15 + tol)),
        "demand_longer_30": w * (both & (delta > 30 + tol)),
    }
    for t in options.push_thresholds:
        cols[f"pushed_past_{t}_demand"] = w * (both & (before <= t) & (after > t))
    cols["newly_unreachable_demand"] = w * (np.isfinite(before) & ~np.isfinite(after))
    cols["newly_reachable_demand"] = w * (~np.isfinite(before) & np.isfinite(after))
    frames = []
    all_codes: tuple[np.ndarray, list[object]] = (np.zeros(len(w), dtype=np.intp), ["all"])
    for g, (codes, labels) in [("all", all_codes), *coded.items()]:
        k = len(labels)
        sums = {name: np.bincount(codes, weights=v, minlength=k) for name, v in cols.items()}
        cd = sums["compared_demand"]
        with np.errstate(invalid="ignore", divide="ignore"):
            mb = np.where(cd > 0, sums.pop("_wb") / cd, np.nan)
            ma = np.where(cd > 0, sums.pop("_wa") / cd, np.nan)
        frame = pd.DataFrame(
            {
                "scenario": res.scenario.name,
                "baseline": base.scenario.name,
                "group_by": g,
                "group": pd.Series(labels, dtype=object),
                "demand": sums.pop("demand"),
                "compared_demand": sums.pop("compared_demand"),
                "mean_min_before": mb,
                "mean_min_after": ma,
                "change_mean_min": ma - mb,
                **sums,
            }
        )
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


_NOT_MEASURES = {"scenario", "service", "rule", "demand_column", "areas", "fractions"}


def _index_changes(summary: pd.DataFrame, baseline: str) -> pd.DataFrame:
    measures = [c for c in summary.columns if c not in _NOT_MEASURES]
    base = summary.set_index("scenario").loc[baseline, measures]
    rows = []
    for _, row in summary.iterrows():
        if row["scenario"] == baseline:
            continue
        for m in measures:
            b, v = float(base[m]), float(row[m])
            rows.append(
                {
                    "scenario": row["scenario"],
                    "baseline": baseline,
                    "measure": m,
                    "baseline_value": b,
                    "value": v,
                    "change": v - b,
                }
            )
    cols = ["scenario", "baseline", "measure", "baseline_value", "value", "change"]
    return pd.DataFrame(rows, columns=cols)


def _site_changes(sites_table: pd.DataFrame, baseline: str) -> pd.DataFrame:
    base = sites_table[sites_table["scenario"] == baseline].set_index(schema.SITE_ID)
    frames = []
    for name, part in sites_table.groupby("scenario", sort=False):
        if name == baseline:
            continue
        b = base.reindex(part[schema.SITE_ID])
        frames.append(
            pd.DataFrame(
                {
                    "scenario": name,
                    "baseline": baseline,
                    schema.SITE_ID: part[schema.SITE_ID].to_numpy(),
                    schema.SITE_NAME: part[schema.SITE_NAME].to_numpy(),
                    schema.LINACS: part[schema.LINACS].to_numpy(),
                    "demand_before": b["demand"].to_numpy(),
                    "demand_after": part["demand"].to_numpy(),
                    "demand_change": part["demand"].to_numpy() - b["demand"].to_numpy(),
                    "demand_per_linac_before": b["demand_per_linac"].to_numpy(),
                    "demand_per_linac_after": part["demand_per_linac"].to_numpy(),
                }
            )
        )
    cols = [
        "scenario",
        "baseline",
        schema.SITE_ID,
        schema.SITE_NAME,
        schema.LINACS,
        "demand_before",
        "demand_after",
        "demand_change",
        "demand_per_linac_before",
        "demand_per_linac_after",
    ]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)


def _areas_table(
    results: Sequence[ScenarioResult],
    base: ScenarioResult,
    areas: pd.DataFrame,
    info: pd.DataFrame,
) -> pd.DataFrame:
    n = len(areas)
    k = len(results)

    def col(name: str) -> np.ndarray:
        if name in areas.columns:
            return np.tile(areas[name].to_numpy(dtype=object), k)
        return np.full(n * k, None, dtype=object)

    names = info[schema.SITE_NAME].to_dict()
    site_ids = np.concatenate([r.site_ids for r in results])
    minutes = np.concatenate([r.minutes for r in results])
    base_min = np.tile(base.minutes, k)
    decile = pd.to_numeric(pd.Series(col(schema.IMD_DECILE)), errors="coerce")
    fractions = np.repeat([r.scenario.fractions for r in results], n)
    frame = pd.DataFrame(
        {
            schema.AREA_ID: np.tile(areas[schema.AREA_ID].astype(str).to_numpy(), k),
            schema.AREA_NAME: col(schema.AREA_NAME),
            "scenario": np.repeat([r.scenario.name for r in results], n),
            "demand": np.concatenate([r.demand for r in results]),
            schema.IMD_DECILE: decile.astype("Int64").to_numpy(),
            IMD_QUINTILE: imd_quintile(decile).to_numpy(),
            schema.URBAN_RURAL: col(schema.URBAN_RURAL),
            schema.NETWORK: col(schema.NETWORK),
            schema.SITE_ID: site_ids,
            schema.SITE_NAME: pd.Series(site_ids, dtype=object).map(names).to_numpy(),
            "minutes": minutes,
            "baseline_minutes": base_min,
            "change_min": minutes - base_min,
            "hours_per_course": fractions * 2.0 * minutes / 60.0,
            "unreachable_reason": np.concatenate([r.reason for r in results]),
        }
    )
    if "via_ferry" in areas.columns:  # sea or air routes the area depends on ("" = none)
        frame.insert(frame.columns.get_loc("minutes"), "via_ferry", col("via_ferry"))
    return frame
