"""Scenario editing as pure functions: each takes a scenario and returns a new one.

Every front end (the desktop window, scripts, the optimiser turning an option into a
scenario) edits scenarios through these functions, so there is one definition of "main
centre", one policy for choosing hubs when a hub rule is picked, and one duplicate-name
check. Nothing here mutates its inputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from . import schema
from .errors import DataError, ScenarioError
from .scenarios import (
    HUB_RULES,
    RULES,
    Scenario,
    centralised_hubs,
    default_scenarios,
    load_scenarios,
    main_site_ids,
)


def check_unique_names(items: Iterable[Scenario]) -> None:
    """Raise :class:`ScenarioError` naming every scenario name used more than once."""
    names = [s.name for s in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ScenarioError(
            f"Scenario names must be unique; repeated: {', '.join(map(repr, dupes))}. "
            "Rename one of each.")


def unique_name(base: str, existing: Iterable[str]) -> str:
    """Return ``base``, or ``base (2)``, ``base (3)``... whichever is not in ``existing``."""
    taken = set(existing)
    base = base.strip() or "Scenario"
    if base not in taken:
        return base
    i = 2
    while f"{base} ({i})" in taken:
        i += 1
    return f"{base} ({i})"


def rename(scenario: Scenario, name: str, *, existing: Iterable[str]) -> Scenario:
    """Return ``scenario`` called ``name`` (stripped); refuse a name another one uses."""
    new = name.strip()
    if new == scenario.name:
        return scenario
    if not new:
        raise ScenarioError("A scenario name cannot be empty.")
    if new in set(existing) - {scenario.name}:
        raise ScenarioError(f"A scenario called {new!r} already exists; choose another name.")
    return replace(scenario, name=new)


def _site_ids(sites: pd.DataFrame) -> list[str]:
    if schema.SITE_ID not in sites.columns:
        raise DataError("The sites table has no 'site_id' column.")
    return sites[schema.SITE_ID].astype(str).tolist()


def _in_site_order(ids: Iterable[str], sites: pd.DataFrame) -> tuple[str, ...]:
    order = {s: i for i, s in enumerate(_site_ids(sites))}
    unique = list(dict.fromkeys(ids))
    return tuple(sorted(unique, key=lambda s: order.get(s, len(order))))


def new_scenario(sites: pd.DataFrame, *, name: str = "New scenario") -> Scenario:
    """Return a scenario with every site open and the nearest-site rule."""
    ids = _site_ids(sites)
    if not ids:
        raise ScenarioError("Load sites before creating a scenario.")
    return Scenario(name=name, open_sites=tuple(ids), rule="nearest")


def set_open_sites(scenario: Scenario, site_ids: Sequence[str], *,
                   sites: pd.DataFrame) -> Scenario:
    """Return ``scenario`` with exactly ``site_ids`` open (in sites-table order).

    Hubs that are no longer open stop being hubs.
    """
    known = set(_site_ids(sites))
    unknown = [s for s in site_ids if s not in known]
    if unknown:
        raise ScenarioError(f"There is no site {unknown[0]!r} in the sites table.")
    opened = _in_site_order(site_ids, sites)
    keep = set(opened)
    hubs = {k: tuple(s for s in v if s in keep) for k, v in scenario.hubs.items()}
    hubs = {k: v for k, v in hubs.items() if v}
    if scenario.rule in HUB_RULES and not hubs:
        raise ScenarioError(
            f"Scenario {scenario.name!r}: closing these sites leaves no hub; keep a hub open "
            "or choose a rule without hubs.")
    return replace(scenario, open_sites=opened, hubs=hubs)


def set_site_open(scenario: Scenario, site_id: str, is_open: bool, *,
                  sites: pd.DataFrame) -> Scenario:
    """Return ``scenario`` with one site opened or closed (closing a hub unmarks it)."""
    if site_id not in set(_site_ids(sites)):
        raise ScenarioError(f"There is no site {site_id!r} in the sites table.")
    opened = [s for s in scenario.open_sites if s != site_id]
    if is_open:
        opened.append(site_id)
    return set_open_sites(scenario, opened, sites=sites)


def open_all(scenario: Scenario, *, sites: pd.DataFrame, which: str = "all") -> Scenario:
    """Return ``scenario`` with every site (``"all"``) or every main centre (``"main"``) open.

    Hubs stay open whatever ``which`` says, so a hub rule keeps its hubs.
    """
    if which == "all":
        ids = _site_ids(sites)
    elif which == "main":
        ids = list(main_site_ids(sites))
        if not ids:
            raise ScenarioError("No site has site_type 'main'; open sites one by one instead.")
    else:
        raise ValueError(f"which must be 'all' or 'main', not {which!r}")
    return set_open_sites(scenario, [*ids, *scenario.hub_sites], sites=sites)


def set_hubs(scenario: Scenario, network: str, site_ids: Sequence[str]) -> Scenario:
    """Return ``scenario`` whose hubs in ``network`` are ``site_ids`` (opened if closed)."""
    if scenario.rule not in HUB_RULES:
        raise ScenarioError(
            f"Scenario {scenario.name!r} uses rule {scenario.rule!r}, which has no hubs; choose "
            "a hub rule (hub_per_network or hub_anywhere) first.")
    hubs = {k: tuple(v) for k, v in scenario.hubs.items()}
    hubs[str(network)] = tuple(dict.fromkeys(map(str, site_ids)))
    hubs = {k: v for k, v in hubs.items() if v}
    if not hubs:
        raise ScenarioError(
            f"Scenario {scenario.name!r} needs at least one hub under rule {scenario.rule!r}.")
    opened = tuple(dict.fromkeys((*scenario.open_sites, *(h for v in hubs.values() for h in v))))
    return replace(scenario, open_sites=opened, hubs=hubs)


def set_rule(scenario: Scenario, rule: str, *, sites: pd.DataFrame) -> Scenario:
    """Return ``scenario`` under ``rule``.

    Moving to a hub rule with no hubs picks one per network by the default policy
    (:func:`access_app.core.scenarios.centralised_hubs`: the main centre with the most
    linacs); moving to a rule without hubs drops them and keeps the open sites.
    """
    if rule not in RULES:
        raise ScenarioError(f"Rule {rule!r} is not a rule; use one of {', '.join(RULES)}.")
    if rule == scenario.rule:
        return scenario
    if rule in HUB_RULES:
        hubs = dict(scenario.hubs) or centralised_hubs(sites)
        if not hubs:
            raise ScenarioError(
                "No network has a main centre to be its hub: give the sites a network and a "
                "site_type first.")
        opened = tuple(dict.fromkeys((*scenario.open_sites, *(h for v in hubs.values() for h in v))))
        return replace(scenario, rule=rule, hubs=hubs, open_sites=opened)
    return replace(scenario, rule=rule, hubs={})


def scenario_site_problems(items: Iterable[Scenario], sites: pd.DataFrame) -> list[str]:
    """Return one line per scenario that names sites missing from ``sites``."""
    ids = set(_site_ids(sites))
    out = []
    for sc in items:
        missing = [s for s in (*sc.open_sites, *sc.hub_sites) if s not in ids]
        if missing:
            out.append(f"{sc.name}: {', '.join(dict.fromkeys(missing))}")
    return out


def scenarios_for_sites(
    current: Sequence[Scenario],
    sites: pd.DataFrame,
    *,
    saved_file: str | Path | None = None,
) -> tuple[tuple[Scenario, ...] | None, str | None, tuple[str, ...]]:
    """Decide which scenarios go with a (new) sites table.

    Parameters
    ----------
    current
        The scenarios in use; empty before the first data is loaded.
    sites
        The sites table the scenarios must fit.
    saved_file
        A scenario file to open with the first data (the last one used).

    Returns
    -------
    scenarios, scenario_file, notes
        ``scenarios`` is ``None`` when ``current`` still fits; otherwise the scenarios to use
        (from ``saved_file`` if it fits, else the defaults for ``sites``), the file they
        came from (or ``""`` for the defaults, ``None`` when unchanged) and notes for the user.

    Raises
    ------
    ScenarioError
        When the defaults cannot be built for ``sites`` (e.g. no main centre), so a front
        end can refuse the new sites and keep the old ones.
    """
    notes: list[str] = []
    if current:
        problems = scenario_site_problems(current, sites)
        if not problems:
            return None, None, ()
        notes.append("The new sites do not match the scenarios' site ids ("
                      + "; ".join(problems[:3]) + "); default scenarios made for the new sites.")
        return tuple(default_scenarios(sites)), "", tuple(notes)
    if saved_file and Path(saved_file).is_file():
        try:
            loaded = load_scenarios(saved_file, sites=sites)
            return tuple(loaded), str(saved_file), ()
        except ScenarioError as exc:
            notes.append(f"Could not reopen {saved_file} ({exc}); using the default scenarios.")
    return tuple(default_scenarios(sites)), "", tuple(notes)


def site_network(sites: pd.DataFrame, site_id: str) -> str | None:
    """Return the network of ``site_id`` (``None`` if it has none or is unknown)."""
    if schema.NETWORK not in sites.columns or schema.SITE_ID not in sites.columns:
        return None
    row = sites.loc[sites[schema.SITE_ID].astype(str) == site_id]
    if row.empty or pd.isna(row[schema.NETWORK].iloc[0]):
        return None
    return str(row[schema.NETWORK].iloc[0])


def move_site_to_network(
    sites: gpd.GeoDataFrame, items: Sequence[Scenario], site_id: str, network: str
) -> tuple[gpd.GeoDataFrame, list[Scenario]]:
    """Return the sites with ``site_id`` in ``network`` and the scenarios with its hubs moved."""
    network = str(network).strip()
    if not network:
        raise ScenarioError("A network name cannot be empty.")
    mask = sites[schema.SITE_ID].astype(str) == site_id
    if not mask.any():
        raise ScenarioError(f"There is no site {site_id!r}.")
    old = site_network(sites, site_id)
    out = sites.copy()
    if schema.NETWORK not in out.columns:
        out[schema.NETWORK] = pd.NA
    out[schema.NETWORK] = out[schema.NETWORK].astype("string")
    out.loc[mask, schema.NETWORK] = network
    moved: list[Scenario] = []
    for sc in items:
        if old is not None and site_id in sc.hubs.get(old, ()):
            hubs = {k: tuple(v) for k, v in sc.hubs.items()}
            hubs[old] = tuple(s for s in hubs[old] if s != site_id)
            hubs[network] = (*hubs.get(network, ()), site_id)
            sc = replace(sc, hubs={k: v for k, v in hubs.items() if v})
        moved.append(sc)
    return out, moved


def slug(text: str) -> str:
    """Return a lower-case id made of letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "site"


