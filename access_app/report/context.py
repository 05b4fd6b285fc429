"""What a board report says about its inputs besides the tables (:class:`ReportContext`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ReportContext:
    """What the report says about its inputs, apart from the tables.

    Attributes
    ----------
    title
        Heading of the page.
    metadata
        ``label -> text`` from :func:`access_app.core.pipeline.metadata` (road network,
        speed model, routing, sources).
    network_note
        How areas and sites were assigned to networks (with confidence, when known).
    attribution
        Data attribution text.
    scenario_file, scenario_sha256
        The scenario file and its SHA-256 (``None``: the default scenarios).
    command
        The command line that made the report.
    created
        Time stamp (UTC); now when ``None``.
    validation_note
        What is known of the travel times' accuracy (shown under Methods).
    map_scenario
        Scenario mapped against the baseline; the one with the largest mean increase
        when ``None``.
    sweep
        A sensitivity sweep (:class:`access_app.core.sweep.run.SweepRun`) of these
        scenarios, whose conclusions and intervals get their own section; ``None``: none.
    """

    title: str = "Radiotherapy travel and equity: scenario comparison"
    metadata: Mapping[str, str] = field(default_factory=dict)
    network_note: str = ""
    attribution: str = ""
    scenario_file: str | None = None
    scenario_sha256: str | None = None
    command: str = ""
    created: datetime | None = None
    validation_note: str = ""
    map_scenario: str | None = None
    sweep: object = None
