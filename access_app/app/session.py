"""The Qt-free session: what the user has loaded and chosen, and what came of it.

One :class:`Session` holds the data (areas, sites, boundaries), the road network, the
travel-time matrix, the scenarios and the selection (current, compare, baseline), the
results and the equity report, and whether the scenarios changed since they were saved.
Its methods are the user's verbs; each is implemented by the same core steps the command
line runs (:mod:`access_app.core.pipeline`), so no front end repeats an analysis step.

Listeners are plain callables registered with :meth:`Session.subscribe`; they receive
the names of what changed (the ``EVENT_*`` constants). The desktop window mirrors the
session and keeps no state of its own; tests drive the session without Qt.

Long verbs come in two halves so a front end can run the slow half on a worker thread:
``plan_*`` takes a snapshot and returns a task ``task(progress, cancelled) -> result``
that never touches the session, and ``commit_*`` applies the result (on the thread that
owns the session). ``load``, ``add_site``, ``evaluate`` and ``export`` do both at once for
scripts and tests.

The verbs of four concerns live in their own modules and are mixed into the session:
the scenarios and the selection (:mod:`.scenario_verbs`), suggesting hubs (:mod:`.hubs`),
sensitivity sweeps (:mod:`.sweeps`) and exports with the board report (:mod:`.exports`);
what they use of the session is the protocol in
:mod:`.parts`. Event names and task types are in :mod:`.events`, the records handed from
plan to commit (:class:`Loaded`, :class:`Evaluation`) and :class:`NetworkChoice` in
:mod:`.records`; all are importable from here.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd

from access_app.core import io, pipeline, scenarios, schema, tables
from access_app.core.errors import DataError, ScenarioError
from access_app.core.matrix import TravelTimeMatrix
from access_app.core.progress import CancelFn, ProgressFn, check_cancelled, report, scaled
from access_app.core.scenarios import Scenario, ScenarioResult
from access_app.core.scenarios import editing as ed

from .events import (
    EVENT_ASSIGNED,
    EVENT_DATA,
    EVENT_RESULTS,
    EVENT_SAVED,
    EVENT_SCENARIOS,
    EVENT_SELECTION,
    EVENT_SITE,
    EVENT_SWEEP,
    Listener,
    Task,
    never,
    nothing,
    own_crs,
)
from .exports import ExportVerbs
from .hubs import HubVerbs
from .records import DEFAULT_NETWORK_LABEL, Evaluation, Loaded, NetworkChoice, new_site_row
from .scenario_verbs import ScenarioVerbs
from .sweeps import SweepVerbs

log = logging.getLogger(__name__)

@dataclass
class Session(ScenarioVerbs, HubVerbs, SweepVerbs, ExportVerbs):
    """Hold what the user has loaded and chosen, and the results; emit what changes.

    Parameters
    ----------
    cache_dir
        Cache folder for networks and matrices (default :func:`pipeline.user_cache_dir`).
    model
        Speed model and routing parameters, a
        :class:`~access_app.core.model_settings.ModelSettings` (``None``: the defaults).
    """

    cache_dir: Path | None = None
    model: Any = None
    dataset: pipeline.Dataset | None = None
    network: Any = None
    network_choice: NetworkChoice = field(default_factory=NetworkChoice)
    matrix: TravelTimeMatrix | None = None
    scenarios: list[Scenario] = field(default_factory=list)
    current: str = ""
    compare: str = ""
    baseline: str = ""
    scenario_file: str = ""
    report: tables.EquityReport | None = None
    selected_site: str = ""
    distances: Any = None
    report_options: tables.ReportOptions | None = None
    _tables: tables.TableCache = field(default_factory=tables.TableCache, repr=False)
    sweep: Any = None
    postcodes_file: str = ""
    _saved: list[Scenario] = field(default_factory=list, repr=False)
    _results: dict[str, ScenarioResult] = field(default_factory=dict, repr=False)
    _listeners: list[Listener] = field(default_factory=list, repr=False)
    _sweep_basis: dict[str, Scenario] = field(default_factory=dict, repr=False)
    _sweep_matrix: Any = field(default=None, repr=False)

    # ------------------------------------------------------------ listeners

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(events)`` after every change; return a function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, *events: str) -> None:
        what = frozenset(events)
        for listener in list(self._listeners):
            listener(what)

    # ----------------------------------------------------------------- data

    @property
    def graph(self) -> Any:
        """Return the road network (kept for callers that name it the graph)."""
        return self.network

    @property
    def network_label(self) -> str:
        """Return how the road network in use is named."""
        return self.network_choice.label

    @property
    def areas(self) -> gpd.GeoDataFrame:
        """Return the areas table (empty before data is loaded)."""
        return self.dataset.areas if self.dataset is not None else gpd.GeoDataFrame()

    @property
    def sites(self) -> gpd.GeoDataFrame:
        """Return the sites table (empty before data is loaded)."""
        return self.dataset.sites if self.dataset is not None else gpd.GeoDataFrame()

    def ready(self) -> bool:
        """Return True when data and a matrix are loaded, so scenarios can be applied."""
        return self.dataset is not None and self.matrix is not None

    def networks(self) -> list[str]:
        """Return the sorted network names of sites and areas."""
        names: set[str] = set()
        for table in (self.sites, self.areas):
            if schema.NETWORK in table.columns:
                names.update(str(v) for v in table[schema.NETWORK].dropna().unique())
        return sorted(names)

    def site_network(self, site_id: str) -> str | None:
        """Return the network of ``site_id`` (``None`` if it has none)."""
        return ed.site_network(self.sites, site_id)

    def postcodes(self) -> Any:
        """Return the Code-Point Open look-up chosen by the user, or ``None``."""
        path = self.postcodes_file
        if path and Path(path).is_file():
            from access_app.core.postcodes import CodePointOpen

            return CodePointOpen(Path(path))
        return None

    def set_postcodes_file(self, path: str | Path) -> None:
        """Use the OS Code-Point Open zip at ``path`` to place sites and areas by postcode."""
        p = Path(path)
        if not p.is_file():
            raise DataError(f"Postcode file {p} does not exist: choose the Code-Point Open zip.")
        self.postcodes_file = str(p)

    def unreachable_note(self) -> str:
        """Return a sentence on areas and sites the network cannot reach ("" if none)."""
        if self.matrix is None or self.dataset is None or not len(self.matrix.unreachable):
            return ""
        lost = self.matrix.unreachable
        n_areas = int((lost["kind"] == "area").sum())
        n_sites = int((lost["kind"] == "site").sum())
        return (f"{n_areas:,} of {len(self.areas):,} areas and {n_sites:,} of "
                f"{len(self.sites):,} sites cannot be reached over this road network "
                "(shown grey on the map).")

    # ----------------------------------------------------------- loading

    def plan_load(
        self,
        *,
        table: tuple[str, Path, Any] | None = None,
        network: NetworkChoice | None = None,
        reroute: bool = False,
        scenario_file: str | None = None,
    ) -> Task:
        """Return a task that loads data and/or a network and computes the matrix.

        Parameters
        ----------
        table
            ``(kind, path, mapping)`` to replace the areas or the sites; ``kind`` is
            ``"areas"`` or ``"sites"``, ``mapping`` a :class:`ColumnMapping` or ``None``.
        network
            A new road network; with neither, the embedded default data and network load
            when nothing is loaded yet, and otherwise the matrix is recomputed if ``reroute``.
        reroute
            Recompute the matrix over the current network (e.g. after new speeds).
        scenario_file
            Scenario file to open with the first data (e.g. the last one used); a file
            that no longer fits falls back to the default scenarios, with a note.
        """
        base = self.dataset
        current_network = self.network
        choice = network or self.network_choice
        if table is not None and choice.matrix_path is not None:
            raise DataError("The travel times were imported from a file, which has no times for "
                            "a new table: load a road network (or the default) first, or import "
                            "a matrix made for the new areas and sites.")
        new_network = network is not None or current_network is None
        scenarios_now = tuple(self.scenarios)
        cache_dir, model = self.cache_dir, self.model
        postcodes = self.postcodes()
        if table is not None and base is None:
            raise DataError("Wait until the default data has loaded, then load your file.")

        def task(progress: ProgressFn, cancelled: CancelFn) -> Loaded:
            report(progress, 0.0, "Loading the data")
            if base is None:
                ds = pipeline.load_default_dataset()
            elif table is not None:
                kind, path, mapping = table
                ds = pipeline.with_table(base, kind, path, mapping=mapping, postcodes=postcodes)
            else:
                ds = base
            check_cancelled(cancelled)
            if choice.matrix_path is not None:
                from access_app.core import matrix_io

                matrix = matrix_io.read_matrix(
                    choice.matrix_path, area_ids=ds.areas[schema.AREA_ID].astype(str).to_numpy(),
                    site_ids=ds.sites[schema.SITE_ID].astype(str).to_numpy(),
                    progress=scaled(progress, 0.05, 1.0), cancelled=cancelled)
                fitted, used_file, notes = ed.scenarios_for_sites(
                    scenarios_now, ds.sites, saved_file=scenario_file if not scenarios_now else None)
                return Loaded(ds, None, choice, matrix, scenarios=fitted, scenario_file=used_file,
                              notes=notes)
            net = current_network
            if new_network:
                net = choice.load(own_crs(ds.areas), cache_dir=cache_dir, model=model,
                                  progress=scaled(progress, 0.05, 0.4), cancelled=cancelled)
            elif not (reroute or table is not None):
                raise DataError("Nothing to load: choose a file, a network or Recompute.")
            check_cancelled(cancelled)
            # No extent check here, unlike the one-shot CLI run: in the app a planner may
            # load a regional network before the regional areas; areas the network cannot
            # reach are reported (unreachable_note) and shown grey.
            params = getattr(model, "routing_params", None)
            matrix = pipeline.compute_matrix(ds, net, cache_dir=cache_dir, params=params,
                                             progress=scaled(progress, 0.4, 0.9),
                                             cancelled=cancelled)
            ds = pipeline.with_ferry_areas(ds, net)  # via_ferry for the tables and map tooltips
            distances = pipeline.compute_distances(ds, net, cache_dir=cache_dir, params=params,
                                                   progress=scaled(progress, 0.9, 1.0),
                                                   cancelled=cancelled)
            fitted, used_file, notes = ed.scenarios_for_sites(
                scenarios_now, ds.sites, saved_file=scenario_file if not scenarios_now else None)
            if table is not None:  # e.g. the sites given an ODN by their location
                notes = (*notes, *ds.warnings)
            return Loaded(ds, net, choice, matrix, scenarios=fitted, scenario_file=used_file,
                          notes=notes, distances=distances)

        return task

    def commit_load(self, loaded: Loaded) -> tuple[str, ...]:
        """Use what a load task produced; return its notes for the status bar."""
        self.dataset = loaded.dataset
        self.network = loaded.network
        self.network_choice = loaded.network_choice
        self.matrix = loaded.matrix
        self.distances = loaded.distances
        self._results.clear()
        self.report = None
        events = [EVENT_DATA]
        if loaded.scenarios is not None:
            first = not self.scenarios
            self._set_scenarios(list(loaded.scenarios), keep_selection=False)
            if loaded.scenario_file is not None:
                self.scenario_file = loaded.scenario_file
            if first:
                self._saved = list(self.scenarios)
            events += [EVENT_SCENARIOS, EVENT_SELECTION, EVENT_SAVED]
        self._emit(*events)
        return loaded.notes

    def load(self, *, progress: ProgressFn | None = None, cancelled: CancelFn | None = None,
             **plan: Any) -> tuple[str, ...]:
        """Load at once (see :meth:`plan_load` for the options); return the notes."""
        task = self.plan_load(**plan)
        return self.commit_load(task(progress or nothing, cancelled or never))

    def use(self, dataset: pipeline.Dataset, network: Any, matrix: TravelTimeMatrix, *,
            network_choice: NetworkChoice | None = None,
            scenario_file: str | None = None) -> tuple[str, ...]:
        """Use data, network and matrix computed elsewhere (e.g. once for many tests).

        ``scenario_file`` is opened with the first data, as in :meth:`plan_load`. The road
        distances along the same routes are computed here (read from the disk cache when
        unchanged) unless there is no network.
        """
        fitted, used_file, notes = ed.scenarios_for_sites(
            tuple(self.scenarios), dataset.sites,
            saved_file=scenario_file if not self.scenarios else None)
        distances = None if network is None else pipeline.compute_distances(
            dataset, network, cache_dir=self.cache_dir,
            params=getattr(self.model, "routing_params", None))
        return self.commit_load(Loaded(dataset, network, network_choice or NetworkChoice(),
                                       matrix, scenarios=fitted, scenario_file=used_file,
                                       notes=notes, distances=distances))

    # ---------------------------------------------------------- adding sites

    def plan_networks(self, source: str) -> Task:
        """Return a task placing every area and site in the ODNs (``"odn"``) or regions.

        The travel times do not change; scenarios whose hubs name networks that no longer
        exist are replaced by the defaults for the new networks (with a note).
        """
        if not self.ready() or self.dataset is None or self.matrix is None:
            raise DataError("Wait until the data has loaded, then choose the networks.")
        base, net, choice, matrix = self.dataset, self.network, self.network_choice, self.matrix
        distances, scenarios_now = self.distances, tuple(self.scenarios)

        def task(progress: ProgressFn, cancelled: CancelFn) -> Loaded:
            label = "the 9 regions" if source == "regions" else "the 11 ODNs"
            report(progress, 0.0, f"Placing areas and sites in {label}")
            ds = pipeline.with_network_source(base, source)  # type: ignore[arg-type]
            names = {str(n) for n in ds.sites[schema.NETWORK].dropna()}
            stale = [sc.name for sc in scenarios_now
                     if sc.rule == "hub_per_network" and set(sc.hubs) - names]
            fitted: tuple[Scenario, ...] | None = None
            notes: tuple[str, ...] = ()
            if stale:
                fitted = tuple(scenarios.default_scenarios(ds.sites))
                notes = (f"Scenarios {', '.join(stale)} named hubs by the old networks; the "
                         f"default scenarios were made for {label}.",)
            return Loaded(ds, net, choice, matrix, scenarios=fitted, scenario_file="" if fitted
                          else None, notes=notes, distances=distances)

        return task

    def plan_add_site(self, values: dict[str, Any], *,
                      location: tuple[float, float] | None = None) -> Task:
        """Return a task placing a new site and routing to it.

        ``values`` holds ``site_name``, ``network``, ``linacs``, ``site_type`` and
        ``postcode``; ``location`` is ``(lat, lon)`` in WGS84, else the postcode places it.
        """
        if not self.ready() or self.dataset is None:
            raise DataError("Wait until travel times are computed, then add sites.")
        postcodes = self.postcodes()
        if location is None and postcodes is None:
            raise DataError(
                "Choose the OS Code-Point Open zip first (File > Choose postcode file…) to place "
                "sites by postcode, or add the site by clicking the map.")
        if self.network is None:
            raise DataError("The travel times were imported from a file, so there is no road "
                            "network to route a new site over: add its times to the matrix file "
                            "and import it again, or load a road network first.")
        base, net, choice = self.dataset, self.network, self.network_choice
        cache_dir, model = self.cache_dir, self.model
        site_id = io.unique_site_id(str(values["site_name"]), self.sites[schema.SITE_ID].astype(str))

        def task(progress: ProgressFn, cancelled: CancelFn) -> Loaded:
            report(progress, 0.0, f"Placing {values['site_name']}")
            row = new_site_row(values, site_id=site_id, location=location,
                                postcodes=postcodes, crs=base.sites.crs)
            ds = pipeline.with_sites_added(base, row)
            params = getattr(model, "routing_params", None)
            matrix = pipeline.compute_matrix(ds, net, cache_dir=cache_dir, params=params,
                                             progress=scaled(progress, 0.05, 0.9),
                                             cancelled=cancelled)
            distances = pipeline.compute_distances(ds, net, cache_dir=cache_dir, params=params,
                                                   progress=scaled(progress, 0.9, 1.0),
                                                   cancelled=cancelled)
            return Loaded(ds, net, choice, matrix, notes=(site_id,), distances=distances)

        return task

    def commit_add_site(self, loaded: Loaded) -> str:
        """Use the new sites and matrix, open the new site in the current scenario; return its id."""
        site_id = loaded.notes[0]
        self.commit_load(replace(loaded, notes=()))
        if self.current:
            self.set_site_open(site_id, True)
        return site_id

    def add_site(self, values: dict[str, Any], *, location: tuple[float, float] | None = None,
                 progress: ProgressFn | None = None) -> str:
        """Add a site at once and open it in the current scenario; return its id."""
        task = self.plan_add_site(values, location=location)
        return self.commit_add_site(task(progress or nothing, never))

    def set_site_network(self, site_id: str, network: str) -> None:
        """Move a site to another network; hubs that named it under the old one move too."""
        if self.dataset is None:
            raise DataError("Load sites first.")
        sites, moved = ed.move_site_to_network(self.sites, self.scenarios, site_id, network)
        self.dataset = replace(self.dataset, sites=sites)
        self.scenarios = moved
        self._results.clear()
        self._emit(EVENT_DATA, EVENT_SCENARIOS)

    def export_matrix(self, path: str | Path) -> Path:
        """Write the full areas x sites matrix (area id, site id, minutes) as CSV or Parquet."""
        if self.matrix is None:
            raise DataError("There are no travel times yet.")
        from access_app.core import matrix_io

        return matrix_io.write_matrix(self.matrix, path)

    def save_sites(self, path: str | Path) -> Path:
        """Write the sites, with any added or edited, as a CSV that opens again."""
        if self.dataset is None:
            raise DataError("There are no sites to save yet.")
        return pipeline.write_sites_csv(self.sites, Path(path))

    # -------------------------------------------------------------- results

    def result(self, name: str) -> ScenarioResult:
        """Return the result of scenario ``name``, computing it from the matrix if needed."""
        if not self.ready() or self.dataset is None or self.matrix is None:
            raise ScenarioError("No travel times yet: load data and compute the matrix first.")
        sc = self.scenario(name)
        cached = self._results.get(name)
        if cached is not None and cached.scenario == sc:
            return cached
        res = scenarios.assign(self.areas, self.sites, self.matrix, sc)
        self._results[name] = res
        return res

    @property
    def results(self) -> dict[str, ScenarioResult]:
        """Return the results that match the scenarios as they are now."""
        valid = {}
        for sc in self.scenarios:
            res = self._results.get(sc.name)
            if res is not None and res.scenario == sc:
                valid[sc.name] = res
        return valid

    def is_evaluated(self) -> bool:
        """Return True when results and tables show every scenario as it is now."""
        return self.report is not None and len(self.results) == len(self.scenarios)

    def plan_assign(self) -> Task:
        """Return a task applying the scenarios that have no valid result yet (no tables).

        Applying a scenario to the matrix takes a fraction of a second, the tables longer:
        a front end can show the maps from these results while the tables are built.
        """
        if not self.ready() or self.dataset is None or self.matrix is None:
            raise ScenarioError("No travel times yet: load data and compute the matrix first.")
        todo = [sc for sc in self.scenarios if sc.name not in self.results]
        areas, sites, matrix = self.areas, self.sites, self.matrix

        def task(progress: ProgressFn, cancelled: CancelFn) -> dict[str, ScenarioResult]:
            out = {}
            for i, sc in enumerate(todo):
                report(progress, i / max(1, len(todo)), f"Applying {sc.name}")
                out[sc.name] = scenarios.assign(areas, sites, matrix, sc)
                check_cancelled(cancelled)
            return out

        return task

    def commit_assignments(self, results: dict[str, ScenarioResult]) -> bool:
        """Keep results that still match their scenarios; return whether every one has one."""
        for name, res in results.items():
            if name in self.names() and res.scenario == self.scenario(name):
                self._results[name] = res
        complete = len(self.results) == len(self.scenarios)
        if complete:
            self._emit(EVENT_ASSIGNED)
        return complete

    def plan_evaluate(self) -> Task:
        """Return a task applying every scenario (reusing valid results) and building tables."""
        if not self.ready() or self.dataset is None or self.matrix is None:
            raise ScenarioError("No travel times yet: load data and compute the matrix first.")
        ordered = tuple(self.ordered_for_report())
        baseline = self.baseline or ordered[0].name
        dataset, matrix, cached = self.dataset, self.matrix, self.results
        distances, options, table_cache = self.distances, self.report_options, self._tables

        def task(progress: ProgressFn, cancelled: CancelFn) -> Evaluation:
            results, rep = pipeline.evaluate_scenarios(
                dataset, matrix, ordered, baseline=baseline, cached=cached,
                distances=distances, options=options, table_cache=table_cache,
                progress=progress, cancelled=cancelled)
            return Evaluation(results, rep, ordered, baseline, matrix)

        return task

    def commit_evaluation(self, ev: Evaluation) -> bool:
        """Keep an evaluation if it still matches the scenarios; return whether it was kept."""
        if (ev.matrix is not self.matrix or ev.baseline != (self.baseline or ev.baseline)
                or list(ev.scenarios) != self.ordered_for_report()):
            for name, res in ev.results.items():
                if name in self.names() and res.scenario == self.scenario(name):
                    self._results[name] = res
            return False
        self._results.update(ev.results)
        self.report = ev.report
        self._emit(EVENT_RESULTS)
        return True

    def evaluate(self, *, progress: ProgressFn | None = None,
                 cancelled: CancelFn | None = None) -> tables.EquityReport:
        """Apply every scenario and build the equity tables at once; return the report."""
        ev = self.plan_evaluate()(progress or nothing, cancelled or never)
        self.commit_evaluation(ev)
        return ev.report

    def headline(self, name: str) -> str:
        """Return the one-line headline numbers of scenario ``name`` ("" before results)."""
        if self.report is None:
            return ""
        text = pipeline.headline(self.report.summary, name)
        band = self.interval(name) if text else None
        if band is not None:
            text = re.sub(r"(mean [0-9.,]+ min)", rf"\1 (5–95%: {band[0]:.1f}–{band[1]:.1f})", text, count=1)
        return text

    def map_frame(self, name: str, *, against: str | None = None) -> gpd.GeoDataFrame:
        """Return the areas with the result columns the map builders read.

        ``minutes`` and ``site_name`` of scenario ``name``; with ``against``, also
        ``baseline_minutes`` and ``change`` (``name`` minus ``against``).
        """
        from access_app import maps

        if self.dataset is None:
            raise DataError("Nothing is loaded yet.")
        res = self.results.get(name) or self.result(name)
        if against is None:
            return maps.scenario_areas(self.areas, self.sites, res)
        other = self.results.get(against) or self.result(against)
        return maps.change_areas(self.areas, self.sites, res, other)



__all__ = [
    "DEFAULT_NETWORK_LABEL",
    "EVENT_ASSIGNED",
    "EVENT_DATA",
    "EVENT_RESULTS",
    "EVENT_SAVED",
    "EVENT_SCENARIOS",
    "EVENT_SELECTION",
    "EVENT_SITE",
    "EVENT_SWEEP",
    "Evaluation",
    "Loaded",
    "NetworkChoice",
    "Session",
    "own_crs",
]
