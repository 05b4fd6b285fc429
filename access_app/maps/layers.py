"""Map elements written as compact JSON plus a small JavaScript runtime.

Each element is a :class:`~access_app.maps.offline.RawMacroElement`: its HTML/JS is built
here with explicit escaping and written without a Jinja pass. Text that may come from a
user's file (area, site, network names, titles, attribution) goes through :func:`esc`
before it reaches the page, so ``<script>`` in a site name shows as text. Data is embedded
in ``<script type="application/json">`` blocks (``<``, ``>`` and ``&`` written as JSON
unicode escapes) and read with ``JSON.parse``.

Areas are drawn by one canvas renderer from column arrays (no per-area folium object);
one shared tooltip on the layer group builds its text on hover.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from folium.map import Layer

from ..core.errors import ExportError
from ..resources import resource_text
from .markup import (  # noqa: F401 - re-exported for the builders
    LEGEND_COLUMN,
    ROAD_KEY,
    _site_symbol_svg,
    attribution_html,
    esc,
    json_for_script,
    legend_html,
    road_key_html,
)
from .offline import RawMacroElement

#: Leaflet panes used by the layers, with their z-index (tiles 200, overlays 400).
PANES = {"accessBasemap": 250, "accessAreas": 400, "accessRoads": 420, "accessOutlines": 430,
         "accessSites": 450}


def _parent_name(element: Any) -> str:
    """Return the JS name of the map or layer ``element`` was added to."""
    parent = element._parent
    if parent is None:
        raise ExportError(f"{type(element).__name__} was rendered before it was added to a map.")
    return str(parent.get_name())


RUNTIME_CSS = resource_text("maps", "runtime.css")
"""Styles of the map boxes, legend and tooltips (``resources/maps/runtime.css``)."""

RUNTIME_JS = resource_text("maps", "runtime.js")
"""The page's ``window.accessApp`` helpers (``resources/maps/runtime.js``)."""


class Runtime(RawMacroElement):
    """Add the shared CSS and JavaScript runtime to the page's head."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "AccessRuntime"

    def header_html(self) -> str:
        """Return the runtime's ``<style>`` and ``<script>``."""
        return f"<style>{RUNTIME_CSS}</style>\n<script>{RUNTIME_JS}</script>\n"


class _JsonLayer(Layer, RawMacroElement):
    """A Leaflet layer built by the runtime from one embedded JSON block."""

    def __init__(self, data: Mapping[str, Any], *, name: str, show: bool = True) -> None:
        Layer.__init__(self, name=esc(name), overlay=True, control=True, show=show)
        self._data = data

    def body_html(self) -> str:
        """Return the JSON data block."""
        return (
            f'<script type="application/json" id="{self.get_name()}_data">'
            f"{json_for_script(self._data)}</script>\n"
        )

    def layer_js(self) -> str:
        """Return the JS statement that defines ``var <name>`` as a Leaflet layer."""
        raise TypeError(f"{type(self).__name__} must define layer_js()")

    def script_js(self) -> str:
        """Return the JS that builds the layer and adds it to the map if shown."""
        js = self.layer_js()
        if self.show:
            js += f"{self.get_name()}.addTo({_parent_name(self)});\n"
        return js

    def render(self, **kwargs: Any) -> Any:
        """Render the fragments once (folium's ``Layer.render`` would add ``addTo`` anew)."""
        RawMacroElement.render(self, **kwargs)

    def _data_expr(self) -> str:
        return f'accessApp.readJson("{self.get_name()}_data")'


class AreaPointsLayer(_JsonLayer):
    """Draw areas as canvas circle markers coloured by class, with a shared tooltip.

    ``data`` holds column arrays: ``lat``, ``lng``, ``cls`` (class index, -1 = no value),
    ``name`` (escaped) and optionally ``id``, ``pop``, ``imd``, ``site`` (index into
    ``sites``), ``min``, ``base``, ``chg`` (minutes, ``null`` = unreachable), ``label``
    (index into ``labels``).
    """

    def __init__(
        self, data: Mapping[str, Any], *, colours: Sequence[str], no_value: str,
        name: str, show: bool = True,
    ) -> None:
        super().__init__(data, name=name, show=show)
        self._name = "AccessAreas"
        self._colours = list(colours)
        self._no_value = no_value

    def layer_js(self) -> str:
        """Return the JS that builds the layer."""
        return (
            f"var {self.get_name()} = accessApp.areaLayer({_parent_name(self)}, "
            f"{self._data_expr()}, {json_for_script(self._colours)}, "
            f"{json_for_script(self._no_value)});\n"
        )


