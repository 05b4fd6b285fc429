"""Structure, escaping and offline-ness of the map HTML (no browser needed)."""

import json
import re
from html.parser import HTMLParser

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Transformer
from shapely.geometry import Point, box

from access_app import maps
from access_app.core.errors import DataError

EVIL_SCRIPT = "<script>alert(1)</script>"
EVIL_BOLD = "<b>x</b>"
EVIL_TEMPLATE = "{{ 7*7 }}{% raw %}"
ATTRIBUTION = "Contains OS data \u00a9 Crown copyright\n- IAEA DIRAC <img src=x onerror=alert(3)>"


def make_areas(minutes=(10.0, 30.0, 45.0, 45.01, float("inf"))):
    n = len(minutes)
    names = [EVIL_SCRIPT, EVIL_BOLD, EVIL_TEMPLATE, "Rutland 001A", "Skye & Co"][:n]
    return gpd.GeoDataFrame(
        {
            "area_id": [f"E0100000{i}" for i in range(n)],
            "area_name": names,
            "population": [1500, 1600.4, 1700, 1800, np.nan][:n],
            "imd_decile": [1, 10, 5, 3, np.nan][:n],
            "site_name": ["Site A", EVIL_BOLD, "Site A", None, "Site A"][:n],
            "minutes": list(minutes),
        },
        geometry=[Point(530000 + 1000 * i, 180000 + 500 * i) for i in range(n)],
        crs="EPSG:27700",
    )


def make_sites():
    return gpd.GeoDataFrame(
        {
            "site_id": ["a", "b", "c"],
            "site_name": ["Site A", "<script>alert(2)</script>", EVIL_BOLD],
            "linacs": [4, 1, np.nan],
            "network": ["London", "South <East>", None],
            "site_type": ["main", "satellite", "main"],
        },
        geometry=[Point(531000, 181000), Point(540000, 190000), Point(520000, 170000)],
        crs="EPSG:27700",
    )


def make_boundaries():
    eng = gpd.GeoDataFrame({"name": ["<script>x</script>"]},
                           geometry=[box(-1.0, 51.0, 1.0, 52.123456789)], crs="EPSG:4326")
    return {"england": eng, "regions": eng, "icbs": eng}


def json_blocks(page, kind):
    pat = rf'<script type="application/json" id="(access_{kind}_[0-9a-f]+)_data">(.*?)</script>'
    return [json.loads(body) for _, body in re.findall(pat, page, flags=re.S)]


def web_references(page):
    """Return src/href values of <script> and <link> tags that point to the web."""
    refs = re.findall(r"<script\b[^>]*\bsrc\s*=\s*[\"']?([^\"' >]+)", page, flags=re.I)
    refs += re.findall(r"<link\b[^>]*\bhref\s*=\s*[\"']?([^\"' >]+)", page, flags=re.I)
    return [r for r in refs if re.match(r"(https?:)?//", r, flags=re.I)], refs


class TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = set()
        self.scripts = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


@pytest.fixture(scope="module")
def travel_page():
    m = maps.travel_time_map(make_areas(), make_sites(), boundaries=make_boundaries(),
                             attribution=ATTRIBUTION, title="Scenario <i>A</i>",
                             open_sites=["a", "c"], hubs=["a"])
    return maps.map_html(m, standalone=False)


def test_in_app_page_links_only_local_leaflet(travel_page):
    web, refs = web_references(travel_page)
    assert web == []
    assert sorted(r.rsplit("/", 1)[-1] for r in refs) == ["leaflet.css", "leaflet.js"]
    assert all(r.startswith("file://") for r in refs)
    low = travel_page.lower()
    for cdn_thing in ("jquery", "bootstrap", "awesome-markers", "fontawesome", "cdn."):
        assert cdn_thing not in low
    assert "tile.openstreetmap.org" not in travel_page


def test_area_points_classes_and_values(travel_page):
    (areas,) = json_blocks(travel_page, "areas")
    assert len(areas["lat"]) == len(areas["lng"]) == 5
    assert areas["cls"] == [0, 0, 1, 2, -1]
    assert areas["min"] == [10.0, 30.0, 45.0, 45.1, None]  # shown rounded up, like the class
    assert areas["pop"] == [1500, 1600, 1700, 1800, None]
    assert areas["imd"] == [1, 10, 5, 3, None]
    # reprojected from British National Grid and rounded to 5 decimals
    lat, lng = Transformer.from_crs(27700, 4326).transform(530000, 180000)
    assert areas["lat"][0] == round(lat, 5) and areas["lng"][0] == round(lng, 5)
    assert 51.4 < areas["lat"][0] < 51.6 and -0.2 < areas["lng"][0] < 0.0
    # assigned sites as an index into an escaped list; None stays unassigned
    assert [areas["sites"][i] if i is not None else None for i in areas["site"]] == [
        "Site A", "&lt;b&gt;x&lt;/b&gt;", "Site A", None, "Site A"]


def test_user_text_is_escaped_everywhere(travel_page):
    assert EVIL_SCRIPT not in travel_page
    assert EVIL_BOLD not in travel_page
    assert "alert(2)</script>" not in travel_page
    assert "<img" not in travel_page and "<i>A" not in travel_page
    (areas,) = json_blocks(travel_page, "areas")
    assert areas["name"][:3] == [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&lt;b&gt;x&lt;/b&gt;",
        "&#123;&#123; 7*7 &#125;&#125;&#123;% raw %&#125;",
    ]
    assert areas["name"][4] == "Skye &amp; Co"
    for key in ("name", "id", "sites"):
        assert not any(c in s for s in areas[key] for c in "<>\"'")
    # the page's own tags only: nothing injected became an element
    parser = TagCollector()
    parser.feed(travel_page)
    assert parser.tags <= {"html", "head", "meta", "link", "script", "style", "body", "div"}
    # an injected <script>alert(1)</script> would be a script element holding "alert(1)"
    assert not any(s.strip().startswith("alert(") for s in parser.scripts)


