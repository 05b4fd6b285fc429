"""Scenarios: which sites treat a service, how areas are assigned to them, and the demand.

A :class:`Scenario` is a small frozen definition that can be saved to and loaded from a
human-readable TOML file (:func:`save_scenarios`, :func:`load_scenarios`; the format is
described in ``docs/scenarios.md``). :func:`assign` applies it to a travel-time matrix and
returns a :class:`ScenarioResult` with, for every area, the site it is sent to, the minutes
of the one-way journey and the demand it carries.

Assignment rules
----------------
``nearest``
    Each area goes to its nearest open site.
``within_network``
    Each area goes to the nearest open site whose ``network`` equals the area's ``network``.
    Areas of a network that has no open site are *unreachable* (reason given), not an error:
    a planner may close every site of one network on purpose and must see who is left out.
``hub_per_network``
    Each area goes to the nearest hub its network names in :attr:`Scenario.hubs`. Areas of
    a network with no hub are unreachable (reason given).
``hub_anywhere``
    Each area goes to the nearest hub of any network.

Ties (two candidate sites at exactly the same minutes) go to the site that comes first in
the travel-time matrix's column order, so results are reproducible.

Modules
-------
- :mod:`.model`: :class:`Scenario`, :class:`ScenarioResult`.
- :mod:`.rules`: the assignment rules as a table of :class:`Rule` objects
  (:func:`register_rule`) and :func:`choose_sites`, their array core.
- :mod:`.assignment`: :func:`area_demand`, :func:`assign`, :func:`assign_all`.
- :mod:`.defaults`: :func:`default_scenarios`, :func:`centralised_hubs`, :func:`main_sites`.
- :mod:`.editing`: edits as pure functions (open/close sites, hubs, rule, names) and the
  policies around them (:func:`~.editing.initial_scenarios`).
- :mod:`.toml`: :func:`save_scenarios`, :func:`load_scenarios`, :func:`scenario_to_dict`.
"""

from . import editing
from .assignment import area_demand, assign, assign_all
from .defaults import centralised_hubs, default_scenarios, main_site_ids, main_sites
from .model import COMMON_SERVICE, DEFAULT_SERVICE, Scenario, ScenarioResult, check_unique_names
from .rules import (
    HUB_RULES,
    RULE_LABELS,
    RULES,
    Rule,
    RuleInput,
    choose_sites,
    get_rule,
    register_rule,
    unregister_rule,
)
from .toml import FORMAT_VERSION, OPEN_SITE_KEYWORDS, load_scenarios, save_scenarios, scenario_to_dict

__all__ = [
    "COMMON_SERVICE",
    "DEFAULT_SERVICE",
    "FORMAT_VERSION",
    "HUB_RULES",
    "OPEN_SITE_KEYWORDS",
    "RULES",
    "RULE_LABELS",
    "Rule",
    "RuleInput",
    "Scenario",
    "ScenarioResult",
    "area_demand",
    "assign",
    "assign_all",
    "centralised_hubs",
    "check_unique_names",
    "choose_sites",
    "default_scenarios",
    "get_rule",
    "editing",
    "load_scenarios",
    "main_site_ids",
    "main_sites",
    "register_rule",
    "save_scenarios",
    "scenario_to_dict",
    "unregister_rule",
]