class SiteLayer(_JsonLayer):
    """Draw sites as SVG circle markers above the areas, each with its own tooltip.

    ``data`` holds ``lat``, ``lng``, ``r`` (radius px), ``role`` (key of ``style``),
    ``tip`` (escaped tooltip HTML) and ``style`` (role -> Leaflet path options plus
    ``ring``/``ringColor`` for an outer ring).
    """

    def __init__(self, data: Mapping[str, Any], *, name: str, show: bool = True) -> None:
        super().__init__(data, name=name, show=show)
        self._name = "AccessSites"

    def layer_js(self) -> str:
        """Return the JS that builds the layer."""
        return (
            f"var {self.get_name()} = accessApp.siteLayer({_parent_name(self)}, "
            f"{self._data_expr()});\n"
        )


class BasemapLayer(_JsonLayer):
    """Draw boundary polygons/lines as a plain, non-interactive basemap."""

    def __init__(
        self, geojson: Mapping[str, Any], *, style: Mapping[str, Any], name: str,
        show: bool = True,
    ) -> None:
        super().__init__(geojson, name=name, show=show)
        self._name = "AccessBasemap"
        self._style = dict(style)

    def layer_js(self) -> str:
        """Return the JS that builds the layer."""
        return (
            f"var {self.get_name()} = accessApp.basemapLayer({_parent_name(self)}, "
            f"{self._data_expr()}, {json_for_script(self._style)});\n"
        )


class HtmlControl(RawMacroElement):
    """Show a box of ready-made (already escaped) HTML as a Leaflet control."""

    def __init__(self, html_text: str, *, position: str, class_name: str) -> None:
        super().__init__()
        self._name = "AccessControl"
        self._html = html_text
        self._position = position
        self._class = class_name

    def script_js(self) -> str:
        """Return the JS that adds the control."""
        return (
            f"var {self.get_name()} = accessApp.control({_parent_name(self)}, "
            f"{json_for_script(self._html)}, {json_for_script(self._position)}, "
            f"{json_for_script(self._class)});\n"
        )


