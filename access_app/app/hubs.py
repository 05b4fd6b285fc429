"""The session's hub verbs: suggest hubs, preview an option, keep it as a scenario."""

from __future__ import annotations

from typing import Any

from access_app.core import schema
from access_app.core.errors import ScenarioError
from access_app.core.progress import CancelFn, ProgressFn, report, scaled
from access_app.core.scenarios import Scenario
from access_app.core.scenarios import editing as ed

from .events import EVENT_SELECTION, Task
from .parts import SessionLike


class HubVerbs:
    """Suggest hubs with the optimiser and show its options as scenarios.

    A part of :class:`~access_app.app.session.Session`; its methods use the session's
    data, scenarios and results.
    """

    def plan_optimise(
        self: SessionLike,
        *,
        p: int,
        objective: Any = None,
        constraints: Any = None,
        national: bool = False,
        candidates: str = "main",
        pareto: str | None = "imd1_mean",
        top_k: int = 5,
        time_limit: float = 60.0,
    ) -> Task:
        """Return a task that suggests hubs (see :func:`access_app.core.optimise.optimise`).

        The problem is built from the loaded areas, sites and matrix; the demand is that
        of the current scenario, and "a longer journey" is measured against the baseline
        scenario's open sites. The task returns an ``OptimiseResult``.
        """
        if not self.ready() or self.dataset is None or self.matrix is None:
            raise ScenarioError("No travel times yet: load data and compute the matrix first.")
        from access_app.core import optimise as opt

        areas, sites, matrix = self.areas, self.sites, self.matrix
        current = self.scenario(self.current) if self.current else None
        base = self.scenario(self.baseline) if self.baseline in self.names() else None
        demand = current.demand if current else schema.POPULATION
        incidence = current.incidence_per_100k if current else None
        baseline_sites = list(base.open_sites) if base else "main"

        def task(progress: ProgressFn, cancelled: CancelFn) -> Any:
            report(progress, 0.0, "Preparing the hub problem")
            problem = opt.from_session_data(areas, sites, matrix, demand=demand,
                                            incidence_per_100k=incidence, candidates=candidates,
                                            baseline_sites=baseline_sites)
            return opt.optimise(problem, p=p, objective=objective, constraints=constraints,
                                national=national, top_k=top_k, pareto=pareto,
                                time_limit=time_limit, progress=scaled(progress, 0.05, 1.0),
                                cancelled=cancelled)

        return task

    def preview_option(self: SessionLike, result: Any, choice: Any = None, *,
                       name: str = "Suggested hubs (preview)") -> Scenario:
        """Show an optimiser option as the current scenario ``name`` (replaced each time)."""
        from access_app.core import optimise as opt

        sc = opt.option_scenario(result, choice, name=name)
        if name in self.names():
            self._replace(name, sc)
            self.current = name
            self._changed(EVENT_SELECTION)
            return sc
        return self.add_scenario(sc)

    def keep_preview(self: SessionLike, name: str = "Suggested hubs (preview)", *, as_name: str) -> Scenario:
        """Keep the previewed option as a scenario called ``as_name`` (made unique)."""
        self.rename(name, ed.unique_name(as_name, self.names()))
        return self.scenario(self.current)

