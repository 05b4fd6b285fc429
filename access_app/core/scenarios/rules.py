"""The assignment rules, as a table of rule objects, and the array core that picks a site.

A rule says which open sites each area may use; :func:`choose_sites` then picks the
fastest allowed one. Each rule is one class with a ``name``, a ``label``, ``needs_hubs``
and an ``assign`` method working on arrays in travel-time-matrix order
(:class:`RuleInput`), registered once with :func:`register_rule`; adding a rule is one
class and one registration, and :func:`access_app.core.scenarios.assign` needs no change.

:data:`RULES`, :data:`RULE_LABELS` and :data:`HUB_RULES` are live views of the registry
(names in registration order, labels by name, names of the rules that need hubs).
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import ClassVar, overload

import numpy as np

from ..errors import ScenarioError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RuleInput:
    """What a rule sees, as arrays in the travel-time matrix's order.

    Attributes
    ----------
    scenario
        Name of the scenario, for messages.
    minutes
        ``(n_areas, n_sites)`` minutes; ``inf``/``NaN`` = no route.
    open_mask
        ``(n_sites,)`` True for the scenario's open sites.
    hubs
        Network name -> columns of its hubs (empty for the non-hub rules).
    area_network
        ``(n_areas,)`` network of each area (``None`` = none), or None if the areas
        table has no ``network`` column.
    site_network
        ``(n_sites,)`` network of each site column (``None`` = none), or None if the
        sites table has no ``network`` column.
    """

    scenario: str
    minutes: np.ndarray
    open_mask: np.ndarray
    hubs: Mapping[str, np.ndarray] = field(default_factory=dict)
    area_network: np.ndarray | None = None
    site_network: np.ndarray | None = None

    @property
    def n_areas(self) -> int:
        """Return the number of areas (rows)."""
        return int(self.minutes.shape[0])

    @property
    def n_sites(self) -> int:
        """Return the number of sites (columns)."""
        return int(self.minutes.shape[1])

    @property
    def hub_mask(self) -> np.ndarray:
        """Return ``(n_sites,)`` True for every hub of any network."""
        mask = np.zeros(self.n_sites, dtype=bool)
        for cols in self.hubs.values():
            mask[np.asarray(cols, dtype=np.intp)] = True
        return mask


class Rule(ABC):
    """An assignment rule: which site each area is sent to.

    Subclasses set the class attributes and implement :meth:`assign`.

    Attributes
    ----------
    name
        Key used in scenarios and TOML files (``"nearest"``).
    label
        Plain-English description ("nearest open site").
    needs_hubs
        True if scenarios with this rule must name hubs (:attr:`Scenario.hubs`).
    needs_area_network, needs_site_network
        True if the areas / sites table must have a ``network`` column.
    no_route_reason
        Reason given to an area that the rule allowed some sites but none has a route.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    needs_hubs: ClassVar[bool] = False
    needs_area_network: ClassVar[bool] = False
    needs_site_network: ClassVar[bool] = False
    no_route_reason: ClassVar[str] = "no road route to any open site"

    @abstractmethod
    def assign(self, data: RuleInput) -> tuple[np.ndarray, np.ndarray]:
        """Return each area's site column (``-1`` = none) and a reason (``""`` = none given).

        Areas left at ``-1`` with an empty reason get :attr:`no_route_reason` (or the
        routing's own reason, such as "on a road island").
        """


def _by_network(
    data: RuleInput, candidates: Mapping[str, np.ndarray], no_site: str
) -> tuple[np.ndarray, np.ndarray]:
    """Assign each area to the fastest of its own network's ``candidates`` columns."""
    assert data.area_network is not None  # checked through needs_area_network
    area_nets = data.area_network
    allowed, group, _ = _network_groups(area_nets, candidates, data.n_sites)
    reasons = np.full(data.n_areas, "", dtype=object)
    orphan = group < 0
    no_net = orphan & np.array([v is None for v in area_nets], dtype=bool)
    reasons[no_net] = "area has no network"
    for net in sorted({str(v) for v in area_nets[orphan & ~no_net]}):
        reasons[orphan & (area_nets == net)] = no_site.format(net)
        log.warning("Scenario %r: %s", data.scenario, no_site.format(net))
    index, _ = choose_sites(data.minutes, allowed, group)
    return index, reasons


