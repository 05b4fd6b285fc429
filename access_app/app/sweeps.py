"""The session's sweep verbs: run a sensitivity sweep, keep it, read its intervals and bands."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from access_app.core.errors import DataError
from access_app.core.progress import CancelFn, ProgressFn, scaled

from .events import EVENT_SWEEP, Task
from .parts import SessionLike

log = logging.getLogger(__name__)


class SweepVerbs:
    """Run sensitivity sweeps on the loaded data and answer for the scenarios as they are.

    A part of :class:`~access_app.app.session.Session`; its methods use the session's
    data, scenarios and results.
    """

    def plan_sweep(self: SessionLike, spec_path: str | Path, *, executor: str = "dask",
                   scheduler: str | None = None, workers: int | None = None) -> Task:
        """Return a task running the sensitivity sweep defined in ``spec_path`` on the loaded data.

        The spec is read now (a bad file is refused before anything runs). The task computes
        the base matrix (from the cache when the routing parameters are unchanged) and the
        sweep inputs from the loaded data, road network, scenarios and the model's routing
        parameters, then evaluates every draw (:func:`access_app.core.sweep.run.run_sweep`
        with ``executor``, ``scheduler`` and ``workers``); it returns the ``SweepRun``.
        The spec's ``scenario_file`` and ``network_file`` are not read: the app sweeps
        the scenarios and network it has loaded.

        Raises
        ------
        DataError
            Before data is loaded, or when the travel times were imported (no road network
            to re-route).
        ScenarioError
            If the spec file is missing or wrong (the message names the file and key).
        """
        from access_app.core.sweep import run as sweep_run
        from access_app.core.sweep import spec as sweep_spec

        if self.dataset is None or self.matrix is None:
            raise DataError("Nothing is loaded yet: load the data before running a sweep.")
        if self.network is None:
            raise DataError(
                f"A sweep re-routes over a road network, but the travel times were imported "
                f"({self.network_label}). Open a road network (File > Open road network…) or "
                "use the embedded one to run a sweep.")
        if executor not in sweep_run.EXECUTORS:
            raise ValueError(f"executor must be one of {sweep_run.EXECUTORS}, not {executor!r}")
        sp = sweep_spec.load_spec(spec_path)
        if sp.scenario_file is not None or sp.network_file is not None:
            log.info("%s: scenario_file / network_file are ignored in the app; the loaded "
                     "scenarios and network are swept", sp.source)
        dataset, network, available = self.dataset, self.network, tuple(self.scenarios)
        params, cache_dir = getattr(self.model, "routing_params", None), self.cache_dir

        def task(progress: ProgressFn, cancelled: CancelFn) -> Any:
            inputs = sweep_run.prepare_sweep(sp, dataset, network, available, params=params,
                                             cache_dir=cache_dir, progress=scaled(progress, 0.0, 0.1),
                                             cancelled=cancelled)
            return sweep_run.run_sweep(inputs, sp, executor=executor, scheduler=scheduler or None,
                                       workers=workers, progress=scaled(progress, 0.1, 1.0),
                                       cancelled=cancelled)

        return task

    def commit_sweep(self: SessionLike, run: Any) -> None:
        """Keep a finished sweep (a ``SweepRun``) and tell the listeners (``EVENT_SWEEP``).

        Its intervals belong to the scenarios as they are now and to this matrix: a scenario
        edited later, or new travel times, shows no interval until the sweep is run again.
        """
        self.sweep = run
        names = set(self.names())
        self._sweep_basis = {n: self.scenario(n) for n in run.scenario_names if n in names}
        self._sweep_matrix = self.matrix
        self._emit(EVENT_SWEEP)

    def sweep_is_current(self: SessionLike) -> bool:
        """Return True if a sweep exists for the travel times and scenarios as they are now."""
        if self.sweep is None or self._sweep_matrix is not self.matrix:
            return False
        return all(n in self.names() and self.scenario(n) == sc
                   for n, sc in self._sweep_basis.items())

    def sweep_bands(self: SessionLike) -> Any:
        """Return the reach curves' 5-95% bands of the sweep (``None`` without a current sweep).

        A frame of scenario, minutes, median, p5, p95, base (shares 0..1) of the scenarios
        still as they were swept (:func:`access_app.core.sweep.results.reach_bands`).
        """
        if self.sweep is None or self._sweep_matrix is not self.matrix:
            return None
        from access_app.core.sweep import results as sweep_results

        bands = sweep_results.reach_bands(self.sweep)
        fresh = [n for n, sc in self._sweep_basis.items() if n in self.names() and self.scenario(n) == sc]
        return bands[bands["scenario"].isin(fresh)].reset_index(drop=True)

    def interval(self: SessionLike, scenario: str, measure: str = "mean_min") -> tuple[float, float] | None:
        """Return the 5% and 95% points of ``measure`` of ``scenario`` over the sweep's draws.

        ``None`` without a sweep, for a scenario it did not compare or that changed since,
        after new travel times, or when no draw gave a value.
        """
        if (self.sweep is None or self._sweep_matrix is not self.matrix
                or scenario not in self._sweep_basis or scenario not in self.names()
                or self.scenario(scenario) != self._sweep_basis[scenario]):
            return None
        from access_app.core.sweep import results as sweep_results

        table = sweep_results.summary_table(self.sweep, measures=(measure,))
        row = table[(table["kind"] == "scenario") & (table["scenario"] == scenario)]
        if row.empty or not row["n"].iloc[0]:
            return None
        return float(row["p5"].iloc[0]), float(row["p95"].iloc[0])

