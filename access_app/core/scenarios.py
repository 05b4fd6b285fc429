"""Scenarios: which sites treat a service, how areas are assigned to them, and the demand.

A :class:`Scenario` is a small frozen definition that can be saved to and loaded from a
human-readable TOML file (:func:`save_scenarios`, :func:`load_scenarios`; the format is
described in ``docs/scenarios.md``). :func:`assign` applies it to a travel-time matrix and
returns a :class:`ScenarioResult` with, for every area, the site it is sent to, the minutes
of the one-way journey and the demand it carries.

Assignment rules
----------------
``nearest``
    Each area goes to its nearest open site.
``within_network``
    Each area goes to the nearest open site whose ``network`` equals the area's ``network``.
    Areas of a network that has no open site are *unreachable* (reason given), not an error:
    a planner may close every site of one network on purpose and must see who is left out.
``hub_per_network``
    Each area goes to the nearest hub its network names in :attr:`Scenario.hubs`. Areas of
    a network with no hub are unreachable (reason given).
``hub_anywhere``
    Each area goes to the nearest hub of any network.

Ties (two candidate sites at exactly the same minutes) go to the site that comes first in
the travel-time matrix's column order, so results are reproducible.
"""

from __future__ import annotations

import logging
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import schema
from .errors import ScenarioError
from .matrix import TravelTimeMatrix

log = logging.getLogger(__name__)

RULES: tuple[str, ...] = ("nearest", "within_network", "hub_per_network", "hub_anywhere")
"""Assignment rules understood by :func:`assign`."""

HUB_RULES: frozenset[str] = frozenset({"hub_per_network", "hub_anywhere"})

RULE_LABELS: dict[str, str] = {
    "nearest": "nearest open site",
    "within_network": "nearest open site in the area's own network",
    "hub_per_network": "nearest hub of the area's own network",
    "hub_anywhere": "nearest hub in any network",
}

DEFAULT_SERVICE = "Less common cancer radiotherapy"
COMMON_SERVICE = "Common cancer radiotherapy"
FORMAT_VERSION = 1

#: Values of ``open_sites`` in a TOML file that are resolved against the sites table.
OPEN_SITE_KEYWORDS: dict[str, str] = {"all": "every site", "all main": "every main centre"}

_TOML_KEYS = (
    "name",
    "service",
    "rule",
    "open_sites",
    "hubs",
    "demand",
    "incidence_per_100k",
    "fractions",
    "description",
)