def _anywhere(data: RuleInput, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    index, _ = choose_sites(data.minutes, mask[None, :], np.zeros(data.n_areas, dtype=np.intp))
    return index, np.full(data.n_areas, "", dtype=object)


class Nearest(Rule):
    """Each area goes to its nearest open site."""

    name = "nearest"
    label = "nearest open site"

    def assign(self, data: RuleInput) -> tuple[np.ndarray, np.ndarray]:
        """Return the nearest open site of every area."""
        return _anywhere(data, data.open_mask)


class WithinNetwork(Rule):
    """Each area goes to the nearest open site of its own network.

    Areas of a network with no open site are unreachable (reason given), not an error: a
    planner may close every site of one network on purpose and must see who is left out.
    """

    name = "within_network"
    label = "nearest open site in the area's own network"
    needs_area_network = True
    needs_site_network = True
    no_route_reason = "no road route to any open site of its network"

    def assign(self, data: RuleInput) -> tuple[np.ndarray, np.ndarray]:
        """Return the nearest open site of each area's network."""
        assert data.site_network is not None  # checked through needs_site_network
        cands: dict[str, list[int]] = {}
        for col in np.flatnonzero(data.open_mask):
            net = data.site_network[col]
            if net is not None:
                cands.setdefault(str(net), []).append(int(col))
        return _by_network(data, {k: np.array(v) for k, v in cands.items()},
                           "network {} has no open site in this scenario")


class HubPerNetwork(Rule):
    """Each area goes to the nearest hub its network names; no hub = unreachable."""

    name = "hub_per_network"
    label = "nearest hub of the area's own network"
    needs_hubs = True
    needs_area_network = True
    no_route_reason = "no road route to any open site of its network"

    def assign(self, data: RuleInput) -> tuple[np.ndarray, np.ndarray]:
        """Return the nearest hub of each area's network."""
        assert data.area_network is not None
        cands = {net: np.asarray(cols) for net, cols in data.hubs.items() if len(cols)}
        known = {str(v) for v in data.area_network if v is not None}
        for net in sorted(set(cands) - known):
            log.warning("Scenario %r: hubs are named for network %r, which no area belongs to",
                        data.scenario, net)
        return _by_network(data, cands, "network {} has no hub in this scenario")


class HubAnywhere(Rule):
    """Each area goes to the nearest hub of any network."""

    name = "hub_anywhere"
    label = "nearest hub in any network"
    needs_hubs = True

    def assign(self, data: RuleInput) -> tuple[np.ndarray, np.ndarray]:
        """Return the nearest hub of every area."""
        return _anywhere(data, data.hub_mask)


_REGISTRY: dict[str, Rule] = {}


def register_rule(rule: Rule, *, replace: bool = False) -> Rule:
    """Add ``rule`` to the table of rules (by its name) and return it.

    Raises
    ------
    ScenarioError
        If a rule of that name exists and ``replace`` is False.
    """
    if not isinstance(rule, Rule):
        raise TypeError(f"register_rule takes a Rule instance, got {type(rule).__name__}")
    if rule.name in _REGISTRY and not replace:
        raise ScenarioError(f"A rule named {rule.name!r} is already registered.")
    _REGISTRY[rule.name] = rule
    return rule


def unregister_rule(name: str) -> None:
    """Remove a rule from the table (the built-in rules can be removed too; tests restore them)."""
    _REGISTRY.pop(name, None)


def get_rule(name: str) -> Rule:
    """Return the registered rule ``name``.

    Raises
    ------
    ScenarioError
        Naming the known rules.
    """
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ScenarioError(
            f"{name!r} is not a rule; use one of {', '.join(_REGISTRY)}."
        ) from None


class _RuleNames(Sequence[str]):
    """Live tuple-like view of the registered rule names, in registration order."""

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> tuple[str, ...]: ...
    def __getitem__(self, i: int | slice) -> str | tuple[str, ...]:
        return tuple(_REGISTRY)[i]

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, Sequence) else other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))


