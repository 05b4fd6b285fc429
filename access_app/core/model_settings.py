"""The model a user can set: car speeds (:class:`SpeedModel`) and routing parameters.

:func:`load_model` reads a ``[model]`` table from a TOML file (a model file of its own, or
the scenarios file, which may carry one beside its ``[[scenario]]`` tables);
:func:`save_model` writes one. Every key, its default and its source are in
``docs/model.md``. Keys left out keep their defaults; ``[model.speeds_kmh]`` changes only
the road classes it lists. Unknown keys and bad values are refused with a
:class:`~access_app.core.errors.DataError` naming the file and the key.

Format::

    format_version = 1

    [model]
    congestion_factor = 1.0       # multiplies every travel time
    use_maxspeed = true           # OSM maxspeed caps the class speed
    fallback_kmh = [25.0, 40.0]   # (urban, rural) for classes not listed

    [model.speeds_kmh]            # (urban, rural) km/h per road class
    motorway = [80.0, 100.0]

    [model.routing]               # how points join the network
    detour_factor = 1.3
    access_speed_urban_kmh = 24.0
    access_speed_rural_kmh = 40.0
    site_access = "urban"
    k_nearest = 4
    max_snap_m = 20000.0
    island_min_gap_m = 2000.0
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import AccessAppError, DataError
from .limits import read_toml
from .routing import RoutingParams
from .speeds import DEFAULT_SPEEDS_KMH, SpeedModel

FORMAT_VERSION = 1

_SPEED_KEYS = ("congestion_factor", "use_maxspeed", "fallback_kmh", "speeds_kmh")
_ROUTING_KEYS = tuple(f.name for f in dataclasses.fields(RoutingParams))
_MODEL_KEYS = (*_SPEED_KEYS, "routing")


@dataclass(frozen=True)
class ModelSettings:
    """The speed model and routing parameters of one analysis, and where they came from.

    Attributes
    ----------
    speed_model
        Speeds per road class, maxspeed use, congestion factor.
    routing_params
        How areas and sites join the network.
    source
        The file they were read from, or ``"defaults"``.
    """

    speed_model: SpeedModel = field(default_factory=SpeedModel)
    routing_params: RoutingParams = field(default_factory=RoutingParams)
    source: str = "defaults"

    def describe(self) -> dict[str, str]:
        """Return the settings as text for the exports' metadata."""
        return {"Speed model": self.speed_model.fingerprint(), "Routing": repr(self.routing_params),
                "Model settings": self.source}


def _read(path: Path) -> dict[str, Any]:
    return read_toml(path, what="Model file", error=DataError)


