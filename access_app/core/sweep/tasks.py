"""Sweep tasks: pure functions of (arrays, parameter values) that return small tables.

:func:`prepare_inputs` turns a road graph, areas, sites and scenarios into one
:class:`SweepInputs` of plain numpy arrays (shipped to each worker once). :func:`evaluate_draw`
then computes the headline measures of every scenario for one :class:`~.draws.Draw`:

1. **Travel times.** If the draw leaves every speed, congestion, ferry and access-leg
   parameter at the value the base matrix was built with, the base matrix is reused
   (demand-side draws: fractions, incidence, network membership). Otherwise the network is
   searched again: each edge's time is its base time x factor, where the factor of a road
   edge is ``congestion / product of the speed multipliers of its (class, urban|rural)``
   group and the factor of a ferry edge is the product of the ferry parameters of its route
   (ferry edges take no road speed or congestion factor); the access legs are rescaled by
   ``detour / base detour x base speed / speed``. The search is the routing module's CSR
   Dijkstra (:func:`_search`, the one call into :mod:`access_app.core.routing`).
2. **Assignment** with :func:`access_app.core.scenarios.choose_sites` (the array core of
   :func:`~access_app.core.scenarios.assign`), the network rules using the draw's site
   networks.
3. **Headline measures** (:data:`MEASURES`) with the weighted functions of
   :mod:`access_app.core.equity`, computed as :func:`access_app.core.tables.build_report`
   does (a test checks the two agree).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from .. import equity, routing, scenarios, schema
from ..errors import ScenarioError
from ..network import RoadNetwork
from ..scenarios import Scenario
from .draws import Draw
from .spec import ACCESS_FIELDS, SweepSpec

log = logging.getLogger(__name__)

QUINTILE_MEASURES = tuple(f"q{q}_mean_min" for q in range(1, 6))
#: Headline measures computed for every scenario in every draw.
MEASURES: tuple[str, ...] = (
    "mean_min", "median_min", "p90_min", "within_45_share", *QUINTILE_MEASURES, "q1_q5_gap_min",
    "urban_mean_min", "rural_mean_min", "urban_within_45_share", "rural_within_45_share",
    "gini", "concentration_index", "hours_per_course", "reachable_demand", "unreachable_demand",
)
#: Minutes of the reach curve: ``reach_<t>`` = share of reachable demand within ``t`` minutes.
REACH_MINUTES: tuple[int, ...] = tuple(range(0, 181, 10))
REACH_COLUMNS: tuple[str, ...] = tuple(f"reach_{t}" for t in REACH_MINUTES)
MEASURE_LABELS: dict[str, str] = {
    "mean_min": "mean minutes", "median_min": "median minutes", "p90_min": "90th percentile minutes",
    "within_45_share": "share within 45 minutes", "q1_q5_gap_min": "Q1 - Q5 mean minutes",
    "urban_mean_min": "urban mean minutes", "rural_mean_min": "rural mean minutes",
    "urban_within_45_share": "urban share within 45 minutes",
    "rural_within_45_share": "rural share within 45 minutes", "gini": "Gini",
    "concentration_index": "concentration index", "hours_per_course": "hours per course",
    "reachable_demand": "reachable demand", "unreachable_demand": "unreachable demand",
    **{f"q{q}_mean_min": f"IMD Q{q} mean minutes" for q in range(1, 6)},
}


@dataclass(frozen=True, eq=False)
class SweepInputs:
    """Everything a sweep task needs, as plain arrays (built once by :func:`prepare_inputs`).

    Attributes
    ----------
    n_nodes, u, v, base_time
        Directed edges (node positions) and their base seconds.
    edge_group
        Speed group of each road edge (index into ``groups``); ``-1`` for ferry edges.
    groups
        ``(road class, "urban" | "rural")`` of each speed group.
    edge_ferry
        Ferry route of each edge (index into ``ferry_routes``); ``-1`` for road edges.
    ferry_routes
        Ferry route ids.
    area_nodes, area_leg_s, area_urban
        ``(n, k)`` candidate nodes and base access legs of the areas; urban flag per area.
    needed, area_cols
        Unique candidate nodes and each area candidate's position in ``needed``.
    site_nodes, site_leg_s
        ``(m, k)`` candidate nodes and base access legs of the sites.
    site_urban
        Whether sites use the urban access speed.
    base_params
        Routing parameters of the base matrix.
    base_minutes
        ``(n, m)`` base travel-time matrix in minutes (``inf`` = unreachable).
    area_quintile, area_rank, area_network
        IMD quintile code 0..4 (``-1`` missing), IMD rank (NaN missing), network code.
    site_ids, site_network, networks
        Site ids (matrix column order), network code per site, network names.
    scenario_list, scenario_demand
        Scenarios compared and each one's demand column values (before any incidence rate).
    """

    n_nodes: int
    u: np.ndarray
    v: np.ndarray
    base_time: np.ndarray
    edge_group: np.ndarray
    groups: tuple[tuple[str, str], ...]
    edge_ferry: np.ndarray
    ferry_routes: tuple[str, ...]
    area_nodes: np.ndarray
    area_leg_s: np.ndarray
    area_urban: np.ndarray
    needed: np.ndarray
    area_cols: np.ndarray
    site_nodes: np.ndarray
    site_leg_s: np.ndarray
    site_urban: bool
    base_params: routing.RoutingParams
    base_minutes: np.ndarray
    area_quintile: np.ndarray
    area_rank: np.ndarray
    area_network: np.ndarray
    site_ids: tuple[str, ...]
    site_network: np.ndarray
    networks: tuple[str, ...]
    scenario_list: tuple[Scenario, ...]
    scenario_demand: tuple[np.ndarray, ...]


# ---------------------------------------------------------------- routing adapter


def _search(n_nodes: int, u: np.ndarray, v: np.ndarray, seconds: np.ndarray, site_nodes: np.ndarray,
            site_leg_s: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """Return seconds from the ``keep`` nodes to every site door over edges ``u -> v``.

    The only call into the routing module's array search; when routing takes a
    ``RoadNetwork`` object this is the function to adapt.
    """
    arrays = routing.GraphArrays(
        node_ids=np.arange(n_nodes, dtype=np.int64), x=np.zeros(n_nodes), y=np.zeros(n_nodes),
        u=u, v=v, travel_time=seconds, dropped_xy=np.zeros((0, 2)), dropped_gap_m=np.zeros(0),
    )
    snap = routing.Snap(nodes=site_nodes, leg_s=site_leg_s, snap_m=np.zeros(len(site_nodes)),
                        reason=np.full(len(site_nodes), ""))
    return routing.site_to_node_seconds(arrays, snap, keep=keep)


def _snap(road_network: RoadNetwork, areas: pd.DataFrame, sites: pd.DataFrame,
          params: routing.RoutingParams) -> tuple[routing.Snap, routing.Snap, np.ndarray]:
    """Return area and site snaps as :func:`routing.travel_time_matrix` makes them."""
    crs = road_network.crs
    _, area_xy = routing._points(areas, schema.AREA_ID, crs, "area")  # noqa: SLF001 - same snapping
    _, site_xy = routing._points(sites, schema.SITE_ID, crs, "site")  # noqa: SLF001
    urban = routing._area_urban(areas)  # noqa: SLF001
    arrays = road_network.arrays
    area_snap = routing.snap_points(arrays, area_xy, urban, params=params)
    site_snap = routing.snap_points(arrays, site_xy, np.full(len(site_xy), params.site_access == "urban"),
                                    params=params)
    return area_snap, site_snap, urban


def _edge_table(graph: nx.MultiDiGraph, node_ids: np.ndarray) -> dict[str, Any]:
    pos = {int(n): i for i, n in enumerate(node_ids.tolist())}
    u, v, t, grp, fer = [], [], [], [], []
    groups: dict[tuple[str, str], int] = {}
    routes: dict[str, int] = {}
    for a, b, d in graph.edges(data=True):
        u.append(pos[int(a)])
        v.append(pos[int(b)])
        t.append(float(d["travel_time"]))
        ferry = d.get("ferry")
        if ferry:
            fer.append(routes.setdefault(str(ferry), len(routes)))
            grp.append(-1)
            continue
        hw = d.get("highway")
        hw = hw[0] if isinstance(hw, list) and hw else hw
        key = (str(hw), "urban" if bool(d.get("urban", False)) else "rural")
        grp.append(groups.setdefault(key, len(groups)))
        fer.append(-1)
    return {
        "u": np.asarray(u, dtype=np.int32), "v": np.asarray(v, dtype=np.int32),
        "base_time": np.asarray(t, dtype=np.float64), "edge_group": np.asarray(grp, dtype=np.int32),
        "groups": tuple(groups), "edge_ferry": np.asarray(fer, dtype=np.int32), "ferry_routes": tuple(routes),
    }


def prepare_inputs(
    road_network: RoadNetwork,
    areas: pd.DataFrame,
    sites: pd.DataFrame,
    scenario_list: Sequence[Scenario],
    base_minutes: np.ndarray,
    *,
    params: routing.RoutingParams | None = None,
) -> SweepInputs:
    """Return the arrays every sweep task needs.

    Parameters
    ----------
    road_network
        Road network of :mod:`access_app.core.network`, whose graph has ``travel_time``,
        ``highway``, ``urban`` and, on ferry links, ``ferry`` on the edges.
    areas, sites
        Canonical tables, in the row order of ``base_minutes``.
    scenario_list
        Scenarios to compare (already checked against ``sites``).
    base_minutes
        The base travel-time matrix (``routing.travel_time_matrix(...).minutes``).
    params
        Routing parameters the base matrix was built with.
    """
    params = params or routing.RoutingParams()
    if base_minutes.shape != (len(areas), len(sites)):
        raise ScenarioError(
            f"the base matrix has shape {base_minutes.shape}, not {len(areas)} areas x {len(sites)} sites."
        )
    arrays = road_network.arrays
    area_snap, site_snap, urban = _snap(road_network, areas, sites, params)
    needed, cols = np.unique(area_snap.nodes, return_inverse=True)
    edges = _edge_table(road_network.graph, arrays.node_ids)
    quint = pd.to_numeric(areas.get(schema.IMD_DECILE, pd.Series(np.nan, index=areas.index)), errors="coerce")
    q_code = np.where(np.isfinite(quint.to_numpy(dtype=float)),
                      ((quint.fillna(0).to_numpy(dtype=float) + 1) // 2) - 1, -1).astype(np.int64)
    q_code[(q_code < 0) | (q_code > 4)] = -1
    rank = pd.to_numeric(areas.get(schema.IMD_RANK, pd.Series(np.nan, index=areas.index)), errors="coerce")
    area_nets = areas.get(schema.NETWORK, pd.Series(None, index=areas.index, dtype=object))
    site_nets = sites.get(schema.NETWORK, pd.Series(None, index=sites.index, dtype=object))
    names = sorted({str(x) for x in (*area_nets.dropna(), *site_nets.dropna())})
    lookup = {n: i for i, n in enumerate(names)}

    def codes(values: pd.Series) -> np.ndarray:
        return np.array([-1 if pd.isna(x) else lookup[str(x)] for x in values], dtype=np.int64)

    demand = []
    for sc in scenario_list:
        demand.append(scenarios.area_demand(areas, replace(sc, incidence_per_100k=None)))
    return SweepInputs(
        n_nodes=arrays.n_nodes, **edges,
        area_nodes=area_snap.nodes, area_leg_s=area_snap.leg_s, area_urban=urban,
        needed=needed, area_cols=cols.reshape(area_snap.nodes.shape),
        site_nodes=site_snap.nodes, site_leg_s=site_snap.leg_s, site_urban=params.site_access == "urban",
        base_params=params, base_minutes=np.asarray(base_minutes, dtype=np.float64),
        area_quintile=q_code, area_rank=rank.to_numpy(dtype=float), area_network=codes(area_nets),
        site_ids=tuple(sites[schema.SITE_ID].astype(str)), site_network=codes(site_nets),
        networks=tuple(names), scenario_list=tuple(scenario_list), scenario_demand=tuple(demand),
    )


def check_spec(spec: SweepSpec, inputs: SweepInputs) -> None:
    """Refuse a spec that names classes, routes, sites, networks or scenarios the inputs lack.

    Raises
    ------
    ScenarioError
        Naming the spec file, the parameter and the known values.
    """
    src = spec.source
    classes = sorted({g[0] for g in inputs.groups})
    names = [s.name for s in inputs.scenario_list]
    for p in spec.parameters:
        where = f"{src}, parameter {p.name!r}"
        t = p.target
        if p.kind == "speed" and t["road_class"] != "all" and t["road_class"] not in classes:
            raise ScenarioError(f"{where}: road_class {t['road_class']!r} is not in the network "
                                f"(classes: {', '.join(classes)}).")
        if p.kind == "speed" and not any(t["road_class"] in ("all", cls) and t["setting"] in ("both", ur)
                                         for cls, ur in inputs.groups):
            raise ScenarioError(f"{where}: no {t['setting']} edges of class {t['road_class']!r} in the "
                                "network; use setting = \"both\" or another class.")
        if p.kind == "ferry":
            if not inputs.ferry_routes:
                raise ScenarioError(f"{where}: the network has no ferry edges (edge attribute 'ferry').")
            if t["route"] != "all" and t["route"] not in inputs.ferry_routes:
                raise ScenarioError(f"{where}: ferry route {t['route']!r} is not in the network "
                                    f"(routes: {', '.join(inputs.ferry_routes)}).")
        if p.kind == "fractions":
            unknown = [s for s in t["scenarios"] if s not in names]
            if unknown:
                raise ScenarioError(f"{where}: scenarios {unknown} are not compared ({', '.join(names)}).")
        if p.kind == "network":
            if t["site"] not in inputs.site_ids:
                raise ScenarioError(f"{where}: site {t['site']!r} is not in the sites table.")
            unknown = [n for n in p.values if n not in inputs.networks]
            if unknown:
                raise ScenarioError(f"{where}: networks {unknown} are not known "
                                    f"(networks: {', '.join(inputs.networks)}).")
        if p.kind == "incidence" and t.get("group_by") == "imd_quintile" and (inputs.area_quintile < 0).all():
            raise ScenarioError(f"{where}: the areas have no imd_decile column to form quintiles.")
    for label in (spec.tornado_scenario, spec.baseline):
        if label is not None and label not in names:
            raise ScenarioError(f"{src}: scenario {label!r} is not compared ({', '.join(names)}).")
    from .conclusions import parse_expression, references

    for c in spec.conclusions:
        for scen, measure in references(parse_expression(c.expression)):
            if scen not in names:
                raise ScenarioError(f"{src}, conclusion {c.name!r}: scenario {scen!r} is not compared "
                                    f"({', '.join(names)}).")
            if measure not in MEASURES:
                raise ScenarioError(f"{src}, conclusion {c.name!r}: {measure!r} is not a measure "
                                    f"({', '.join(MEASURES)}).")


# ---------------------------------------------------------------- one draw


def _edge_factors(inputs: SweepInputs, spec: SweepSpec, values: dict[str, Any]) -> np.ndarray:
    """Return the time factor of each speed group (congestion included), then of each ferry route."""
    group_f = np.ones(len(inputs.groups))
    congestion = 1.0
    ferry_f = np.ones(len(inputs.ferry_routes))
    for p in spec.parameters:
        x = values.get(p.name, p.base)
        if x is None or p.kind not in ("speed", "congestion", "ferry"):
            continue
        if not (np.isfinite(x) and x > 0):
            raise ScenarioError(f"parameter {p.name!r} = {x!r} must be a positive number.")
        if p.kind == "speed":
            rc, setting = p.target["road_class"], p.target["setting"]
            for g, (cls, ur) in enumerate(inputs.groups):
                if (rc == "all" or rc == cls) and setting in ("both", ur):
                    group_f[g] /= x
        elif p.kind == "congestion":
            congestion *= x
        else:
            for r, route in enumerate(inputs.ferry_routes):
                if p.target["route"] in ("all", route):
                    ferry_f[r] *= x
    return np.concatenate([group_f * congestion, ferry_f])


def _access(inputs: SweepInputs, spec: SweepSpec, values: dict[str, Any]) -> dict[str, float]:
    out = {f: float(getattr(inputs.base_params, f)) for f in ACCESS_FIELDS}
    for p in spec.parameters:
        if p.kind == "access" and values.get(p.name) is not None:
            x = float(values[p.name])
            if not np.isfinite(x) or x <= 0 or (p.target["field"] == "detour_factor" and x < 1):
                raise ScenarioError(f"parameter {p.name!r} = {x!r} is not a valid {p.target['field']}.")
            out[p.target["field"]] = x
    return out


def travel_minutes(inputs: SweepInputs, spec: SweepSpec, values: dict[str, Any]) -> tuple[np.ndarray, bool]:
    """Return the ``(n_areas, n_sites)`` minutes of a draw and whether the network was searched."""
    factors = _edge_factors(inputs, spec, values)
    access = _access(inputs, spec, values)
    base_access = {f: float(getattr(inputs.base_params, f)) for f in ACCESS_FIELDS}
    if np.all(factors == 1.0) and access == base_access:
        return inputs.base_minutes, False
    n_groups = len(inputs.groups)
    code = np.where(inputs.edge_group >= 0, inputs.edge_group, n_groups + inputs.edge_ferry)
    seconds = inputs.base_time * factors[code]
    detour = access["detour_factor"] / base_access["detour_factor"]
    urban_f = detour * base_access["access_speed_urban_kmh"] / access["access_speed_urban_kmh"]
    rural_f = detour * base_access["access_speed_rural_kmh"] / access["access_speed_rural_kmh"]
    area_leg = inputs.area_leg_s * np.where(inputs.area_urban, urban_f, rural_f)[:, None]
    site_leg = inputs.site_leg_s * (urban_f if inputs.site_urban else rural_f)
    node_s = _search(inputs.n_nodes, inputs.u, inputs.v, seconds, inputs.site_nodes, site_leg, inputs.needed)
    return routing.combine_area_legs(node_s, inputs.area_cols, area_leg) / 60.0, True


def _allowed(inputs: SweepInputs, sc: Scenario, site_network: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``allowed`` (groups x sites) and each area's group, as ``scenarios.assign`` does."""
    m = len(inputs.site_ids)
    col = {s: j for j, s in enumerate(inputs.site_ids)}
    n = len(inputs.area_network)
    if sc.rule in ("nearest", "hub_anywhere"):
        allowed = np.zeros((1, m), dtype=bool)
        allowed[0, [col[s] for s in (sc.open_sites if sc.rule == "nearest" else sc.hub_sites)]] = True
        return allowed, np.zeros(n, dtype=np.intp)
    k = len(inputs.networks)
    allowed = np.zeros((max(k, 1), m), dtype=bool)
    if sc.rule == "within_network":
        open_cols = np.array([col[s] for s in sc.open_sites], dtype=np.intp)
        nets = site_network[open_cols]
        allowed[nets[nets >= 0], open_cols[nets >= 0]] = True
    else:
        index = {name: i for i, name in enumerate(inputs.networks)}
        for net, ids in sc.hubs.items():
            if net in index:
                allowed[index[net], [col[s] for s in ids]] = True
    group = inputs.area_network.astype(np.intp)
    return allowed, group


