"""Apply a scenario to a travel-time matrix: the demand of each area and the site it is sent to."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import schema
from ..errors import ScenarioError
from ..matrix import TravelTimeMatrix
from .model import Scenario, ScenarioResult, check_unique_names
from .rules import Rule, RuleInput, get_rule

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
    rule = get_rule(scenario.rule)
    data = _rule_input(areas, sites, scenario, rule, minutes, matrix_sites)
    index, reasons = rule.assign(data)
    index = np.asarray(index, dtype=np.intp)
    reasons = np.asarray(reasons, dtype=object).copy()
    ok = index >= 0
    chosen = np.full(len(area_ids), np.nan)
    chosen[ok] = minutes[np.flatnonzero(ok), index[ok]]
    unreached = ~ok & (reasons == "")
    if unreached.any():
        reasons[unreached] = rule.no_route_reason
        table = matrix.unreachable
        if len(table):
            # Open sites (hubs) off the road network: name them and their distance.
            site_rows = table[table["kind"] == "site"]
            site_why = dict(zip(site_rows["id"].astype(str), site_rows["reason"], strict=False))
            word = "hub" if rule.needs_hubs else "open site"
            pool = scenario.hub_sites if rule.needs_hubs else scenario.open_sites
            off = [s for s in pool if s in site_why]
            if off:
                text = "; ".join(f"{s} is {site_why[s]}" for s in off[:3])
                reasons[unreached] = f"{rule.no_route_reason}; {word}s no road reaches: {text}"
            area_rows = table[table["kind"] == "area"]
            why = dict(zip(area_rows["id"].astype(str), area_rows["reason"], strict=False))
            for i in np.flatnonzero(unreached):
                if area_ids[i] in why:
                    reasons[i] = str(why[area_ids[i]])
    site_ids = np.full(len(area_ids), None, dtype=object)
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


def _networks(values: pd.Series) -> np.ndarray:
    return np.array([None if pd.isna(v) else str(v) for v in values.tolist()], dtype=object)


def _rule_input(
    areas: pd.DataFrame,
    sites: pd.DataFrame,
    scenario: Scenario,
    rule: Rule,
    minutes: np.ndarray,
    matrix_sites: np.ndarray,
) -> RuleInput:
    """Return the arrays ``rule`` works on, checking the columns it needs."""
    if rule.needs_area_network and schema.NETWORK not in areas.columns:
        raise ScenarioError(
            f"Scenario {scenario.name!r}: rule {scenario.rule!r} needs a 'network' column "
            "in the areas table; load an area-to-network table or use rule 'nearest'."
        )
    if rule.needs_site_network and schema.NETWORK not in sites.columns:
        raise ScenarioError(
            f"Scenario {scenario.name!r}: rule {scenario.rule!r} needs a 'network' "
            "column in the sites table."
        )
    col_of = {s: i for i, s in enumerate(matrix_sites.tolist())}
    open_mask = np.zeros(len(matrix_sites), dtype=bool)
    open_mask[[col_of[s] for s in scenario.open_sites]] = True
    hubs = {net: np.array([col_of[s] for s in ids], dtype=np.intp)
            for net, ids in scenario.hubs.items()}
    area_network = _networks(areas[schema.NETWORK]) if schema.NETWORK in areas.columns else None
    site_network = None
    if schema.NETWORK in sites.columns:
        by_id = dict(zip(sites[schema.SITE_ID].astype(str), _networks(sites[schema.NETWORK]),
                         strict=False))
        site_network = np.array([by_id.get(s) for s in matrix_sites.tolist()], dtype=object)
    return RuleInput(scenario=scenario.name, minutes=minutes, open_mask=open_mask, hubs=hubs,
                     area_network=area_network, site_network=site_network)


def assign_all(
    areas: pd.DataFrame,
    sites: pd.DataFrame,
    matrix: TravelTimeMatrix,
    scenarios: Sequence[Scenario],
) -> list[ScenarioResult]:
    """Apply every scenario in turn (names must be unique)."""
    check_unique_names(scenarios)
    return [assign(areas, sites, matrix, s) for s in scenarios]