def _as_id_tuple(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


@dataclass(frozen=True)
class Scenario:
    """Define a service scenario: open sites, assignment rule, demand and course length.

    Attributes
    ----------
    name
        Unique, human-readable name ("Centralised").
    service
        Free text naming the service ("Anal cancer radiotherapy").
    open_sites
        ``site_id`` of every site that treats this service. For the hub rules it may be
        left empty and is then set to the hubs.
    rule
        One of :data:`RULES`.
    hubs
        Network name -> ``site_id`` of the hubs of that network (hub rules only). Every hub
        must be an open site.
    demand
        Column of the areas table that weights each area: ``"population"`` (default),
        ``"pop60plus"`` or any numeric column.
    incidence_per_100k
        Optional rate; if given, demand = column x rate / 100,000 (expected cases a year).
    fractions
        Daily visits per course; time per course = fractions x 2 x one-way minutes.
    description
        Free text shown in exports.
    """

    name: str
    service: str = DEFAULT_SERVICE
    open_sites: tuple[str, ...] = ()
    rule: str = "nearest"
    hubs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    demand: str = schema.POPULATION
    incidence_per_100k: float | None = None
    fractions: int = 20
    description: str = ""

    def __post_init__(self) -> None:
        name = self.name
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError(f"Scenario name {name!r} is empty: give every scenario a name.")

        def bad(field_name: str, value: Any, fix: str) -> ScenarioError:
            return ScenarioError(f"Scenario {name!r}: {field_name} = {value!r} {fix}")

        if self.rule not in RULES:
            raise bad("rule", self.rule, f"is not a rule; use one of {', '.join(RULES)}.")
        if isinstance(self.open_sites, str):
            raise bad("open_sites", self.open_sites, "must be a list of site ids.")
        object.__setattr__(self, "open_sites", _as_id_tuple(self.open_sites))
        if not isinstance(self.hubs, Mapping):
            raise bad("hubs", self.hubs, "must map each network name to a list of site ids.")
        hubs: dict[str, tuple[str, ...]] = {}
        for net, ids in self.hubs.items():
            if isinstance(ids, str):
                ids = (ids,)
            hubs[str(net)] = _as_id_tuple(ids)
        object.__setattr__(self, "hubs", hubs)
        if self.rule in HUB_RULES:
            all_hubs = [h for ids in hubs.values() for h in ids]
            if not all_hubs:
                raise bad("hubs", self.hubs, f"is empty but rule {self.rule!r} needs hubs.")
            if not self.open_sites:
                object.__setattr__(self, "open_sites", tuple(dict.fromkeys(all_hubs)))
            closed = [h for h in all_hubs if h not in set(self.open_sites)]
            if closed:
                raise bad("hubs", closed, "are not open sites: add them to open_sites.")
        elif hubs:
            raise bad("hubs", self.hubs, f"are only used by the hub rules, not {self.rule!r}.")
        if not self.open_sites:
            raise bad("open_sites", self.open_sites, "is empty: open at least one site.")
        dupes = sorted({s for s in self.open_sites if self.open_sites.count(s) > 1})
        if dupes:
            raise bad("open_sites", dupes, "are listed more than once.")
        if not isinstance(self.demand, str) or not self.demand:
            raise bad("demand", self.demand, "must name a numeric column of the areas table.")
        if self.incidence_per_100k is not None:
            rate = self.incidence_per_100k
            if isinstance(rate, bool) or not isinstance(rate, int | float):
                raise bad("incidence_per_100k", rate, "must be a number.")
            if not math.isfinite(rate) or rate <= 0:
                raise bad("incidence_per_100k", rate, "must be a positive number or left out.")
            object.__setattr__(self, "incidence_per_100k", float(rate))
        if isinstance(self.fractions, bool) or not isinstance(self.fractions, int | np.integer):
            raise bad("fractions", self.fractions, "must be a whole number of visits (e.g. 20).")
        if self.fractions < 1:
            raise bad("fractions", self.fractions, "must be at least 1.")
        object.__setattr__(self, "fractions", int(self.fractions))

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                self.service,
                self.open_sites,
                self.rule,
                tuple(sorted(self.hubs.items())),
                self.demand,
                self.incidence_per_100k,
                self.fractions,
                self.description,
            )
        )

    @property
    def hub_sites(self) -> tuple[str, ...]:
        """Return every hub once, in the order the networks list them."""
        return tuple(dict.fromkeys(h for ids in self.hubs.values() for h in ids))

    def describe(self) -> str:
        """Return a one-line plain-English description for exports and tooltips."""
        demand = self.demand
        if self.incidence_per_100k is not None:
            demand += f" x {self.incidence_per_100k:g} per 100,000"
        if self.rule in HUB_RULES:
            sites = f"{len(self.hub_sites)} hubs"
        else:
            sites = f"{len(self.open_sites)} open sites"
        text = (
            f"{self.service}: {sites}, {RULE_LABELS[self.rule]}; demand = {demand}; "
            f"{self.fractions} fractions per course"
        )
        return f"{text}. {self.description}" if self.description else text

    def check_sites(self, site_ids: Iterable[str]) -> None:
        """Raise :class:`ScenarioError` if an open site or hub is not in ``site_ids``."""
        known = set(map(str, site_ids))
        unknown = [s for s in self.open_sites if s not in known]
        if unknown:
            raise ScenarioError(
                f"Scenario {self.name!r}: open_sites {unknown} are not in the sites table; "
                "check the site ids (column site_id)."
            )


