"""Offline Leaflet assets, standalone export and atomic saving."""

import base64
import re

import folium
import pytest
from test_maps_html import make_areas, make_sites, web_references

from access_app import maps
from access_app.core.errors import ExportError
from access_app.maps.offline import OfflineMap, leaflet_dir, leaflet_version


@pytest.fixture(scope="module")
def small_map():
    return maps.travel_time_map(make_areas(), make_sites(), attribution="OGL v3.0")


def test_leaflet_comes_from_xstatic_1_9_3():
    assert leaflet_version().startswith("1.9.3")
    assert (leaflet_dir() / "leaflet.js").read_text(encoding="utf-8").count('"1.9.3"') >= 1


def test_standalone_inlines_leaflet_and_links_nothing(small_map):
    page = maps.map_html(small_map, standalone=True)
    web, refs = web_references(page)
    assert web == [] and refs == []
    assert "file://" not in page
    assert 't.version="1.9.3"' in page  # Leaflet's own source is in the page
    assert "sourceMappingURL" not in page
    # the layer-control icon is embedded, not a relative url(images/...)
    assert "url(images/" not in page
    layers_png = (leaflet_dir() / "images" / "layers.png").read_bytes()
    assert base64.b64encode(layers_png).decode("ascii") in page


def test_rendering_twice_gives_one_copy_of_each_part(small_map):
    first = maps.map_html(small_map, standalone=False)
    maps.map_html(small_map, standalone=True)
    again = maps.map_html(small_map, standalone=False)
    assert again.count("accessApp.viewSync(") == 1
    assert again.count('<script src="file://') == 1
    assert len(again) == len(first)
    assert small_map.asset_mode == "file"


def test_folium_defaults_are_not_patched(small_map):
    maps.map_html(small_map, standalone=False)
    assert any("jquery" in url for _, url in folium.Map.default_js)
    assert OfflineMap.default_js == [] and OfflineMap.default_css == []
    plain = folium.Map(tiles=None).get_root().render()
    assert "code.jquery.com" in plain  # folium itself still behaves as shipped


def test_save_map_writes_atomically(small_map, tmp_path):
    out = maps.save_map(small_map, tmp_path / "pane.html", standalone=False)
    assert out == tmp_path / "pane.html"
    assert [p.name for p in tmp_path.iterdir()] == ["pane.html"]  # no temporary left over
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "accessApp.areaLayer(" in text
    export = maps.save_map(small_map, tmp_path / "export.html", standalone=True)
    assert export.stat().st_size > out.stat().st_size + 100_000  # Leaflet is inside
    # overwriting an existing file works
    maps.save_map(small_map, tmp_path / "pane.html", standalone=True)
    assert re.search(r"<script src=", (tmp_path / "pane.html").read_text("utf-8")) is None


def test_save_map_reports_a_missing_folder(small_map, tmp_path):
    with pytest.raises(ExportError, match="does not exist"):
        maps.save_map(small_map, tmp_path / "nope" / "m.html", standalone=True)
