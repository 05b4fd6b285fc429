"""Maps of travel time, change and catchments: folium with offline Leaflet.

Build a map with one of the builders, then write it with :func:`save_map`::

    from access_app import maps
    ctx = maps.default_context()   # approximate area shapes, roads, places (cached)
    m = maps.travel_time_map(areas, sites, boundaries=ds.boundaries,
                             attribution=ds.attribution, title="Scenario A", context=ctx)
    maps.save_map(m, cache_dir / "pane_a.html", standalone=False)  # in-app, QUrl.fromLocalFile
    maps.save_map(m, "export.html", standalone=True)                # self-contained export

:func:`scenario_areas`, :func:`change_areas` and :func:`site_roles` join a scenario's
result to the areas and sites in the columns the builders read. :func:`drive_time_map` draws
drive-time bands around one site; :func:`restyle_payload` recolours a loaded page in place
(``window.accessRestyle``) instead of rebuilding it. See ``docs/maps.md``.

The pages reference no web address: Leaflet 1.9.3 comes from the installed
``xstatic-leaflet`` package (``file://`` link in-app, inlined in a standalone export), and
nothing else is loaded (no jQuery, Bootstrap or icon fonts). Web tiles appear only with
``tiles=True``. All text from user files is HTML-escaped before it reaches the page.

Synchronised panes (JavaScript protocol used by the GUI)
--------------------------------------------------------
Every page built here, once loaded, provides:

``window.accessMap``
    The ``L.Map`` object.
``console.log("access-app:view:<lat>,<lng>,<zoom>")``
    Logged on every Leaflet ``moveend`` caused by the user (pan, zoom, fit); latitude and
    longitude with 6 decimals (never exponent notation), zoom as a plain number that may be
    fractional (``zoomSnap`` 0.25), e.g. ``access-app:view:52.500000,-1.250000,7.5``.
    The GUI reads it from ``QWebEnginePage.javaScriptConsoleMessage`` and moves the other
    panes.
``window.accessSetView(lat, lng, zoom)``
    Sets the view without animation and **without** logging a view message, so panes do
    not echo each other (a guard counter suppresses the ``moveend`` it causes). Use this,
    rather than ``accessMap.setView``, to follow another pane.
``window.accessGetView()``
    Returns ``[lat, lng, zoom]`` of the current view.
``window.accessBuildMs``
    Milliseconds spent creating the area markers (for benchmarks).
``window.accessRestyle(payload)``
    Recolours the areas, updates tooltips, legend, title and site roles in place from
    :func:`restyle_payload` (no reload); returns the milliseconds it took. The page must
    have been built from the same areas (same order) and sites.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names below are imported on first use (see __getattr__)
    from . import builders as builders
    from . import classify as classify
    from . import context as context
    from . import frames as frames
    from . import layers as layers
    from . import offline as offline
    from . import planner as planner
    from . import shapes as shapes
    from . import styling as styling
    from . import themes as themes
    from .builders import catchment_map, change_map, travel_time_map
    from .classify import CHANGE_BREAKS, TRAVEL_TIME_BREAKS, classify_change, classify_travel_time
    from .context import MapContext, default_context
    from .frames import change_areas, scenario_areas, site_roles
    from .offline import OfflineMap, leaflet_dir, map_html, save_map
    from .planner import DRIVE_TIME_BANDS, drive_time_map
    from .styling import catchment_popups, restyle_js, restyle_payload

#: Where each public name lives. Submodules are imported when a name is first used, so
#: recolouring a page (:mod:`.styling`, :mod:`.frames`) never imports folium, which only
#: the page builders need.
_NAMES: dict[str, str] = {
    "catchment_map": "builders", "change_map": "builders", "travel_time_map": "builders",
    "CHANGE_BREAKS": "classify", "TRAVEL_TIME_BREAKS": "classify",
    "classify_change": "classify", "classify_travel_time": "classify",
    "MapContext": "context", "default_context": "context",
    "change_areas": "frames", "scenario_areas": "frames", "site_roles": "frames",
    "OfflineMap": "offline", "leaflet_dir": "offline", "map_html": "offline",
    "save_map": "offline",
    "DRIVE_TIME_BANDS": "planner", "drive_time_map": "planner",
    "catchment_popups": "styling", "restyle_js": "styling", "restyle_payload": "styling",
}
_MODULES = ("builders", "classify", "context", "frames", "layers", "markup", "offline",
            "planner", "shapes", "styling", "themes")


def __getattr__(name: str) -> Any:
    """Import the submodule that holds ``name`` on first use (PEP 562)."""
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    module = _NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_NAMES, *_MODULES])


#: Prefix of the console messages a map logs when its view changes.
VIEW_MESSAGE_PREFIX = "access-app:view:"

__all__ = [
    "CHANGE_BREAKS",
    "DRIVE_TIME_BANDS",
    "MapContext",
    "catchment_popups",
    "default_context",
    "drive_time_map",
    "restyle_js",
    "restyle_payload",
    "TRAVEL_TIME_BREAKS",
    "VIEW_MESSAGE_PREFIX",
    "OfflineMap",
    "catchment_map",
    "change_areas",
    "change_map",
    "classify_change",
    "classify_travel_time",
    "leaflet_dir",
    "map_html",
    "save_map",
    "scenario_areas",
    "site_roles",
    "travel_time_map",
]
