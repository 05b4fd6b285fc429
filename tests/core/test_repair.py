"""Junction repair: near-miss end points merged, T-junctions split, over-bridges left apart."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pytest
from shapely.geometry import LineString, box

from access_app.core import defaults, network, repair
from access_app.core import schema as S


def _lines(*coords: list[tuple[float, float]], roads: list[str] | None = None) -> gpd.GeoDataFrame:
    roads = roads or [f"A{i + 1}" for i in range(len(coords))]
    return gpd.GeoDataFrame({"road": roads}, geometry=[LineString(c) for c in coords], crs=S.BNG)


def _reference_graph(lines: gpd.GeoDataFrame) -> nx.Graph:
    """Join lines at identical end points only (an independent graph for networkx)."""
    G = nx.Graph()
    for geom in lines.geometry:
        a, b = geom.coords[0], geom.coords[-1]
        w = geom.length
        if G.has_edge(a, b):
            w = min(w, G.edges[a, b]["length"])
        G.add_edge(a, b, length=w)
    return G


def test_t_junction_splits_the_through_road() -> None:
    # A2 ends 3 m short of the side of A1 (a T-junction the data misses).
    lines = _lines([(0, 0), (100, 0)], [(50, 3), (50, 100)])
    fixed, rep = repair.repair_lines(lines, tolerance_m=5, road_col="road")
    assert len(fixed) == 3 and len(rep.split) == 1 and len(rep.merged) == 0
    row = rep.split.iloc[0]
    assert (row["road"], row["by_roads"]) == ("A1", "A2") and row["gap_m"] == pytest.approx(3)
    assert (row.geometry.x, row.geometry.y) == (50, 3)
    G = _reference_graph(fixed)
    # (0,0) -> (50,3) along the kinked first piece, then 97 m up A2.
    expected = math.hypot(50, 3) + 97
    assert nx.shortest_path_length(G, (0.0, 0.0), (50.0, 100.0), weight="length") == pytest.approx(expected)
    assert nx.shortest_path_length(G, (0.0, 0.0), (100.0, 0.0), weight="length") == pytest.approx(
        math.hypot(50, 3) * 2)
    # Without the repair the two roads do not meet at all.
    assert not nx.has_path(_reference_graph(lines), (0.0, 0.0), (50.0, 100.0))


def test_over_bridge_stays_apart() -> None:
    # A motorway crosses an A road on a bridge: no end point there, so no junction.
    lines = _lines([(0, 0), (100, 0)], [(50, -50), (50, 50)], roads=["M1", "A1"])
    fixed, rep = repair.repair_lines(lines, tolerance_m=15)
    assert len(fixed) == 2 and len(rep.split) == 0 and len(rep.merged) == 0
    G = _reference_graph(fixed)
    assert nx.number_connected_components(G) == 2
    # The graph builder agrees: both roads survive only as separate components.
    graph = network.graph_from_lines(fixed, road_col="road")
    assert graph.n_nodes == 2


def test_over_bridge_with_an_end_point_there_is_joined() -> None:
    # The A road is split (ends) right under the motorway: the end point makes a junction.
    lines = _lines([(0, 0), (100, 0)], [(50, -50), (50, 2)], [(50, 2), (50, 50)])
    fixed, rep = repair.repair_lines(lines, tolerance_m=15)
    assert len(rep.split) == 1 and len(fixed) == 4
    assert nx.is_connected(_reference_graph(fixed))


def test_near_miss_end_points_merge_and_far_ones_do_not() -> None:
    lines = _lines([(0, 0), (100, 0)], [(103, 4), (200, 0)], [(300, 0), (400, 0)],
                   [(420, 0), (500, 0)])
    fixed, rep = repair.repair_lines(lines, tolerance_m=15)
    assert len(rep.merged) == 1
    m = rep.merged.iloc[0]
    assert (m["n_ends"], m["n_locations"], m["max_shift_m"]) == (2, 2, pytest.approx(5.0))
    G = _reference_graph(fixed)
    # Ties go to the first location in coordinate order: (100, 0); A2 now starts there.
    assert nx.shortest_path_length(G, (0.0, 0.0), (200.0, 0.0), weight="length") == pytest.approx(
        100 + 100)
    assert not nx.has_path(G, (300.0, 0.0), (500.0, 0.0))  # 20 m apart: left alone


def test_a_junction_keeps_its_place_when_a_stray_end_joins_it() -> None:
    # Three roads meet at (0, 0); a fourth ends 2 m away and moves to them, not they to it.
    lines = _lines([(0, 0), (-100, 0)], [(0, 0), (0, 100)], [(0, 0), (100, 0)], [(2, -2), (0, -100)])
    fixed, rep = repair.repair_lines(lines, tolerance_m=5)
    assert len(rep.merged) == 1 and rep.merged.iloc[0]["n_ends"] == 4
    assert {g.coords[0] for g in fixed.geometry} == {(0.0, 0.0)}


def test_tiny_links_whose_ends_merge_are_dropped_and_zero_tolerance_changes_nothing() -> None:
    lines = _lines([(0, 0), (100, 0)], [(100, 0), (103, 0)], [(103, 0), (200, 0)])
    fixed, rep = repair.repair_lines(lines, tolerance_m=5)
    assert rep.collapsed == 1 and len(fixed) == 2
    same, none = repair.repair_lines(lines, tolerance_m=0)
    assert len(same) == 3 and len(none.merged) == 0 and none.summary().startswith("Junction repair")


def test_report_writes_both_layers_to_a_geopackage(tmp_path: Path) -> None:
    lines = _lines([(0, 0), (100, 0)], [(50, 3), (50, 100)], [(103, 4), (200, 0)])
    _, rep = repair.repair_lines(lines, tolerance_m=5)
    path = rep.to_gpkg(tmp_path / "repair.gpkg")
    assert len(gpd.read_file(path, layer="merged")) == 1
    assert len(gpd.read_file(path, layer="split")) == 1


def test_stamford_junction_on_the_dft_network() -> None:
    """At Stamford the A6121 ends 3.6 m from the A16, and the A16 4.5 m from the A43."""
    lines = gpd.read_parquet(defaults.default_roads_path()).set_crs(S.BNG, allow_override=True)
    a6121_end, a16_end = (503393.0, 307352.0), (503390.0, 307350.0)
    a43_end, a16_start = (503042.0, 306976.0), (503040.0, 306980.0)
    assert math.dist(a6121_end, a16_end) == pytest.approx(3.6, abs=0.01)
    assert math.dist(a43_end, a16_start) == pytest.approx(4.5, abs=0.03)
    fixed, rep = repair.repair_lines(lines, tolerance_m=repair.DEFAULT_TOLERANCE_M, road_col="road")
    near = rep.merged[rep.merged.intersects(box(503000, 306900, 503600, 307500))]
    assert set(near["roads"]) >= {"A16, A6121", "A16, A43"}
    # networkx on a local window: before the repair the A6121 and the A43 do not meet here;
    # after it they are joined by the A16 link between them (about 509 m).
    window = box(498000, 302000, 508000, 312000)
    before = _reference_graph(lines[lines.intersects(window)])
    after = _reference_graph(fixed[fixed.intersects(window)])
    assert a6121_end in before and a43_end in before
    d_before = (nx.shortest_path_length(before, a6121_end, a43_end, weight="length")
                if nx.has_path(before, a6121_end, a43_end) else math.inf)
    link = next(g for g in lines.geometry if {g.coords[0], g.coords[-1]} == {a16_start, a16_end})
    # The stray ends moved onto the A16's ends (the locations shared by more line ends or,
    # on a tie, first in coordinate order), so the A6121 now meets the A43 over that link.
    assert a6121_end not in after and a43_end not in after
    d_after = nx.shortest_path_length(after, a16_end, a16_start, weight="length")
    assert d_after == pytest.approx(link.length) == pytest.approx(509.3, abs=0.1)
    assert d_before > d_after + 1000


@pytest.mark.slow
def test_no_area_reaches_a_site_much_faster_through_another_over_england(tmp_path: Path) -> None:
    """The junction check of tools/check_junctions.py on the repaired default network."""
    import importlib.util

    import numpy as np

    from access_app.core import pipeline, routing

    spec = importlib.util.spec_from_file_location(
        "check_junctions", Path(__file__).resolve().parents[2] / "tools" / "check_junctions.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    data = pipeline.load_default_dataset()
    site_xy = np.column_stack([data.sites.geometry.x, data.sites.geometry.y])

    def found(tolerance: float | None, params: routing.RoutingParams) -> tuple[object, object]:
        graph = pipeline.load_default_network(cache_dir=tmp_path, repair_tolerance_m=tolerance)
        direct = routing.travel_time_matrix(graph, data.areas, data.sites, params=params).minutes
        between = tool.site_to_site_minutes(graph, data.sites, params)
        return tool.exceptions(direct, between, threshold_min=2.0), graph

    # With short access legs (4 candidates) the broken junctions show plainly. Before the
    # repair, Lewes 006A reaches the Park Centre, Brighton, about 47 min quicker through the
    # Royal Sussex than directly (the example); after it every exception is small.
    before, _ = found(None, tool.LEGACY_PARAMS)
    assert before["gain_min"].max() > 40 and before["area"].nunique() > 40
    after, graph = found(repair.DEFAULT_TOLERANCE_M, tool.LEGACY_PARAMS)
    assert (after["gain_min"] < 3).all() and after["area"].nunique() <= 5
    # With the calibrated defaults no exception reaches 3 minutes either, and each has a
    # cause: a site bridging two nodes close in a straight line but far apart by road.
    params = routing.RoutingParams()
    after, graph = found(repair.DEFAULT_TOLERANCE_M, params)
    assert (after["gain_min"] < 3).all()
    for v in after["via"].unique():
        assert "apart by road" in tool.bridge_cause(graph, site_xy[v], params)
