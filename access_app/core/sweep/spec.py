"""The sweep definition: uncertain parameters, scenarios to compare, draws and seed (TOML).

A sweep file (format in ``docs/sweeps.md``) is read by :func:`load_spec` into a frozen
:class:`SweepSpec`. Every error names the file and the key at fault, e.g.
``sweep.toml, parameter 'motorway': low = 1.2 must be below high = 1.1``.

Parameter kinds and what their value means
------------------------------------------
``speed``
    Multiplier on the car speed of every edge of ``road_class`` (or ``"all"``) in the
    ``setting`` ``"urban"``, ``"rural"`` or ``"both"``; the edge time is divided by it.
``congestion``
    Factor on every road edge's travel time, relative to the network as built (the default
    speed model is built with factor 1.0).
``access``
    Value of a :class:`~access_app.core.routing.RoutingParams` field that shapes the access
    legs: ``detour_factor``, ``access_speed_urban_kmh`` or ``access_speed_rural_kmh``.
``ferry``
    Factor on the travel time of ferry edges (edge attribute ``ferry`` = route id) of
    ``route`` (or ``"all"``): crossing, half the headway and check-in together.
``fractions``
    Visits per course for ``scenarios`` (all when left out); rounded to a whole number.
``incidence``
    With ``group_by`` (``"imd_quintile"`` or ``"urban_rural"``) and ``group``: relative
    incidence, a factor on the demand of the areas of that group. Without ``group_by``:
    the rate per 100,000 applied to every scenario's demand column.
``network``
    The network that ``site`` belongs to, one of ``networks`` (list the current network
    first); it changes which sites the ``within_network`` rule offers each area.

Distributions: ``uniform`` (``low``, ``high``), ``triangular`` (``low``, ``mode``,
``high``), ``normal`` (``mean``, ``sd``; values are clipped to ``low``/``high`` when those
are given), ``choice`` (``values``, optional ``weights``) and ``fixed`` (``value``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ScenarioError
from .conclusions import parse_expression

FORMAT_VERSION = 1
MODES = ("monte_carlo", "one_at_a_time")
KINDS = ("speed", "congestion", "access", "ferry", "fractions", "incidence", "network")
DISTRIBUTIONS = ("uniform", "triangular", "normal", "choice", "fixed")
ACCESS_FIELDS = ("detour_factor", "access_speed_urban_kmh", "access_speed_rural_kmh")
ACCESS_DEFAULTS = {"detour_factor": 1.3, "access_speed_urban_kmh": 24.0, "access_speed_rural_kmh": 40.0}
SETTINGS = ("urban", "rural", "both")
INCIDENCE_GROUPS = ("imd_quintile", "urban_rural")
#: Kinds whose change means the network must be searched again.
ROUTING_KINDS = frozenset({"speed", "congestion", "access", "ferry"})
#: 5% and 95% points of the standard normal, for one-at-a-time runs of normal parameters.
Z95 = 1.6448536269514722

_TOP_KEYS = {
    "format_version", "mode", "draws", "seed", "scenarios", "baseline", "scenario_file",
    "network_file", "parameter", "conclusion", "tornado",
}
_PARAM_KEYS = {
    "name", "kind", "distribution", "low", "high", "mode", "mean", "sd", "values", "weights",
    "value", "base", "road_class", "setting", "field", "route", "scenarios", "group_by", "group",
    "site", "networks",
}


@dataclass(frozen=True)
class Parameter:
    """One uncertain input of the model and the distribution it is drawn from.

    Attributes
    ----------
    name
        Unique label used in the tables and charts.
    kind
        One of :data:`KINDS` (see the module docstring).
    distribution
        One of :data:`DISTRIBUTIONS`.
    args
        The distribution's numbers: ``low``, ``high``, ``mode``, ``mean``, ``sd``, ``value``.
    values, weights
        The options of a ``choice`` (numbers or, for ``network``, names) and their weights.
    base
        Value in the base case; ``None`` = leave the model's own value (fractions, rate).
    target
        What the parameter applies to: ``road_class``, ``setting``, ``field``, ``route``,
        ``scenarios``, ``group_by``, ``group``, ``site``.
    """

    name: str
    kind: str
    distribution: str
    args: Mapping[str, float] = field(default_factory=dict)
    values: tuple[Any, ...] = ()
    weights: tuple[float, ...] = ()
    base: Any = None
    target: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reroutes(self) -> bool:
        """Return whether a change of this parameter needs a new network search."""
        return self.kind in ROUTING_KINDS

    def low_high(self) -> tuple[Any, Any]:
        """Return the values of a one-at-a-time run: ``low``/``high``, 5%/95% or first/last."""
        a = self.args
        if self.distribution == "choice":
            if self.kind == "network":
                return self.values[0], self.values[-1]
            return self._cast(self.values[0]), self._cast(self.values[-1])
        if self.distribution == "fixed":
            return a["value"], a["value"]
        if self.distribution == "normal" and ("low" not in a or "high" not in a):
            lo = a.get("low", a["mean"] - Z95 * a["sd"])
            hi = a.get("high", a["mean"] + Z95 * a["sd"])
            return self._cast(lo), self._cast(hi)
        return self._cast(a["low"]), self._cast(a["high"])

    def _cast(self, v: float) -> Any:
        return int(round(v)) if self.kind == "fractions" else float(v)


@dataclass(frozen=True)
class Conclusion:
    """A statement tested in every draw, e.g. ``"Centralised".q1_mean_min > 30``."""

    name: str
    expression: str


@dataclass(frozen=True)
class SweepSpec:
    """A whole sweep definition (see ``docs/sweeps.md``).

    Attributes
    ----------
    parameters
        Uncertain inputs, in file order.
    mode
        ``"monte_carlo"`` or ``"one_at_a_time"``.
    draws
        Number of Monte Carlo draws (one-at-a-time runs ``1 + 2 x parameters`` cases).
    seed
        Seed of every random draw.
    scenarios
        Names of the scenarios to compare (empty = all).
    baseline
        Scenario the differences are taken against (the first compared when ``None``).
    scenario_file, network_file
        Optional files (resolved against the spec's folder); defaults when ``None``.
    conclusions
        Statements whose share of draws is reported.
    tornado_scenario, tornado_measure, tornado_difference
        What the tornado chart shows: a measure of a scenario, or its difference from the
        baseline.
    source
        The file read (for messages).
    """

    parameters: tuple[Parameter, ...]
    mode: str = "monte_carlo"
    draws: int = 100
    seed: int = 0
    scenarios: tuple[str, ...] = ()
    baseline: str | None = None
    scenario_file: Path | None = None
    network_file: Path | None = None
    conclusions: tuple[Conclusion, ...] = ()
    tornado_scenario: str | None = None
    tornado_measure: str = "mean_min"
    tornado_difference: bool = False
    source: str = "sweep spec"

    def parameter(self, name: str) -> Parameter:
        """Return the parameter called ``name`` (``KeyError`` if none)."""
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)


def _num(where: str, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ScenarioError(f"{where}: {key} = {value!r} must be a number.")
    return float(value)


def _str_list(where: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ScenarioError(f"{where}: {key} must be a list of names (strings).")
    return tuple(value)


def _default_name(entry: Mapping[str, Any]) -> str:
    kind = str(entry.get("kind", "?"))
    bits = [kind]
    for key in ("road_class", "setting", "field", "route", "group_by", "group", "site"):
        if key in entry and not (key == "setting" and entry[key] == "both"):
            bits.append(str(entry[key]))
    return " ".join(bits)


def _parse_parameter(entry: Any, where: str) -> Parameter:  # noqa: C901 - one check per key
    if not isinstance(entry, dict):
        raise ScenarioError(f"{where}: each [[parameter]] must be a table.")
    extra = sorted(set(entry) - _PARAM_KEYS)
    if extra:
        raise ScenarioError(f"{where}: unknown keys {extra}; allowed: {', '.join(sorted(_PARAM_KEYS))}.")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise ScenarioError(f"{where}: kind = {kind!r} is not one of {', '.join(KINDS)}.")
    name = entry.get("name", _default_name(entry))
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(f"{where}: name = {name!r} must be a non-empty string.")
    where = f"{where.rsplit(',', 1)[0]}, parameter {name!r}"
    target: dict[str, Any] = {}
    if kind == "speed":
        rc = entry.get("road_class")
        if not isinstance(rc, str) or not rc:
            raise ScenarioError(f"{where}: road_class must name a road class (e.g. \"motorway\") or \"all\".")
        setting = entry.get("setting", "both")
        if setting not in SETTINGS:
            raise ScenarioError(f"{where}: setting = {setting!r} is not one of {', '.join(SETTINGS)}.")
        target = {"road_class": rc, "setting": setting}
    elif kind == "access":
        fld = entry.get("field")
        if fld not in ACCESS_FIELDS:
            raise ScenarioError(f"{where}: field = {fld!r} is not one of {', '.join(ACCESS_FIELDS)}.")
        target = {"field": fld}
    elif kind == "ferry":
        route = entry.get("route", "all")
        if not isinstance(route, str) or not route:
            raise ScenarioError(f"{where}: route must be a ferry route id or \"all\".")
        target = {"route": route}
    elif kind == "fractions":
        chosen = _str_list(where, "scenarios", entry["scenarios"]) if "scenarios" in entry else ()
        target = {"scenarios": chosen}
    elif kind == "incidence":
        gb = entry.get("group_by")
        if gb is not None:
            if gb not in INCIDENCE_GROUPS:
                raise ScenarioError(
                    f"{where}: group_by = {gb!r} is not one of {', '.join(INCIDENCE_GROUPS)}."
                )
            if "group" not in entry:
                raise ScenarioError(f"{where}: group_by needs a group (e.g. group = 1 or \"Rural\").")
            grp = entry["group"]
            if gb == "imd_quintile" and (isinstance(grp, bool) or grp not in (1, 2, 3, 4, 5)):
                raise ScenarioError(f"{where}: group = {grp!r} must be an IMD quintile 1..5.")
            if gb == "urban_rural" and grp not in ("Urban", "Rural"):
                raise ScenarioError(f"{where}: group = {grp!r} must be \"Urban\" or \"Rural\".")
            target = {"group_by": gb, "group": grp}
        else:
            target = {"group_by": None}
    elif kind == "network":
        site = entry.get("site")
        if not isinstance(site, str) or not site:
            raise ScenarioError(f"{where}: site must be a site id.")
        nets = entry.get("networks")
        if not isinstance(nets, list) or len(nets) < 2 or not all(isinstance(n, str) for n in nets):
            raise ScenarioError(
                f"{where}: networks must list at least two network names, the current one first."
            )
        target = {"site": site}
    dist = entry.get("distribution", "choice" if kind == "network" else None)
    if dist not in DISTRIBUTIONS:
        raise ScenarioError(f"{where}: distribution = {dist!r} is not one of {', '.join(DISTRIBUTIONS)}.")
    if kind == "network" and dist != "choice":
        raise ScenarioError(f"{where}: a network parameter is a choice among its networks.")
    args: dict[str, float] = {}
    values: tuple[Any, ...] = ()
    weights: tuple[float, ...] = ()
    needed = {"uniform": ("low", "high"), "triangular": ("low", "mode", "high"),
              "normal": ("mean", "sd"), "fixed": ("value",), "choice": ()}[dist]
    for key in needed:
        if key not in entry:
            raise ScenarioError(
                f"{where}: a {dist} distribution needs {', '.join(needed)}; {key} is missing."
            )
    for key in ("low", "high", "mode", "mean", "sd", "value"):
        if key in entry and kind != "network":
            args[key] = _num(where, key, entry[key])
    if dist in ("uniform", "triangular") and not args["low"] < args["high"]:
        raise ScenarioError(f"{where}: low = {args['low']:g} must be below high = {args['high']:g}.")
    if dist == "triangular" and not args["low"] <= args["mode"] <= args["high"]:
        raise ScenarioError(f"{where}: mode = {args['mode']:g} must lie between low and high.")
    if dist == "normal" and not args["sd"] > 0:
        raise ScenarioError(f"{where}: sd = {args['sd']:g} must be > 0.")
    if dist == "normal" and "low" in args and "high" in args and not args["low"] < args["high"]:
        raise ScenarioError(f"{where}: low = {args['low']:g} must be below high = {args['high']:g}.")
    if dist == "choice":
        raw = entry.get("networks") if kind == "network" else entry.get("values")
        if kind == "network" and "values" in entry:
            raise ScenarioError(f"{where}: list the options as networks, not values.")
        if not isinstance(raw, list) or not raw:
            raise ScenarioError(f"{where}: a choice needs a non-empty list of values.")
        if kind != "network":
            values = tuple(_num(where, "values", v) for v in raw)
        else:
            values = tuple(raw)
        if "weights" in entry:
            w = entry["weights"]
            if not isinstance(w, list) or len(w) != len(values):
                raise ScenarioError(f"{where}: weights must be a list as long as the values ({len(values)}).")
            weights = tuple(_num(where, "weights", x) for x in w)
            if any(x < 0 for x in weights) or sum(weights) <= 0:
                raise ScenarioError(f"{where}: weights must be >= 0 and not all zero.")
    base = entry.get("base")
    if base is None:
        base = {"access": ACCESS_DEFAULTS.get(target.get("field", ""))}.get(kind, 1.0)
        if kind in ("fractions",) or (kind == "incidence" and target.get("group_by") is None):
            base = None
        if kind == "network":
            base = values[0]
    elif kind == "network":
        if base not in values:
            raise ScenarioError(f"{where}: base = {base!r} is not one of the networks.")
    else:
        base = _num(where, "base", base)
    if kind == "fractions":
        for v in (*values, *(args[k] for k in ("low", "high", "value") if k in args)):
            if round(v) < 1:
                raise ScenarioError(f"{where}: fractions must be at least 1, got {v:g}.")
    elif kind != "network":
        positive = [*values, *(args[k] for k in ("low", "high", "mode", "value", "mean") if k in args)]
        if any(v <= 0 for v in positive):
            raise ScenarioError(f"{where}: {kind} values must be > 0.")
    return Parameter(name=name, kind=kind, distribution=dist, args=args, values=values,
                     weights=weights, base=base, target=target)


def parse_spec(
    doc: Mapping[str, Any], *, source: str = "sweep spec", folder: Path | None = None
) -> SweepSpec:
    """Return the :class:`SweepSpec` of a parsed TOML document.

    Parameters
    ----------
    doc
        The TOML document as a mapping.
    source
        Name of the file, used in messages.
    folder
        Folder against which ``scenario_file`` and ``network_file`` are resolved.

    Raises
    ------
    ScenarioError
        Naming ``source`` and the key at fault.
    """
    extra = sorted(set(doc) - _TOP_KEYS)
    if extra:
        raise ScenarioError(
            f"{source}: unknown top-level keys {extra}; allowed: {', '.join(sorted(_TOP_KEYS))}."
        )
    version = doc.get("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise ScenarioError(f"{source}: format_version = {version!r} is not supported (expected 1).")
    mode = doc.get("mode", "monte_carlo")
    if mode not in MODES:
        raise ScenarioError(f"{source}: mode = {mode!r} is not one of {', '.join(MODES)}.")
    draws = doc.get("draws", 100)
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ScenarioError(f"{source}: draws = {draws!r} must be a whole number >= 1.")
    seed = doc.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ScenarioError(f"{source}: seed = {seed!r} must be a whole number >= 0.")
    names = _str_list(source, "scenarios", doc["scenarios"]) if "scenarios" in doc else ()
    baseline = doc.get("baseline")
    if baseline is not None and not isinstance(baseline, str):
        raise ScenarioError(f"{source}: baseline = {baseline!r} must be a scenario name.")
    if baseline is not None and names and baseline not in names:
        raise ScenarioError(f"{source}: baseline = {baseline!r} is not among scenarios {list(names)}.")
    files: dict[str, Path | None] = {}
    for key in ("scenario_file", "network_file"):
        value = doc.get(key)
        if value is not None and not isinstance(value, str):
            raise ScenarioError(f"{source}: {key} = {value!r} must be a path (string).")
        files[key] = None if value is None else (folder / value if folder and not Path(value).is_absolute()
                                                  else Path(value))
    raw_params = doc.get("parameter", [])
    if not isinstance(raw_params, list) or not raw_params:
        raise ScenarioError(f"{source}: no [[parameter]] tables; a sweep needs at least one parameter.")
    params = tuple(_parse_parameter(e, f"{source}, parameter #{i}") for i, e in enumerate(raw_params, 1))
    seen: set[str] = set()
    for p in params:
        if p.name in seen:
            raise ScenarioError(f"{source}: two parameters are called {p.name!r}; give each a unique name.")
        seen.add(p.name)
    conclusions = []
    for i, entry in enumerate(doc.get("conclusion", []), 1):
        if not isinstance(entry, dict) or not isinstance(entry.get("expression"), str):
            raise ScenarioError(f"{source}, conclusion #{i}: needs expression = \"...\" (a string).")
        cname = entry.get("name", entry["expression"])
        try:
            parse_expression(entry["expression"])
        except ScenarioError as exc:
            raise ScenarioError(f"{source}, conclusion {cname!r}: {exc}") from exc
        conclusions.append(Conclusion(name=str(cname), expression=entry["expression"]))
    tornado = doc.get("tornado", {})
    if not isinstance(tornado, dict) or sorted(set(tornado) - {"scenario", "measure", "difference"}):
        raise ScenarioError(f"{source}: [tornado] takes scenario, measure and difference only.")
    from .tasks import MEASURES

    measure = tornado.get("measure", "mean_min")
    if measure not in MEASURES:
        raise ScenarioError(f"{source}: tornado measure = {measure!r} is not one of {', '.join(MEASURES)}.")
    return SweepSpec(
        parameters=params, mode=mode, draws=draws, seed=seed, scenarios=names, baseline=baseline,
        scenario_file=files["scenario_file"], network_file=files["network_file"],
        conclusions=tuple(conclusions), tornado_scenario=tornado.get("scenario"),
        tornado_measure=measure, tornado_difference=bool(tornado.get("difference", False)), source=source,
    )


def load_spec(path: str | Path) -> SweepSpec:
    """Read a sweep definition from a TOML file.

    Raises
    ------
    ScenarioError
        If the file is missing, not TOML, or a key is wrong (the message names both).
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ScenarioError(f"Sweep file {path} does not exist.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"Sweep file {path} is not valid TOML: {exc}.") from exc
    except OSError as exc:
        raise ScenarioError(f"Sweep file {path} cannot be read: {exc}.") from exc
    return parse_spec(doc, source=str(path), folder=path.parent)
