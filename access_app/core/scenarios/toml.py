"""Scenario files: a human-readable TOML format (described in ``docs/scenarios.md``)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .. import schema
from ..errors import ScenarioError
from ..limits import read_toml
from .defaults import main_sites
from .model import Scenario, _as_id_tuple, check_unique_names
from .rules import RULES

log = logging.getLogger(__name__)


FORMAT_VERSION = 1

#: Values of ``open_sites`` in a TOML file that are resolved against the sites table.
OPEN_SITE_KEYWORDS: dict[str, str] = {"all": "every site", "all main": "every main centre"}



_TOML_KEYS = (
    "name",
    "service",
    "rule",
    "open_sites",
    "hubs",
    "demand",
    "incidence_per_100k",
    "fractions",
    "description",
)



def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Return the TOML-ready mapping of one scenario (``None`` values left out)."""
    out: dict[str, Any] = {
        "name": scenario.name,
        "service": scenario.service,
        "rule": scenario.rule,
        "demand": scenario.demand,
    }
    if scenario.incidence_per_100k is not None:
        out["incidence_per_100k"] = scenario.incidence_per_100k
    out["fractions"] = scenario.fractions
    out["description"] = scenario.description
    out["open_sites"] = list(scenario.open_sites)
    if scenario.hubs:
        out["hubs"] = {k: list(v) for k, v in scenario.hubs.items()}
    return out


def save_scenarios(scenarios: Sequence[Scenario], path: str | Path) -> Path:
    """Write scenarios to a human-readable TOML file, atomically.

    Returns
    -------
    Path
        The file written.
    """
    import tomli_w

    from ..atomic import atomic_write_text

    check_unique_names(scenarios, where=str(path))
    doc = {
        "format_version": FORMAT_VERSION,
        "scenario": [scenario_to_dict(s) for s in scenarios],
    }
    header = (
        "# Access App scenarios (see docs/scenarios.md).\n"
        f"# rule: {' | '.join(RULES)}\n\n"
    )
    path = Path(path)
    atomic_write_text(path, header + tomli_w.dumps(doc), encoding="utf-8")
    return path


def _resolve_open_sites(value: Any, where: str, sites: pd.DataFrame | None) -> tuple[str, ...] | list[Any]:
    if isinstance(value, str):
        key = value.strip().lower()
        if key not in OPEN_SITE_KEYWORDS:
            raise ScenarioError(
                f"{where}: open_sites = {value!r} is not a list of site ids nor one of "
                f"{', '.join(repr(k) for k in OPEN_SITE_KEYWORDS)}."
            )
        if sites is None:
            raise ScenarioError(f"{where}: open_sites = {value!r} needs the sites table to be resolved.")
        chosen = main_sites(sites) if key == "all main" else sites
        return _as_id_tuple(chosen[schema.SITE_ID])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError(f"{where}: open_sites must be a list of site ids (strings).")
    return value


def load_scenarios(
    path: str | Path,
    *,
    site_ids: Iterable[str] | None = None,
    sites: pd.DataFrame | None = None,
) -> list[Scenario]:
    """Read scenarios from a TOML file written by :func:`save_scenarios` or by hand.

    Parameters
    ----------
    path
        The ``.toml`` file.
    site_ids
        If given, every open site and hub must be one of these.
    sites
        If given, ``open_sites = "all"`` / ``"all main"`` are resolved against it and its
        ``site_id`` column is used as ``site_ids``.

    Raises
    ------
    ScenarioError
        Naming the file, the scenario and the key at fault.
    """
    path = Path(path)
    doc = read_toml(path, what="Scenario file", error=ScenarioError)
    version = doc.get("format_version", FORMAT_VERSION)
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise ScenarioError(
            f"{path}: format_version = {version!r} is not supported (expected {FORMAT_VERSION})."
        )
    # a [model] table (speeds, routing) may sit beside the scenarios: see
    # access_app.core.model_settings.read_model_table, which reads and checks it
    unknown_top = sorted(set(doc) - {"format_version", "scenario", "model"})
    if unknown_top:
        raise ScenarioError(
            f"{path}: unknown top-level keys {unknown_top}; scenarios go in [[scenario]] tables "
            "and model settings in a [model] table."
        )
    entries = doc.get("scenario")
    if not isinstance(entries, list) or not entries:
        raise ScenarioError(f"{path}: no [[scenario]] tables found.")
    if sites is not None and site_ids is None:
        site_ids = sites[schema.SITE_ID].astype(str).tolist()
    known = None if site_ids is None else set(map(str, site_ids))
    out: list[Scenario] = []
    for i, entry in enumerate(entries, start=1):
        label = entry.get("name", f"#{i}") if isinstance(entry, dict) else f"#{i}"
        where = f"{path}, scenario {label!r}"
        if not isinstance(entry, dict):
            raise ScenarioError(f"{where}: must be a table.")
        extra = sorted(set(entry) - set(_TOML_KEYS))
        if extra:
            raise ScenarioError(f"{where}: unknown keys {extra}; allowed keys are {', '.join(_TOML_KEYS)}.")
        if "name" not in entry:
            raise ScenarioError(f"{where}: the key 'name' is missing.")
        for key in ("name", "service", "rule", "demand", "description"):
            if key in entry and not isinstance(entry[key], str):
                raise ScenarioError(f"{where}: {key} = {entry[key]!r} must be a string.")
        kwargs = {k: entry[k] for k in _TOML_KEYS if k in entry}
        if "open_sites" in kwargs:
            kwargs["open_sites"] = _resolve_open_sites(kwargs["open_sites"], where, sites)
        if "hubs" in kwargs:
            hubs = kwargs["hubs"]
            if not isinstance(hubs, dict) or not all(
                isinstance(v, list) and all(isinstance(s, str) for s in v) for v in hubs.values()
            ):
                raise ScenarioError(
                    f"{where}: hubs must be a table of network = [site ids], e.g. "
                    '[scenario.hubs] "North East" = ["newcastle-freeman-nccc"].'
                )
        try:
            scenario = Scenario(**kwargs)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: {exc}") from exc
        if known is not None:
            unknown = [s for s in (*scenario.open_sites, *scenario.hub_sites) if s not in known]
            if unknown:
                raise ScenarioError(f"{where}: site ids {sorted(set(unknown))} are not in the sites table.")
        check_unique_names([*out, scenario], where=where)
        out.append(scenario)
    return out