def headline_measures(minutes: np.ndarray, demand: np.ndarray, inputs: SweepInputs, *,
                      fractions: int) -> dict[str, float]:
    """Return :data:`MEASURES` and the reach curve for one scenario's minutes (``NaN`` = unreachable)."""
    nan = float("nan")
    reach = np.isfinite(minutes)
    x, w = minutes[reach], demand[reach]
    total = float(w.sum())
    out = dict.fromkeys((*MEASURES, *REACH_COLUMNS), nan)
    out["reachable_demand"] = total
    out["unreachable_demand"] = float(demand[~reach].sum())
    if total <= 0:
        return out
    order = np.argsort(x, kind="stable")
    xs, cw = x[order], np.cumsum(w[order])
    mean = float((w * x).sum() / total)
    out["mean_min"] = mean
    out["median_min"] = equity.sorted_quantile(xs, cw, 0.5)
    out["p90_min"] = equity.sorted_quantile(xs, cw, 0.9)
    out["within_45_share"] = float(w[x <= 45].sum() / total)
    upto = np.searchsorted(xs, np.asarray(REACH_MINUTES, dtype=float), side="right")
    for col, k in zip(REACH_COLUMNS, upto, strict=True):
        out[col] = float(cw[k - 1] / total) if k > 0 else 0.0
    q = inputs.area_quintile[reach]
    for k in range(5):
        sel = q == k
        wk = float(w[sel].sum())
        if wk > 0:
            out[f"q{k + 1}_mean_min"] = float((w[sel] * x[sel]).sum() / wk)
    out["q1_q5_gap_min"] = out["q1_mean_min"] - out["q5_mean_min"]
    urban = inputs.area_urban[reach]
    for label, sel in (("urban", urban), ("rural", ~urban)):
        wk = float(w[sel].sum())
        if wk > 0:
            out[f"{label}_mean_min"] = float((w[sel] * x[sel]).sum() / wk)
            out[f"{label}_within_45_share"] = float(w[sel][x[sel] <= 45].sum() / wk)
    out["gini"] = equity.gini(x, w)
    rank = inputs.area_rank[reach]
    has = np.isfinite(rank)
    if has.any():
        out["concentration_index"] = equity.concentration_index(x[has], rank[has], w[has])
    out["hours_per_course"] = fractions * 2.0 * mean / 60.0
    return out


