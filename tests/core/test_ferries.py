"""Islands by sea and air: ferry links with hand-worked times, switches, and the real table."""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from access_app.core import ferries, network, pipeline, routing
from access_app.core import schema as S
from access_app.core.errors import DataError
from access_app.core.speeds import SpeedModel

# Mainland: an A road of three links along y = 0 from x = 0 to 10 km; the site is at its end.
# Island: a 5 km A road along y = -20 km. A ferry runs from a port 100 m north of the mainland
# road's west end to a port 100 m north of the island road's west end.
MAINLAND = [[(0, 0), (4000, 0)], [(4000, 0), (7000, 0)], [(7000, 0), (10000, 0)]]
ISLAND = [[(0, -20000), (5000, -20000)]]
FERRY_CSV = (
    "route,from_easting,from_northing,to_easting,to_northing,crossing_min,headway_min,"
    "check_in_min,carries_cars,runs_in_winter,enabled\n"
    "boat,0,100,0,-19900,30,60,10,yes,yes,yes\n"
    "plane,0,100,0,-19900,10,120,30,no,no,yes\n"
)


def _lines() -> gpd.GeoDataFrame:
    coords = MAINLAND + ISLAND
    return gpd.GeoDataFrame({"road": ["A1"] * len(coords)},
                            geometry=[LineString(c) for c in coords], crs=S.BNG)


def _graphs(tmp_path: Path, csv: str = FERRY_CSV, **select: object):
    path = tmp_path / "ferries.csv"
    path.write_text(csv)
    table = ferries.select_links(ferries.read_ferries(path), **select)  # type: ignore[arg-type]
    lines = _lines()
    build = functools.partial(network.graph_from_lines, road_col="road")
    G = build(lines)
    return G, pipeline.add_ferries(G, table, lines=lines, build_island=build)


