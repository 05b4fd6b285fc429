"""A ``QWebEngineView`` that shows one folium map file and reports its view and clicks.

Map pages built by :mod:`access_app.maps` log ``access-app:view:lat,lng,zoom`` to the
JavaScript console when the user pans or zooms, and offer
``window.accessSetView(lat, lng, zoom)`` to set the view without echo. :class:`MapView`
turns those console lines into Qt signals, so panes can be kept in step, and adds a
click hook used to place a new site.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

_VIEW = re.compile(r"^access-app:view:(-?[\d.]+),(-?[\d.]+),(\d+(?:\.\d+)?)$")
_CLICK = re.compile(r"^access-app:click:(-?[\d.]+),(-?[\d.]+)$")

_CLICK_HOOK = """
(function () {
  var m = window.accessMap;
  if (!m || m._accessClickHook) { return !!m; }
  m._accessClickHook = true;
  m.on('click', function (e) {
    console.log('access-app:click:' + e.latlng.lat.toFixed(6) + ',' + e.latlng.lng.toFixed(6));
  });
  return true;
})();
"""


_COMPACT_CSS = """
.leaflet-control-attribution { max-width: 75% !important; white-space: nowrap;
                               overflow: hidden; text-overflow: ellipsis; }
.leaflet-control-attribution br { display: none; }
.leaflet-control-attribution:hover { white-space: normal; }
"""
_COMPACT_JS = (
    "(function(){var s=document.createElement('style');s.textContent="
    + json.dumps(_COMPACT_CSS.replace("\n", " "))
    + ";document.head.appendChild(s);})();"
)


class MapPage(QWebEnginePage):
    """Web page that forwards the map's console messages to its view."""

    def __init__(self, view: MapView) -> None:
        super().__init__(view)
        self._view = view

    def javaScriptConsoleMessage(  # noqa: N802
        self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str,
        line: int, source: str,
    ) -> None:
        """Turn ``access-app:`` lines into signals; log the rest at debug level."""
        self._view.console_messages.append(message)
        m = _VIEW.match(message)
        if m:
            lat, lng, zoom = float(m[1]), float(m[2]), float(m[3])
            self._view.current_view = (lat, lng, zoom)
            self._view.view_changed.emit(lat, lng, zoom)
            return
        m = _CLICK.match(message)
        if m:
            self._view.clicked.emit(float(m[1]), float(m[2]))
            return
        log.debug("map console (%s:%d): %s", source, line, message)


class MapView(QWebEngineView):
    """Show map HTML files and report view changes, clicks and load completion.

    Signals
    -------
    view_changed(lat, lng, zoom)
        The user panned or zoomed.
    clicked(lat, lng)
        The user clicked the map (WGS84).
    map_loaded(bool)
        A map file finished loading (``True``) or failed (``False``).
    """

    view_changed = Signal(float, float, float)
    clicked = Signal(float, float)
    map_loaded = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        """Create an empty view; set ``compact`` for narrow panes (smaller legend)."""
        super().__init__(parent)
        self.setPage(MapPage(self))
        s = self.settings()
        s.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
        s.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
        self.console_messages: list[str] = []
        self.current_view: tuple[float, float, float] | None = None
        self.path: Path | None = None
        self.loaded = False
        self.loading = False
        self._pending_view: tuple[float, float, float] | None = None
        self.compact = False
        self.loadFinished.connect(self._on_load_finished)
        self.setToolTip("Drag to pan, scroll to zoom; hover an area or site for details")

    def show_file(self, path: Path, *, view: tuple[float, float, float] | None = None) -> None:
        """Load the map HTML file at ``path``; restore ``view`` once it is loaded."""
        self.path = Path(path)
        self.loaded = False
        self.loading = True
        self._pending_view = view
        self.load(QUrl.fromLocalFile(str(self.path.resolve())))

    def show_message(self, text: str) -> None:
        """Show a line of text where the map will be (e.g. while data loads)."""
        import html

        self.path = None
        self.loaded = self.loading = False
        self.setHtml(
            "<html><body style='font: 14px system-ui, sans-serif; color: #555; "
            "background: #dfe6ea; display: flex; align-items: center; "
            "justify-content: center; height: 90vh'>" + html.escape(text) + "</body></html>")

    def _on_load_finished(self, ok: bool) -> None:
        if self.path is None:  # a message, not a map
            return
        self.loading = False
        if ok:
            self.page().runJavaScript(_CLICK_HOOK)
            if self.compact:
                self.page().runJavaScript(_COMPACT_JS)
            if self._pending_view is not None:
                self.set_view(*self._pending_view)
                self._pending_view = None
        self.loaded = ok
        self.map_loaded.emit(ok)

    def set_view(self, lat: float, lng: float, zoom: float) -> None:
        """Move the map to ``lat, lng`` at ``zoom`` without echoing ``view_changed``."""
        self.current_view = (lat, lng, zoom)
        self.page().runJavaScript(
            f"window.accessSetView && window.accessSetView({lat:.6f}, {lng:.6f}, {zoom:g});"
        )

    def run_js(self, script: str, callback: object = None) -> None:
        """Run JavaScript in the page (``callback`` receives the result)."""
        if callback is None:
            self.page().runJavaScript(script)
        else:
            self.page().runJavaScript(script, 0, callback)
