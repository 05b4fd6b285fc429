"""The initial view leaves every control over sea or empty map, Cornwall included.

Leaflet's fit is recomputed in Python (:mod:`access_app.maps.layout`) for the pane sizes
of a 1920x1080 window (one pane, side by side, three panes, with or without side panels)
and the real England outline and Cornwall's areas from the embedded data.
"""

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

from access_app.core import defaults
from access_app.maps import layout
from access_app.maps.builders import _bounds

#: Map pane sizes in a 1920x1080 window: full width, with the side panels, side by side
#: (two and three panes, panels folded or open; issue 12 keeps every pane at least a third
#: of the window wide) and smaller windows.
PANE_SIZES = [(1900, 950), (1400, 950), (1280, 800), (960, 900), (940, 700), (900, 480),
              (640, 900), (640, 600), (620, 480), (620, 700)]


@pytest.fixture(scope="module")
def england():
    return defaults.load_default_boundaries()["england"]


@pytest.fixture(scope="module")
def cornwall():
    areas = defaults.load_default_areas()
    c = areas[areas["la_name"].isin(["Cornwall", "Isles of Scilly"])].to_crs("EPSG:4326")
    assert len(c) == 327  # 326 LSOAs in Cornwall and 1 on Scilly (ONS 2011)
    return c


def test_bounds_zoom_matches_leaflet_by_hand():
    # A 1-degree square at the equator spans 256 * 2^z / 360 px; 728 px wide fits zoom
    # log2(728 * 360 / 256) = 10.0 exactly, 700 px gives 9.94... and snaps down to 9.75.
    b = [[-0.5, -0.5], [0.5, 0.5]]
    assert layout.bounds_zoom(b, (728, 728)) == 10.0
    assert layout.bounds_zoom(b, (700, 2000)) == 9.75
    assert layout.bounds_zoom(b, (978, 2000), padding=(250, 0)) == 10.0


def test_initial_view_centres_bounds_and_keeps_legend_room():
    b = [[-0.5, -0.5], [0.5, 0.5]]
    v = layout.initial_view(b, 1600, 728)  # wide: the legend room costs no zoom
    assert v.legend_open and v.zoom == 10.0
    x, y = v.to_pixels(np.array([-0.5, 0.5]), np.array([-0.5, 0.5]))
    # a 728.2 px square (256 * 2^10 / 360 px a degree) centred 125 px (half the 250 px
    # legend room) left of the pane's centre: 800 - 125 -+ 364.1
    assert np.allclose(x, [310.9, 1039.1], atol=0.5)
    assert np.allclose(y, [728, 0], atol=1)
    narrow = layout.initial_view(b, 728, 728)
    assert not narrow.legend_open and narrow.zoom == 10.0


def _pixel_geoms(view, geoms):
    return shapely.transform(
        np.asarray(geoms), lambda xy: np.column_stack(view.to_pixels(xy[:, 1], xy[:, 0])))


@pytest.mark.parametrize("size", PANE_SIZES)
def test_no_control_covers_land(size, england):
    bounds = _bounds(gpd.GeoDataFrame(geometry=[], crs=4326),
                     gpd.GeoDataFrame(geometry=[], crs=4326), {"england": england})
    view = layout.initial_view(bounds, *size)
    land = shapely.union_all(_pixel_geoms(view, england.geometry.to_numpy()))
    w, h = size
    assert land.intersects(box(0, 0, w, h))
    for name, rect in layout.control_boxes(view, title_lines=3).items():
        overlap = land.intersection(box(*rect)).area
        assert overlap == 0, f"{name} box {rect} covers {overlap:.0f} px2 of land at {size}"


@pytest.mark.parametrize("size", PANE_SIZES)
def test_every_cornish_area_is_visible(size, england, cornwall):
    """A change in Cornwall (e.g. Truro closed) shows: no Cornish centroid under a box."""
    bounds = _bounds(gpd.GeoDataFrame(geometry=[], crs=4326),
                     gpd.GeoDataFrame(geometry=[], crs=4326), {"england": england})
    view = layout.initial_view(bounds, *size)
    x, y = view.to_pixels(cornwall.geometry.y.to_numpy(), cornwall.geometry.x.to_numpy())
    w, h = size
    assert ((x > 0) & (x < w) & (y > 0) & (y < h)).all()
    for name, (x0, y0, x1, y1) in layout.control_boxes(view, title_lines=3).items():
        under = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        assert not under.any(), f"{int(under.sum())} Cornish areas under the {name} at {size}"
