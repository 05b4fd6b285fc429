"""Human-readable headers, group and rule labels, number formats and rounding of the exports.

The workbook is read by people (board papers), the CSVs by programs: only the workbook
uses these labels and rounds its numbers to the precision its formats show; the CSVs keep
the codes and full precision.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..scenarios import RULE_LABELS
from ..tables import IMD_QUINTILE

SHEET_NAMES: dict[str, str] = {
    IMD_QUINTILE: "IMD quintile",
    "imd_decile": "IMD decile",
    "urban_rural": "Urban-rural",
    "ruc_class": "RUC class",
    "network": "Network",
    "region": "Region",
    "icb": "ICB",
}

LABELS: dict[str, str] = {
    "scenario": "Scenario",
    "baseline": "Baseline",
    "service": "Service",
    "rule": "Assignment rule",
    "open_sites": "Open sites",
    "demand_column": "Demand column",
    "fractions": "Fractions per course",
    "unreachable_areas": "Unreachable areas",
    "areas": "Areas",
    "demand": "Demand",
    "reachable_demand": "Reachable demand",
    "unreachable_demand": "Unreachable demand",
    "demand_share": "Share of demand",
    "mean_min": "Mean minutes",
    "median_min": "Median minutes",
    "p90_min": "90th percentile minutes",
    "max_min": "Maximum minutes",
    "hours_per_course": "Hours of travel per course (mean)",
    "gini": "Gini",
    "theil_t": "Theil T",
    "theil_between_imd_quintile": "Theil T between IMD quintiles",
    "theil_within_imd_quintile": "Theil T within IMD quintiles",
    "theil_between_network": "Theil T between networks",
    "theil_within_network": "Theil T within networks",
    "atkinson_bad": "Atkinson index (bad)",
    "atkinson_ede_min": "Atkinson equally distributed equivalent (minutes)",
    "kolm_pollak_ede_min": "Kolm-Pollak equally distributed equivalent (minutes)",
    "kolm_pollak_index_min": "Kolm-Pollak index (minutes)",
    "concentration_index": "Concentration index by IMD rank (negative = deprived travel further)",
    "q1_mean_min": "Mean minutes, most deprived quintile",
    "q5_mean_min": "Mean minutes, least deprived quintile",
    "q1_q5_ratio": "Ratio most / least deprived quintile",
    "q1_q5_gap_min": "Gap most - least deprived quintile (minutes)",
    "group_by": "Breakdown",
    "group": "Group",
    "site_id": "Site id",
    "site_name": "Site",
    "network": "Network",
    "linacs": "Linacs",
    "open": "Open",
    "hub": "Hub",
    "demand_per_linac": "Demand per linac",
    "compared_demand": "Demand reachable in both",
    "mean_min_before": "Mean minutes, baseline",
    "mean_min_after": "Mean minutes, scenario",
    "change_mean_min": "Change in mean minutes",
    "demand_longer": "Demand whose journey grows",
    "demand_shorter": "Demand whose journey shrinks",
    "demand_longer_15": "Demand whose journey grows > 15 min",
    "demand_longer_30": "Demand whose journey grows > 30 min",
    "newly_unreachable_demand": "Demand newly unreachable",
    "newly_reachable_demand": "Demand newly reachable",
    "measure": "Measure",
    "baseline_value": "Baseline value",
    "value": "Scenario value",
    "change": "Change",
    "demand_before": "Demand, baseline",
    "demand_after": "Demand, scenario",
    "demand_change": "Change in demand",
    "demand_per_linac_before": "Demand per linac, baseline",
    "demand_per_linac_after": "Demand per linac, scenario",
    # common base (summary): the areas that reach a site in every scenario
    "common_demand": "Demand reaching a site in every scenario (common base)",
    "common_mean_min": "Mean minutes, common base",
    "common_median_min": "Median minutes, common base",
    "common_p90_min": "90th percentile minutes, common base",
    "common_q1_mean_min": "Mean minutes, most deprived quintile, common base",
    "common_q5_mean_min": "Mean minutes, least deprived quintile, common base",
    # burden per course (access_app.core.burden)
    "km_per_course": "Km per course (mean)",
    "miles_per_course": "Miles per course (mean)",
    "cost_per_course": "Travel cost per course, GBP (mean)",
    "co2e_kg_per_course": "kg CO2e per course (mean)",
    "courses_per_year": "Courses a year",
    "hours_per_year": "Hours of travel a year",
    "km_per_year": "Km a year",
    "cost_per_year": "Travel cost a year, GBP",
    "co2e_t_per_year": "Tonnes CO2e a year",
    # capacity (access_app.core.capacity)
    "course_basis": "Courses from",
    "fractions_per_course": "Fractions per course",
    "fractions_per_linac_year": "Fractions per linac a year (throughput)",
    "fractions_per_year": "Fractions a year",
    "capacity_fractions": "Capacity, fractions a year",
    "fractions_per_linac": "Fractions per linac",
    "utilisation": "Utilisation of linac capacity",
    "over_capacity": "Over capacity",
    "linacs_needed": "Linacs needed",
    "extra_linacs": "Extra linacs needed",
    "staff_per_linac": "Staff per linac",
    "staff_needed": "Staff needed",
    "extra_staff": "Extra staff needed",
    "courses_without_site": "Courses with no site",
    "sites_over_capacity": "Sites over capacity",
    "sites_unknown_linacs": "Sites with unknown linacs",
}

_BURDEN_SUFFIXES = {"_before": "baseline", "_after": "scenario", "_change": "change"}

_INDEX_COLS = {
    "gini",
    "theil_t",
    "theil_between_imd_quintile",
    "theil_within_imd_quintile",
    "theil_between_network",
    "theil_within_network",
    "atkinson_bad",
    "concentration_index",
    "q1_q5_ratio",
}

FMT_MINUTES = "0.0"
FMT_SHARE = "0.0%"
FMT_COUNT = "#,##0"
FMT_DEMAND_FINE = "#,##0.00"
FMT_INDEX = "0.0000"


FMT_MONEY = FMT_DEMAND_FINE  # pounds and pence

_BURDEN_FORMATS: Mapping[str, str] = {
    "hours_per_course": FMT_MINUTES,
    "km_per_course": FMT_MINUTES,
    "miles_per_course": FMT_MINUTES,
    "cost_per_course": FMT_MONEY,
    "co2e_kg_per_course": FMT_MINUTES,
    "courses_per_year": FMT_COUNT,
    "courses_without_site": FMT_COUNT,
    "hours_per_year": FMT_COUNT,
    "km_per_year": FMT_COUNT,
    "cost_per_year": FMT_COUNT,
    "co2e_t_per_year": FMT_MINUTES,
    "fractions_per_year": FMT_COUNT,
    "capacity_fractions": FMT_COUNT,
    "fractions_per_linac": FMT_COUNT,
    "fractions_per_linac_year": FMT_COUNT,
    "linacs_needed": FMT_COUNT,
    "extra_linacs": FMT_COUNT,
    "sites_over_capacity": FMT_COUNT,
    "sites_unknown_linacs": FMT_COUNT,
    "staff_per_linac": FMT_MINUTES,
    "staff_needed": FMT_MINUTES,
    "extra_staff": FMT_MINUTES,
}
"""Formats of the burden and capacity columns (one decimal for per-course km and kg, staff)."""

FMT_CHANGE_SHARE = "+0.0%;-0.0%;0.0%"
FMT_CHANGE_MINUTES = "+0.0;-0.0;0.0"
FMT_CHANGE_COUNT = "+#,##0;-#,##0;0"
FMT_CHANGE_DEMAND_FINE = "+#,##0.00;-#,##0.00;0.00"
FMT_CHANGE_INDEX = "+0.0000;-0.0000;0.0000"

DIGITS: Mapping[str, int] = {
    FMT_MINUTES: 1,
    FMT_SHARE: 3,
    FMT_COUNT: 0,
    FMT_DEMAND_FINE: 2,
    FMT_INDEX: 4,
}
"""Decimal places each number format shows (a share of 0.0% shows 3 decimals of the fraction)."""

_CHANGE_FORMATS: Mapping[str, str] = {
    FMT_MINUTES: FMT_CHANGE_MINUTES,
    FMT_SHARE: FMT_CHANGE_SHARE,
    FMT_COUNT: FMT_CHANGE_COUNT,
    FMT_DEMAND_FINE: FMT_CHANGE_DEMAND_FINE,
    FMT_INDEX: FMT_CHANGE_INDEX,
}

DEPRIVATION_GROUPINGS: Mapping[str, int] = {IMD_QUINTILE: 5, "imd_decile": 10}
"""IMD breakdowns and their number of groups (group 1 = most deprived, MHCLG 2019)."""

GROUPING_LABELS: Mapping[str, str] = {"all": "All areas", "site": "Site", **SHEET_NAMES}


def label(column: str) -> str:
    """Return the human-readable header of a table column."""
    if column in LABELS:
        return LABELS[column]
    for prefix, text in (("within_", "within"), ("pushed_past_", "pushed past")):
        if column.startswith(prefix):
            minutes = column[len(prefix) :].split("_")[0]
            kind = "share" if column.endswith("_share") else "demand"
            what = "Share" if kind == "share" else "Demand"
            return f"{what} {text} {minutes} min"
    for suffix, what in _BURDEN_SUFFIXES.items():
        stem = column[: -len(suffix)]
        if column.endswith(suffix) and stem in LABELS and stem != column:
            return f"{LABELS[stem]}, {what}"
    return column.replace("_", " ").capitalize()


def number_format(column: str, *, fine_demand: bool = False) -> str | None:
    """Return the Excel number format for a column (``None`` = general)."""
    if column.endswith("_share") or column == "utilisation":
        return FMT_SHARE
    for suffix in _BURDEN_SUFFIXES:  # burden changes: the measure's own format
        if column.endswith(suffix) and column[: -len(suffix)] in _BURDEN_FORMATS:
            return _BURDEN_FORMATS[column[: -len(suffix)]]
    if column in _BURDEN_FORMATS:
        return _BURDEN_FORMATS[column]
    if column in _INDEX_COLS:
        return FMT_INDEX
    if column.endswith("_min") or column.startswith("mean_min_") or column in (
        "minutes", "hours_per_course", "baseline_minutes"
    ):
        return FMT_MINUTES
    if "demand" in column:
        return FMT_DEMAND_FINE if fine_demand else FMT_COUNT
    if column in ("areas", "open_sites", "unreachable_areas", "linacs"):
        return FMT_COUNT
    return None


def change_format(fmt: str | None) -> str | None:
    """Return the signed variant of a number format, for changes against the baseline."""
    return None if fmt is None else _CHANGE_FORMATS.get(fmt, fmt)


def digits(fmt: str | None) -> int | None:
    """Return how many decimals of a value the format shows (``None`` = keep every digit)."""
    if fmt is None:
        return None
    return DIGITS.get(_CHANGE_FORMATS_INVERSE.get(fmt, fmt))


_CHANGE_FORMATS_INVERSE = {v: k for k, v in _CHANGE_FORMATS.items()}


def group_label(group_by: str, group: object) -> object:
    """Return the label of one group: IMD groups say which end is the most deprived.

    ``("imd_quintile", 1)`` gives ``"1 (most deprived)"``, ``("imd_quintile", 5)``
    ``"5 (least deprived)"``, the groups between keep their number; other groupings and
    special groups such as ``"(missing)"`` are returned unchanged.
    """
    top = DEPRIVATION_GROUPINGS.get(group_by)
    if top is None:
        return group
    try:
        number = int(str(group))
    except ValueError:
        return group
    if number == 1:
        return "1 (most deprived)"
    if number == top:
        return f"{top} (least deprived)"
    return str(number)


def rule_label(rule: object) -> object:
    """Return the plain-English assignment rule for a rule code (other values unchanged)."""
    return RULE_LABELS.get(str(rule), rule)


def grouping_label(group_by: object) -> object:
    """Return the name of a breakdown (``"imd_quintile"`` -> ``"IMD quintile"``)."""
    return GROUPING_LABELS.get(str(group_by), group_by)