def _number(value: Any, where: str, *, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        kind = "a whole number" if integer else "a number"
        raise DataError(f"{where} = {value!r} must be {kind}.")
    if integer and not isinstance(value, int):
        raise DataError(f"{where} = {value!r} must be a whole number.")
    if not math.isfinite(value):
        raise DataError(f"{where} = {value!r} must be finite.")
    return value


def _pair(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise DataError(f"{where} = {value!r} must be [urban, rural] km/h, e.g. [35.0, 70.0].")
    urban, rural = (float(_number(v, where)) for v in value)
    if urban <= 0 or rural <= 0:
        raise DataError(f"{where} = {value!r}: speeds must be above 0 km/h.")
    return urban, rural


def _unknown(table: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
    extra = sorted(set(table) - set(allowed))
    if extra:
        raise DataError(f"{where}: unknown keys {extra}; allowed keys are {', '.join(allowed)}.")


def model_from_table(table: Mapping[str, Any], *, source: str) -> ModelSettings:
    """Return the :class:`ModelSettings` of a parsed ``[model]`` table.

    Parameters
    ----------
    table
        The table's contents (as :mod:`tomllib` parses them).
    source
        The file, for messages and :attr:`ModelSettings.source`.
    """
    where = f"{source}, [model]"
    if not isinstance(table, Mapping):
        raise DataError(f"{source}: 'model' must be a table ([model]).")
    _unknown(table, _MODEL_KEYS, where)
    speed: dict[str, Any] = {}
    if "congestion_factor" in table:
        value = _number(table["congestion_factor"], f"{where} congestion_factor")
        if value <= 0:
            raise DataError(f"{where} congestion_factor = {value!r} must be above 0 (1.0 = no change).")
        speed["congestion_factor"] = float(value)
    if "use_maxspeed" in table:
        if not isinstance(table["use_maxspeed"], bool):
            raise DataError(f"{where} use_maxspeed = {table['use_maxspeed']!r} must be true or false.")
        speed["use_maxspeed"] = table["use_maxspeed"]
    if "fallback_kmh" in table:
        speed["fallback_kmh"] = _pair(table["fallback_kmh"], f"{where} fallback_kmh")
    if "speeds_kmh" in table:
        classes = table["speeds_kmh"]
        cwhere = f"{source}, [model.speeds_kmh]"
        if not isinstance(classes, Mapping):
            raise DataError(f"{where} speeds_kmh must be a table of class = [urban, rural].")
        _unknown(classes, tuple(DEFAULT_SPEEDS_KMH), cwhere)
        merged = dict(DEFAULT_SPEEDS_KMH)
        for cls, pair in classes.items():
            merged[cls] = _pair(pair, f"{cwhere} {cls}")
        speed["speeds_kmh"] = merged
    routing: dict[str, Any] = {}
    if "routing" in table:
        rt = table["routing"]
        rwhere = f"{source}, [model.routing]"
        if not isinstance(rt, Mapping):
            raise DataError(f"{where} routing must be a table ([model.routing]).")
        _unknown(rt, _ROUTING_KEYS, rwhere)
        defaults = RoutingParams()
        for key, value in rt.items():
            default = getattr(defaults, key)
            if isinstance(default, str):
                if not isinstance(value, str):
                    raise DataError(f"{rwhere} {key} = {value!r} must be text.")
                routing[key] = value
            elif isinstance(default, int):
                routing[key] = int(_number(value, f"{rwhere} {key}", integer=True))
            else:
                routing[key] = float(_number(value, f"{rwhere} {key}"))
    try:
        speed_model = SpeedModel(**speed)
        params = RoutingParams(**routing)
    except AccessAppError as exc:  # the models' own range checks
        raise DataError(f"{where}: {exc}.") from exc
    return ModelSettings(speed_model=speed_model, routing_params=params, source=source)


def read_model_table(path: str | Path) -> ModelSettings | None:
    """Return the settings of the ``[model]`` table of a TOML file, or None if it has none.

    The file may be a model file or a scenarios file (its ``[[scenario]]`` tables are
    left to :func:`access_app.core.scenarios.load_scenarios`).
    """
    p = Path(path)
    doc = _read(p)
    version = doc.get("format_version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise DataError(f"{p}: format_version = {version!r} is not supported (expected {FORMAT_VERSION}).")
    _unknown(doc, ("format_version", "model", "scenario"), str(p))
    if "model" not in doc:
        return None
    return model_from_table(doc["model"], source=str(p))


def load_model(path: str | Path) -> ModelSettings:
    """Read the speed model and routing parameters from the ``[model]`` table of a file.

    Raises
    ------
    DataError
        If the file is missing, not TOML, has no ``[model]`` table, or a key is unknown or
        its value bad (the message names the file and the key).
    """
    found = read_model_table(path)
    if found is None:
        raise DataError(
            f"{path}: no [model] table. Write one with 'access-app-cli model --out FILE' "
            "(see docs/model.md)."
        )
    return found


def model_to_table(settings: ModelSettings) -> dict[str, Any]:
    """Return the ``[model]`` table of ``settings`` (every key, so a file documents itself)."""
    sm, rp = settings.speed_model, settings.routing_params
    return {
        "congestion_factor": float(sm.congestion_factor),
        "use_maxspeed": bool(sm.use_maxspeed),
        "fallback_kmh": [float(v) for v in sm.fallback_kmh],
        "speeds_kmh": {k: [float(v) for v in pair] for k, pair in sm.speeds_kmh.items()},
        "routing": dataclasses.asdict(rp),
    }


def save_model(settings: ModelSettings, path: str | Path) -> Path:
    """Write ``settings`` as a model TOML file (atomically) and return the path.

    Raises
    ------
    DataError
        If the speed table has classes a model file cannot hold (only the classes of
        :data:`~access_app.core.speeds.DEFAULT_SPEEDS_KMH` can be set in a file).
    """
    from .atomic import atomic_write_text

    extra = sorted(set(settings.speed_model.speeds_kmh) - set(DEFAULT_SPEEDS_KMH))
    if extra:
        raise DataError(f"Road classes {extra} cannot be saved in a model file; "
                        f"use the classes {', '.join(DEFAULT_SPEEDS_KMH)}.")
    table = model_to_table(settings)
    lines = [
        "# Access App model settings: car speeds and routing parameters.",
        "# Every key, its default and its source: docs/model.md.",
        "",
        f"format_version = {FORMAT_VERSION}",
        "",
        "[model]",
        *(f"{k} = {_toml_value(table[k])}" for k in ("congestion_factor", "use_maxspeed", "fallback_kmh")),
        "",
        "[model.speeds_kmh]  # [urban, rural] km/h",
        *(f"{k} = {_toml_value(v)}" for k, v in table["speeds_kmh"].items()),
        "",
        "[model.routing]",
        *(f"{k} = {_toml_value(v)}" for k, v in table["routing"].items()),
        "",
    ]
    text = "\n".join(lines)
    back = model_from_table(tomllib.loads(text)["model"], source=str(path))
    if (back.speed_model.fingerprint() != settings.speed_model.fingerprint()
            or back.routing_params != settings.routing_params):
        raise DataError(f"Model settings cannot be written to {path} exactly; this is a bug.")
    p = Path(path)
    atomic_write_text(p, text, encoding="utf-8")
    return p


def _toml_value(value: Any) -> str:
    """Return ``value`` (bool, number, text or a list of them) as TOML, on one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")
