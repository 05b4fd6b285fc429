"""The scenario definition (:class:`Scenario`) and what applying it gives (:class:`ScenarioResult`)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..errors import ScenarioError
from ..limits import MAX_FRACTIONS, MAX_INCIDENCE_PER_100K, control_characters
from .rules import RULES, get_rule

log = logging.getLogger(__name__)


DEFAULT_SERVICE = "Less common cancer radiotherapy"
COMMON_SERVICE = "Common cancer radiotherapy"


def _as_id_tuple(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(v) for v in values)



@dataclass(frozen=True)
class Scenario:
    """Define a service scenario: open sites, assignment rule, demand and course length.

    Attributes
    ----------
    name
        Unique, human-readable name ("Centralised").
    service
        Free text naming the service ("Anal cancer radiotherapy").
    open_sites
        ``site_id`` of every site that treats this service. For the hub rules it may be
        left empty and is then set to the hubs.
    rule
        One of :data:`RULES`.
    hubs
        Network name -> ``site_id`` of the hubs of that network (hub rules only). Every hub
        must be an open site.
    demand
        Column of the areas table that weights each area: ``"population"`` (default),
        ``"pop60plus"`` or any numeric column.
    incidence_per_100k
        Optional rate; if given, demand = column x rate / 100,000 (expected cases a year).
    fractions
        Daily visits per course; time per course = fractions x 2 x one-way minutes.
    description
        Free text shown in exports.
    """

    name: str
    service: str = DEFAULT_SERVICE
    open_sites: tuple[str, ...] = ()
    rule: str = "nearest"
    hubs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    demand: str = schema.POPULATION
    incidence_per_100k: float | None = None
    fractions: int = 20
    description: str = ""

    def __post_init__(self) -> None:
        name = self.name
        if not isinstance(name, str) or not name.strip():
            raise ScenarioError(f"Scenario name {name!r} is empty: give every scenario a name.")

        def bad(field_name: str, value: Any, fix: str) -> ScenarioError:
            return ScenarioError(f"Scenario {name!r}: {field_name} = {value!r} {fix}")

        for field_name in ("name", "service", "description"):
            text = getattr(self, field_name)
            if not isinstance(text, str):
                raise bad(field_name, text, "must be text.")
            codes = control_characters(text, free_text=field_name == "description")
            if codes:
                raise bad(field_name, text, f"holds control characters ({', '.join(codes)}); "
                                            "names must be plain printable text.")

        if not isinstance(self.rule, str) or self.rule not in RULES:
            raise bad("rule", self.rule, f"is not a rule; use one of {', '.join(RULES)}.")
        needs_hubs = get_rule(self.rule).needs_hubs
        if isinstance(self.open_sites, str):
            raise bad("open_sites", self.open_sites, "must be a list of site ids.")
        object.__setattr__(self, "open_sites", _as_id_tuple(self.open_sites))
        if not isinstance(self.hubs, Mapping):
            raise bad("hubs", self.hubs, "must map each network name to a list of site ids.")
        hubs: dict[str, tuple[str, ...]] = {}
        for net, ids in self.hubs.items():
            if isinstance(ids, str):
                ids = (ids,)
            if not isinstance(ids, Iterable):
                raise bad("hubs", dict(self.hubs), "must map each network name to a list of site ids.")
            hubs[str(net)] = _as_id_tuple(ids)
        object.__setattr__(self, "hubs", hubs)
        for label, values in (("open_sites", self.open_sites), ("hubs", [*hubs, *self.hub_sites])):
            for value in values:
                codes = control_characters(value)
                if codes:
                    raise bad(label, value, f"holds control characters ({', '.join(codes)}); "
                                            "site ids and network names must be plain text.")
        if needs_hubs:
            all_hubs = [h for ids in hubs.values() for h in ids]
            if not all_hubs:
                raise bad("hubs", self.hubs, f"is empty but rule {self.rule!r} needs hubs.")
            if not self.open_sites:
                object.__setattr__(self, "open_sites", tuple(dict.fromkeys(all_hubs)))
            closed = [h for h in all_hubs if h not in set(self.open_sites)]
            if closed:
                raise bad("hubs", closed, "are not open sites: add them to open_sites.")
        elif hubs:
            raise bad("hubs", self.hubs, f"are only used by the hub rules, not {self.rule!r}.")
        if not self.open_sites:
            raise bad("open_sites", self.open_sites, "is empty: open at least one site.")
        dupes = sorted({s for s in self.open_sites if self.open_sites.count(s) > 1})
        if dupes:
            raise bad("open_sites", dupes, "are listed more than once.")
        if not isinstance(self.demand, str) or not self.demand:
            raise bad("demand", self.demand, "must name a numeric column of the areas table.")
        if self.incidence_per_100k is not None:
            rate = self.incidence_per_100k
            if isinstance(rate, bool) or not isinstance(rate, int | float):
                raise bad("incidence_per_100k", rate, "must be a number.")
            # Compared before float(): a huge TOML integer would overflow the conversion.
            if not rate > 0:
                raise bad("incidence_per_100k", rate, "must be a positive number or left out.")
            if not rate <= MAX_INCIDENCE_PER_100K:
                raise bad("incidence_per_100k", rate,
                          f"is more than everyone: a rate per 100,000 must be at most "
                          f"{MAX_INCIDENCE_PER_100K:,.0f}.")
            object.__setattr__(self, "incidence_per_100k", float(rate))
        if isinstance(self.fractions, bool) or not isinstance(self.fractions, int | np.integer):
            raise bad("fractions", self.fractions, "must be a whole number of visits (e.g. 20).")
        if self.fractions < 1:
            raise bad("fractions", self.fractions, "must be at least 1.")
        if self.fractions > MAX_FRACTIONS:
            raise bad("fractions", self.fractions,
                      f"must be at most {MAX_FRACTIONS} visits per course (the longest standard "
                      "schedules have about 40; see docs/input_limits.md).")
        object.__setattr__(self, "fractions", int(self.fractions))

    def __hash__(self) -> int:
        return hash(
            (
                self.name,
                self.service,
                self.open_sites,
                self.rule,
                tuple(sorted(self.hubs.items())),
                self.demand,
                self.incidence_per_100k,
                self.fractions,
                self.description,
            )
        )

    @property
    def hub_sites(self) -> tuple[str, ...]:
        """Return every hub once, in the order the networks list them."""
        return tuple(dict.fromkeys(h for ids in self.hubs.values() for h in ids))

    def describe(self) -> str:
        """Return a one-line plain-English description for exports and tooltips."""
        demand = self.demand
        if self.incidence_per_100k is not None:
            demand += f" x {self.incidence_per_100k:g} per 100,000"
        if get_rule(self.rule).needs_hubs:
            sites = f"{len(self.hub_sites)} hubs"
        else:
            sites = f"{len(self.open_sites)} open sites"
        text = (
            f"{self.service}: {sites}, {get_rule(self.rule).label}; demand = {demand}; "
            f"{self.fractions} fractions per course"
        )
        return f"{text}. {self.description}" if self.description else text

    def check_sites(self, site_ids: Iterable[str]) -> None:
        """Raise :class:`ScenarioError` if an open site or hub is not in ``site_ids``."""
        known = set(map(str, site_ids))
        unknown = [s for s in self.open_sites if s not in known]
        if unknown:
            raise ScenarioError(
                f"Scenario {self.name!r}: open_sites {unknown} are not in the sites table; "
                "check the site ids (column site_id)."
            )


@dataclass(frozen=True)
class ScenarioResult:
    """Hold the per-area outcome of one scenario, in the row order of the areas table.

    Attributes
    ----------
    scenario
        The scenario that was applied.
    area_index
        Index of the areas table (so results line up with it).
    area_ids
        ``area_id`` of each area.
    site_index
        Column of the assigned site in ``site_order``; ``-1`` where unreachable.
    site_ids
        ``site_id`` of the assigned site; ``None`` where unreachable.
    minutes
        One-way minutes to the assigned site; ``NaN`` where unreachable.
    demand
        Demand weight of each area (``>= 0``).
    reason
        Why an area is unreachable; ``""`` where reachable.
    site_order
        Site ids in matrix column order.
    """

    scenario: Scenario
    area_index: pd.Index
    area_ids: np.ndarray
    site_index: np.ndarray
    site_ids: np.ndarray
    minutes: np.ndarray
    demand: np.ndarray
    reason: np.ndarray
    site_order: np.ndarray

    @property
    def reachable(self) -> np.ndarray:
        """Return a boolean mask of areas with an assigned site."""
        return self.site_index >= 0

    @property
    def unreachable_demand(self) -> float:
        """Return the demand of areas left without a site."""
        return float(self.demand[~self.reachable].sum())

    def to_frame(self) -> pd.DataFrame:
        """Return one row per area: area_id, site_id, minutes, demand, reason."""
        return pd.DataFrame(
            {
                schema.AREA_ID: self.area_ids,
                schema.SITE_ID: self.site_ids,
                "minutes": self.minutes,
                "demand": self.demand,
                "reason": self.reason,
            },
            index=self.area_index,
        )


def check_unique_names(scenarios: Sequence[Scenario], *, where: str = "") -> None:
    """Raise :class:`ScenarioError` if two scenarios share a name (the one such check).

    Parameters
    ----------
    scenarios
        Scenarios in order.
    where
        Prefix for the message (a file, a scenario), e.g. ``"mine.toml, scenario 'A'"``.
    """
    counts = Counter(s.name for s in scenarios)
    dupes = sorted(n for n, c in counts.items() if c > 1)
    if dupes:
        prefix = f"{where}: " if where else ""
        raise ScenarioError(
            f"{prefix}Scenario names must be unique; repeated: {dupes} (another scenario "
            "already has this name). Rename one of them."
        )

