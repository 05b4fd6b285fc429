"""Offline Leaflet for folium maps, and writing maps to HTML.

folium's :class:`folium.Map` links Leaflet, jQuery, Bootstrap and Font Awesome from web CDNs,
which planners behind a firewall cannot reach. :class:`OfflineMap` is a ``folium.Map`` whose
only assets are Leaflet 1.9.3's JS and CSS from the installed ``xstatic-leaflet`` package
(folium's class attributes are left untouched). The maps of this package use nothing else:
circle markers instead of icon markers, and their own legend HTML/CSS.

Two ways to write a map (:func:`save_map` / :func:`map_html`):

``standalone=False``
    for the application: the page links Leaflet by ``file://`` URL from the installed package,
    so the cached HTML stays small and loads fast with ``QWebEngineView.load(QUrl.fromLocalFile)``.
``standalone=True``
    for export: Leaflet's JS and CSS (with its images as ``data:`` URIs) are written into the
    page, so the single file works offline on any machine.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import folium
from branca.element import Element, Figure, MacroElement

from access_app.core.errors import ExportError

logger = logging.getLogger(__name__)

AssetMode = Literal["file", "inline"]

_LEAFLET_JS = "leaflet.js"
_LEAFLET_CSS = "leaflet.css"


def leaflet_dir() -> Path:
    """Return the folder that holds Leaflet's ``leaflet.js``, ``leaflet.css`` and ``images/``.

    Raises
    ------
    ExportError
        If the ``xstatic-leaflet`` package is missing or incomplete.
    """
    try:
        from xstatic.pkg import leaflet as xleaflet
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ExportError(
            "The xstatic-leaflet package is not installed; maps need it for offline Leaflet. "
            "Install it with: pip install 'xstatic-leaflet>=1.9.3,<1.10'."
        ) from exc
    base = Path(xleaflet.BASE_DIR)
    for name in (_LEAFLET_JS, _LEAFLET_CSS):
        if not (base / name).is_file():
            raise ExportError(
                f"Leaflet file {base / name} is missing; reinstall xstatic-leaflet."
            )
    return base


def leaflet_version() -> str:
    """Return the version of the installed Leaflet (``xstatic.pkg.leaflet.VERSION``)."""
    from xstatic.pkg import leaflet as xleaflet

    return str(xleaflet.VERSION)


class RawHtml(Element):
    """Hold a ready-made HTML fragment that is written as is.

    branca renders every ``Element`` string as a Jinja template, so a fragment holding data
    (or Leaflet's minified source) could be misread as template syntax. This element skips
    that step.
    """

    def __init__(self, html: str) -> None:
        super().__init__()
        self._name = "RawHtml"
        self._html = html

    def render(self, **kwargs: Any) -> str:
        """Return the fragment unchanged."""
        return self._html


class RawMacroElement(MacroElement):
    """Render ``header``, ``html`` and ``script`` fragments without a second Jinja pass.

    Subclasses implement :meth:`header_html`, :meth:`body_html` and :meth:`script_js`
    (each may return ``""``) and build their strings with escaping of their own.
    """

    def header_html(self) -> str:
        """Return HTML for the page's ``<head>``."""
        return ""

    def body_html(self) -> str:
        """Return HTML for the page's ``<body>``."""
        return ""

    def script_js(self) -> str:
        """Return JavaScript run after the map has been created."""
        return ""

    def render(self, **kwargs: Any) -> Any:
        """Add the fragments to the figure, then render the children."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise ExportError("A map layer was rendered outside a map; add it to a map first.")
        name = self.get_name()
        for part, text in (
            (figure.header, self.header_html()),
            (figure.html, self.body_html()),
            (figure.script, self.script_js()),
        ):
            if text:
                part.add_child(RawHtml(text), name=name)
        for child in self._children.values():
            child.render(**kwargs)


@lru_cache(maxsize=4)
def _leaflet_css_inline(base: str) -> str:
    css = (Path(base) / _LEAFLET_CSS).read_text(encoding="utf-8")

    def _data_uri(match: re.Match[str]) -> str:
        path = Path(base) / match.group(1)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", _data_uri, css)


@lru_cache(maxsize=4)
def _leaflet_js_inline(base: str) -> str:
    js = (Path(base) / _LEAFLET_JS).read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+\s*$", "", js)
    # A literal "</script" would end the inline element early.
    return js.replace("</script", "<\\/script")


def leaflet_head(mode: AssetMode) -> str:
    """Return the ``<head>`` HTML that loads Leaflet in the given mode.

    Parameters
    ----------
    mode
        ``"file"`` links ``leaflet.css``/``leaflet.js`` by ``file://`` URL; ``"inline"``
        writes both into the page.
    """
    base = leaflet_dir()
    if mode == "file":
        css_url = (base / _LEAFLET_CSS).as_uri()
        js_url = (base / _LEAFLET_JS).as_uri()
        return (
            f'<link rel="stylesheet" href="{css_url}"/>\n'
            f'<script src="{js_url}"></script>\n'
        )
    if mode == "inline":
        return (
            f"<style>\n{_leaflet_css_inline(str(base))}\n</style>\n"
            f"<script>\n{_leaflet_js_inline(str(base))}\n</script>\n"
        )
    raise ValueError(f"Unknown Leaflet asset mode {mode!r}; use 'file' or 'inline'.")


class OfflineMap(folium.Map):
    """A :class:`folium.Map` that loads Leaflet from the installed package and nothing else.

    folium's CDN links (Leaflet, jQuery, Bootstrap, Font Awesome, awesome-markers) are
    replaced, on this class only, by Leaflet from ``xstatic-leaflet``; how it is loaded
    (``file://`` link or inline) is chosen when the map is written, see :func:`map_html`.
    Tiles are off unless given explicitly. Use circle markers, GeoJSON or the layers of
    :mod:`access_app.maps.layers`; folium elements that need Bootstrap or Font Awesome
    (``folium.Marker`` icons, ``folium.Icon``) will not be styled.
    """

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("tiles", None)
        super().__init__(*args, **kwargs)
        self._name = "Map"
        # Per-instance copies: folium's add_js_link/add_css_link mutate these lists in place.
        self.default_js = []
        self.default_css = []
        self.asset_mode: AssetMode = "file"

    def render(self, **kwargs: Any) -> Any:
        """Add the Leaflet assets for :attr:`asset_mode` to the page, then render as folium."""
        figure = self.get_root()
        if isinstance(figure, Figure):
            figure.header.add_child(RawHtml(leaflet_head(self.asset_mode)), name="leaflet")
        super().render(**kwargs)


def map_html(m: folium.Map, *, standalone: bool) -> str:
    """Render a map to a complete HTML page.

    Parameters
    ----------
    m
        The map, normally an :class:`OfflineMap` from one of the builders.
    standalone
        ``True`` writes Leaflet into the page (export that works offline anywhere);
        ``False`` links it from the installed package by ``file://`` URL (in-app view).

    Returns
    -------
    str
        The HTML page.
    """
    mode: AssetMode = "inline" if standalone else "file"
    previous = getattr(m, "asset_mode", None)
    if isinstance(m, OfflineMap):
        m.asset_mode = mode
    try:
        html = m.get_root().render()
    finally:
        if isinstance(m, OfflineMap) and previous is not None:
            m.asset_mode = previous
    if not isinstance(m, OfflineMap):
        logger.warning("Map %s is not an OfflineMap; it may link web CDNs.", type(m).__name__)
    return html


def save_map(m: folium.Map, path: str | os.PathLike[str], *, standalone: bool) -> Path:
    """Write a map to an HTML file atomically (temporary file, then rename).

    Parameters
    ----------
    m
        The map to write.
    path
        Destination file; its folder must exist.
    standalone
        ``True`` for a self-contained file with Leaflet inlined (export); ``False`` for a
        small file that links Leaflet from the installed package (in-app cache).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ExportError
        If the folder does not exist or the file cannot be written.
    """
    dest = Path(path)
    folder = dest.parent
    if not folder.is_dir():
        raise ExportError(f"Cannot save the map to {dest}: folder {folder} does not exist.")
    html = map_html(m, standalone=standalone)
    tmp_name = None
    try:
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=folder, prefix=f".{dest.name}.", suffix=".tmp",
            delete=False,
        ) as tmp:
            tmp_name = tmp.name
            tmp.write(html)
        os.replace(tmp_name, dest)
    except OSError as exc:
        if tmp_name is not None and os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise ExportError(
            f"Cannot write the map to {dest}: {exc.strerror or exc}. "
            "Choose another folder or close the file if another program has it open."
        ) from exc
    logger.info("Wrote map %s (%d bytes, standalone=%s)", dest, len(html), standalone)
    return dest
