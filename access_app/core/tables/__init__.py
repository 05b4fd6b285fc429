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
    network, assigned site, minutes, baseline minutes and change, and the burden of a
    course (hours, km, miles, cost, kg CO2e; :mod:`access_app.core.burden`).
``burden``, ``burden_changes``
    Hours, distance, cost and emissions per course by group, and their change against the
    baseline (:mod:`access_app.core.burden`).
``capacity``, ``capacity_summary``
    Courses and fractions a year per open site against linac throughput, utilisation,
    extra linacs and staff (:mod:`access_app.core.capacity`).

**Common base.** When scenarios leave different areas without a site, their own means are
over different people. The summary's ``common_*`` columns repeat the headline statistics
over the areas that reach a site in *every* scenario (``common_demand``), so scenarios
are compared on the same people; ``unreachable_demand`` and ``unreachable_areas`` count
those with no site in each scenario, on their own.

Conventions: statistics use reachable areas only (unreachable demand is its own column);
"within 45" means ``minutes <= 45``; shares are fractions of *reachable* demand; hours per
course = fractions x 2 x mean one-way minutes / 60; the IMD quintile is ``(decile + 1) // 2``
(quintile 1 = most deprived). Changes compare areas reachable in both scenarios and are
weighted by the scenario's demand.

Modules
-------
- :mod:`.report`: :class:`EquityReport` and :func:`build_report`; :mod:`.options`:
  :class:`ReportOptions`.
- :mod:`.groups`: the breakdowns (:data:`GROUPINGS`) and their labels.
- :mod:`.stats`: :func:`group_stats` and the inequality indices of each scenario.
- :mod:`.sites`, :mod:`.changes`, :mod:`.areas`: the sites, changes and per-area tables.
- :mod:`.common_base`: the summary's ``common_*`` statistics.
- :mod:`.burden`: glue to the burden and capacity tables (:mod:`access_app.core.burden`,
  :mod:`access_app.core.capacity`) and the per-course columns of the per-area table.
"""

from .groups import GROUPINGS, IMD_QUINTILE, MISSING, SITE_GROUP, UNREACHABLE, imd_quintile, minutes_order
from .options import ReportOptions
from .report import EquityReport, build_report
from .stats import group_stats

__all__ = [
    "GROUPINGS",
    "IMD_QUINTILE",
    "MISSING",
    "SITE_GROUP",
    "UNREACHABLE",
    "EquityReport",
    "ReportOptions",
    "build_report",
    "group_stats",
    "imd_quintile",
    "minutes_order",
]
