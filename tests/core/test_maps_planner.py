"""Maps with shapes, roads, places and context layers; drive time; catchments; restyle."""

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, box
from test_maps_html import make_areas, make_sites

from access_app import maps
from access_app.core.errors import DataError
from access_app.maps.shapes import APPROXIMATE_NOTE

#: Square sides (m) around the five test areas: 4, 1, 1, 0.25 and 1 km2.
SIDES = (2000, 1000, 1000, 500, 1000)


def make_shapes(approximate=False):
    areas = make_areas()
    geoms = [box(p.x - s / 2, p.y - s / 2, p.x + s / 2, p.y + s / 2)
             for p, s in zip(areas.geometry, SIDES, strict=True)]
    shapes = gpd.GeoDataFrame({"area_id": areas["area_id"]}, geometry=geoms, crs=27700)
    shapes.attrs["approximate"] = approximate
    return shapes


def make_context(approximate=False):
    roads = gpd.GeoDataFrame(
        {"road": ["M25", "A10", "B100"]},
        geometry=[LineString([(525000, 175000), (535000, 185000)]),
                  LineString([(533000, 180000), (533000, 190000)]),
                  LineString([(530000, 180000), (531000, 180000)])], crs=27700)
    places = pd.DataFrame({"kind": ["lad", "district"], "name": ["Hackney <b>", "E8"],
                           "code": ["E09000012", "E8"], "lat": [51.545, 51.543],
                           "lon": [-0.055, -0.065]})
    return maps.MapContext(shapes=make_shapes(approximate), roads=roads, places=places)


def areas_with_rurality():
    a = make_areas()
    a["urban_rural"] = ["Urban", "Rural", "rural", "x", None]
    return a


def block(page, kind):
    pat = rf'<script type="application/json" id="access_{kind}_[0-9a-f]+_data">(.*?)</script>'
    return [json.loads(b) for b in re.findall(pat, page, flags=re.S)]


@pytest.fixture(scope="module")
def page():
    m = maps.travel_time_map(areas_with_rurality(), make_sites(), attribution="OGL",
                             context=make_context(approximate=True),
                             open_sites=["a", "c"], hubs=["a"])
    return maps.map_html(m, standalone=False)


def test_areas_carry_their_shapes(page):
    (areas,) = block(page, "areas")
    shape = areas["shape"]
    assert shape["g"] == [1, 1, 1, 1, 1] and shape["p"] == [1] * 5 and shape["r"] == [4] * 5
    assert len(shape["xy"]) == 5 * 4 * 2
    # tooltip text of urban/rural: index into the sorted distinct values
    assert areas["urs"] == ["Rural", "Urban", "rural", "x"]
    assert areas["ur"] == [1, 0, 2, 3, None]


def test_context_layers_by_hand(page):
    (themes,) = block(page, "layers")
    assert [t["name"] for t in themes] == [
        "Travel time", "IMD 2019 decile", "Urban/rural", "Population density"]
    assert themes[0]["cls"] == [0, 0, 1, 2, -1]
    assert themes[1]["cls"] == [0, 9, 4, 2, -1]            # deciles 1, 10, 5, 3, none
    assert themes[2]["cls"] == [0, 1, 1, -1, -1]           # Urban, Rural, rural, x, None
    # people per km2: 1500/4, 1600.4/1, 1700/1, 1800/0.25, no population
    assert themes[3]["cls"] == [1, 2, 2, 4, -1]
    for t in themes:
        assert "Sites" in t["legend"] and "approximate" in t["legend"]


def test_roads_places_search_and_legend_are_on_the_page(page):
    (roads,) = block(page, "roads")
    assert roads["n"] == ["A10", "M25"] and roads["k"] == [1, 0]  # B road left out
    (places,) = block(page, "places")
    assert places["name"] == ["Hackney &lt;b&gt;", "E8"] and places["kind"] == ["lad", "district"]
    assert re.search(r"accessApp\.legend\(map_[0-9a-f]+, .*, \"topright\", ", page)
    assert re.search(r"accessApp\.search\(map_[0-9a-f]+, accessApp\.readJson", page)
    assert "accessApp.initialFit(" in page
    assert "L.control.layers" not in page.split("window.accessApp")[0]  # no folium control
    assert "Areas (approximate shapes)" in page
    assert "motorway (from zoom 7)" in page  # road key under the legend
    assert json.dumps(APPROXIMATE_NOTE)[1:40] in page  # in the attribution


def test_real_polygons_are_not_called_approximate():
    m = maps.travel_time_map(make_areas(), make_sites(), attribution="OGL",
                             context=make_context(approximate=False))
    html = maps.map_html(m, standalone=False)
    assert "approximate" not in html.lower()
    (areas,) = block(html, "areas")
    assert areas["shape"]["g"] == [1] * 5


def test_points_only_without_context(page):
    m = maps.travel_time_map(make_areas(), make_sites(), attribution="OGL")
    html = maps.map_html(m, standalone=False)
    (areas,) = block(html, "areas")
    assert "shape" not in areas
    assert block(html, "roads") == [] and block(html, "places") == []
    (themes,) = block(html, "layers")
    assert [t["name"] for t in themes] == ["Travel time"]


