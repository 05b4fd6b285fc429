"""The equity impact report: its options, its tables and :func:`build_report`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import cast

import numpy as np
import pandas as pd

from .. import equity, schema
from ..distance import DistanceMatrix
from ..errors import ScenarioError
from ..progress import CancelFn, ProgressFn, check_cancelled, report
from ..scenarios import Scenario, ScenarioResult, check_unique_names
from .areas import _areas_table
from .burden import _add_per_course, _burden_and_capacity
from .changes import _NOT_MEASURES, _changes, _index_changes, _site_changes
from .common_base import _common_stats, common_reachable
from .groups import (
    GROUPINGS,
    IMD_QUINTILE,
    SITE_GROUP,
    _area_groupings,
    _group_labels,
    _site_labels,
    minutes_order,
)
from .options import ReportOptions
from .sites import _site_info, _sites_table
from .stats import _indices, _stats_frame, group_stats

log = logging.getLogger(__name__)


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
    area_rows: Callable[[], pd.DataFrame] = field(repr=False, compare=False)
    kappa: float
    options: ReportOptions = field(default_factory=ReportOptions)
    burden: pd.DataFrame = field(default_factory=pd.DataFrame)
    burden_changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    capacity: pd.DataFrame = field(default_factory=pd.DataFrame)
    capacity_summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    distances_known: bool = False

    @cached_property
    def areas(self) -> pd.DataFrame:
        """Return the per-area table: every area under every scenario (built on first use).

        About 130,000 rows for England and four scenarios; only exports and the board
        report read it, so a front end that rebuilds the report after every edit does not
        wait for it.
        """
        return self.area_rows()

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
            "burden": self.burden,
            "burden_changes": self.burden_changes,
            "capacity": self.capacity,
            "capacity_summary": self.capacity_summary,
        }



class TableCache:
    """Keep the tables of scenario results between reports, so an edit recomputes only its own.

    A front end that rebuilds the report after every edit passes the same cache each time:
    a scenario whose result object, areas, sites, thresholds, aversion and baseline are
    unchanged reuses its summary measures, group and site tables and its changes against
    the baseline. The numbers are exactly those computed afresh (a test checks it).
    Tables that depend on every scenario at once (the common base, burden, per-area
    results) are always rebuilt. Holds at most ``size`` entries of each kind.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._parts: dict[tuple[object, ...], tuple[ScenarioResult, object]] = {}
        self.hits = 0

    def get(self, kind: str, res: ScenarioResult, *key: object) -> object | None:
        """Return what was kept for ``res`` under ``key``, or ``None``."""
        hit = self._parts.get((kind, id(res), *key))
        if hit is not None and hit[0] is res:
            self.hits += 1
            return hit[1]
        return None

    def put(self, kind: str, res: ScenarioResult, value: object, *key: object) -> None:
        """Keep ``value`` for ``res`` under ``key`` (the oldest entries go first)."""
        if len(self._parts) >= self.size * 4:
            for old in list(self._parts)[: self.size]:
                del self._parts[old]
        self._parts[(kind, id(res), *key)] = (res, value)


def _check_results(results: Sequence[ScenarioResult], areas: pd.DataFrame) -> None:
    if not results:
        raise ScenarioError("No scenario results to report on.")
    check_unique_names([r.scenario for r in results])
    for r in results:
        if len(r.area_ids) != len(areas) or not np.array_equal(
            r.area_ids, areas[schema.AREA_ID].astype(str).to_numpy()
        ):
            raise ScenarioError(
                f"Scenario {r.scenario.name!r} was computed for other areas; assign it again."
            )



def _area_rows(results: Sequence[ScenarioResult], base: ScenarioResult, areas: pd.DataFrame,
               site_info: pd.DataFrame, km: dict[str, np.ndarray],
               options: ReportOptions) -> pd.DataFrame:
    """Return the per-area table of a report (see :attr:`EquityReport.areas`)."""
    table = _areas_table(results, base, areas, site_info)
    _add_per_course(table, results, km, options=options)
    return table


def build_report(
    results: Sequence[ScenarioResult],
    areas: pd.DataFrame,
    sites: pd.DataFrame,
    *,
    baseline: str | None = None,
    options: ReportOptions | None = None,
    distances: DistanceMatrix | None = None,
    cache: TableCache | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> EquityReport:
    """Build every equity table for the given scenario results.

    ``cache`` (a :class:`TableCache` kept between calls) lets scenarios that did not change
    reuse their tables.

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
        Thresholds, aversion parameters, burden and capacity assumptions.
    distances
        Road km along the fastest routes (:func:`access_app.core.distance.distance_matrix`)
        for the same areas and sites; without it distances, cost and emissions are unknown
        (``NaN``) and hours are still given.
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
    common = common_reachable(results)
    # What every cached part depends on besides its own result.
    context = (id(areas), id(sites), thresholds, repr(options), float(kappa), id(base))

    summary_rows: list[dict[str, object]] = []
    group_frames: list[pd.DataFrame] = []
    site_frames: list[pd.DataFrame] = []
    n = len(results)
    for i, res in enumerate(results):
        check_cancelled(cancelled)
        report(progress, i / (n + 1), f"Measuring scenario {res.scenario.name!r}")
        sc = res.scenario
        kept = cache.get("scenario", res, *context) if cache is not None else None
        if kept is not None:
            k_head, k_idx, k_groups, k_sites = cast(
                tuple[dict[str, object], dict[str, object], list[pd.DataFrame], pd.DataFrame], kept)
            summary_rows.append({**k_head, **_common_stats(res, common, thresholds, quint), **k_idx})
            group_frames.extend(k_groups)
            site_frames.append(k_sites)
            continue
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
        head = dict(row)
        row.update(_common_stats(res, common, thresholds, quint))
        idx = _indices(res, areas, quint, kappa=kappa, options=options)
        row.update(idx)
        summary_rows.append(row)
        first_group = len(group_frames)

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
        if cache is not None:
            cache.put("scenario", res, (head, idx, group_frames[first_group:], site_frames[-1]),
                      *context)

    summary = pd.DataFrame(summary_rows)
    groups = pd.concat(group_frames, ignore_index=True)
    groups["group"] = groups["group"].astype(object)
    sites_table = pd.concat(site_frames, ignore_index=True)

    report(progress, n / (n + 1), "Comparing scenarios with the baseline")
    check_cancelled(cancelled)
    def changes_of(res: ScenarioResult) -> pd.DataFrame:
        kept = cache.get("changes", res, *context) if cache is not None else None
        if kept is not None:
            return cast(pd.DataFrame, kept)
        frame = _changes(res, base, coded, options)
        if cache is not None:
            cache.put("changes", res, frame, *context)
        return frame

    changes = pd.concat(
        [changes_of(res) for res in results if res is not base]
        or [_changes(base, base, coded, options).iloc[:0]],
        ignore_index=True,
    )
    index_changes = _index_changes(summary, baseline)
    site_changes = _site_changes(sites_table, baseline)
    check_cancelled(cancelled)
    report(progress, (n + 0.5) / (n + 1), "Burden per course and site capacity")
    bc = _burden_and_capacity(results, areas, coded, site_info, baseline=baseline,
                              distances=distances, options=options)
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
        area_rows=partial(_area_rows, tuple(results), base, areas, site_info, bc.km, options),
        kappa=float(kappa),
        options=options,
        burden=bc.burden,
        burden_changes=bc.burden_changes,
        capacity=bc.capacity,
        capacity_summary=bc.capacity_summary,
        distances_known=distances is not None,
    )
