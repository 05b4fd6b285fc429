"""The application state, free of Qt: what is loaded, which scenarios exist, their results.

Widgets show this state and pass user actions to its methods; nothing here imports Qt,
so the same object can be driven from tests or a script. Results are computed lazily by
the core (:func:`access_app.core.scenarios.assign`) from the cached travel-time matrix
and dropped whenever something they depend on changes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from access_app.core import schema
from access_app.core.errors import ScenarioError
from access_app.core.matrix import TravelTimeMatrix
from access_app.core.scenarios import Scenario, ScenarioResult, assign, editing

log = logging.getLogger(__name__)


@dataclass
class AppState:
    """Everything the window shows, in one plain object.

    Attributes
    ----------
    dataset
        The loaded :class:`access_app.core.pipeline.Dataset` (areas, sites, boundaries,
        attribution), or ``None`` before anything is loaded.
    graph
        The road network the matrix was computed on, if known.
    matrix
        The areas x sites travel-time matrix, or ``None`` until routing has run.
    scenarios
        The scenarios, in the order shown.
    current, compare, baseline
        Names of the scenario shown in the main pane, the one compared with it, and the
        baseline that changes are measured against.
    scenario_file
        The TOML file the scenarios were last loaded from or saved to.
    """

    dataset: Any = None
    graph: Any = None
    matrix: TravelTimeMatrix | None = None
    scenarios: list[Scenario] = field(default_factory=list)
    current: str = ""
    compare: str = ""
    baseline: str = ""
    scenario_file: str = ""
    _results: dict[str, ScenarioResult] = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ data

    @property
    def areas(self) -> pd.DataFrame:
        """Return the areas table (empty before data is loaded)."""
        return self.dataset.areas if self.dataset is not None else pd.DataFrame()

    @property
    def sites(self) -> pd.DataFrame:
        """Return the sites table (empty before data is loaded)."""
        return self.dataset.sites if self.dataset is not None else pd.DataFrame()

    def set_dataset(self, dataset: Any, *, matrix: TravelTimeMatrix | None = None,
                    graph: Any = None) -> None:
        """Replace the data; the matrix and every result are dropped unless given."""
        self.dataset = dataset
        self.matrix = matrix
        if graph is not None:
            self.graph = graph
        self._results.clear()

    def set_matrix(self, matrix: TravelTimeMatrix, *, graph: Any = None) -> None:
        """Use ``matrix`` from now on (results are recomputed on demand)."""
        self.matrix = matrix
        if graph is not None:
            self.graph = graph
        self._results.clear()

    def ready(self) -> bool:
        """Return True when data and a matrix are loaded, so scenarios can be applied."""
        return self.dataset is not None and self.matrix is not None

    def matrix_covers_sites(self) -> bool:
        """Return True if every site of the data has a column in the matrix."""
        if self.matrix is None or self.dataset is None:
            return False
        have = set(map(str, self.matrix.site_ids))
        return all(str(s) in have for s in self.sites[schema.SITE_ID])

    def networks(self) -> list[str]:
        """Return the sorted network names of sites and areas."""
        names: set[str] = set()
        for table in (self.sites, self.areas):
            if schema.NETWORK in table.columns:
                names.update(str(v) for v in table[schema.NETWORK].dropna().unique())
        return sorted(names)

    def site_network(self, site_id: str) -> str | None:
        """Return the network of ``site_id`` (``None`` if it has none)."""
        sites = self.sites
        row = sites.loc[sites[schema.SITE_ID].astype(str) == site_id]
        if row.empty or schema.NETWORK not in row.columns or pd.isna(row[schema.NETWORK].iloc[0]):
            return None
        return str(row[schema.NETWORK].iloc[0])

    def set_site_network(self, site_id: str, network: str) -> None:
        """Move a site to another network (a new sites table; every result is dropped).

        Hubs that named the site under its old network move with it.
        """
        sites = self.sites.copy()
        mask = sites[schema.SITE_ID].astype(str) == site_id
        if not mask.any():
            raise ScenarioError(f"There is no site {site_id!r}.")
        old = self.site_network(site_id)
        if schema.NETWORK not in sites.columns:
            sites[schema.NETWORK] = pd.NA
        sites[schema.NETWORK] = sites[schema.NETWORK].astype("string")
        sites.loc[mask, schema.NETWORK] = network
        self.dataset = replace(self.dataset, sites=sites)
        moved: list[Scenario] = []
        for sc in self.scenarios:
            if old is not None and site_id in sc.hubs.get(old, ()):
                hubs = {k: tuple(v) for k, v in sc.hubs.items()}
                hubs[old] = tuple(s for s in hubs[old] if s != site_id)
                hubs[network] = (*hubs.get(network, ()), site_id)
                sc = replace(sc, hubs={k: v for k, v in hubs.items() if v})
            moved.append(sc)
        self.scenarios = moved
        self._results.clear()

    def add_site(self, site: pd.DataFrame) -> None:
        """Append one or more canonical site rows (a GeoDataFrame in the sites' CRS).

        The matrix no longer covers every site afterwards; recompute it before use.
        """
        import geopandas as gpd

        ids = set(self.sites[schema.SITE_ID].astype(str))
        clash = [s for s in site[schema.SITE_ID].astype(str) if s in ids]
        if clash:
            raise ScenarioError(f"A site with id {clash[0]!r} already exists; choose another id.")
        sites = gpd.GeoDataFrame(
            pd.concat([self.sites, site.to_crs(self.sites.crs)], ignore_index=True),
            geometry="geometry", crs=self.sites.crs,
        )
        self.dataset = replace(self.dataset, sites=sites)
        self._results.clear()

    # ------------------------------------------------------------- scenarios

    def names(self) -> list[str]:
        """Return the scenario names in order."""
        return [s.name for s in self.scenarios]

    def scenario(self, name: str) -> Scenario:
        """Return the scenario called ``name``."""
        for sc in self.scenarios:
            if sc.name == name:
                return sc
        raise ScenarioError(f"There is no scenario called {name!r}.")

    def set_scenarios(self, scenarios: Iterable[Scenario], *, keep_selection: bool = True) -> None:
        """Replace every scenario; keep the current/compare/baseline names if they exist."""
        new = list(scenarios)
        editing.check_unique_names(new)
        self.scenarios = new
        names = self.names()
        self._results.clear()
        first = names[0] if names else ""
        second = names[1] if len(names) > 1 else first
        if not keep_selection or self.current not in names:
            self.current = first
        if not keep_selection or self.baseline not in names:
            self.baseline = first
        if not keep_selection or self.compare not in names:
            self.compare = next((n for n in names if n != self.current), second)

    def unique_name(self, base: str) -> str:
        """Return ``base``, or ``base (2)``, ``base (3)``... whichever is not taken."""
        return editing.unique_name(base, self.names())

    def add_scenario(self, scenario: Scenario) -> Scenario:
        """Append ``scenario`` (renamed if its name is taken) and return it."""
        scenario = replace(scenario, name=self.unique_name(scenario.name))
        self.scenarios.append(scenario)
        return scenario

    def new_scenario(self, name: str = "New scenario") -> Scenario:
        """Add a scenario with every site open and the nearest-site rule."""
        if self.dataset is None:
            raise ScenarioError("Load sites before creating a scenario.")
        sites = tuple(self.sites[schema.SITE_ID].astype(str))
        return self.add_scenario(Scenario(name=name, open_sites=sites, rule="nearest"))

    def duplicate(self, name: str) -> Scenario:
        """Add a copy of ``name`` called "<name> (copy)" and return it."""
        return self.add_scenario(replace(self.scenario(name),
                                         name=editing.copy_name(name, self.names())))

    def rename(self, old: str, new: str) -> None:
        """Rename a scenario (names must stay unique and non-empty)."""
        renamed = editing.rename(self.scenario(old), new, existing=self.names())
        new = renamed.name
        if new == old:
            return
        self.update(old, renamed)
        for attr in ("current", "compare", "baseline"):
            if getattr(self, attr) == old:
                setattr(self, attr, new)

    def delete(self, name: str) -> None:
        """Remove a scenario (the last one cannot be removed)."""
        if len(self.scenarios) <= 1:
            raise ScenarioError("Keep at least one scenario.")
        self.scenario(name)
        self.scenarios = [s for s in self.scenarios if s.name != name]
        self._results.pop(name, None)
        names = self.names()
        for attr in ("current", "compare", "baseline"):
            if getattr(self, attr) == name:
                setattr(self, attr, names[0])
        if self.compare == self.current and len(names) > 1:
            self.compare = next(n for n in names if n != self.current)

    def update(self, name: str, scenario: Scenario) -> None:
        """Replace scenario ``name`` by ``scenario`` (which may carry a new name)."""
        for i, sc in enumerate(self.scenarios):
            if sc.name == name:
                self.scenarios[i] = scenario
                self._results.pop(name, None)
                self._results.pop(scenario.name, None)
                return
        raise ScenarioError(f"There is no scenario called {name!r}.")

    def set_site_open(self, name: str, site_id: str, is_open: bool) -> Scenario:
        """Open or close one site in scenario ``name`` and return the new scenario.

        Closing a hub also removes it from the hubs.
        """
        new = editing.set_site_open(self.scenario(name), site_id, is_open, sites=self.sites)
        self.update(name, new)
        return new

    def set_hub(self, name: str, site_id: str, is_hub: bool) -> Scenario:
        """Make ``site_id`` a hub of its network in scenario ``name`` (or stop it being one).

        A new hub is also opened. Only scenarios with a hub rule have hubs.
        """
        new = editing.set_hub(self.scenario(name), site_id, is_hub, sites=self.sites)
        self.update(name, new)
        return new

    # --------------------------------------------------------------- results

    def result(self, name: str) -> ScenarioResult:
        """Return the result of scenario ``name``, computing it from the matrix if needed."""
        if not self.ready():
            raise ScenarioError("No travel times yet: load data and compute the matrix first.")
        sc = self.scenario(name)
        cached = self._results.get(name)
        if cached is not None and cached.scenario == sc:
            return cached
        res = assign(self.areas, self.sites, self.matrix, sc)
        self._results[name] = res
        return res

    def cached_results(self) -> dict[str, ScenarioResult]:
        """Return a copy of the results computed so far (still valid ones only)."""
        valid = {}
        for name, res in self._results.items():
            try:
                if res.scenario == self.scenario(name):
                    valid[name] = res
            except ScenarioError:
                continue
        return valid

    def store_results(self, results: dict[str, ScenarioResult]) -> None:
        """Keep results computed elsewhere (e.g. on a worker thread) for reuse."""
        for name, res in results.items():
            if name in self.names() and res.scenario == self.scenario(name):
                self._results[name] = res

    def results(self) -> list[ScenarioResult]:
        """Return the results of every scenario, in order."""
        return [self.result(n) for n in self.names()]

    def ordered_for_report(self) -> list[Scenario]:
        """Return the scenarios with the baseline first."""
        base = [s for s in self.scenarios if s.name == self.baseline]
        return base + [s for s in self.scenarios if s.name != self.baseline]
