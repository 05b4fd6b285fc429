"""Set urban flags, speeds and travel times on the edges of a road graph."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import networkx as nx

from ..speeds import SpeedModel

log = logging.getLogger(__name__)


def set_travel_times(
    G: nx.MultiDiGraph,
    speed_model: SpeedModel,
    *,
    urban: Callable[[dict[str, Any]], bool] | None = None,
) -> None:
    """Set ``urban``, ``speed_kph`` and ``travel_time`` on every edge of ``G`` in place.

    Parameters
    ----------
    G
        Graph whose edges have ``length`` and ``highway`` (``maxspeed`` optional).
    speed_model
        The speed model.
    urban
        Function of an edge's attributes saying whether it is urban; by default an edge
        already flagged ``urban`` keeps its flag, otherwise it is urban when its parsed
        ``maxspeed`` is 40 mph or less or its class is residential/living street.
    """
    from ..speeds import parse_maxspeed

    def _default_urban(d: dict[str, Any]) -> bool:
        if "urban" in d:
            return bool(d["urban"])
        limit = parse_maxspeed(d.get("maxspeed"))
        if limit is not None:
            return limit <= 40 * 1.609344 + 1e-9
        hw = d.get("highway")
        hw = hw[0] if isinstance(hw, list) and hw else hw
        return hw in {"residential", "living_street"}

    is_urban = urban or _default_urban
    for _, _, d in G.edges(data=True):
        ub = bool(is_urban(d))
        kmh = speed_model.speed_kmh(d.get("highway"), urban=ub, maxspeed=d.get("maxspeed"))
        d["urban"] = ub
        d["speed_kph"] = kmh
        d["travel_time"] = float(d["length"]) / (kmh / 3.6) * speed_model.congestion_factor
    G.graph["speed_model"] = speed_model.fingerprint()