class Attribution(RawMacroElement):
    """Put a data attribution in Leaflet's attribution control (prefix without a web link)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "AccessAttribution"
        self._text = text

    def script_js(self) -> str:
        """Return the JS that sets the attribution."""
        m = _parent_name(self)
        return (
            f"{m}.attributionControl.setPrefix('Leaflet');\n"
            f"{m}.attributionControl.addAttribution({json_for_script(attribution_html(self._text))});\n"
        )


class ViewSync(RawMacroElement):
    """Expose the map as ``window.accessMap`` and report/accept views for synced panes."""

    def __init__(self) -> None:
        super().__init__()
        self._name = "AccessViewSync"

    def script_js(self) -> str:
        """Return the JS that installs the view hooks."""
        return f"accessApp.viewSync({_parent_name(self)});\n"


class FitBoundsRaw(RawMacroElement):
    """Fit the map to bounds ``[[south, west], [north, east]]`` without animation.

    Uses the runtime's ``initialFit``: when the pane has room beside the bounds for the
    legend column (top right, :data:`LEGEND_COLUMN` px) at no more than a quarter zoom
    step's cost, the fit keeps that room free and the legend opens; otherwise the fit
    uses the whole pane and the legend starts folded to its button in the top-right
    corner (sea on a map of England). :func:`initial_fit` reproduces the rule in Python.
    """

    def __init__(self, bounds: Sequence[Sequence[float]]) -> None:
        super().__init__()
        self._name = "AccessFitBounds"
        self._bounds = [[float(v) for v in corner] for corner in bounds]

    def script_js(self) -> str:
        """Return the JS that fits the view."""
        return (f"accessApp.initialFit({_parent_name(self)}, "
                f"{json_for_script(self._bounds)});\n")


class _Call(RawMacroElement):
    """Call ``accessApp.<fn>(map, *args)`` once the map exists (optionally as a variable)."""

    def __init__(self, fn: str, *args: Any, name: str = "AccessCall") -> None:
        super().__init__()
        self._name = name
        self._fn = fn
        self._args = args

    def script_js(self) -> str:
        """Return the JS call."""
        args = "".join(f", {json_for_script(a)}" for a in self._args)
        return (f"var {self.get_name()} = accessApp.{self._fn}("
                f"{_parent_name(self)}{args});\n")


class LegendControl(_Call):
    """Show the collapsible legend (already escaped HTML) at the top right.

    ``footer`` stays when the body is replaced on restyle (the road key).
    """

    def __init__(self, html_text: str, *, footer: str = "") -> None:
        super().__init__("legend", html_text, "topright", footer, name="AccessLegend")


class Highlight(_Call):
    """Ring one location (``[lat, lng]``) above the sites."""

    def __init__(self, latlng: Sequence[float]) -> None:
        super().__init__("highlight", [float(v) for v in latlng], name="AccessHighlight")


class ScaleControl(_Call):
    """Show the scale bar at the bottom right (sea on a map of England, not Scilly)."""

    def __init__(self) -> None:
        super().__init__("scale", name="AccessScale")


class RoadLayer(_JsonLayer):
    """Draw motorways (from zoom 7) and A roads (from zoom 9) on their own canvas."""

    def __init__(self, data: Mapping[str, Any], *, name: str = "Roads", show: bool = True
                 ) -> None:
        super().__init__(data, name=name, show=show)
        self._name = "AccessRoads"

    def layer_js(self) -> str:
        """Return the JS that builds the layer."""
        return (f"var {self.get_name()} = accessApp.roadLayer({_parent_name(self)}, "
                f"{self._data_expr()});\n")


class PlaceLayer(_JsonLayer):
    """Label local authorities from zoom 8; the table also feeds the search box."""

    def __init__(self, data: Mapping[str, Any], *, name: str = "Place names",
                 show: bool = True) -> None:
        super().__init__(data, name=name, show=show)
        self._name = "AccessPlaces"

    def layer_js(self) -> str:
        """Return the JS that builds the layer."""
        return (f"var {self.get_name()} = accessApp.placeLayer({_parent_name(self)}, "
                f"{self._data_expr()});\n")


class OutlineLayer(_JsonLayer):
    """Draw GeoJSON outlines above the areas (drive-time band edges)."""

    def __init__(self, geojson: Mapping[str, Any], *, style: Mapping[str, Any], name: str,
                 show: bool = True) -> None:
        super().__init__(geojson, name=name, show=show)
        self._name = "AccessOutlines"
        self._style = dict(style)

    def layer_js(self) -> str:
        """Return the JS that builds the layer."""
        return (f"var {self.get_name()} = accessApp.outlineLayer({_parent_name(self)}, "
                f"{self._data_expr()}, {json_for_script(self._style)});\n")


class SearchControl(RawMacroElement):
    """Add the search box (sites, local authorities, postcode districts) at the top left."""

    def __init__(self, places: _JsonLayer | None, sites: _JsonLayer | None) -> None:
        super().__init__()
        self._name = "AccessSearch"
        self._places = places
        self._sites = sites

    def script_js(self) -> str:
        """Return the JS that adds the search box."""
        p = self._places._data_expr() if self._places is not None else "null"
        s = self._sites._data_expr() if self._sites is not None else "null"
        return (f"var {self.get_name()} = accessApp.search({_parent_name(self)}, "
                f"{p}, {s});\n")


class LayerControlRaw(RawMacroElement):
    """Layer control: the themes as exclusive choices, the overlays as check boxes.

    ``themes`` are :meth:`~access_app.maps.themes.Theme.to_json` dicts (the first is
    shown); ``overlays`` are ``(label, element)`` pairs of layers already on the page.
    """

    def __init__(self, themes: Sequence[Mapping[str, Any]],
                 overlays: Sequence[tuple[str, Any]]) -> None:
        super().__init__()
        self._name = "AccessLayers"
        self._themes = list(themes)
        self._overlays = list(overlays)

    def body_html(self) -> str:
        """Return the themes' JSON block."""
        return (f'<script type="application/json" id="{self.get_name()}_data">'
                f"{json_for_script(self._themes)}</script>\n")

    def script_js(self) -> str:
        """Return the JS that adds the control."""
        over = ", ".join(f"[{json_for_script(esc(label))}, {el.get_name()}]"
                         for label, el in self._overlays)
        return (f"var {self.get_name()} = accessApp.layers({_parent_name(self)}, "
                f'accessApp.readJson("{self.get_name()}_data"), [{over}]);\n')