class _RuleLabels(Mapping[str, str]):
    """Live view: rule name -> label."""

    def __getitem__(self, name: str) -> str:
        return _REGISTRY[name].label

    def __iter__(self) -> Iterator[str]:
        return iter(tuple(_REGISTRY))

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __repr__(self) -> str:
        return repr(dict(self))


class _HubRules(Set[str]):
    """Live view: names of the rules that need hubs."""

    def __contains__(self, name: object) -> bool:
        rule = _REGISTRY.get(name) if isinstance(name, str) else None
        return rule is not None and rule.needs_hubs

    def __iter__(self) -> Iterator[str]:
        return iter([n for n, r in _REGISTRY.items() if r.needs_hubs])

    def __len__(self) -> int:
        return sum(r.needs_hubs for r in _REGISTRY.values())

    def __repr__(self) -> str:
        return repr(frozenset(self))


RULES: Sequence[str] = _RuleNames()
"""Names of the registered rules, in registration order (the built-in four first)."""

RULE_LABELS: Mapping[str, str] = _RuleLabels()
"""Label of every registered rule."""

HUB_RULES: Set[str] = _HubRules()
"""Names of the registered rules that need hubs."""

for _rule in (Nearest(), WithinNetwork(), HubPerNetwork(), HubAnywhere()):
    register_rule(_rule)
del _rule


def choose_sites(
    minutes: np.ndarray, allowed: np.ndarray, group: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Pick, for every row, the fastest allowed column (the array core of :func:`assign`).

    Parameters
    ----------
    minutes
        ``(n_areas, n_sites)`` minutes; ``inf`` or ``NaN`` = unreachable.
    allowed
        ``(n_groups, n_sites)`` boolean: which columns each group may use.
    group
        ``(n_areas,)`` group of each row; ``-1`` = no allowed column.

    Returns
    -------
    index, chosen
        Column of the chosen site (``-1`` if none is reachable) and its minutes (``NaN``).
        Ties go to the lowest column index.
    """
    n = minutes.shape[0]
    index = np.full(n, -1, dtype=np.intp)
    chosen = np.full(n, np.nan)
    if n == 0 or minutes.shape[1] == 0:
        return index, chosen
    has_group = group >= 0
    rows = np.flatnonzero(has_group)
    if allowed.shape[0] == 1:
        cols = np.flatnonzero(allowed[0])
        if cols.size == 0:
            return index, chosen
        cost = minutes[np.ix_(rows, cols)] if rows.size < n else minutes[:, cols]
        local = np.argmin(np.where(np.isnan(cost), np.inf, cost), axis=1)
        best = cost[np.arange(rows.size), local]
        pick = cols[local]
    else:
        cost = np.where(allowed[group[rows]], minutes[rows], np.inf)
        cost[np.isnan(cost)] = np.inf
        pick = np.argmin(cost, axis=1)
        best = cost[np.arange(rows.size), pick]
    ok = np.isfinite(best)
    index[rows[ok]] = pick[ok]
    chosen[rows[ok]] = best[ok]
    return index, chosen



def _network_groups(
    area_networks: np.ndarray, candidates: Mapping[str, np.ndarray], n_sites: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    names = sorted(candidates)
    allowed = np.zeros((max(len(names), 1), n_sites), dtype=bool)
    for i, net in enumerate(names):
        allowed[i, candidates[net]] = True
    lookup = {net: i for i, net in enumerate(names)}
    group = np.array([lookup.get(n, -1) for n in area_networks], dtype=np.intp)
    return allowed, group, names
