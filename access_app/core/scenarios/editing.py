"""Edit scenarios as pure functions: each takes a scenario and returns a new one.

These are the user's verbs on a scenario (open or close a site, open every site, set the
hubs, change the rule, rename) and the policies around them (unique names, which
scenarios to start with, whether saved scenarios still fit the sites), in one place for
the GUI, the session and the command line. Nothing here mutates its inputs; an edit that
would make an invalid scenario raises :class:`~access_app.core.errors.ScenarioError`.

Order of open sites: a site opened by :func:`set_site_open` takes its place in the order
of the sites table, so closing a site and opening it again gives back the scenario it
started from; :func:`set_open_sites` and :func:`open_all` use table order throughout.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import pandas as pd

from .. import schema
from ..errors import ScenarioError
from .defaults import centralised_hubs, default_scenarios, main_site_ids
from .model import Scenario, check_unique_names
from .rules import get_rule

log = logging.getLogger(__name__)

__all__ = [
    "move_site_to_network",
    "new_scenario",
    "scenarios_for_sites",
    "site_network",
    "InitialScenarios",
    "check_scenarios_against_sites",
    "check_unique_names",
    "copy_name",
    "initial_scenarios",
    "open_all",
    "rename",
    "set_hub",
    "set_hubs",
    "set_open_sites",
    "set_rule",
    "set_site_open",
    "unique_name",
]


def _site_ids(sites: pd.DataFrame) -> list[str]:
    if schema.SITE_ID not in sites.columns:
        raise ScenarioError(f"The sites table has no {schema.SITE_ID!r} column.")
    return sites[schema.SITE_ID].astype(str).tolist()


def _in_table_order(ids: Iterable[str], sites: pd.DataFrame) -> tuple[str, ...]:
    order = {s: i for i, s in enumerate(_site_ids(sites))}
    unique = list(dict.fromkeys(ids))
    return tuple(sorted(unique, key=lambda s: order.get(s, len(order))))


def _check_known(site_ids: Iterable[str], sites: pd.DataFrame) -> None:
    known = set(_site_ids(sites))
    unknown = [s for s in site_ids if s not in known]
    if unknown:
        shown = unknown[0] if len(unknown) == 1 else unknown
        raise ScenarioError(f"There is no site {shown!r} in the sites table.")


def set_site_open(scenario: Scenario, site_id: str, is_open: bool, *,
                  sites: pd.DataFrame) -> Scenario:
    """Return ``scenario`` with one site opened or closed.

    Closing a hub also removes it from the hubs (a hub scenario whose last hub closes is
    refused).

    Parameters
    ----------
    scenario
        The scenario to edit.
    site_id
        The site.
    is_open
        Open (True) or close (False) it.
    sites
        The sites table (gives the order of open sites and the known ids).
    """
    site_id = str(site_id)
    _check_known([site_id], sites)
    opened = [s for s in scenario.open_sites if s != site_id]
    if is_open:
        opened = list(_in_table_order([*opened, site_id], sites))
    hubs = {k: tuple(s for s in v if is_open or s != site_id) for k, v in scenario.hubs.items()}
    return replace(scenario, open_sites=tuple(opened), hubs={k: v for k, v in hubs.items() if v})


def set_open_sites(scenario: Scenario, site_ids: Iterable[str], *,
                   sites: pd.DataFrame) -> Scenario:
    """Return ``scenario`` with exactly ``site_ids`` open (in table order).

    Hubs that are no longer open stop being hubs.
    """
    ids = [str(s) for s in site_ids]
    _check_known(ids, sites)
    opened = _in_table_order(ids, sites)
    keep = set(opened)
    hubs = {k: tuple(s for s in v if s in keep) for k, v in scenario.hubs.items()}
    return replace(scenario, open_sites=opened, hubs={k: v for k, v in hubs.items() if v})


def open_all(scenario: Scenario, *, sites: pd.DataFrame,
             which: Literal["all", "main"] = "all") -> Scenario:
    """Return ``scenario`` with every site (or every main centre) open; hubs stay open.

    ``which="main"`` uses the same definition of a main centre as the default scenarios
    (:func:`~access_app.core.scenarios.defaults.main_site_ids`: ``site_type`` is "main",
    in any case; every site if the table has no ``site_type``).
    """
    if which not in ("all", "main"):
        raise ScenarioError(f"open_all: which = {which!r} must be 'all' or 'main'.")
    ids = main_site_ids(sites) if which == "main" else tuple(_site_ids(sites))
    if not ids:
        raise ScenarioError("No site has site_type 'main'; open sites one by one instead.")
    return set_open_sites(scenario, (*ids, *scenario.hub_sites), sites=sites)


def _require_hub_rule(scenario: Scenario) -> None:
    if not get_rule(scenario.rule).needs_hubs:
        raise ScenarioError(
            f"Scenario {scenario.name!r} uses rule {scenario.rule!r}, which has no hubs; choose a "
            "hub rule (hub_per_network or hub_anywhere) first."
        )


def set_hubs(scenario: Scenario, network: str, site_ids: Iterable[str]) -> Scenario:
    """Return ``scenario`` with the hubs of ``network`` set to ``site_ids`` (opened if closed).

    An empty ``site_ids`` removes the network's hubs. Only scenarios with a hub rule have
    hubs.
    """
    _require_hub_rule(scenario)
    ids = tuple(dict.fromkeys(str(s) for s in site_ids))
    hubs = {k: tuple(v) for k, v in scenario.hubs.items()}
    if ids:
        hubs[str(network)] = ids
    else:
        hubs.pop(str(network), None)
    opened = (*scenario.open_sites, *(s for s in ids if s not in set(scenario.open_sites)))
    return replace(scenario, open_sites=opened, hubs=hubs)


def set_hub(scenario: Scenario, site_id: str, is_hub: bool, *, sites: pd.DataFrame) -> Scenario:
    """Return ``scenario`` with ``site_id`` made a hub of its own network (or not).

    The network comes from the sites table; a new hub is also opened.
    """
    site_id = str(site_id)
    _check_known([site_id], sites)
    _require_hub_rule(scenario)
    row = sites.loc[sites[schema.SITE_ID].astype(str) == site_id]
    net = row[schema.NETWORK].iloc[0] if schema.NETWORK in sites.columns else None
    if net is None or pd.isna(net) or not str(net).strip():
        raise ScenarioError(f"Site {site_id!r} has no network; set its network first.")
    current = tuple(s for s in scenario.hubs.get(str(net), ()) if s != site_id)
    return set_hubs(scenario, str(net), (*current, site_id) if is_hub else current)


def set_rule(scenario: Scenario, rule: str, *, sites: pd.DataFrame) -> Scenario:
    """Return ``scenario`` with another assignment rule.

    Switching to a hub rule when the scenario has no hubs chooses them as the default
    Centralised scenario does (:func:`~access_app.core.scenarios.centralised_hubs`: each
    network's main centre with the most linacs) and opens them; switching to a rule
    without hubs drops the hubs.
    """
    new_rule = get_rule(rule)
    hubs = dict(scenario.hubs)
    open_sites = scenario.open_sites
    if new_rule.needs_hubs and not hubs:
        hubs = dict(centralised_hubs(sites))
        open_sites = tuple(dict.fromkeys((*open_sites, *(h for ids in hubs.values() for h in ids))))
    elif not new_rule.needs_hubs:
        hubs = {}
    return replace(scenario, rule=new_rule.name, hubs=hubs, open_sites=open_sites)


def unique_name(base: str, existing: Iterable[str]) -> str:
    """Return ``base``, or ``"base (2)"``, ``"base (3)"``... whichever is not in ``existing``."""
    taken = set(existing)
    base = base.strip()
    if base not in taken:
        return base
    i = 2
    while f"{base} ({i})" in taken:
        i += 1
    return f"{base} ({i})"


def copy_name(name: str, existing: Iterable[str]) -> str:
    """Return the name of a copy of ``name``: ``"name (copy)"``, then ``"name (copy) (2)"``..."""
    return unique_name(f"{name} (copy)", existing)


def rename(scenario: Scenario, name: str, *, existing: Iterable[str]) -> Scenario:
    """Return ``scenario`` called ``name`` (stripped), refusing a name another scenario has.

    Parameters
    ----------
    scenario
        The scenario to rename.
    name
        The new name.
    existing
        Names of every scenario (the scenario's own name may be among them).
    """
    new = name.strip()
    if new == scenario.name:
        return scenario
    if not new:
        raise ScenarioError(f"Scenario {scenario.name!r}: the new name is empty; give it a name.")
    if new in set(existing) - {scenario.name}:
        raise ScenarioError(f"A scenario called {new!r} already exists; choose another name.")
    return replace(scenario, name=new)


def check_scenarios_against_sites(scenarios: Sequence[Scenario], sites: pd.DataFrame) -> list[str]:
    """Return one problem per scenario whose open sites or hubs are not in ``sites``."""
    known = set(_site_ids(sites))
    problems = []
    for sc in scenarios:
        missing = sorted({s for s in (*sc.open_sites, *sc.hub_sites) if s not in known})
        if missing:
            problems.append(f"Scenario {sc.name!r}: site ids {missing} are not in the sites table.")
    return problems


@dataclass(frozen=True)
class InitialScenarios:
    """The scenarios to start with, and why.

    Attributes
    ----------
    scenarios
        The scenarios.
    source
        ``"saved"`` (the saved ones fit the sites) or ``"defaults"``.
    problems
        Why saved scenarios were not used (empty if none were given or they fit).
    """

    scenarios: tuple[Scenario, ...]
    source: Literal["saved", "defaults"]
    problems: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """Return a one-line note for a status bar ("" when the saved scenarios were used)."""
        if self.source == "saved" or not self.problems:
            return ""
        return "The saved scenarios do not fit these sites; default scenarios made for them"


def initial_scenarios(
    sites: pd.DataFrame, saved: Sequence[Scenario] | str | Path | None = None
) -> InitialScenarios:
    """Return the scenarios to start with: ``saved`` if they fit ``sites``, else the defaults.

    Parameters
    ----------
    sites
        The sites table.
    saved
        Scenarios kept from before, or a scenario file to reopen (a file that cannot be
        read or that names unknown sites falls back to the defaults, with the reason).
    """
    problems: list[str] = []
    chosen: list[Scenario] = []
    if isinstance(saved, (str, Path)):
        from .toml import load_scenarios

        try:
            chosen = load_scenarios(saved, sites=sites)
        except ScenarioError as exc:
            log.warning("could not reopen %s: %s", saved, exc)
            problems.append(str(exc))
    elif saved:
        chosen = list(saved)
        try:
            check_unique_names(chosen)
        except ScenarioError as exc:
            problems.append(str(exc))
        problems += check_scenarios_against_sites(chosen, sites)
    if chosen and not problems:
        return InitialScenarios(scenarios=tuple(chosen), source="saved")
    return InitialScenarios(scenarios=tuple(default_scenarios(sites)), source="defaults",
                            problems=tuple(problems))


def new_scenario(sites: pd.DataFrame, *, name: str = "New scenario") -> Scenario:
    """Return a scenario with every site open and the nearest-site rule."""
    ids = _site_ids(sites)
    if not ids:
        raise ScenarioError("Load sites before creating a scenario.")
    return Scenario(name=name, open_sites=tuple(ids), rule="nearest")


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
        ``scenarios`` is ``None`` when ``current`` still fits; otherwise the scenarios to
        use (by :func:`initial_scenarios`), the file they came from (``""`` for the
        defaults, ``None`` when unchanged) and notes for the user.

    Raises
    ------
    ScenarioError
        When the defaults cannot be built for ``sites`` (e.g. no main centre), so a front
        end can refuse the new sites and keep the old ones.
    """
    if current:
        problems = check_scenarios_against_sites(current, sites)
        if not problems:
            return None, None, ()
        chosen = initial_scenarios(sites)
        note = ("The new sites do not match the scenarios' site ids ("
                + "; ".join(problems[:3]) + "); default scenarios made for the new sites.")
        return chosen.scenarios, "", (note,)
    if saved_file and Path(saved_file).is_file():
        chosen = initial_scenarios(sites, saved_file)
        if chosen.source == "saved":
            return chosen.scenarios, str(saved_file), ()
        return chosen.scenarios, "", (f"Could not reopen {saved_file} ("
                                      + "; ".join(chosen.problems) + "); using the defaults.",)
    return initial_scenarios(sites).scenarios, "", ()


def site_network(sites: pd.DataFrame, site_id: str) -> str | None:
    """Return the network of ``site_id`` (``None`` if it has none or is unknown)."""
    if schema.NETWORK not in sites.columns or schema.SITE_ID not in sites.columns:
        return None
    row = sites.loc[sites[schema.SITE_ID].astype(str) == site_id]
    if row.empty or pd.isna(row[schema.NETWORK].iloc[0]):
        return None
    return str(row[schema.NETWORK].iloc[0])


def move_site_to_network(
    sites: pd.DataFrame, scenarios: Sequence[Scenario], site_id: str, network: str
) -> tuple[pd.DataFrame, list[Scenario]]:
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
    for sc in scenarios:
        if old is not None and site_id in sc.hubs.get(old, ()):
            hubs = {k: tuple(v) for k, v in sc.hubs.items()}
            hubs[old] = tuple(s for s in hubs[old] if s != site_id)
            hubs[network] = (*hubs.get(network, ()), site_id)
            sc = replace(sc, hubs={k: v for k, v in hubs.items() if v})
        moved.append(sc)
    return out, moved