def test_catchment_popups_by_hand():
    areas = areas_with_rurality()
    areas["urban_rural"] = ["Urban", "Rural", "Rural", "Urban", "Rural"]
    pops = maps.catchment_popups(areas, make_sites())
    a, script, bold = pops
    assert script is None  # no area assigned to it
    # Site A: areas 0, 2, 4 (population 1500, 1700, none); all areas 6,600.4 people
    assert "Areas: 3" in a and "Population: 3,200 (48.5% of all)" in a
    # (10 * 1500 + 45 * 1700) / 3200; area 4 is unreachable
    assert "Mean travel time: 28.6 min" in a
    assert "Rural share: 53.1%" in a                        # 1700 / 3200
    assert "<td>Q1</td><td>46.9%</td>" in a and "<td>Q3</td><td>53.1%</td>" in a
    assert "<td>Q2</td><td>0.0%</td>" in a
    assert bold.startswith('<div class="access-tip access-stats"><b>&lt;b&gt;x&lt;/b&gt;</b>')
    assert "Population: 1,600 (24.2% of all)" in bold and "Rural share: 100.0%" in bold


def test_drive_time_map_bands_population_and_outlines():
    areas = make_areas()
    minutes = [10.0, 31.0, 46.0, 61.0, 95.0]
    m = maps.drive_time_map(areas, minutes, "b", sites=make_sites(), attribution="OGL",
                            context=make_context())
    html = maps.map_html(m, standalone=False)
    (data,) = block(html, "areas")
    assert data["cls"] == [0, 1, 2, 3, 4]
    assert data["min"] == [10.0, 31.0, 46.0, 61.0, 95.0]
    assert "Drive time to &lt;script&gt;alert(2)&lt;/script&gt;" in data["minLabel"]
    (themes,) = block(html, "layers")
    legend = themes[0]["legend"]
    # population within each band (of 6,600.4): 1500; +1600.4; +1700; +1800
    for b, people, share in ((30, "1,500", "22.7%"), (45, "3,100", "47.0%"),
                             (60, "4,800", "72.7%"), (90, "6,600", "100.0%")):
        assert f"<td>within {b} min</td><td>{people}</td><td>{share}</td>" in legend
    assert re.search(r"accessApp\.highlight\(map_[0-9a-f]+, \[51\.\d+,-?0\.\d+\]\)", html)
    (outlines,) = block(html, "outlines")
    assert len(outlines["features"]) == 4
    assert outlines["features"][0]["geometry"]["type"] in ("LineString", "MultiLineString")


def test_drive_time_map_checks_its_input():
    with pytest.raises(DataError, match="Got 2 travel times to 'a' for 5 areas"):
        maps.drive_time_map(make_areas(), [1, 2], "a", sites=make_sites(), attribution="OGL")
    with pytest.raises(DataError, match="Site 'zz' is not among"):
        maps.drive_time_map(make_areas(), [1] * 5, "zz", sites=make_sites(), attribution="OGL")


def test_band_outlines_by_hand():
    a = box(0, 0, 1, 1)
    b = box(1, 0, 2, 1)
    got = maps.planner.band_outlines([a, b, None], np.array([10.0, 40.0, 5.0]), [30, 45])
    assert got[0]["type"] == "LineString"
    # the squares are grown by 0.0002 degrees so neighbours merge, then simplified
    xs = [p[0] for p in got[0]["coordinates"]]
    assert min(xs) == pytest.approx(0.0, abs=2.5e-4) and max(xs) == pytest.approx(1.0, abs=2.5e-4)
    xs = [p[0] for p in got[1]["coordinates"]]
    assert min(xs) == pytest.approx(0.0, abs=2.5e-4)
    assert max(xs) == pytest.approx(2.0, abs=2.5e-4)  # both squares dissolved into one


def test_restyle_payload_matches_the_builders(page):
    areas = areas_with_rurality()
    (data,) = block(page, "areas")
    p = maps.restyle_payload(areas, make_sites(), kind="travel", title="B <i>",
                             open_sites=["a", "c"], hubs=["a"])
    assert p["n"] == 5 and p["cls"] == data["cls"]
    assert p["fields"]["min"] == data["min"]
    assert p["fields"]["sites"] == data["sites"] and p["fields"]["site"] == data["site"]
    assert p["roles"] == ["hub", "closed", "open"]           # in the sites' own order
    assert p["title"] == "B &lt;i&gt;"
    assert p["colours"] == list(maps.classify.TRAVEL_TIME_COLOURS)
    json.dumps(p, allow_nan=False)
    chg = areas.assign(change=[-40.0, 0.0, 6.0, 31.0, np.nan])
    q = maps.restyle_payload(chg, make_sites(), kind="change")
    assert q["cls"] == [0, 3, 4, 6, -1] and q["fields"]["chg"][0] == -40.0
    assert q["popups"] == [None, None, None]
    c = maps.restyle_payload(areas, make_sites(), kind="catchment")
    m = maps.catchment_map(areas, make_sites(), attribution="OGL")
    (cdata,) = block(maps.map_html(m, standalone=False), "areas")
    assert c["cls"] == cdata["cls"]
    with pytest.raises(ValueError, match="Unknown map kind"):
        maps.restyle_payload(areas, make_sites(), kind="heat")


def test_restyle_js_and_warm_context():
    p = maps.restyle_payload(make_areas(), make_sites(), kind="travel")
    js = maps.restyle_js(p)
    assert js.startswith("accessRestyle({") and js.endswith("})")
    assert json.loads(js[len("accessRestyle("):-1]) == p
    ctx = make_context()
    assert ctx.warm(make_areas()) is ctx
    assert len(ctx._cache) == 3  # shapes for these areas, roads, places
    packed, km2 = ctx.packed_shapes(make_areas())
    assert packed["g"] == [1] * 5 and km2 == pytest.approx([4, 1, 1, 0.25, 1], rel=1e-6)