@dataclass(frozen=True)
class ScenarioResult:
    """Hold the per-area outcome of one scenario, in the row order of the areas table.

    Attributes
    ----------
    scenario
        The scenario that was applied.
    area_index
        Index of the areas table (so results line up with it).
    area_ids
        ``area_id`` of each area.
    site_index
        Column of the assigned site in ``site_order``; ``-1`` where unreachable.
    site_ids
        ``site_id`` of the assigned site; ``None`` where unreachable.
    minutes
        One-way minutes to the assigned site; ``NaN`` where unreachable.
    demand
        Demand weight of each area (``>= 0``).
    reason
        Why an area is unreachable; ``""`` where reachable.
    site_order
        Site ids in matrix column order.
    """

    scenario: Scenario
    area_index: pd.Index
    area_ids: np.ndarray
    site_index: np.ndarray
    site_ids: np.ndarray
    minutes: np.ndarray
    demand: np.ndarray
    reason: np.ndarray
    site_order: np.ndarray

    @property
    def reachable(self) -> np.ndarray:
        """Return a boolean mask of areas with an assigned site."""
        return self.site_index >= 0

    @property
    def unreachable_demand(self) -> float:
        """Return the demand of areas left without a site."""
        return float(self.demand[~self.reachable].sum())

    def to_frame(self) -> pd.DataFrame:
        """Return one row per area: area_id, site_id, minutes, demand, reason."""
        return pd.DataFrame(
            {
                schema.AREA_ID: self.area_ids,
                schema.SITE_ID: self.site_ids,
                "minutes": self.minutes,
                "demand": self.demand,
                "reason": self.reason,
            },
            index=self.area_index,
        )


