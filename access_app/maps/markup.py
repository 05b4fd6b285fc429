"""HTML of the map boxes, written with explicit escaping and no folium.

Legend, road key, site symbols and attribution as HTML strings; :func:`esc` for any text
that may come from a user's file and :func:`json_for_script` for data embedded in a page.
The page builders (:mod:`.layers`, :mod:`.builders`) and the in-place restyle
(:mod:`.styling`) share them; this module imports no folium, so recolouring a loaded page
does not need it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

from .classify import LegendClass


def esc(text: object) -> str:
    """Return ``text`` as HTML-escaped text, with braces as entities too.

    ``html.escape`` (quotes included) makes the text inert in HTML and attributes; braces
    are escaped as ``&#123;``/``&#125;`` so no template engine can read them either.
    """
    s = html.escape(str(text), quote=True)
    return s.replace("{", "&#123;").replace("}", "&#125;")


def json_for_script(obj: Any) -> str:
    """Return ``obj`` as JSON that is safe inside a ``<script>`` element."""
    return (
        json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


#: Width kept free for the title and legend column at the top right, px (runtime.js).
LEGEND_COLUMN = 250


#: Road symbols of the legend key (colour, width) as drawn by ``roadLayer``.
ROAD_KEY = (("motorway (from zoom 7)", "#2b5797", 2.0), ("A road (from zoom 9)", "#9a6a3a", 1.2))


def road_key_html() -> str:
    """Return the legend's road key."""
    rows = "".join(
        f'<div class="row"><svg class="line" width="16" height="8"><line x1="0" y1="4" '
        f'x2="16" y2="4" stroke="{c}" stroke-width="{w}"/></svg>{esc(label)}</div>'
        for label, c, w in ROAD_KEY)
    return f"<h4>Roads</h4>{rows}"


def attribution_html(text: str) -> str:
    """Return the attribution as escaped HTML, one source per line."""
    lines = [ln.strip(" -\u2022") for ln in str(text).splitlines()]
    return "<br>".join(esc(ln) for ln in lines if ln.strip())


def legend_html(
    title: str, entries: Sequence[LegendClass], *, note: str = "",
    sites: Sequence[tuple[str, Mapping[str, Any]]] = (), sites_note: str = "",
) -> str:
    """Return the legend box HTML (all text escaped).

    Parameters
    ----------
    title
        Heading of the colour classes.
    entries
        Colour classes in display order.
    note
        Small print under the classes (e.g. how class limits are counted).
    sites
        ``(label, style)`` pairs for the site symbols, style as in :class:`SiteLayer`.
    sites_note
        Small print under the site symbols.
    """
    parts = [f"<h4>{esc(title)}</h4>"]
    for e in entries:
        parts.append(
            f'<div class="row"><span class="sw" style="background:{esc(e.colour)}"></span>'
            f"{esc(e.label)}</div>"
        )
    if note:
        parts.append(f'<div class="note">{esc(note)}</div>')
    if sites:
        parts.append("<h4>Sites</h4>")
        for label, st in sites:
            parts.append(f'<div class="row">{_site_symbol_svg(st)}{esc(label)}</div>')
        if sites_note:
            parts.append(f'<div class="note">{esc(sites_note)}</div>')
    return "".join(parts)


def _site_symbol_svg(st: Mapping[str, Any]) -> str:
    r = 5
    ring = st.get("ring", 0)
    size = 2 * (r + (ring or 0) + 2)
    c = size / 2
    dash = f' stroke-dasharray="{esc(st["dash"])}"' if st.get("dash") else ""
    out = [f'<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}">']
    if ring:
        out.append(
            f'<circle cx="{c}" cy="{c}" r="{r + ring}" fill="none" '
            f'stroke="{esc(st["ringColor"])}" stroke-width="2"/>'
        )
    out.append(
        f'<circle cx="{c}" cy="{c}" r="{r}" fill="{esc(st["fill"])}" '
        f'fill-opacity="{float(st["fillOpacity"])}" stroke="{esc(st["color"])}" '
        f'stroke-width="{float(st["weight"])}"{dash}/>'
    )
    out.append("</svg>")
    return "".join(out)
