"""Key findings in plain English, generated from the equity tables.

Every sentence is built from numbers in an :class:`~access_app.core.tables.EquityReport`
and compares a scenario with the baseline **on the same people** (the areas that reach a
site in both; the changes table's ``compared_demand``). Words for sizes follow fixed
thresholds (:class:`Wording`, documented in ``docs/report.md``):

- a change in mean minutes of at most ``same_min`` (1 minute) either way is "about the
  same"; up to ``slight_min`` (5 minutes) is "slightly" longer or shorter; from
  ``large_min`` (15 minutes) it is "much" longer or shorter; in between, plain "longer";
- comparing two groups' changes (most against least deprived quintile, rural against
  urban): if they differ by at most ``same_min`` minutes, or the larger is at most
  ``group_same_ratio`` (1.1) times the smaller, they change "about as much"; a ratio of
  at least ``group_much_ratio`` (1.5) is "much more"; otherwise "more".

Who loses out is named from the same numbers: the most deprived when quintile 1's mean
journey grows more than quintile 5's; the most rural when rural areas' grows more than
urban areas'; both, either or neither.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import schema
from .tables import IMD_QUINTILE, EquityReport


@dataclass(frozen=True)
class Wording:
    """Thresholds that pick the words for sizes (see the module docstring)."""

    same_min: float = 1.0
    slight_min: float = 5.0
    large_min: float = 15.0
    group_same_ratio: float = 1.1
    group_much_ratio: float = 1.5


def format_count(value: float) -> str:
    """Return a count for a sentence: "1.2 million", "34,500", "12"."""
    if not math.isfinite(value):
        return "an unknown number of"
    v = abs(value)
    if v >= 1e6:
        return f"{value / 1e6:.1f} million"
    if v >= 1000:
        return f"{round(value, -2):,.0f}" if v >= 10_000 else f"{value:,.0f}"
    if v >= 10 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.1f}"


def format_minutes(value: float) -> str:
    """Return minutes with one decimal and the unit ("1 minute" is singular)."""
    text = f"{abs(value):.1f}"
    return f"{text} minute" if text == "1.0" else f"{text} minutes"


def degree(change: float, wording: Wording | None = None) -> str:
    """Return how much longer or shorter a change of ``change`` minutes is.

    Examples: 0.4 -> "about the same", 3 -> "slightly longer", -8 -> "shorter",
    20 -> "much longer".
    """
    w = wording or Wording()
    size = abs(change)
    if size <= w.same_min:
        return "about the same"
    way = "longer" if change > 0 else "shorter"
    if size <= w.slight_min:
        return f"slightly {way}"
    if size >= w.large_min:
        return f"much {way}"
    return way


def compare_changes(a: float, b: float, wording: Wording | None = None) -> str:
    """Return how group A's change compares with group B's, for "A's journeys grow ... B's".

    Returns one of "about as much as", "more than", "much more than", "less than",
    "much less than" (the changes are minutes, signed; the comparison is of the
    signed values, so a smaller increase or a decrease is "less").
    """
    w = wording or Wording()
    if abs(a - b) <= w.same_min:
        return "about as much as"
    hi, lo = max(a, b), min(a, b)
    if lo > 0 and hi <= w.group_same_ratio * lo:
        return "about as much as"
    much = (lo > 0 and hi >= w.group_much_ratio * lo) or (lo <= 0 < hi and hi - lo > w.slight_min)
    if a > b:
        return "much more than" if much else "more than"
    return "much less than" if much else "less than"


def _unit(report: EquityReport, scenario: str) -> str:
    sc = next(s for s in report.scenarios if s.name == scenario)
    if sc.incidence_per_100k is not None:
        return "expected patients a year"
    return "people"


def _row(frame: pd.DataFrame, **match: object) -> pd.Series | None:
    mask = pd.Series(True, index=frame.index)
    for k, v in match.items():
        mask &= frame[k].astype(object) == v
    hit = frame[mask]
    return None if hit.empty else hit.iloc[0]



def _group_changes(ch: pd.DataFrame, group_by: str, first: object, second: object,
                   w: Wording) -> tuple[float, float, str] | None:
    """Return the mean-minute changes of two groups and the words comparing them (or None)."""
    rows = [_row(ch, group_by=group_by, group=g) for g in (first, second)]
    if any(r is None or not math.isfinite(r["change_mean_min"]) for r in rows):
        return None
    a, b = (float(r["change_mean_min"]) for r in rows)  # type: ignore[index]
    return a, b, compare_changes(a, b, w)


def scenario_findings(report: EquityReport, scenario: str, *, wording: Wording | None = None) -> list[str]:
    """Return the key findings for one scenario against the report's baseline.

    Parameters
    ----------
    report
        The equity report.
    scenario
        A scenario name other than the baseline.
    wording
        Thresholds for the size words.

    Returns
    -------
    list of str
        Sentences: the overall change, the reach within 45 minutes, the most against the
        least deprived, rural against urban, who loses out, the people without a site,
        the burden of a course and the capacity of the sites, each when its numbers exist.
    """
    w = wording or Wording()
    base = report.baseline
    unit = _unit(report, scenario)
    ch = report.changes[report.changes["scenario"] == scenario]
    out: list[str] = []
    overall = _row(ch, group_by="all")
    if overall is None:
        return out
    before, after = float(overall["mean_min_before"]), float(overall["mean_min_after"])
    delta = after - before
    compared = float(overall["compared_demand"])
    word = degree(delta, w)
    if word == "about the same":
        head = f"Under {scenario}, journeys are about the same as under {base} on average"
    else:
        head = (
            f"Under {scenario}, journeys are {word} than under {base}: "
            f"{format_minutes(delta)} {'more' if delta > 0 else 'less'} on average"
        )
    out.append(
        f"{head} ({after:.1f} against {before:.1f} minutes one way, for the same "
        f"{format_count(compared)} {unit})."
    )
    longer = float(overall["demand_longer"])
    if compared > 0:
        share = longer / compared
        text = (
            f"{format_count(longer)} {unit} ({share:.0%}) would travel further"
            if longer > 0
            else f"Nobody would travel further than under {base}"
        )
        pushed = [c for c in ch.columns if c.startswith("pushed_past_") and c.endswith("_demand")]
        p60 = next((c for c in pushed if c == "pushed_past_60_demand"), pushed[0] if pushed else None)
        if longer > 0 and p60 is not None and float(overall[p60]) > 0:
            t = p60.removeprefix("pushed_past_").removesuffix("_demand")
            text += f", and {format_count(float(overall[p60]))} would be pushed past {t} minutes"
        out.append(text + ".")
    summ = report.summary.set_index("scenario")
    if "common_within_45_share" in summ.columns and scenario in summ.index:
        b45 = float(summ.loc[base, "common_within_45_share"])
        a45 = float(summ.loc[scenario, "common_within_45_share"])
        if math.isfinite(a45) and math.isfinite(b45):
            out.append(
                f"Within 45 minutes (the NRAG guideline): {a45:.0%} of {unit} under {scenario} "
                f"against {b45:.0%} under {base}."
            )
    dep = _group_changes(ch, IMD_QUINTILE, 1, 5, w)
    dep_loses = None
    if dep is not None:
        a, b, cmp = dep
        out.append(
            f"The most deprived fifth of areas (IMD quintile 1) sees its mean journey change by "
            f"{a:+.1f} minutes, {cmp} the least deprived fifth ({b:+.1f} minutes)."
        )
        dep_loses = cmp in ("more than", "much more than")
    rur = _group_changes(ch, schema.URBAN_RURAL, "Rural", "Urban", w)
    rur_loses = None
    if rur is not None:
        a, b, cmp = rur
        out.append(
            f"Rural areas see their mean journey change by {a:+.1f} minutes, {cmp} urban areas "
            f"({b:+.1f} minutes)."
        )
        rur_loses = cmp in ("more than", "much more than")
    if delta > w.same_min and (dep_loses is not None or rur_loses is not None):
        if dep_loses and rur_loses:
            out.append("Those who lose out most are both the most deprived and the most rural.")
        elif rur_loses:
            out.append("Those who lose out most are the most rural, not the most deprived.")
        elif dep_loses:
            out.append("Those who lose out most are the most deprived, not the most rural.")
        else:
            out.append("Those who lose out are neither especially the most deprived nor the most rural.")
    if scenario in summ.index:
        none_ = float(summ.loc[scenario, "unreachable_demand"])
        none_base = float(summ.loc[base, "unreachable_demand"])
        if none_ > 0 and none_ == none_base:
            out.append(
                f"{format_count(none_)} {unit} have no reachable site, as under {base}; they are "
                "counted on their own, not in the averages."
            )
        elif none_ > 0:
            more = none_ - none_base
            extra = (
                f" ({format_count(more)} more than under {base})"
                if more > 0
                else f" ({format_count(-more)} fewer than under {base})"
            )
            out.append(
                f"{format_count(none_)} {unit} have no reachable site under {scenario}{extra}; "
                "they are counted on their own, not in the averages."
            )
    out.extend(_burden_sentences(report, scenario, w))
    out.extend(_capacity_sentences(report, scenario))
    return out


def _burden_sentences(report: EquityReport, scenario: str, w: Wording) -> list[str]:
    bc = report.burden_changes
    if bc is None or bc.empty:
        return []
    row = _row(bc[bc["scenario"] == scenario], group_by="all")
    if row is None or not math.isfinite(row.get("hours_per_course_change", math.nan)):
        return []
    sc = next(s for s in report.scenarios if s.name == scenario)
    hours = float(row["hours_per_course_change"])
    parts = [f"{abs(hours):.1f} hours {'more' if hours >= 0 else 'less'} in the car"]
    miles = float(row.get("miles_per_course_change", math.nan))
    cost = float(row.get("cost_per_course_change", math.nan))
    co2 = float(row.get("co2e_kg_per_course_change", math.nan))
    if math.isfinite(miles):
        parts.append(f"{abs(miles):,.0f} miles {'more' if miles >= 0 else 'fewer'}")
    if math.isfinite(cost):
        parts.append(f"£{abs(cost):,.0f} {'more' if cost >= 0 else 'less'} in travel costs")
    if math.isfinite(co2):
        parts.append(f"{abs(co2):,.0f} kg CO2e {'more' if co2 >= 0 else 'less'}")
    if abs(hours) * 60 / max(2 * sc.fractions, 1) <= w.same_min:
        return [
            f"A course of {sc.fractions} fractions costs the patient about the same as under "
            f"{report.baseline}."
        ]
    text = f"A course of {sc.fractions} fractions means, on average, " + _join(parts)
    total = float(row.get("co2e_t_per_year_change", math.nan))
    if math.isfinite(total) and total != 0:
        text += f"; {format_count(abs(total))} tonnes CO2e a year {'more' if total > 0 else 'less'} in all"
    return [text + f", against {report.baseline}."]


def _capacity_sentences(report: EquityReport, scenario: str) -> list[str]:
    cs = report.capacity_summary
    if cs is None or cs.empty:
        return []
    row = _row(cs, scenario=scenario)
    if row is None or not math.isfinite(float(row["fractions_per_year"])):
        return []
    n_over = int(row["sites_over_capacity"])
    n_open = int(row["open_sites"])
    tp = float(row["fractions_per_linac_year"])
    text = (
        f"At {tp:,.0f} fractions per linac a year, {n_over} of {n_open} open sites would be "
        f"over capacity for this service"
    )
    extra = float(row["extra_linacs"])
    if n_over and math.isfinite(extra):
        text += f", needing {extra:,.0f} more linac{'s' if extra != 1 else ''}"
        if "extra_staff" in row.index and math.isfinite(float(row["extra_staff"])):
            text += f" and {float(row['extra_staff']):,.0f} more staff"
    unknown = int(row["sites_unknown_linacs"])
    if unknown:
        text += f" ({unknown} site{'s' if unknown != 1 else ''} with an unknown linac count not judged)"
    sentences = [text + "."]
    cap = report.capacity
    if cap is not None and not cap.empty:
        part = cap[cap["scenario"] == scenario]
        util = part["utilisation"].astype(float)
        if np.isfinite(util).any():
            best = part.loc[util[np.isfinite(util)].idxmax()]
            u = float(best["utilisation"])
            share = f"{u:.1%}" if u < 0.1 else f"{u:.0%}"
            name = str(best[schema.SITE_NAME] or best[schema.SITE_ID])
            sentences.append(
                f"The busiest site, {name}, would use {share} of its linac capacity for this service."
            )
    return sentences


def _join(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def report_findings(report: EquityReport, *, wording: Wording | None = None) -> dict[str, list[str]]:
    """Return the findings of every scenario other than the baseline, by scenario name."""
    return {
        s.name: scenario_findings(report, s.name, wording=wording)
        for s in report.scenarios
        if s.name != report.baseline
    }


__all__ = [
    "Wording",
    "compare_changes",
    "degree",
    "format_count",
    "format_minutes",
    "report_findings",
    "scenario_findings",
]