def choose_sites(
    minutes: np.ndarray, allowed: np.ndarray, group: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pick, for every row, the fastest allowed column (the array core of :func:`assign`).

    Parameters
    ----------
    minutes
        ``(n_areas, n_sites)`` minutes; ``inf`` or ``NaN`` = unreachable.
    allowed
        ``(n_groups, n_sites)`` boolean: which columns each group may use.
    group
        ``(n_areas,)`` group of each row; ``-1`` = no allowed column.

    Returns
    -------
    index, chosen
        Column of the chosen site (``-1`` if none is reachable) and its minutes (``NaN``).
        Ties go to the lowest column index.
    """
    n = minutes.shape[0]
    index = np.full(n, -1, dtype=np.intp)
    chosen = np.full(n, np.nan)
    if n == 0 or minutes.shape[1] == 0:
        return index, chosen
    has_group = group >= 0
    rows = np.flatnonzero(has_group)
    if allowed.shape[0] == 1:
        cols = np.flatnonzero(allowed[0])
        if cols.size == 0:
            return index, chosen
        cost = minutes[np.ix_(rows, cols)] if rows.size < n else minutes[:, cols]
        local = np.argmin(np.where(np.isnan(cost), np.inf, cost), axis=1)
        best = cost[np.arange(rows.size), local]
        pick = cols[local]
    else:
        cost = np.where(allowed[group[rows]], minutes[rows], np.inf)
        cost[np.isnan(cost)] = np.inf
        pick = np.argmin(cost, axis=1)
        best = cost[np.arange(rows.size), pick]
    ok = np.isfinite(best)
    index[rows[ok]] = pick[ok]
    chosen[rows[ok]] = best[ok]
    return index, chosen


def area_demand(areas: pd.DataFrame, scenario: Scenario) -> np.ndarray:
    """Return the demand weight of every area under ``scenario``.

    Raises
    ------
    ScenarioError
        If the demand column is missing, not numeric, negative or empty.
    """
    col = scenario.demand
    if col not in areas.columns:
        raise ScenarioError(
            f"Scenario {scenario.name!r}: demand = {col!r} is not a column of the areas "
            f"table (columns: {', '.join(map(str, areas.columns))})."
        )
    values = pd.to_numeric(areas[col], errors="coerce").to_numpy(dtype=float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        area = str(areas[schema.AREA_ID].iloc[i]) if schema.AREA_ID in areas.columns else i
        value = areas[col].iloc[i]
        shown = value.item() if isinstance(value, np.generic) else value
        if isinstance(shown, float) and shown.is_integer():
            shown = int(shown)
        raise ScenarioError(
            f"Scenario {scenario.name!r}: demand column {col!r} has {int(bad.sum())} missing, "
            f"non-numeric or negative values (first: area {area!r} = {shown!r}); "
            "fix the areas table or choose another demand column."
        )
    if scenario.incidence_per_100k is not None:
        values = values * (scenario.incidence_per_100k / 100_000.0)
    return values


def _network_groups(
    area_networks: np.ndarray, candidates: Mapping[str, np.ndarray], n_sites: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    names = sorted(candidates)
    allowed = np.zeros((max(len(names), 1), n_sites), dtype=bool)
    for i, net in enumerate(names):
        allowed[i, candidates[net]] = True
    lookup = {net: i for i, net in enumerate(names)}
    group = np.array([lookup.get(n, -1) for n in area_networks], dtype=np.intp)
    return allowed, group, names


def assign(
    areas: pd.DataFrame,
    sites: pd.DataFrame,
    matrix: TravelTimeMatrix,
    scenario: Scenario,
) -> ScenarioResult:
    """Send every area to a site under ``scenario`` and record its journey and demand.

    Parameters
    ----------
    areas
        Canonical areas table (``area_id``, the demand column; ``network`` for the
        network rules). Result rows follow its order.
    sites
        Canonical sites table (``site_id``; ``network`` for ``within_network``).
    matrix
        Travel times; rows and columns are matched by id, so their order may differ.
    scenario
        What to apply.

    Returns
    -------
    ScenarioResult
        Unreachable areas get ``site_index = -1``, ``NaN`` minutes and a reason.

    Raises
    ------
    ScenarioError
        For unknown sites, a missing demand or network column, or areas missing from the
        matrix.
    """
    for col in (schema.AREA_ID,):
        if col not in areas.columns:
            raise ScenarioError(f"The areas table has no {col!r} column.")
    if schema.SITE_ID not in sites.columns:
        raise ScenarioError(f"The sites table has no {schema.SITE_ID!r} column.")
    scenario.check_sites(sites[schema.SITE_ID].astype(str))
    matrix_sites = np.asarray(matrix.site_ids).astype(str)
    missing_cols = [s for s in scenario.open_sites if s not in set(matrix_sites.tolist())]
    if missing_cols:
        raise ScenarioError(
            f"Scenario {scenario.name!r}: sites {missing_cols} have no travel times; "
            "recompute the travel-time matrix with the current sites."
        )
    area_ids = areas[schema.AREA_ID].astype(str).to_numpy()
    matrix_areas = pd.Index(np.asarray(matrix.area_ids).astype(str))
    if len(matrix_areas) == len(area_ids) and np.array_equal(matrix_areas.to_numpy(), area_ids):
        minutes = matrix.minutes
    else:
        rows = matrix_areas.get_indexer(area_ids)
        if (rows < 0).any():
            absent = area_ids[rows < 0][:5].tolist()
            raise ScenarioError(
                f"{int((rows < 0).sum())} areas have no travel times (e.g. {absent}); "
                "recompute the travel-time matrix with the current areas."
            )
        minutes = matrix.minutes[rows]
    demand = area_demand(areas, scenario)
    n_sites = len(matrix_sites)
    col_of = {s: i for i, s in enumerate(matrix_sites.tolist())}
    reasons = np.full(len(area_ids), "", dtype=object)

    if scenario.rule == "nearest" or scenario.rule == "hub_anywhere":
        pool = scenario.open_sites if scenario.rule == "nearest" else scenario.hub_sites
        allowed = np.zeros((1, n_sites), dtype=bool)
        allowed[0, [col_of[s] for s in pool]] = True
        group = np.zeros(len(area_ids), dtype=np.intp)
        none_reason = "no road route to any open site"
    else:
        if schema.NETWORK not in areas.columns:
            raise ScenarioError(
                f"Scenario {scenario.name!r}: rule {scenario.rule!r} needs a 'network' column "
                "in the areas table; load an area-to-network table or use rule 'nearest'."
            )
        area_nets_arr = np.array(
            [None if pd.isna(v) else str(v) for v in areas[schema.NETWORK].tolist()], dtype=object
        )
        if scenario.rule == "within_network":
            if schema.NETWORK not in sites.columns:
                raise ScenarioError(
                    f"Scenario {scenario.name!r}: rule 'within_network' needs a 'network' "
                    "column in the sites table."
                )
            site_net = dict(zip(sites[schema.SITE_ID].astype(str), sites[schema.NETWORK], strict=False))
            cands: dict[str, list[int]] = {}
            for s in scenario.open_sites:
                net = site_net.get(s)
                if net is not None and not pd.isna(net):
                    cands.setdefault(str(net), []).append(col_of[s])
            no_site = "network {} has no open site in this scenario"
        else:
            cands = {net: [col_of[s] for s in ids] for net, ids in scenario.hubs.items() if ids}
            known_nets = {str(v) for v in area_nets_arr if v is not None}
            for net in sorted(set(cands) - known_nets):
                log.warning(
                    "Scenario %r: hubs are named for network %r, which no area belongs to",
                    scenario.name,
                    net,
                )
            no_site = "network {} has no hub in this scenario"
        allowed, group, _ = _network_groups(
            area_nets_arr, {k: np.array(v) for k, v in cands.items()}, n_sites
        )
        orphan = group < 0
        no_net = orphan & np.array([v is None for v in area_nets_arr], dtype=bool)
        reasons[no_net] = "area has no network"
        for net in sorted({str(v) for v in area_nets_arr[orphan & ~no_net]}):
            reasons[orphan & (area_nets_arr == net)] = no_site.format(net)
            log.warning("Scenario %r: %s", scenario.name, no_site.format(net))
        none_reason = "no road route to any open site of its network"

    index, chosen = choose_sites(minutes, allowed, group)
    unreached = (index < 0) & (reasons == "")
    if unreached.any():
        reasons[unreached] = none_reason
        table = matrix.unreachable
        if len(table):
            area_rows = table[table["kind"] == "area"]
            why = dict(zip(area_rows["id"].astype(str), area_rows["reason"], strict=False))
            for i in np.flatnonzero(unreached):
                if area_ids[i] in why:
                    reasons[i] = str(why[area_ids[i]])
    site_ids = np.full(len(area_ids), None, dtype=object)
    ok = index >= 0
    site_ids[ok] = matrix_sites[index[ok]]
    return ScenarioResult(
        scenario=scenario,
        area_index=areas.index,
        area_ids=area_ids,
        site_index=index,
        site_ids=site_ids,
        minutes=chosen,
        demand=demand,
        reason=reasons,
        site_order=matrix_sites,
    )


def assign_all(
    areas: pd.DataFrame,
    sites: pd.DataFrame,
    matrix: TravelTimeMatrix,
    scenarios: Sequence[Scenario],
) -> list[ScenarioResult]:
    """Apply every scenario in turn (names must be unique)."""
    names = [s.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(f"Scenario names must be unique; repeated: {dupes}.")
    return [assign(areas, sites, matrix, s) for s in scenarios]


def _main_sites(sites: pd.DataFrame) -> pd.DataFrame:
    """Return the main centres: ``site_type`` "main" in any case; every site if no type."""
    if schema.SITE_TYPE not in sites.columns:
        return sites
    return sites[sites[schema.SITE_TYPE].astype(str).str.strip().str.lower() == "main"]


def main_site_ids(sites: pd.DataFrame) -> tuple[str, ...]:
    """Return the ``site_id`` of every main centre, in table order (the one definition)."""
    return _as_id_tuple(_main_sites(sites)[schema.SITE_ID])


def centralised_hubs(sites: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Return one hub per network: its main centre with the most linacs.

    Ties in linac count go to the smallest ``site_id``; sites without a network are ignored.
    """
    for col in (schema.NETWORK, schema.LINACS):
        if col not in sites.columns:
            raise ScenarioError(f"Choosing hubs needs a {col!r} column in the sites table.")
    mains = _main_sites(sites)
    table = pd.DataFrame(
        {
            "site_id": mains[schema.SITE_ID].astype(str).to_numpy(),
            "network": mains[schema.NETWORK].to_numpy(),
            "linacs": pd.to_numeric(mains[schema.LINACS], errors="coerce").fillna(0).to_numpy(),
        }
    ).dropna(subset=["network"])
    table = table.sort_values(["network", "linacs", "site_id"], ascending=[True, False, True])
    first = table.groupby("network", sort=True).head(1)
    return {str(n): (s,) for n, s in zip(first["network"], first["site_id"], strict=True)}


def default_scenarios(sites: pd.DataFrame) -> list[Scenario]:
    """Return the built-in scenarios for a less common cancer on the given sites.

    - *Status quo*: every main centre open, nearest site.
    - *Status quo (all sites)*: main centres and satellites, nearest site (common cancers).
    - *Networked*: every main centre open, nearest site within the area's network.
    - *Centralised*: one hub per network (its main centre with most linacs, ties to the
      smallest ``site_id``); areas go to the hub of their own network.
    """
    if schema.SITE_ID not in sites.columns or sites.empty:
        raise ScenarioError("Default scenarios need a sites table with a 'site_id' column.")
    all_ids = _as_id_tuple(sites[schema.SITE_ID])
    main_ids = _as_id_tuple(_main_sites(sites)[schema.SITE_ID])
    if not main_ids:
        raise ScenarioError("No site has site_type 'main'; cannot build the default scenarios.")
    hubs = centralised_hubs(sites)
    return [
        Scenario(
            name="Status quo",
            open_sites=main_ids,
            rule="nearest",
            description="Every main centre treats the service; each area uses its nearest.",
        ),
        Scenario(
            name="Status quo (all sites)",
            service=COMMON_SERVICE,
            open_sites=all_ids,
            rule="nearest",
            description="Main centres and satellite units; each area uses its nearest.",
        ),
        Scenario(
            name="Networked",
            open_sites=main_ids,
            rule="within_network",
            description="Every main centre; each area uses the nearest in its own network.",
        ),
        Scenario(
            name="Centralised",
            open_sites=tuple(h for ids in hubs.values() for h in ids),
            rule="hub_per_network",
            hubs=hubs,
            description=(
                "One hub per network (its main centre with the most linacs); each area "
                "goes to the hub of its own network."
            ),
        ),
    ]


# --------------------------------------------------------------------------- TOML


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Return the TOML-ready mapping of one scenario (``None`` values left out)."""
    out: dict[str, Any] = {
        "name": scenario.name,
        "service": scenario.service,
        "rule": scenario.rule,
        "demand": scenario.demand,
    }
    if scenario.incidence_per_100k is not None:
        out["incidence_per_100k"] = scenario.incidence_per_100k
    out["fractions"] = scenario.fractions
    out["description"] = scenario.description
    out["open_sites"] = list(scenario.open_sites)
    if scenario.hubs:
        out["hubs"] = {k: list(v) for k, v in scenario.hubs.items()}
    return out


def save_scenarios(scenarios: Sequence[Scenario], path: str | Path) -> Path:
    """Write scenarios to a human-readable TOML file, atomically.

    Returns
    -------
    Path
        The file written.
    """
    import tomli_w

    from .atomic import atomic_write_text

    names = [s.name for s in scenarios]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(f"Scenario names must be unique; repeated: {dupes}.")
    doc = {
        "format_version": FORMAT_VERSION,
        "scenario": [scenario_to_dict(s) for s in scenarios],
    }
    header = (
        "# Access App scenarios (see docs/scenarios.md).\n"
        "# rule: nearest | within_network | hub_per_network | hub_anywhere\n\n"
    )
    path = Path(path)
    atomic_write_text(path, header + tomli_w.dumps(doc), encoding="utf-8")
    return path


def _resolve_open_sites(value: Any, where: str, sites: pd.DataFrame | None) -> tuple[str, ...] | list[Any]:
    if isinstance(value, str):
        key = value.strip().lower()
        if key not in OPEN_SITE_KEYWORDS:
            raise ScenarioError(
                f"{where}: open_sites = {value!r} is not a list of site ids nor one of "
                f"{', '.join(repr(k) for k in OPEN_SITE_KEYWORDS)}."
            )
        if sites is None:
            raise ScenarioError(f"{where}: open_sites = {value!r} needs the sites table to be resolved.")
        chosen = _main_sites(sites) if key == "all main" else sites
        return _as_id_tuple(chosen[schema.SITE_ID])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError(f"{where}: open_sites must be a list of site ids (strings).")
    return value


def load_scenarios(
    path: str | Path,
    *,
    site_ids: Iterable[str] | None = None,
    sites: pd.DataFrame | None = None,
) -> list[Scenario]:
    """Read scenarios from a TOML file written by :func:`save_scenarios` or by hand.

    Parameters
    ----------
    path
        The ``.toml`` file.
    site_ids
        If given, every open site and hub must be one of these.
    sites
        If given, ``open_sites = "all"`` / ``"all main"`` are resolved against it and its
        ``site_id`` column is used as ``site_ids``.

    Raises
    ------
    ScenarioError
        Naming the file, the scenario and the key at fault.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ScenarioError(f"Scenario file {path} does not exist.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"Scenario file {path} is not valid TOML: {exc}.") from exc
    except OSError as exc:
        raise ScenarioError(f"Scenario file {path} cannot be read: {exc}.") from exc
    version = doc.get("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise ScenarioError(
            f"{path}: format_version = {version!r} is not supported (expected {FORMAT_VERSION})."
        )
    unknown_top = sorted(set(doc) - {"format_version", "scenario"})
    if unknown_top:
        raise ScenarioError(
            f"{path}: unknown top-level keys {unknown_top}; scenarios go in [[scenario]] tables."
        )
    entries = doc.get("scenario")
    if not isinstance(entries, list) or not entries:
        raise ScenarioError(f"{path}: no [[scenario]] tables found.")
    if sites is not None and site_ids is None:
        site_ids = sites[schema.SITE_ID].astype(str).tolist()
    known = None if site_ids is None else set(map(str, site_ids))
    out: list[Scenario] = []
    for i, entry in enumerate(entries, start=1):
        label = entry.get("name", f"#{i}") if isinstance(entry, dict) else f"#{i}"
        where = f"{path}, scenario {label!r}"
        if not isinstance(entry, dict):
            raise ScenarioError(f"{where}: must be a table.")
        extra = sorted(set(entry) - set(_TOML_KEYS))
        if extra:
            raise ScenarioError(f"{where}: unknown keys {extra}; allowed keys are {', '.join(_TOML_KEYS)}.")
        if "name" not in entry:
            raise ScenarioError(f"{where}: the key 'name' is missing.")
        for key in ("name", "service", "rule", "demand", "description"):
            if key in entry and not isinstance(entry[key], str):
                raise ScenarioError(f"{where}: {key} = {entry[key]!r} must be a string.")
        kwargs = {k: entry[k] for k in _TOML_KEYS if k in entry}
        if "open_sites" in kwargs:
            kwargs["open_sites"] = _resolve_open_sites(kwargs["open_sites"], where, sites)
        if "hubs" in kwargs:
            hubs = kwargs["hubs"]
            if not isinstance(hubs, dict) or not all(
                isinstance(v, list) and all(isinstance(s, str) for s in v) for v in hubs.values()
            ):
                raise ScenarioError(
                    f"{where}: hubs must be a table of network = [site ids], e.g. "
                    '[scenario.hubs] "North East" = ["newcastle-freeman-nccc"].'
                )
        try:
            scenario = Scenario(**kwargs)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: {exc}") from exc
        if known is not None:
            unknown = [s for s in (*scenario.open_sites, *scenario.hub_sites) if s not in known]
            if unknown:
                raise ScenarioError(f"{where}: site ids {sorted(set(unknown))} are not in the sites table.")
        if any(s.name == scenario.name for s in out):
            raise ScenarioError(f"{where}: another scenario already has this name.")
        out.append(scenario)
    return out
