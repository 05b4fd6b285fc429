"""Save and open road networks: GraphML for interchange, ``.npz`` arrays for fast reopening."""

from __future__ import annotations

import logging
from pathlib import Path

import networkx as nx
import numpy as np

from .. import schema
from ..errors import NetworkError
from ..limits import check_graph
from ..speeds import SpeedModel
from . import npz
from .components import keep_largest_component
from .road_network import RoadNetwork
from .travel_times import set_travel_times

log = logging.getLogger(__name__)


def save_network(network: RoadNetwork | nx.MultiDiGraph, path: str | Path) -> Path:
    """Save a network (or a bare graph) as ``.graphml`` (interchange) or ``.npz`` (fast cache).

    Raises
    ------
    NetworkError
        For another suffix or an unwritable path.
    """
    import json

    G = network.graph if isinstance(network, RoadNetwork) else network
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix == ".npz":
            return npz.save_arrays(G, path)
        if suffix == ".graphml":
            H = G.copy()
            for key in [k for k in H.graph if k.startswith("_")]:
                del H.graph[key]
            H.graph["dropped_nodes_xy"] = json.dumps(
                np.asarray(G.graph.get("dropped_nodes_xy", np.zeros((0, 2)))).tolist()
            )
            gap = np.asarray(G.graph.get("dropped_nodes_gap_m", np.zeros(0)), dtype=float)
            H.graph["dropped_nodes_gap_m"] = json.dumps(
                [g if np.isfinite(g) else None for g in gap.tolist()]
            )
            if "dropped" in H.graph:
                H.graph["dropped"] = json.dumps(H.graph["dropped"])
            path.parent.mkdir(parents=True, exist_ok=True)
            import osmnx as ox  # only here: the import takes longer (1.4 s) than the .npz

            ox.save_graphml(H, path)
            return path
    except OSError as exc:
        raise NetworkError(f"cannot write network file {path}: {exc}") from exc
    raise NetworkError(f"{path.name}: save a network as .graphml or .npz")


def load_network(path: str | Path) -> RoadNetwork:
    """Open a network saved by :func:`save_network` (``.npz``) or any osmnx GraphML.

    GraphML edges without ``travel_time`` get one from the default speed model.
    """
    path = Path(path)
    if not path.exists():
        raise NetworkError(f"network file {path} does not exist")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return npz.load_arrays(path)
    if suffix != ".graphml":
        raise NetworkError(f"{path.name}: open a network saved as .graphml or .npz")
    import osmnx as ox  # only here: importing osmnx takes longer than reading a .npz

    try:
        G = ox.load_graphml(
            path, edge_dtypes={"urban": lambda s: str(s) == "True", "length": float}
        )
    except Exception as exc:  # xml/osmnx raise many types
        raise NetworkError(f"cannot read GraphML file {path}: {exc}") from exc
    check_graph(G, source=str(path))
    try:
        return _finish_graphml(G)
    except NetworkError as exc:
        raise NetworkError(f"{path}: {exc}") from None
    except (TypeError, ValueError, KeyError) as exc:  # malformed attributes (JSON, arrays)
        raise NetworkError(f"{path}: damaged network attributes ({type(exc).__name__}: {exc}).") from None


def _finish_graphml(G: nx.MultiDiGraph) -> RoadNetwork:
    """Decode our graph attributes, project to BNG, add travel times, keep one component."""
    import json

    import osmnx as ox

    for key, shape in (("dropped_nodes_xy", (-1, 2)), ("dropped_nodes_gap_m", (-1,))):
        if isinstance(G.graph.get(key), str):
            vals = json.loads(G.graph[key])
            arr = np.array([np.inf if v is None else v for v in np.ravel(vals).tolist()]
                           if key.endswith("gap_m") else vals, dtype=float)
            G.graph[key] = arr.reshape(shape)
    if isinstance(G.graph.get("dropped"), str):
        G.graph["dropped"] = json.loads(G.graph["dropped"])
    if "crs" in G.graph and str(G.graph["crs"]).upper() != schema.BNG:
        G = ox.project_graph(G, to_crs=schema.BNG)
        G.graph["crs"] = schema.BNG
    if any("travel_time" not in d for _, _, d in G.edges(data=True)):
        set_travel_times(G, SpeedModel())
    if "dropped" not in G.graph:  # not saved by us: make sure every node can reach every other
        G = keep_largest_component(G)
    return RoadNetwork.from_graph(G)
