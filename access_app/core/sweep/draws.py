"""Deterministic parameter values for every draw of a sweep.

Monte Carlo: the value of parameter ``p`` (its position in the file) in draw ``i`` comes
from ``numpy.random.default_rng(SeedSequence(seed, spawn_key=(i, p)))``, the same stream
that ``SeedSequence(seed).spawn`` would hand to child ``i`` and grandchild ``p``. A value
therefore depends only on the seed, the draw index and the parameter's position: not on
which process, worker or machine computes it, nor on how many draws run, and adding a
parameter at the end of the file leaves the earlier parameters' values unchanged.

One-at-a-time: case 0 is the base case (every parameter at its ``base``), then for each
parameter in file order a ``low`` and a ``high`` case with the others at base.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .spec import Parameter, SweepSpec


@dataclass(frozen=True)
class Draw:
    """One set of parameter values to evaluate.

    Attributes
    ----------
    index
        Position of the draw (0-based).
    case
        ``"draw"`` (Monte Carlo), ``"base"``, or ``"<parameter> low|high"``.
    values
        Parameter name -> value (``None`` = the model's own value).
    """

    index: int
    case: str
    values: dict[str, Any]


def draw_value(param: Parameter, rng: np.random.Generator) -> Any:
    """Return one value of ``param`` drawn with ``rng``."""
    a = param.args
    d = param.distribution
    if d == "fixed":
        value: Any = a["value"]
    elif d == "uniform":
        value = rng.uniform(a["low"], a["high"])
    elif d == "triangular":
        value = rng.triangular(a["low"], a["mode"], a["high"])
    elif d == "normal":
        value = float(np.clip(rng.normal(a["mean"], a["sd"]), a.get("low", -np.inf), a.get("high", np.inf)))
    else:
        w = np.asarray(param.weights or [1.0] * len(param.values), dtype=float)
        value = param.values[int(rng.choice(len(param.values), p=w / w.sum()))]
    if param.kind == "network":
        return str(value)
    if param.kind == "fractions":
        return int(round(float(value)))
    return float(value)


def monte_carlo_draw(spec: SweepSpec, index: int) -> Draw:
    """Return draw ``index`` of a Monte Carlo sweep (see the module docstring)."""
    values = {}
    for pos, p in enumerate(spec.parameters):
        rng = np.random.default_rng(np.random.SeedSequence(spec.seed, spawn_key=(index, pos)))
        values[p.name] = draw_value(p, rng)
    return Draw(index=index, case="draw", values=values)


def base_values(spec: SweepSpec) -> dict[str, Any]:
    """Return every parameter at its base value."""
    return {p.name: p.base for p in spec.parameters}


def one_at_a_time_draws(spec: SweepSpec) -> list[Draw]:
    """Return the base case then a low and a high case per parameter."""
    base = base_values(spec)
    out = [Draw(index=0, case="base", values=dict(base))]
    for p in spec.parameters:
        lo, hi = p.low_high()
        for label, v in (("low", lo), ("high", hi)):
            out.append(Draw(index=len(out), case=f"{p.name} {label}", values={**base, p.name: v}))
    return out


def make_draws(spec: SweepSpec) -> list[Draw]:
    """Return every draw of the sweep, in index order."""
    if spec.mode == "one_at_a_time":
        return one_at_a_time_draws(spec)
    return [monte_carlo_draw(spec, i) for i in range(spec.draws)]
