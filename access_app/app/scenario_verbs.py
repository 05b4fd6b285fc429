"""The session's scenario verbs: the scenarios, which are shown and compared, and their edits.

Adding, duplicating, renaming, deleting and editing scenarios (through the pure functions
of :mod:`access_app.core.scenarios.editing`), the current, compared and baseline scenario,
the selected site, and opening and saving scenario files, with the unsaved mark.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Literal

from access_app.core import scenarios, schema, tables
from access_app.core.errors import ScenarioError
from access_app.core.scenarios import Scenario
from access_app.core.scenarios import editing as ed

from .events import (
    EVENT_SAVED,
    EVENT_SCENARIOS,
    EVENT_SELECTION,
    EVENT_SITE,
)
from .parts import SessionLike

log = logging.getLogger(__name__)


class ScenarioVerbs:
    """Hold and edit the scenarios and the selection; tell the listeners what changed.

    A part of :class:`~access_app.app.session.Session`; its methods use the session's
    data, scenarios and results.
    """

    report: tables.EquityReport | None  # cleared here when the scenarios change

    def names(self: SessionLike) -> list[str]:
        """Return the scenario names in order."""
        return [s.name for s in self.scenarios]

    def scenario(self: SessionLike, name: str) -> Scenario:
        """Return the scenario called ``name``."""
        for sc in self.scenarios:
            if sc.name == name:
                return sc
        raise ScenarioError(f"There is no scenario called {name!r}.")

    def has_unsaved_changes(self: SessionLike) -> bool:
        """Return True if the scenarios differ from those last opened or saved."""
        return self.scenarios != self._saved

    def _set_scenarios(self: SessionLike, items: list[Scenario], *, keep_selection: bool) -> None:
        ed.check_unique_names(items)
        self.scenarios = items
        self._results.clear()
        self.report = None
        names = self.names()
        first = names[0] if names else ""
        if not keep_selection or self.current not in names:
            self.current = first
        if not keep_selection or self.baseline not in names:
            self.baseline = first
        if not keep_selection or self.compare not in names or self.compare == self.current:
            others = [n for n in names if n != self.current]
            self.compare = "Centralised" if "Centralised" in others else (
                others[0] if others else first)

    def _replace(self: SessionLike, name: str, new: Scenario) -> Scenario:
        for i, sc in enumerate(self.scenarios):
            if sc.name == name:
                self.scenarios[i] = new
                self._results.pop(name, None)
                self._results.pop(new.name, None)
                return new
        raise ScenarioError(f"There is no scenario called {name!r}.")

    def _changed(self: SessionLike, *extra: str) -> None:
        self._emit(EVENT_SCENARIOS, EVENT_SAVED, *extra)

    def restore_selection(self: SessionLike, *, current: str = "", compare: str = "") -> None:
        """Select the remembered scenarios if they exist (used at start-up)."""
        names = self.names()
        if current in names:
            self.current = current
        if compare in names and compare != self.current:
            self.compare = compare
        if self.compare == self.current and len(names) > 1:
            self.compare = next(n for n in names if n != self.current)
        self._emit(EVENT_SELECTION)

    def set_current(self: SessionLike, name: str) -> None:
        """Show scenario ``name`` on the main map and in the editor."""
        if not name or name == self.current:
            return
        self.scenario(name)
        self.current = name
        if self.compare == name:
            others = [n for n in self.names() if n != name]
            self.compare = others[0] if others else name
        self._emit(EVENT_SELECTION)

    def select_site(self: SessionLike, site_id: str) -> None:
        """Choose the site that drive-time maps and catchment views centre on."""
        if site_id == self.selected_site:
            return
        if site_id and site_id not in set(self.sites[schema.SITE_ID].astype(str)):
            raise ScenarioError(f"There is no site {site_id!r} in the sites table.")
        self.selected_site = site_id
        self._emit(EVENT_SITE)

    def drive_time_site(self: SessionLike) -> str:
        """Return the selected site, or the first open site of the current scenario."""
        if self.selected_site:
            return self.selected_site
        sc = self.scenario(self.current) if self.current in self.names() else None
        return sc.open_sites[0] if sc and sc.open_sites else ""

    def set_compare(self: SessionLike, name: str) -> None:
        """Compare the current scenario with ``name``."""
        if name and name != self.compare:
            self.scenario(name)
            self.compare = name
            self._emit(EVENT_SELECTION)

    def set_baseline(self: SessionLike, name: str) -> None:
        """Measure changes against scenario ``name`` (the tables are then out of date)."""
        if name and name != self.baseline:
            self.scenario(name)
            self.baseline = name
            self.report = None
            self._emit(EVENT_SELECTION, EVENT_SCENARIOS)

    def new_scenario(self: SessionLike, name: str = "New scenario") -> Scenario:
        """Add a scenario with every site open and the nearest-site rule, and select it."""
        if self.dataset is None:
            raise ScenarioError("Load sites before creating a scenario.")
        sc = ed.new_scenario(self.sites, name=ed.unique_name(name, self.names()))
        return self._add(sc)

    def duplicate(self: SessionLike, name: str) -> Scenario:
        """Add a copy of ``name`` and select it."""
        sc = self.scenario(name)
        return self._add(replace(sc, name=ed.unique_name(f"{name} (copy)", self.names())))

    def add_scenario(self: SessionLike, scenario: Scenario, *, select: bool = True) -> Scenario:
        """Add ``scenario`` (renamed if its name is taken), e.g. an optimiser's option."""
        sc = replace(scenario, name=ed.unique_name(scenario.name, self.names()))
        if self.dataset is not None:
            sc.check_sites(self.sites[schema.SITE_ID].astype(str))
        return self._add(sc, select=select)

    def _add(self: SessionLike, sc: Scenario, *, select: bool = True) -> Scenario:
        self.scenarios.append(sc)
        if select:
            self.current = sc.name
            if self.compare == sc.name:
                self.compare = next((n for n in self.names() if n != sc.name), sc.name)
        self._changed(EVENT_SELECTION)
        return sc

    def rename(self: SessionLike, old: str, new: str) -> None:
        """Rename a scenario (names stay unique and non-empty)."""
        renamed = ed.rename(self.scenario(old), new, existing=self.names())
        if renamed.name == old:
            return
        self._replace(old, renamed)
        for attr in ("current", "compare", "baseline"):
            if getattr(self, attr) == old:
                setattr(self, attr, renamed.name)
        self._changed(EVENT_SELECTION)

    def delete(self: SessionLike, name: str) -> None:
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
        self._changed(EVENT_SELECTION)

    def update_scenario(self: SessionLike, name: str, scenario: Scenario) -> None:
        """Replace scenario ``name`` by an edited ``scenario`` (which may carry a new name)."""
        if scenario.name != name and scenario.name in self.names():
            raise ScenarioError(f"A scenario called {scenario.name!r} already exists; "
                                "choose another name.")
        if self.dataset is not None:
            scenario.check_sites(self.sites[schema.SITE_ID].astype(str))
        self._replace(name, scenario)
        for attr in ("current", "compare", "baseline"):
            if getattr(self, attr) == name:
                setattr(self, attr, scenario.name)
        self._changed()

    def set_rule(self: SessionLike, name: str, rule: str) -> Scenario:
        """Change the assignment rule of ``name`` (hub rules get default hubs if none)."""
        new = ed.set_rule(self.scenario(name), rule, sites=self.sites)
        self._replace(name, new)
        self._changed()
        return new

    def set_site_open(self: SessionLike, site_id: str, is_open: bool, *, name: str | None = None) -> Scenario:
        """Open or close a site in scenario ``name`` (default: the current one)."""
        name = name or self.current
        new = ed.set_site_open(self.scenario(name), site_id, is_open, sites=self.sites)
        self._replace(name, new)
        self._changed()
        return new

    def set_open_sites(self: SessionLike, site_ids: Iterable[str], *, name: str | None = None) -> Scenario:
        """Open exactly ``site_ids`` in scenario ``name`` (default: the current one)."""
        name = name or self.current
        new = ed.set_open_sites(self.scenario(name), list(site_ids), sites=self.sites)
        self._replace(name, new)
        self._changed()
        return new

    def open_group(self: SessionLike, which: Literal["all", "main"], *, name: str | None = None) -> Scenario:
        """Open every site (``"all"``) or every main centre (``"main"``) in ``name``."""
        name = name or self.current
        new = ed.open_all(self.scenario(name), sites=self.sites, which=which)
        self._replace(name, new)
        self._changed()
        return new

    def set_hub(self: SessionLike, site_id: str, is_hub: bool, *, name: str | None = None) -> Scenario:
        """Make ``site_id`` a hub of its network in ``name`` (default: current), or not."""
        name = name or self.current
        new = ed.set_hub(self.scenario(name), site_id, is_hub, sites=self.sites)
        self._replace(name, new)
        self._changed()
        return new

    def open_scenarios_from(self: SessionLike, items: Iterable[Scenario]) -> None:
        """Replace every scenario by ``items`` (checked against the sites), as if opened."""
        items = list(items)
        if self.dataset is not None:
            for sc in items:
                sc.check_sites(self.sites[schema.SITE_ID].astype(str))
        self._set_scenarios(items, keep_selection=False)
        self._saved = list(self.scenarios)
        self._emit(EVENT_SCENARIOS, EVENT_SELECTION, EVENT_SAVED)

    def read_scenarios(self: SessionLike, path: str | Path) -> list[Scenario]:
        """Read a scenario file checked against the loaded sites (no change to the session)."""
        return scenarios.load_scenarios(path, sites=self.sites if self.dataset is not None else None)

    def open_scenarios(self: SessionLike, path: str | Path, *, mode: str = "replace") -> list[Scenario]:
        """Open a scenario file: ``"replace"`` every scenario, or ``"add"`` its scenarios.

        Added scenarios whose names are taken get a unique name. Returns those added.
        """
        if mode not in ("replace", "add"):
            raise ValueError(f"mode must be 'replace' or 'add', not {mode!r}")
        loaded = self.read_scenarios(path)
        if mode == "replace":
            self.scenario_file = str(path)
            self.open_scenarios_from(loaded)
            return list(self.scenarios)
        added = []
        for sc in loaded:
            sc = replace(sc, name=ed.unique_name(sc.name, self.names()))
            self.scenarios.append(sc)
            added.append(sc)
        self._changed()
        return added

    def save_scenarios(self: SessionLike, path: str | Path | None = None) -> Path:
        """Write the scenarios (TOML) to ``path`` or the current file, and remember it."""
        target = Path(path) if path is not None else (
            Path(self.scenario_file) if self.scenario_file else None)
        if target is None:
            raise ScenarioError("No scenario file yet: choose where to save the scenarios.")
        scenarios.save_scenarios(self.scenarios, target)
        self.scenario_file = str(target)
        self._saved = list(self.scenarios)
        self._emit(EVENT_SAVED)
        return target

    def ordered_for_report(self: SessionLike) -> list[Scenario]:
        """Return the scenarios with the baseline first."""
        base = [s for s in self.scenarios if s.name == self.baseline]
        return base + [s for s in self.scenarios if s.name != self.baseline]
