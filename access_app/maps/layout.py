"""Where the map's boxes sit at the initial view, computed as Leaflet does (no browser).

The page fits its bounds with Leaflet 1.9's ``fitBounds`` (``zoomSnap`` 0.25) and the
rule of the runtime's ``initialFit``: keep :data:`~access_app.maps.layers.LEGEND_COLUMN`
pixels free on the right for the title and legend when that costs at most a quarter zoom
step, else use the whole pane and fold the legend. :func:`initial_view` repeats that
computation and :func:`control_boxes` gives the pixel boxes of the controls (measured in
QtWebEngine from the page's CSS; ``tests/gui/test_map_page.py`` checks them), so a test
can prove that no box covers land, Cornwall included, for a given pane size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .markup import LEGEND_COLUMN

#: Leaflet's zoomSnap on these maps.
ZOOM_SNAP = 0.25
#: Earth radius of Web Mercator (EPSG:3857), metres.
_R = 6378137.0
_MAX_LAT = 85.0511287798


def project(lat: np.ndarray | float, lng: np.ndarray | float, zoom: float
            ) -> tuple[np.ndarray, np.ndarray]:
    """Return Leaflet's world pixel coordinates (EPSG:3857 at ``zoom``) of lat/lng."""
    lat = np.clip(np.asarray(lat, dtype=float), -_MAX_LAT, _MAX_LAT)
    lng = np.asarray(lng, dtype=float)
    x = _R * np.radians(lng)
    y = _R * np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))
    scale = 256 * 2.0**zoom
    k = 0.5 / (math.pi * _R)
    return scale * (k * x + 0.5), scale * (-k * y + 0.5)


def bounds_zoom(bounds: Sequence[Sequence[float]], size: tuple[float, float], *,
                padding: tuple[float, float] = (0.0, 0.0), snap: float = ZOOM_SNAP) -> float:
    """Return ``map.getBoundsZoom(bounds, false, padding)`` of Leaflet 1.9 (max zoom 18)."""
    (south, west), (north, east) = bounds
    x0, y0 = project(north, west, 0)
    x1, y1 = project(south, east, 0)
    sx = (size[0] - padding[0]) / float(x1 - x0)
    sy = (size[1] - padding[1]) / float(y1 - y0)
    zoom = math.log2(min(sx, sy))
    zoom = round(zoom / (snap / 100)) * (snap / 100)  # within 1% of a snap level
    zoom = math.floor(zoom / snap) * snap
    return max(0.0, min(18.0, zoom))


@dataclass(frozen=True)
class InitialView:
    """The view after the page's initial fit.

    Attributes
    ----------
    zoom
        Leaflet zoom.
    origin
        World pixel (at ``zoom``) of the pane's top-left corner.
    legend_open
        Whether the legend starts open (else folded to its button).
    size
        Pane width and height, px.
    """

    zoom: float
    origin: tuple[float, float]
    legend_open: bool
    size: tuple[int, int]

    def to_pixels(self, lat: np.ndarray | float, lng: np.ndarray | float
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Return pane pixel coordinates (x right, y down) of lat/lng."""
        x, y = project(lat, lng, self.zoom)
        return x - self.origin[0], y - self.origin[1]


def initial_view(bounds: Sequence[Sequence[float]], width: int, height: int) -> InitialView:
    """Return the initial view of a page of ``width`` x ``height`` px fitted to ``bounds``.

    ``bounds`` is ``[[south, west], [north, east]]`` as given to the page.
    """
    size = (float(width), float(height))
    room = (float(LEGEND_COLUMN), 0.0)
    z0 = bounds_zoom(bounds, size)
    legend_open = False
    if width > LEGEND_COLUMN + 100 and height > 0:  # else a pane not laid out or too narrow
        z1 = bounds_zoom(bounds, size, padding=room)
        legend_open = z0 - z1 <= 0.25
    zoom = z1 if legend_open else z0
    offset = room[0] / 2 if legend_open else 0.0  # (paddingBottomRight - TopLeft) / 2
    (south, west), (north, east) = bounds
    xs, ys = project(south, west, zoom)
    xn, yn = project(north, east, zoom)
    cx = (float(xs) + float(xn)) / 2 + offset
    cy = (float(ys) + float(yn)) / 2
    origin = (round(cx - width / 2), round(cy - height / 2))
    return InitialView(zoom, origin, legend_open, (int(width), int(height)))


def control_boxes(view: InitialView, *, title_lines: int = 2
                  ) -> dict[str, tuple[float, float, float, float]]:
    """Return the pixel box (left, top, right, bottom) of every control at the initial view.

    Sizes are those of ``resources/maps/runtime.css`` and Leaflet's own controls as
    measured in QtWebEngine (``tests/gui/test_map_page.py`` checks them against the page).
    Top left: zoom buttons and the layer control button. Top right, one column: title,
    search box, legend (open), or, folded, the "Find" and "Legend" buttons. Bottom right:
    scale bar and the one-line attribution (at most 40% of the width).

    Parameters
    ----------
    view
        From :func:`initial_view`.
    title_lines
        Lines the title wraps to (a 202 px wide box of 13 px text).
    """
    w, h = view.size
    title_bottom = 10.0 + 13.0 + 17.0 * title_lines
    boxes = {
        "zoom": (10.0, 10.0, 44.0, 75.0),
        "layers": (10.0, 85.0, 58.0, 133.0),
        "title": (w - 230.0, 10.0, w - 10.0, title_bottom),
        "scale": (w - 112.0, h - 53.0, w - 10.0, h - 19.0),  # up to 100 px of bar
        "attribution": (w - 0.4 * w, h - 14.0, float(w), float(h)),
    }
    if view.legend_open:
        boxes["search"] = (w - 218.0, title_bottom + 10, w - 10.0, title_bottom + 42)
        boxes["legend"] = (w - 230.0, title_bottom + 52, w - 10.0, float(h - 60))
    else:
        boxes["search"] = (w - 59.0, title_bottom + 10, w - 10.0, title_bottom + 36)
        boxes["legend"] = (w - 84.0, title_bottom + 46, w - 10.0, title_bottom + 70)
    return boxes