def unique_site_id(name: str, taken: Iterable[Any]) -> str:
    """Return an id made from ``name`` that is not in ``taken`` ("x", "x-2", "x-3"...)."""
    used = {str(t) for t in taken}
    base = slug(name)
    site_id, i = base, 2
    while site_id in used:
        site_id, i = f"{base}-{i}", i + 1
    return site_id


def make_site_row(
    values: Mapping[str, Any],
    *,
    site_id: str,
    location: tuple[float, float] | None,
    postcodes: Any,
    crs: Any,
) -> gpd.GeoDataFrame:
    """Return one canonical site row, placed at ``location`` (lat, lon) or by postcode.

    ``values`` holds ``site_name`` and optionally ``network``, ``linacs``, ``site_type``
    ``postcode`` and ``trust``. The row's region is left unknown: a network is not a region.
    """
    name = str(values.get("site_name", "")).strip()
    if not name:
        raise DataError("Give the new site a name.")
    postcode = str(values.get("postcode", "") or "").strip()
    if location is None:
        if postcodes is None:
            raise DataError("Choose the OS Code-Point Open zip to place sites by postcode.")
        found = postcodes.geocode([postcode])
        if found.unknown:
            raise DataError(f"Postcode {postcode!r} is not in Code-Point Open; check it or add "
                            "the site by clicking the map.")
        xy = found.coordinates.iloc[0]
        geom = gpd.points_from_xy([xy["easting"]], [xy["northing"]], crs=schema.BNG)
    else:
        lat, lon = location
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise DataError(f"Location {location!r} is not a latitude and longitude.")
        geom = gpd.points_from_xy([lon], [lat], crs=schema.WGS84)
    linacs = values.get("linacs")
    try:
        linacs_f = float(linacs) if linacs not in (None, "") else float("nan")
    except (TypeError, ValueError) as exc:
        raise DataError(f"Linacs {linacs!r} is not a number.") from exc
    if linacs_f < 0:
        raise DataError(f"Linacs {linacs!r} cannot be negative.")
    network = str(values.get("network") or "").strip() or None
    row = gpd.GeoDataFrame(
        {schema.SITE_ID: [site_id], schema.SITE_NAME: [name], schema.NETWORK: [network],
         schema.LINACS: [linacs_f], schema.SITE_TYPE: [str(values.get("site_type") or "main")],
         schema.POSTCODE: [postcode], schema.TRUST: [str(values.get("trust") or "")],
         schema.REGION: [None]},
        geometry=geom)
    return row.to_crs(crs) if crs is not None else row