def _points(kind: str, xy: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    col = S.AREA_ID if kind == "area" else S.SITE_ID
    return gpd.GeoDataFrame({col: [f"{kind}{i}" for i in range(len(xy))], S.URBAN_RURAL: "Rural"},
                            geometry=[Point(p) for p in xy], crs=S.BNG)


def test_link_time_is_crossing_plus_half_the_headway_plus_check_in() -> None:
    assert ferries.link_minutes(45, 60, 20) == 95.0  # Portsmouth-Fishbourne in the table
    assert ferries.link_minutes(165, 1440, 45) == 930.0  # the Scillonian: one sailing a day


def test_island_area_reaches_the_mainland_site_by_the_ferry_hand_worked(tmp_path: Path) -> None:
    G, H = _graphs(tmp_path)
    areas = _points("area", [(5000, -20000)])  # on the island road's east end
    sites = _points("site", [(10000, 0)])
    params = routing.RoutingParams()
    # Road only: the island is cut off.
    before = routing.travel_time_matrix(G, areas, sites, params=params)
    assert np.isinf(before.minutes[0, 0]) and routing.ISLAND_REASON in before.unreachable["reason"].iloc[0]
    after = routing.travel_time_matrix(H, areas, sites, params=params)
    speeds = SpeedModel()
    road_s = speeds.travel_time_s(5000, "primary", urban=False) + speeds.travel_time_s(
        10000, "primary", urban=False)
    # 100 m port legs at the urban access speed, x 1.3 detour: 100 * 1.3 / (24 / 3.6) s each.
    port_s = 2 * 100 * 1.3 / (24 / 3.6)
    # The quicker link wins: the boat 30 + 60 / 2 + 10 = 70 min (the plane 10 + 60 + 30 = 100).
    expected = (road_s + port_s + 70 * 60) / 60
    assert after.minutes[0, 0] == pytest.approx(expected, abs=1e-6)
    assert after.unreachable.empty
    routes = ferries.ferry_areas(H, areas)
    assert routes.iloc[0] == "boat;plane"
    # Every edge of the crossing names its route in the attribute ``ferry``.
    crossings = {d["ferry"] for *_, d in H.graph.edges(data=True) if d.get("highway") == "ferry"}
    assert crossings == {"boat", "plane"}


def test_links_without_cars_or_winter_service_can_be_switched_off(tmp_path: Path) -> None:
    areas = _points("area", [(5000, -20000)])
    sites = _points("site", [(10000, 0)])
    speeds = SpeedModel()
    base = (speeds.travel_time_s(5000, "primary", urban=False)
            + speeds.travel_time_s(10000, "primary", urban=False) + 2 * 100 * 1.3 / (24 / 3.6)) / 60
    only_plane = FERRY_CSV.replace("boat,0,100,0,-19900,30,60,10,yes,yes,yes",
                                   "boat,0,100,0,-19900,30,60,10,yes,yes,no")
    _, H = _graphs(tmp_path, only_plane)
    m = routing.travel_time_matrix(H, areas, sites)
    assert m.minutes[0, 0] == pytest.approx(base + 100, abs=1e-6)  # the plane: 10 + 60 + 30
    _, H = _graphs(tmp_path, only_plane, cars_only=True)
    m = routing.travel_time_matrix(H, areas, sites)
    assert np.isinf(m.minutes[0, 0])  # no car link left: unreachable again, with the reason
    assert routing.ISLAND_REASON in m.unreachable["reason"].iloc[0]
    _, H = _graphs(tmp_path, winter=True, disabled=("boat",))
    assert np.isinf(routing.travel_time_matrix(H, areas, sites).minutes[0, 0])


def test_mainland_times_do_not_change_and_no_access_leg_crosses_the_sea(tmp_path: Path) -> None:
    G, H = _graphs(tmp_path)
    # A mainland area 50 m from the port and an island area nearer the mainland road's end
    # (in a straight line) than to most island nodes.
    areas = _points("area", [(0, 150), (0, -19000)])
    sites = _points("site", [(10000, 0)])
    a = routing.travel_time_matrix(G, areas.iloc[:1], sites).minutes[0, 0]
    b = routing.travel_time_matrix(H, areas, sites).minutes
    assert b[0, 0] == pytest.approx(a, abs=1e-9)
    assert b[1, 0] > 70  # through the ferry, not by an access leg over the water


def test_ferry_graph_survives_the_npz_cache(tmp_path: Path) -> None:
    _, H = _graphs(tmp_path)
    path = network.save_network(H, tmp_path / "net.npz")
    back = network.load_network(path)
    areas = _points("area", [(5000, -20000), (0, -19000)])
    sites = _points("site", [(10000, 0)])
    np.testing.assert_allclose(routing.travel_time_matrix(back, areas, sites).minutes,
                               routing.travel_time_matrix(H, areas, sites).minutes)
    assert ferries.ferry_areas(back, areas).tolist() == ["boat;plane", "boat;plane"]
    # the land-mass labels are an array of the file, read back as they were built
    assert H.arrays.land is not None and set(H.arrays.land.tolist()) == {0, 1}
    np.testing.assert_array_equal(back.arrays.land, H.arrays.land)


def test_bad_ferry_tables_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text(FERRY_CSV.replace(",30,60,10,", ",thirty,60,10,"))
    with pytest.raises(DataError, match="crossing_min.*boat='thirty'"):
        ferries.read_ferries(path)
    path.write_text(FERRY_CSV.replace("yes,yes,yes", "sometimes,yes,yes"))
    with pytest.raises(DataError, match="carries_cars"):
        ferries.read_ferries(path)
    with pytest.raises(DataError, match="Unknown ferry routes ship"):
        ferries.select_links(ferries.read_ferries(None), disabled=("ship",))


def test_shared_source_table_reads_as_the_embedded_one(shared_geodata: Path) -> None:
    shared = ferries.read_ferries(shared_geodata / "roads" / "ferries_england.csv")
    embedded = ferries.read_ferries()
    pd.testing.assert_series_equal(shared["minutes"], embedded["minutes"])
    assert embedded.set_index("route")["minutes"].to_dict() == {
        "portsmouth-fishbourne": 95.0, "southampton-east-cowes": 105.0, "lymington-yarmouth": 90.0,
        "penzance-st-marys-sea": 930.0, "lands-end-st-marys-air": 110.0,
        "penzance-st-marys-helicopter": 105.0}
    np.testing.assert_allclose(shared["to_easting"], embedded["to_easting"], atol=1)
    assert (shared["runs_in_winter"] == embedded["runs_in_winter"]).all()


@pytest.mark.slow
def test_isle_of_wight_and_scilly_are_reached_on_the_default_network(tmp_path: Path) -> None:
    data = pipeline.load_default_dataset()
    graph = pipeline.load_default_network(cache_dir=tmp_path)
    m = routing.travel_time_matrix(graph, data.areas, data.sites)
    with_routes = pipeline.with_ferry_areas(data, graph).areas
    iow = (data.areas["la_name"] == "Isle of Wight").to_numpy()
    scilly = (data.areas["la_name"] == "Isles of Scilly").to_numpy()
    assert iow.sum() == 89 and scilly.sum() == 1
    best = m.minutes.min(axis=1)
    assert np.isfinite(best).all() and m.unreachable.empty
    # Every island journey includes a crossing: at least the quickest link (90 min to the IoW,
    # 105 to Scilly) and never less.
    assert best[iow].min() > 90 and best[scilly][0] > 105
    assert (with_routes.loc[iow, pipeline.VIA_FERRY] != "").all()
    assert (with_routes.loc[~(iow | scilly), pipeline.VIA_FERRY] == "").all()
    none = pipeline.load_default_network(cache_dir=tmp_path, ferry_links=None)
    m0 = routing.travel_time_matrix(none, data.areas, data.sites)
    np.testing.assert_allclose(m0.minutes[~(iow | scilly)], m.minutes[~(iow | scilly)])
    assert np.isinf(m0.minutes[iow | scilly]).all()


def test_map_tooltips_name_the_sea_or_air_routes() -> None:
    from access_app.maps import builders

    areas = gpd.GeoDataFrame({S.AREA_ID: ["a", "b"], S.AREA_NAME: ["Ryde", "Leeds"],
                              "via_ferry": ["boat;plane", ""]},
                             geometry=[Point(459000, 92000), Point(430000, 433600)],
                             crs=S.BNG).to_crs(S.WGS84)
    data = builders._area_data(areas)
    assert data["ferries"] == ["boat, plane"] and data["ferry"] == [0, None]
    runtime = (Path(__file__).resolve().parents[2] / "resources" / "maps" / "runtime.js").read_text()
    assert '"By sea or air: " + d.ferries[d.ferry[i]]' in runtime