def _demand(inputs: SweepInputs, spec: SweepSpec, values: dict[str, Any], s: int) -> np.ndarray:
    sc = inputs.scenario_list[s]
    rate = sc.incidence_per_100k
    factor = np.ones(len(inputs.area_network))
    for p in spec.parameters:
        x = values.get(p.name)
        if p.kind != "incidence" or x is None:
            continue
        if not (np.isfinite(x) and x > 0):
            raise ScenarioError(f"parameter {p.name!r} = {x!r} must be a positive number.")
        gb = p.target.get("group_by")
        if gb is None:
            rate = float(x)
        elif gb == "imd_quintile":
            factor[inputs.area_quintile == int(p.target["group"]) - 1] *= x
        else:
            factor[inputs.area_urban == (p.target["group"] == "Urban")] *= x
    demand = inputs.scenario_demand[s] * factor
    return demand * (rate / 100_000.0) if rate is not None else demand


def evaluate_draw(inputs: SweepInputs, spec: SweepSpec, draw: Draw) -> list[dict[str, Any]]:
    """Return one row per scenario: draw index, case, scenario, rerouted flag and :data:`MEASURES`.

    A pure function of its arguments: the same inputs and draw give the same numbers in
    any process.
    """
    values = draw.values
    minutes, rerouted = travel_minutes(inputs, spec, values)
    site_network = inputs.site_network.copy()
    for p in spec.parameters:
        if p.kind == "network" and values.get(p.name) is not None:
            site_network[inputs.site_ids.index(p.target["site"])] = inputs.networks.index(values[p.name])
    rows = []
    for s, sc in enumerate(inputs.scenario_list):
        fractions = sc.fractions
        for p in spec.parameters:
            x = values.get(p.name)
            if p.kind == "fractions" and x is not None and (not p.target["scenarios"]
                                                           or sc.name in p.target["scenarios"]):
                fractions = int(x)
                if fractions < 1:
                    raise ScenarioError(f"parameter {p.name!r} = {x!r}: fractions must be at least 1.")
        allowed, group = _allowed(inputs, sc, site_network)
        _, chosen = scenarios.choose_sites(minutes, allowed, group)
        demand = _demand(inputs, spec, values, s)
        row: dict[str, Any] = {"draw": draw.index, "case": draw.case, "scenario": sc.name,
                               "rerouted": rerouted}
        row.update(headline_measures(chosen, demand, inputs, fractions=fractions))
        rows.append(row)
    return rows
