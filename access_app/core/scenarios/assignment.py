"""Apply a scenario to a travel-time matrix: the demand of each area and the site it is sent to."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import schema
from ..errors import ScenarioError
from ..matrix import TravelTimeMatrix
from .model import Scenario, ScenarioResult
from .rules import HUB_RULES, _network_groups, choose_sites

log = logging.getLogger(__name__)


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
            # Every site an area may use is off the roads: name them and say why.
            site_rows = table[table["kind"] == "site"]
            site_why = dict(zip(site_rows["id"].astype(str), site_rows["reason"], strict=False))
            word = "hub" if scenario.rule in HUB_RULES else "open site"
            for g in np.unique(group[unreached & (group >= 0)]):
                usable = matrix_sites[allowed[g]].tolist()
                if usable and all(s in site_why for s in usable):
                    text = "; ".join(f"{s} is {site_why[s]}" for s in usable[:3])
                    reasons[unreached & (group == g)] = (
                        f"no {word} it may use can be reached by road ({text})"
                    )
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
