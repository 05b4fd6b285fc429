"""The hub-location problem as plain arrays, and the adapter from the session's tables.

A :class:`HubProblem` holds everything the solvers need and nothing they do not: the
areas x sites travel-time matrix (minutes, ``inf`` = unreachable), the demand of every
area, which network every area and site belongs to, the groups the equity constraints
look at (IMD quintile, rural), which sites may become hubs and their linacs. It knows no
column names; :func:`from_session_data` picks them from the canonical tables
(:mod:`access_app.core.schema`) and a :class:`~access_app.core.matrix.TravelTimeMatrix`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import schema
from ..errors import DataError
from ..matrix import TravelTimeMatrix

log = logging.getLogger(__name__)

#: Label of the single group used when hubs are chosen nationally.
NATIONAL = "England"


@dataclass(frozen=True)
class HubProblem:
    """Choose hubs among candidate sites for areas with a demand: the data, as arrays.

    Attributes
    ----------
    cost
        ``(n_areas, n_sites)`` minutes; ``np.inf`` where the pair is unreachable.
    demand
        ``(n_areas,)`` demand weight (people, or expected cases), ``>= 0``.
    area_ids, site_ids
        Identifiers in row and column order.
    area_network, site_network
        Network label of every area and site (``None`` where unknown); ``None`` for the
        whole array when networks are not used (national choice only).
    imd_quintile
        ``(n_areas,)`` IMD quintile, 1 = most deprived ... 5 = least, 0 = unknown; or ``None``.
    rural
        ``(n_areas,)`` ``True`` for rural areas; or ``None``.
    candidate
        ``(n_sites,)`` ``True`` for sites that may become hubs.
    linacs
        ``(n_sites,)`` linear accelerators per site (capacity = linacs x demand per linac).
    baseline_minutes
        ``(n_areas,)`` minutes under the baseline (e.g. the status quo), to count people
        whose journey grows; ``None`` if not given. ``NaN`` where the baseline leaves an area
        without a site.
    demand_label
        What the demand counts ("population", "pop60plus x 10 per 100,000"), for reports.
    """

    cost: np.ndarray
    demand: np.ndarray
    area_ids: np.ndarray
    site_ids: np.ndarray
    area_network: np.ndarray | None = None
    site_network: np.ndarray | None = None
    imd_quintile: np.ndarray | None = None
    rural: np.ndarray | None = None
    candidate: np.ndarray | None = None
    linacs: np.ndarray | None = None
    baseline_minutes: np.ndarray | None = None
    demand_label: str = schema.POPULATION
    demand_column: str = schema.POPULATION
    incidence_per_100k: float | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        cost = np.asarray(self.cost, dtype=float)
        if cost.ndim != 2:
            raise DataError(f"The cost matrix must be 2-D (areas x sites), not shape {cost.shape}.")
        n_a, n_s = cost.shape
        cost = np.where(np.isnan(cost), np.inf, cost)
        if (cost < 0).any():
            raise DataError("The cost matrix has negative minutes; travel times must be >= 0.")
        object.__setattr__(self, "cost", cost)

        def vec(name: str, value: object, n: int, dtype: object) -> np.ndarray:
            arr = np.asarray(value, dtype=dtype)  # type: ignore[call-overload]
            if arr.shape != (n,):
                raise DataError(f"{name} has shape {arr.shape} but the matrix needs ({n},).")
            return arr

        demand = vec("demand", self.demand, n_a, float)
        if not np.all(np.isfinite(demand)) or (demand < 0).any():
            raise DataError("Demand must be finite and >= 0 for every area.")
        object.__setattr__(self, "demand", demand)
        object.__setattr__(self, "area_ids", vec("area_ids", self.area_ids, n_a, object).astype(str))
        object.__setattr__(self, "site_ids", vec("site_ids", self.site_ids, n_s, object).astype(str))
        for name, n in (("area_network", n_a), ("site_network", n_s)):
            value = getattr(self, name)
            if value is not None:
                arr = vec(name, value, n, object)
                arr = np.array([None if _missing(v) else str(v) for v in arr], dtype=object)
                object.__setattr__(self, name, arr)
        if (self.area_network is None) != (self.site_network is None):
            raise DataError("Give networks for both areas and sites, or for neither.")
        if self.imd_quintile is not None:
            q = vec("imd_quintile", self.imd_quintile, n_a, float)
            q = np.where(np.isfinite(q), q, 0).astype(np.int8)
            if ((q < 0) | (q > 5)).any():
                raise DataError("IMD quintiles must be 1..5 (0 = unknown).")
            object.__setattr__(self, "imd_quintile", q)
        if self.rural is not None:
            object.__setattr__(self, "rural", vec("rural", self.rural, n_a, bool))
        cand = (
            np.ones(n_s, dtype=bool)
            if self.candidate is None
            else vec("candidate", self.candidate, n_s, bool)
        )
        object.__setattr__(self, "candidate", cand)
        lin = np.ones(n_s) if self.linacs is None else vec("linacs", self.linacs, n_s, float)
        object.__setattr__(self, "linacs", np.where(np.isfinite(lin) & (lin > 0), lin, 0.0))
        if self.baseline_minutes is not None:
            object.__setattr__(
                self, "baseline_minutes", vec("baseline_minutes", self.baseline_minutes, n_a, float)
            )

    @property
    def candidate_mask(self) -> np.ndarray:
        """Return the candidate mask (always an array once the problem is built)."""
        assert self.candidate is not None
        return self.candidate

    @property
    def linac_counts(self) -> np.ndarray:
        """Return linacs per site (0 where unknown; always an array once built)."""
        assert self.linacs is not None
        return self.linacs

    @property
    def n_areas(self) -> int:
        """Return the number of areas (rows)."""
        return int(self.cost.shape[0])

    @property
    def n_sites(self) -> int:
        """Return the number of sites (columns)."""
        return int(self.cost.shape[1])

    def networks(self) -> list[str]:
        """Return the networks that have areas with demand, sorted; ``[]`` without networks."""
        if self.area_network is None:
            return []
        return sorted(
            {str(n) for n, w in zip(self.area_network, self.demand, strict=True) if n is not None and w > 0}
        )

    def site_index(self, site_ids: Sequence[str]) -> np.ndarray:
        """Return the column positions of ``site_ids``, naming unknown ids in the error."""
        lookup = {s: i for i, s in enumerate(self.site_ids.tolist())}
        unknown = [s for s in site_ids if s not in lookup]
        if unknown:
            raise DataError(
                f"Sites {', '.join(map(repr, unknown[:5]))} are not in the travel-time matrix; "
                "check the site ids (column site_id)."
            )
        return np.array([lookup[s] for s in site_ids], dtype=np.intp)

    def restrict(self, network: str | None) -> SubProblem:
        """Return the rows and candidate columns of one network (or all, for ``None``)."""
        if network is None:
            rows = np.flatnonzero(self.demand >= 0)
            cols = np.flatnonzero(self.candidate_mask)
        else:
            if self.area_network is None or self.site_network is None:
                raise DataError("Hubs per network need a network for every area and site.")
            rows = np.flatnonzero(self.area_network == network)
            cols = np.flatnonzero(self.candidate_mask & (self.site_network == network))
        return SubProblem(self, NATIONAL if network is None else network, rows, cols)


@dataclass(frozen=True)
class SubProblem:
    """The part of a :class:`HubProblem` one choice of hubs is made for.

    Attributes
    ----------
    problem
        The whole problem.
    label
        Network name, or :data:`NATIONAL`.
    rows
        Areas in this part (positions in ``problem``).
    cols
        Candidate sites of this part (positions in ``problem``).
    """

    problem: HubProblem
    label: str
    rows: np.ndarray
    cols: np.ndarray

    @property
    def cost(self) -> np.ndarray:
        """Return the ``(rows, cols)`` block of the cost matrix."""
        return self.problem.cost[np.ix_(self.rows, self.cols)]

    @property
    def demand(self) -> np.ndarray:
        """Return the demand of the rows."""
        return self.problem.demand[self.rows]

    def reachable(self) -> np.ndarray:
        """Return, per row, whether any candidate column can be reached."""
        if self.cols.size == 0:
            return np.zeros(self.rows.size, dtype=bool)
        return np.isfinite(self.cost).any(axis=1)


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def imd_quintile_from(areas: pd.DataFrame) -> np.ndarray | None:
    """Return IMD quintiles (1 = most deprived) from ``imd_decile`` or ``imd_rank``.

    Quintile = ceil(decile / 2) (MHCLG 2019 deciles); from a rank among ``n`` areas,
    quintile = ceil(5 x rank / n). ``None`` if neither column is present.
    """
    if schema.IMD_DECILE in areas.columns:
        dec = pd.to_numeric(areas[schema.IMD_DECILE], errors="coerce").to_numpy(dtype=float)
        return np.where(np.isfinite(dec), np.ceil(dec / 2.0), 0).astype(np.int8)
    if schema.IMD_RANK in areas.columns:
        rank = pd.to_numeric(areas[schema.IMD_RANK], errors="coerce").to_numpy(dtype=float)
        n = np.isfinite(rank).sum()
        q = np.ceil(5.0 * rank / max(n, 1))
        return np.where(np.isfinite(q), np.clip(q, 1, 5), 0).astype(np.int8)
    return None


def from_session_data(
    areas: pd.DataFrame,
    sites: pd.DataFrame,
    matrix: TravelTimeMatrix,
    *,
    demand: str = schema.POPULATION,
    incidence_per_100k: float | None = None,
    candidates: str | Sequence[str] = "main",
    baseline_sites: str | Sequence[str] | None = "main",
    use_networks: bool = True,
) -> HubProblem:
    """Build a :class:`HubProblem` from the canonical areas and sites tables and a matrix.

    Parameters
    ----------
    areas, sites
        Canonical tables (:mod:`access_app.core.schema`): ``area_id``, the demand column,
        optionally ``network``, ``imd_decile`` (or ``imd_rank``), ``urban_rural``;
        ``site_id``, optionally ``network``, ``linacs``, ``site_type``.
    matrix
        Travel times; rows and columns are matched by id.
    demand
        Numeric column of ``areas`` that weights each area.
    incidence_per_100k
        Optional rate: demand = column x rate / 100,000 (expected cases a year).
    candidates
        ``"main"`` (main centres, the default), ``"all"``, or a list of ``site_id``.
    baseline_sites
        Sites of the baseline (each area to its nearest of them), for "people with a longer
        journey": ``"main"``, ``"all"``, a list, or ``None`` for no baseline.
    use_networks
        Read the ``network`` columns (needed for hubs per network).

    Returns
    -------
    HubProblem
        Areas in the order of ``areas``, sites in the order of ``sites``.

    Raises
    ------
    DataError
        For a missing demand column, unknown candidates, or areas or sites without times.
    """
    if demand not in areas.columns:
        raise DataError(
            f"Demand column {demand!r} is not in the areas table "
            f"(columns: {', '.join(map(str, areas.columns))})."
        )
    area_ids = areas[schema.AREA_ID].astype(str).to_numpy()
    site_ids = sites[schema.SITE_ID].astype(str).to_numpy()
    rows = pd.Index(np.asarray(matrix.area_ids).astype(str)).get_indexer(area_ids)
    cols = pd.Index(np.asarray(matrix.site_ids).astype(str)).get_indexer(site_ids)
    if (rows < 0).any():
        raise DataError(
            f"{int((rows < 0).sum())} areas have no travel times (first: "
            f"{area_ids[rows < 0][:3].tolist()}); recompute or reload the matrix."
        )
    if (cols < 0).any():
        raise DataError(
            f"{int((cols < 0).sum())} sites have no travel times (first: "
            f"{site_ids[cols < 0][:3].tolist()}); recompute or reload the matrix."
        )
    cost = matrix.minutes[np.ix_(rows, cols)]
    w = pd.to_numeric(areas[demand], errors="coerce").to_numpy(dtype=float)
    if not np.all(np.isfinite(w)) or (w < 0).any():
        bad = int((~np.isfinite(w) | (w < 0)).sum())
        raise DataError(
            f"Demand column {demand!r} has {bad} missing or negative values; fix the areas table."
        )
    label = demand
    if incidence_per_100k is not None:
        w = w * incidence_per_100k / 100_000.0
        label = f"{demand} x {incidence_per_100k:g} per 100,000"

    def site_mask(spec: str | Sequence[str], what: str) -> np.ndarray:
        if isinstance(spec, str):
            if spec == "all":
                return np.ones(len(site_ids), dtype=bool)
            if spec == "main":
                if schema.SITE_TYPE not in sites.columns:
                    return np.ones(len(site_ids), dtype=bool)
                return (sites[schema.SITE_TYPE].astype(str).str.lower() == "main").to_numpy()
            raise DataError(f"{what} = {spec!r}: use 'main', 'all' or a list of site ids.")
        known = set(site_ids.tolist())
        unknown = [s for s in spec if s not in known]
        if unknown:
            raise DataError(f"{what}: sites {unknown[:5]} are not in the sites table (column site_id).")
        return np.isin(site_ids, list(spec))

    cand = site_mask(candidates, "candidates")
    if not cand.any():
        raise DataError("No candidate sites: choose 'all', 'main' or a list of site ids.")
    baseline = None
    if baseline_sites is not None:
        bmask = site_mask(baseline_sites, "baseline sites")
        if bmask.any():
            sub = cost[:, bmask]
            baseline = np.where(np.isfinite(sub).any(axis=1), sub.min(axis=1), np.nan)
    area_net = site_net = None
    if use_networks and schema.NETWORK in areas.columns and schema.NETWORK in sites.columns:
        area_net = areas[schema.NETWORK].to_numpy(dtype=object)
        site_net = sites[schema.NETWORK].to_numpy(dtype=object)
    rural = None
    if schema.URBAN_RURAL in areas.columns:
        rural = (areas[schema.URBAN_RURAL].astype(str).str.lower() == "rural").to_numpy()
    linacs = None
    if schema.LINACS in sites.columns:
        linacs = pd.to_numeric(sites[schema.LINACS], errors="coerce").to_numpy(dtype=float)
    return HubProblem(
        cost=cost,
        demand=w,
        area_ids=area_ids,
        site_ids=site_ids,
        area_network=area_net,
        site_network=site_net,
        imd_quintile=imd_quintile_from(areas),
        rural=rural,
        candidate=cand,
        linacs=linacs,
        baseline_minutes=baseline,
        demand_label=label,
        demand_column=demand,
        incidence_per_100k=incidence_per_100k,
    )
