"""A routable road network: the graph and its routing arrays, held together explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from .. import schema
from ..errors import NetworkError
from .arrays import GraphArrays, build_arrays


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A road graph with the arrays routing searches, built once and kept together.

    Make one with :meth:`from_graph` (which calls :func:`build_arrays`, the one function
    that turns a graph into arrays) or get one from the loaders of
    :mod:`access_app.core.network`. The arrays describe the graph as it was when they
    were built: after editing the graph's edges, make a new network with
    :meth:`from_graph`.

    Attributes
    ----------
    graph
        osmnx-style graph in a metric CRS (``G.graph["crs"]``): nodes with ``x``/``y``,
        edges with ``length``, ``travel_time``, ``highway``, ``urban``.
    arrays
        The routing arrays of ``graph``.
    """

    graph: nx.MultiDiGraph
    arrays: GraphArrays

    def __post_init__(self) -> None:
        if not isinstance(self.graph, nx.MultiDiGraph):
            raise NetworkError(
                f"a RoadNetwork needs a networkx MultiDiGraph, got {type(self.graph).__name__}"
            )
        if not isinstance(self.arrays, GraphArrays):
            raise NetworkError(
                f"a RoadNetwork needs GraphArrays, got {type(self.arrays).__name__}; "
                "use RoadNetwork.from_graph(G)"
            )
        # counting a MultiDiGraph's edges costs a pass over every node, so only nodes are checked
        if self.arrays.n_nodes != self.graph.number_of_nodes():
            raise NetworkError(
                f"routing arrays have {self.arrays.n_nodes} nodes but the graph has "
                f"{self.graph.number_of_nodes()}; build them with RoadNetwork.from_graph(G)"
            )

    @classmethod
    def from_graph(cls, G: nx.MultiDiGraph) -> RoadNetwork:
        """Return the network of ``G`` with its routing arrays built by :func:`build_arrays`."""
        return cls(graph=G, arrays=build_arrays(G))

    @property
    def crs(self) -> str:
        """Return the CRS of the node coordinates (``G.graph["crs"]``, BNG if unset)."""
        return str(self.graph.graph.get("crs", schema.BNG))

    @property
    def source(self) -> str:
        """Return where the network came from (``G.graph["source"]``)."""
        return str(self.graph.graph.get("source", "road network"))

    @property
    def speed_model(self) -> str:
        """Return the fingerprint of the speed model that set the travel times ("" if unknown)."""
        return self.arrays.speed_model

    @property
    def dropped(self) -> dict[str, Any]:
        """Return the counts of what was dropped outside the kept component (may be empty)."""
        return dict(self.graph.graph.get("dropped", {}))

    @property
    def fingerprint(self) -> str:
        """Return the hash of nodes, edges, travel times and speed model (see GraphArrays)."""
        return self.arrays.fingerprint

    @property
    def n_nodes(self) -> int:
        """Return the number of nodes."""
        return self.arrays.n_nodes

    @property
    def n_edges(self) -> int:
        """Return the number of directed edges."""
        return self.arrays.n_edges

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Return ``(xmin, ymin, xmax, ymax)`` of the nodes in :attr:`crs`."""
        return self.arrays.bounds

    def describe(self) -> str:
        """Return a one-line description: source, nodes and edges."""
        return f"{self.source}: {self.n_nodes:,} nodes, {self.n_edges:,} edges"


def as_road_network(value: object) -> RoadNetwork:
    """Return ``value`` if it is a :class:`RoadNetwork`, else raise a NetworkError saying how to make one."""
    if isinstance(value, RoadNetwork):
        return value
    if isinstance(value, nx.MultiDiGraph):
        raise NetworkError(
            "routing takes a RoadNetwork, not a bare graph: wrap it with "
            "access_app.core.network.RoadNetwork.from_graph(G)"
        )
    raise NetworkError(f"expected a RoadNetwork, got {type(value).__name__}")
