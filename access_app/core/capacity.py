"""Whether the sites of a scenario can absorb the courses sent to them: linacs and staff.

Demand becomes expected **courses a year** per area (:func:`area_courses`), in the first
of these ways that applies:

1. ``CapacityOptions.courses_column``: a column of the areas table that holds courses a
   year per area (a user table joined by area);
2. the scenario has ``incidence_per_100k``: its demand is already cases a year
   (demand column x rate / 100,000) and each case is one course;
3. ``CapacityOptions.courses_per_100k``: demand x rate / 100,000;
4. otherwise the courses are unknown (``NaN``), never guessed.

Per open site: fractions a year = sum of the courses assigned x the scenario's fractions
per course; capacity = linacs x ``fractions_per_linac_year``; utilisation = fractions /
capacity; over capacity when utilisation > 1; linacs needed = ceil(fractions /
fractions_per_linac_year); extra linacs = max(0, needed - linacs); with a
``staff_per_linac`` ratio, staff needed = linacs needed x ratio and extra staff = extra
linacs x ratio. A site whose linac count is unknown (blank) has unknown capacity,
utilisation, flag and extra linacs: unknown stays unknown, never zero.

The utilisation is that of the **service in the scenario**: for a single less common
cancer it is the share of the site's linac time the service would take, not the site's
whole load (other services are not in the model). For a whole-radiotherapy scenario with
an all-cancer course rate it is the whole load.

Default throughput, 8,000 fractions per linac a year: the lower end of the planning
figure of about 8,000 to 8,500 fractions per linac a year attributed to the National
Radiotherapy Advisory Group report (Department of Health, "Radiotherapy: developing a
world class service for England", 2007). The figure was not re-checked against the
report's text here (no internet); set ``fractions_per_linac_year`` to a local figure.
There is no default staff ratio: give the ratio your service plans with.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import schema
from .errors import ScenarioError
from .scenarios import ScenarioResult

log = logging.getLogger(__name__)

COURSE_BASIS_UNKNOWN = "unknown (no course rate: set incidence_per_100k or a courses column)"


@dataclass(frozen=True)
class CapacityOptions:
    """Choose the throughput, staff ratio and course rate of the capacity tables.

    Attributes
    ----------
    fractions_per_linac_year
        Fractions one linac delivers in a year (default 8,000; see the module docstring).
    staff_per_linac
        Whole-time staff per linac (e.g. therapeutic radiographers); ``None`` = no
        workforce columns. No default: give your own planning ratio.
    courses_per_100k
        Courses a year per 100,000 of the demand column, for scenarios without an
        incidence rate; ``None`` = leave their courses unknown.
    courses_column
        Column of the areas table with courses a year per area; overrides the rates.
    """

    fractions_per_linac_year: float = 8000.0
    staff_per_linac: float | None = None
    courses_per_100k: float | None = None
    courses_column: str | None = None

    def __post_init__(self) -> None:
        def positive(name: str, value: object, *, optional: bool) -> None:
            if value is None and optional:
                return
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value <= 0
            ):
                raise ScenarioError(f"Capacity option {name} = {value!r} must be a number > 0.")

        positive("fractions_per_linac_year", self.fractions_per_linac_year, optional=False)
        positive("staff_per_linac", self.staff_per_linac, optional=True)
        positive("courses_per_100k", self.courses_per_100k, optional=True)


def area_courses(
    result: ScenarioResult, areas: pd.DataFrame, *, options: CapacityOptions
) -> tuple[np.ndarray, str]:
    """Return expected courses a year per area and a sentence saying how they were found.

    Raises
    ------
    ScenarioError
        If ``options.courses_column`` is not a column of ``areas`` or holds negative or
        non-numeric values.
    """
    sc = result.scenario
    if options.courses_column is not None:
        col = options.courses_column
        if col not in areas.columns:
            raise ScenarioError(
                f"Capacity: courses column {col!r} is not in the areas table; join the courses "
                "table by area_id first or leave the option empty."
            )
        values = pd.to_numeric(areas[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            first = (
                str(areas[schema.AREA_ID].iloc[int(np.flatnonzero(bad)[0])])
                if schema.AREA_ID in areas.columns
                else int(np.flatnonzero(bad)[0])
            )
            raise ScenarioError(
                f"Capacity: courses column {col!r} has {int(bad.sum())} missing, non-numeric or "
                f"negative values (first: area {first!r}); fix the table."
            )
        return values, f"courses a year from column {col!r}"
    if sc.incidence_per_100k is not None:
        return result.demand.astype(float), (
            f"{sc.demand} x {sc.incidence_per_100k:g} per 100,000 a year, one course per case"
        )
    if options.courses_per_100k is not None:
        return result.demand * (options.courses_per_100k / 100_000.0), (
            f"{sc.demand} x {options.courses_per_100k:g} courses per 100,000 a year"
        )
    return np.full(len(result.demand), np.nan), COURSE_BASIS_UNKNOWN


def site_capacity(
    courses: np.ndarray,
    site_index: np.ndarray,
    linacs: np.ndarray,
    *,
    fractions: int,
    options: CapacityOptions,
) -> dict[str, np.ndarray]:
    """Return the capacity columns for each site of a scenario.

    Parameters
    ----------
    courses
        Courses a year per area (``NaN`` = unknown).
    site_index
        Assigned site column per area (``-1`` = none).
    linacs
        Linacs per site column (``NaN`` = unknown).
    fractions
        Fractions per course.
    options
        Throughput and staff ratio.

    Returns
    -------
    dict
        Arrays per site: ``courses_per_year``, ``fractions_per_year``,
        ``capacity_fractions``, ``fractions_per_linac``, ``utilisation``,
        ``over_capacity`` (object: True, False or None for unknown), ``linacs_needed``,
        ``extra_linacs`` and, with a staff ratio, ``staff_needed`` and ``extra_staff``.
    """
    m = len(linacs)
    has = site_index >= 0
    idx = site_index[has]
    c = courses[has]
    unknown = np.bincount(idx[~np.isfinite(c)], minlength=m) > 0
    per_site = np.bincount(idx[np.isfinite(c)], weights=c[np.isfinite(c)], minlength=m)
    per_site = np.where(unknown, np.nan, per_site)
    fr = per_site * fractions
    tp = options.fractions_per_linac_year
    lin = np.asarray(linacs, dtype=float)
    lin_known = np.isfinite(lin)
    with np.errstate(invalid="ignore", divide="ignore"):
        capacity = np.where(lin_known, lin * tp, np.nan)
        per_linac = np.where(lin_known & (lin > 0), fr / lin, np.nan)
        # no linac at all: any fractions are over capacity (inf), none is 0
        util = np.where(lin > 0, fr / capacity, np.where(fr > 0, np.inf, 0.0))
    util = np.where(lin_known & np.isfinite(fr), util, np.nan)
    needed = np.where(np.isfinite(fr), np.ceil(np.round(fr / tp, 9)), np.nan)
    extra = np.where(lin_known, np.maximum(needed - np.nan_to_num(lin), 0.0), np.nan)
    over = np.array([None if np.isnan(u) else bool(u > 1.0) for u in util], dtype=object)
    out: dict[str, np.ndarray] = {
        "courses_per_year": per_site,
        "fractions_per_year": fr,
        "capacity_fractions": capacity,
        "fractions_per_linac": per_linac,
        "utilisation": util,
        "over_capacity": over,
        "linacs_needed": needed,
        "extra_linacs": extra,
    }
    if options.staff_per_linac is not None:
        out["staff_needed"] = needed * options.staff_per_linac
        out["extra_staff"] = extra * options.staff_per_linac
    return out


def capacity_tables(
    results: Sequence[ScenarioResult],
    areas: pd.DataFrame,
    site_info: pd.DataFrame,
    *,
    options: CapacityOptions,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, np.ndarray]]:
    """Return the capacity of every open site, a per-scenario summary, and courses per area.

    Parameters
    ----------
    results
        Scenario results for ``areas``.
    areas
        Canonical areas table (for a courses column).
    site_info
        Indexed by ``site_id`` with ``site_name``, ``network``, ``linacs`` (``NaN`` unknown).
    options
        Throughput, staff ratio and course rate.

    Returns
    -------
    tuple
        ``capacity`` (one row per scenario and open site), ``capacity_summary`` (one row
        per scenario: course basis, courses and fractions a year, courses without a site,
        sites over capacity, sites with unknown linacs that receive courses, extra linacs
        and staff) and courses a year per area by scenario name.
    """
    frames: list[pd.DataFrame] = []
    summary: list[dict[str, object]] = []
    courses_by: dict[str, np.ndarray] = {}
    for res in results:
        sc = res.scenario
        courses, basis = area_courses(res, areas, options=options)
        courses_by[sc.name] = courses
        ids = res.site_order.tolist()
        known = site_info.reindex(ids)
        linacs = pd.to_numeric(known[schema.LINACS], errors="coerce").to_numpy(dtype=float)
        cols = site_capacity(courses, res.site_index, linacs, fractions=sc.fractions, options=options)
        open_set = set(sc.open_sites)
        keep = np.array([s in open_set for s in ids], dtype=bool)
        hubs = set(sc.hub_sites)
        frame = pd.DataFrame(
            {
                "scenario": sc.name,
                schema.SITE_ID: np.asarray(ids, dtype=object)[keep],
                schema.SITE_NAME: known[schema.SITE_NAME].fillna("").to_numpy()[keep],
                schema.NETWORK: known[schema.NETWORK].to_numpy()[keep],
                "hub": [s in hubs for s in np.asarray(ids)[keep]],
                schema.LINACS: linacs[keep],
                **{k: v[keep] for k, v in cols.items()},
            }
        )
        frames.append(frame)
        unassigned = courses[~res.reachable]
        fr = frame["fractions_per_year"].to_numpy(dtype=float)
        row: dict[str, object] = {
            "scenario": sc.name,
            "course_basis": basis,
            "fractions_per_course": sc.fractions,
            "fractions_per_linac_year": options.fractions_per_linac_year,
            "courses_per_year": float(np.sum(courses)) if np.isfinite(courses).all() else math.nan,
            "fractions_per_year": float(fr.sum()) if np.isfinite(fr).all() else math.nan,
            "courses_without_site": float(unassigned.sum()) if np.isfinite(unassigned).all() else math.nan,
            "open_sites": int(keep.sum()),
            "sites_over_capacity": int(sum(v is True for v in frame["over_capacity"])),
            "sites_unknown_linacs": int(
                ((~np.isfinite(frame[schema.LINACS].to_numpy(dtype=float))) & (fr > 0)).sum()
            ),
            "extra_linacs": float(np.nansum(frame["extra_linacs"].to_numpy(dtype=float)))
            if np.isfinite(fr).all()
            else math.nan,
        }
        if options.staff_per_linac is not None:
            row["staff_per_linac"] = options.staff_per_linac
            row["extra_staff"] = (
                row["extra_linacs"] * options.staff_per_linac
                if isinstance(row["extra_linacs"], float)
                else math.nan
            )
        summary.append(row)
    capacity = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return capacity, pd.DataFrame(summary), courses_by


__all__ = [
    "COURSE_BASIS_UNKNOWN",
    "CapacityOptions",
    "area_courses",
    "capacity_tables",
    "site_capacity",
]
