"""What the session's parts (:mod:`.scenario_verbs`, :mod:`.hubs`, :mod:`.sweeps`, :mod:`.exports`) use.

Each part is a mixin of :class:`~access_app.app.session.Session`; its methods take
``self: SessionLike`` so that the type checker knows the state and the verbs they read,
and checks that the session provides them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd

from access_app.core import pipeline, tables
from access_app.core.matrix import TravelTimeMatrix
from access_app.core.scenarios import Scenario, ScenarioResult

from .events import Task


class SessionLike(Protocol):
    """The session's state and verbs that its parts use."""

    cache_dir: Path | None
    model: Any
    dataset: pipeline.Dataset | None
    network: Any
    matrix: TravelTimeMatrix | None
    scenarios: list[Scenario]
    current: str
    compare: str
    baseline: str
    selected_site: str
    scenario_file: str
    report: tables.EquityReport | None
    sweep: Any
    _results: dict[str, ScenarioResult]
    _saved: list[Scenario]
    _sweep_basis: dict[str, Scenario]
    _sweep_matrix: Any

    @property
    def network_label(self) -> str: ...  # noqa: D102

    @property
    def areas(self) -> gpd.GeoDataFrame: ...  # noqa: D102

    @property
    def sites(self) -> gpd.GeoDataFrame: ...  # noqa: D102

    def ready(self) -> bool: ...  # noqa: D102

    def names(self) -> list[str]: ...  # noqa: D102

    def scenario(self, name: str) -> Scenario: ...  # noqa: D102

    def ordered_for_report(self) -> list[Scenario]: ...  # noqa: D102

    def add_scenario(self, scenario: Scenario, *, select: bool = True) -> Scenario: ...  # noqa: D102

    def rename(self, old: str, new: str) -> None: ...  # noqa: D102

    def sweep_is_current(self) -> bool: ...  # noqa: D102

    def metadata(self) -> dict[str, str]: ...  # noqa: D102

    def plan_export(self, folder: Path, *, extra: Sequence[Task] = ()) -> Task: ...  # noqa: D102

    def read_scenarios(self, path: str | Path) -> list[Scenario]: ...  # noqa: D102

    def open_scenarios_from(self, items: Iterable[Scenario]) -> None: ...  # noqa: D102

    def _emit(self, *events: str) -> None: ...

    def _add(self, sc: Scenario, *, select: bool = True) -> Scenario: ...

    def _set_scenarios(self, items: list[Scenario], *, keep_selection: bool) -> None: ...

    def _replace(self, name: str, new: Scenario) -> Scenario: ...

    def _changed(self, *extra: str) -> None: ...
