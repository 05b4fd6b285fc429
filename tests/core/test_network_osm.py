"""Networks from local OpenStreetMap extracts (.osm.pbf via pyosmium, XML via osmnx)."""

from __future__ import annotations

import bz2

import networkx as nx
import pytest

from access_app.core import network
from access_app.core.errors import NetworkError
from access_app.core.network import pbf as osm
from access_app.core.speeds import MPH_TO_KMH


@pytest.fixture(scope="module")
def rutland_pbf(shared_geodata):
    return shared_geodata / "roads" / "rutland-2018-02-27.osm.pbf"


@pytest.fixture(scope="module")
def rutland(rutland_pbf):
    return network.graph_from_osm_file(rutland_pbf).graph


def _first(v):
    return v[0] if isinstance(v, list) else v


def test_rutland_pbf_graph(rutland):
    G = rutland
    assert G.graph["crs"] == "EPSG:27700"
    assert nx.is_strongly_connected(G) and G.number_of_nodes() > 2000
    assert len(G.graph["dropped_nodes_xy"]) == G.graph["dropped"]["nodes"] > 0
    classes = {_first(d["highway"]) for _, _, d in G.edges(data=True)}
    assert classes <= set(osm.DRIVE_CLASSES) and "residential" in classes
    for _, _, d in G.edges(data=True):
        assert d["length"] > 0
        assert d["travel_time"] == pytest.approx(d["length"] / (d["speed_kph"] / 3.6), rel=1e-12)
    # nodes lie in Rutland (British National Grid, metres)
    xs = [d["x"] for _, d in G.nodes(data=True)]
    ys = [d["y"] for _, d in G.nodes(data=True)]
    assert 470_000 < min(xs) < max(xs) < 510_000 and 290_000 < min(ys) < max(ys) < 320_000


def test_rutland_speeds_follow_maxspeed(rutland):
    seen = 0
    for _, _, d in rutland.edges(data=True):
        hw, limit = _first(d["highway"]), d.get("maxspeed")
        if limit == "30 mph":
            # a 30 mph road is urban and never faster than 30 mph
            assert d["urban"] and d["speed_kph"] <= 30 * MPH_TO_KMH
            seen += 1
        if hw == "trunk" and limit == "60 mph":
            assert not d["urban"] and d["speed_kph"] == 80.0  # rural trunk default < 60 mph
            seen += 1
        if hw == "residential" and limit is None:
            assert d["urban"] and d["speed_kph"] == 25.0
    assert seen > 100


def test_xml_and_bz2_give_the_same_graph(rutland, rutland_pbf, tmp_path):
    xml = osm.write_osm_xml(osm.read_pbf_elements(rutland_pbf), tmp_path / "rutland.osm")
    compressed = tmp_path / "rutland.osm.bz2"
    compressed.write_bytes(bz2.compress(xml.read_bytes()))
    for path in (xml, compressed):
        H = network.graph_from_osm_file(path).graph
        assert sorted(H.nodes) == sorted(rutland.nodes)
        times = sorted((u, v, round(d["travel_time"], 9)) for u, v, d in H.edges(data=True))
        assert times == sorted(
            (u, v, round(d["travel_time"], 9)) for u, v, d in rutland.edges(data=True)
        )


def test_regional_classes_and_progress(rutland_pbf):
    seen = []
    G = network.graph_from_osm_file(
        rutland_pbf, classes=osm.REGIONAL_CLASSES, progress=lambda f, m: seen.append(f)
    ).graph
    classes = {_first(d["highway"]) for _, _, d in G.edges(data=True)}
    assert classes <= set(osm.REGIONAL_CLASSES) and "residential" not in classes
    assert seen[0] == 0.0 and seen[-1] == 1.0


def test_bad_osm_files(tmp_path, rutland_pbf):
    with pytest.raises(NetworkError, match="does not exist"):
        network.graph_from_osm_file(tmp_path / "nope.osm.pbf")
    other = tmp_path / "roads.csv"
    other.write_text("a,b\n")
    with pytest.raises(NetworkError, match="unknown OSM file type"):
        network.graph_from_osm_file(other)
    with pytest.raises(NetworkError, match="no roads of the classes"):
        network.graph_from_osm_file(rutland_pbf, classes=("busway",))