def test_site_tooltips_escape_names_and_show_roles(travel_page):
    (sites,) = json_blocks(travel_page, "sites")
    # drawn closed first, then open, then hubs
    assert sites["role"] == ["closed", "open", "hub"]
    assert sites["r"] == [3.5, 3.5, 5.0]
    closed, open_, hub = sites["tip"]
    assert "<b>&lt;script&gt;alert(2)&lt;/script&gt;</b>" in closed
    assert "Network: South &lt;East&gt;" in closed and "Role: closed in this scenario" in closed
    assert "<b>&lt;b&gt;x&lt;/b&gt;</b>" in open_ and "Linacs: unknown" in open_
    assert "Linacs: 4" in hub and "Role: hub (open)" in hub
    assert sites["style"]["hub"]["ring"] > 0 and sites["style"]["closed"]["dash"]


def test_legend_attribution_title_and_sync(travel_page):
    for label in ("up to 30 min", "30\u201345 min", "45\u201360 min", "60\u201390 min",
                  "over 90 min", "unreachable", "open site", "hub", "closed in this scenario"):
        assert label in travel_page
    assert ("addAttribution(\"Contains OS data \u00a9 Crown copyright\\u003cbr\\u003e"
            "IAEA DIRAC \\u0026lt;img src=x onerror=alert(3)\\u0026gt;\")") in travel_page
    assert "setPrefix('Leaflet')" in travel_page
    assert "Scenario \\u0026lt;i\\u0026gt;A" in travel_page
    assert travel_page.count("accessApp.viewSync(") == 1
    assert '"access-app:view:"' in travel_page and "window.accessSetView" in travel_page
    assert "L.control.layers(" in travel_page


def test_shown_minutes_agree_with_the_colour_class():
    m = maps.travel_time_map(make_areas([44.99, 45.0, 45.01, 45.04]), make_sites(),
                             attribution="OGL")
    (data,) = json_blocks(maps.map_html(m, standalone=False), "areas")
    assert data["cls"] == [1, 1, 2, 2]
    assert data["min"] == [45.0, 45.0, 45.1, 45.1]


def test_boundaries_are_drawn_without_properties(travel_page):
    blocks = json_blocks(travel_page, "basemap")
    assert len(blocks) == 3
    feature = blocks[0]["features"][0]
    assert feature["properties"] == {}
    coords = np.array(feature["geometry"]["coordinates"][0])
    assert coords[:, 1].max() == 52.12346  # rounded to 5 decimals
    assert "&lt;script&gt;x" not in travel_page and "<script>x" not in travel_page


def test_change_map_diverging_classes_and_tooltip_columns():
    areas = make_areas()
    areas["baseline_minutes"] = [20.0, 20.0, 20.0, 20.0, 20.0]
    areas["change"] = [-30.0, -5.0, 5.01, 31.0, float("nan")]
    m = maps.change_map(areas, make_sites(), attribution="OGL")
    page = maps.map_html(m, standalone=False)
    (data,) = json_blocks(page, "areas")
    assert data["cls"] == [1, 3, 4, 6, -1]
    assert data["chg"] == [-30.0, -5.0, 5.1, 31.0, None]
    assert data["base"] == [20.0] * 5 and data["min"][0] == 10.0
    for label in ("over 30 min shorter", "within \u00b15 min", "over 30 min longer"):
        assert label in page
    assert '["#2166ac","#4393c3","#92c5de","#d9d9d9","#f4a582","#d6604d","#b2182b"]' in page


def test_catchment_map_colours_by_site():
    m = maps.catchment_map(make_areas(), make_sites(), attribution="OGL")
    (data,) = json_blocks(maps.map_html(m, standalone=False), "areas")
    cls = data["cls"]
    assert cls[0] == cls[2] == cls[4] != cls[1]  # three areas of "Site A", one of another
    assert cls[3] == -1  # unassigned


def test_tiles_only_when_asked():
    m = maps.travel_time_map(make_areas(), make_sites(), attribution="OGL", tiles=True)
    page = maps.map_html(m, standalone=False)
    assert "tile.openstreetmap.org" in page and "OpenStreetMap" in page
    web, _ = web_references(page)
    assert web == []


def test_empty_areas_give_a_map_with_no_points():
    m = maps.travel_time_map(make_areas().iloc[:0], make_sites(), attribution="OGL")
    (data,) = json_blocks(maps.map_html(m, standalone=False), "areas")
    assert data["lat"] == [] and data["cls"] == []


@pytest.mark.parametrize(
    "change, match",
    [
        (lambda a, s: (a.drop(columns="minutes"), s), "'minutes'"),
        (lambda a, s: (a.set_geometry(a.buffer(10)), s), "must be points"),
        (lambda a, s: (a.set_crs(None, allow_override=True), s), "coordinate reference"),
        (lambda a, s: (a, s.drop(columns="site_name")), "'site_name'"),
    ],
)
def test_bad_input_raises_data_error(change, match):
    areas, sites = change(make_areas(), make_sites())
    with pytest.raises(DataError, match=match):
        maps.travel_time_map(areas, sites, attribution="OGL")


def test_unknown_hub_and_missing_attribution_raise():
    with pytest.raises(DataError, match="zz"):
        maps.travel_time_map(make_areas(), make_sites(), attribution="OGL", hubs=["zz"])
    with pytest.raises(DataError, match="attribution"):
        maps.travel_time_map(make_areas(), make_sites(), attribution="  ")
