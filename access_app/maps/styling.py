"""What colours a map: themes, legends, site roles, tooltips fields and the restyle payload.

The part of map building that needs no folium: the builders (:mod:`.builders`) turn it
into a page, and :func:`restyle_payload` sends it to a page already loaded
(``window.accessRestyle``) when only the scenario changed. A front end can recolour a map
without importing folium (about 0.35 s) or reading the map context.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from access_app.core import schema
from access_app.core.errors import DataError

from .classify import (
    CATEGORY_COLOURS,
    CHANGE_BREAKS,
    CHANGE_COLOURS,
    NO_VALUE_COLOUR,
    TRAVEL_TIME_BREAKS,
    TRAVEL_TIME_COLOURS,
    LegendClass,
    change_legend,
    classify_change,
    classify_travel_time,
    travel_time_legend,
)
from .markup import _site_symbol_svg, esc, legend_html
from .shapes import APPROXIMATE_NOTE
from .themes import Theme

logger = logging.getLogger(__name__)

#: Decimal places kept for longitude/latitude (about 1 m).
COORD_DECIMALS = 5


#: Site roles and how they are drawn (Leaflet path options; ``ring`` adds an outer ring).
SITE_STYLES: dict[str, dict[str, Any]] = {
    "closed": {"color": "#4d4d4d", "weight": 1.5, "dash": "3,3", "fill": "#ffffff",
               "fillOpacity": 0.7, "ring": 0, "ringColor": None},
    "open": {"color": "#ffffff", "weight": 1.5, "dash": None, "fill": "#1a1a1a",
             "fillOpacity": 1.0, "ring": 0, "ringColor": None},
    "hub": {"color": "#ffffff", "weight": 1.5, "dash": None, "fill": "#1a1a1a",
            "fillOpacity": 1.0, "ring": 4, "ringColor": "#e7298a"},
}


_SITE_LEGEND = (("open site", "open"), ("hub", "hub"), ("closed in this scenario", "closed"))


_ROLE_TEXT = {"open": "open", "closed": "closed in this scenario", "hub": "hub (open)"}


def _points_4326(gdf: gpd.GeoDataFrame, what: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataError(f"The {what} must be a GeoDataFrame, got {type(gdf).__name__}.")
    if gdf.crs is None and len(gdf):
        raise DataError(
            f"The {what} have no coordinate reference system; set one (for example "
            f"{schema.BNG} or {schema.WGS84}) before drawing a map."
        )
    geom = gdf.geometry
    bad = ~(geom.geom_type == "Point") & ~geom.is_empty & geom.notna()
    if bad.any():
        first = gdf.index[np.flatnonzero(bad.to_numpy())[0]]
        raise DataError(
            f"The {what} must be points (centroids); row {first!r} is a "
            f"{geom.loc[first].geom_type}. Use the population-weighted centroids."
        )
    missing = geom.isna() | geom.is_empty
    if missing.any():
        logger.warning("Skipping %d %s without a location", int(missing.sum()), what)
        gdf = gdf.loc[~missing.to_numpy()]
    if len(gdf) and gdf.crs is not None and not gdf.crs.equals(schema.WGS84):
        gdf = gdf.to_crs(schema.WGS84)
    return gdf


def _require(gdf: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise DataError(
            f"The {what} have no column {', '.join(repr(c) for c in missing)} "
            f"(columns present: {', '.join(map(str, gdf.columns))})."
        )


def _numbers(values: Any, decimals: int = 1) -> list[float | None]:
    """Return values rounded *away from zero* to ``decimals``; non-finite become ``None``.

    Rounding up the size keeps the number shown in a tooltip in the same class as the
    colour (classes include their limit further from zero): 45.01 shows as 45.1, in 45-60.
    """
    arr = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(arr)
    scale = 10.0**decimals
    safe = np.where(ok, arr, 0.0)
    rounded = (np.sign(safe) * np.ceil(np.abs(safe) * scale) / scale).tolist()
    return [v if good else None for v, good in zip(rounded, ok.tolist(), strict=True)]


def _ints(values: Any) -> list[int | None]:
    arr = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(arr)
    ints = np.round(np.where(ok, arr, 0.0)).astype(np.int64).tolist()
    return [v if good else None for v, good in zip(ints, ok.tolist(), strict=True)]


def _texts(values: Any) -> list[str]:
    return [esc("" if (v is None or (isinstance(v, float) and np.isnan(v))) else v)
            for v in values]


def _categories(values: pd.Series) -> tuple[list[int | None], list[str]]:
    cat = pd.Categorical(values.astype("object").where(values.notna(), None))
    codes = [int(c) if c >= 0 else None for c in cat.codes.tolist()]
    return codes, _texts(list(cat.categories))


def _site_roles(
    sites: gpd.GeoDataFrame, open_sites: Collection[str] | None, hubs: Collection[str],
) -> list[str]:
    if open_sites is None and not hubs:
        return ["open"] * len(sites)
    _require(sites, [schema.SITE_ID], "sites (needed to mark open, closed and hub sites)")
    ids = sites[schema.SITE_ID].astype(str)
    known = set(ids)
    opened = set(map(str, open_sites)) if open_sites is not None else known
    hub_set = set(map(str, hubs))
    unknown = sorted((opened | hub_set) - known)
    if unknown:
        raise DataError(
            f"Site ids {', '.join(unknown[:5])} (open or hub sites) are not in the sites' "
            f"{schema.SITE_ID!r} column; check the scenario against the loaded sites."
        )
    return ["hub" if i in hub_set else ("open" if i in opened else "closed") for i in ids]


def _site_legend(*, capacity: bool = False) -> str:
    parts = ["<h4>Sites</h4>"]
    for label, role in _SITE_LEGEND:
        parts.append(f'<div class="row">{_site_symbol_svg(SITE_STYLES[role])}{esc(label)}</div>')
    if capacity:
        parts.append("<h4>Linac capacity used</h4>")
        for _, colour, label in UTILISATION_CLASSES:
            style = {**SITE_STYLES["open"], "fill": colour}
            parts.append(f'<div class="row">{_site_symbol_svg(style)}{esc(label)}</div>')
    parts.append(f'<div class="note">{esc(_SITES_NOTE)}</div>')
    return "".join(parts)


#: Fill of an open site by the share of its linac capacity the scenario uses (upper limit,
#: colour, label); sites with no capacity figure keep the plain fill.
UTILISATION_CLASSES: tuple[tuple[float, str, str], ...] = (
    (0.8, "#1a9850", "up to 80%"), (1.0, "#fdae61", "80-100%"),
    (float("inf"), "#d73027", "over 100% (over capacity)"))


def utilisation_colour(value: object) -> str | None:
    """Return the site fill for a utilisation (share of capacity), or ``None`` if unknown."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if not np.isfinite(v):
        return None
    return next(c for limit, c, _ in UTILISATION_CLASSES if v <= limit)


def has_capacity(sites: pd.DataFrame) -> bool:
    """Return True if ``sites`` carry a known ``utilisation`` for at least one site."""
    return "utilisation" in sites.columns and bool(
        pd.to_numeric(sites["utilisation"], errors="coerce").notna().any())


_SITES_NOTE = "Marker area is proportional to the number of linacs."


def _legend_extra(approximate: bool, *, capacity: bool = False) -> str:
    """Return what every legend body ends with: the site symbols and the shapes note."""
    extra = _site_legend(capacity=capacity)
    if approximate:
        extra += f'<div class="note">{esc(APPROXIMATE_NOTE)}</div>'
    return extra


def _site_fields(areas: pd.DataFrame, fields: dict[str, Any]) -> dict[str, Any]:
    if schema.SITE_NAME in areas.columns:
        fields["site"], fields["sites"] = _categories(areas[schema.SITE_NAME])
    return fields


def _prepare(
    areas: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
    boundaries: Mapping[str, gpd.GeoDataFrame] | None, value_col: str | None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, Mapping[str, gpd.GeoDataFrame]]:
    areas = _points_4326(areas, "areas")
    if value_col is not None:
        _require(areas, [value_col], "areas")
    sites = _points_4326(sites, "sites")
    _require(sites, [schema.SITE_NAME], "sites")
    if boundaries is None:
        boundaries = {}
    if not isinstance(boundaries, Mapping):
        raise DataError("boundaries must be a dict of GeoDataFrames such as {'england': ...}.")
    return areas, sites, boundaries


def _travel_theme(areas: pd.DataFrame, *, value_col: str, breaks: Sequence[float],
                  extra: str) -> tuple[Theme, dict[str, Any]]:
    minutes = pd.to_numeric(areas[value_col], errors="coerce").to_numpy(dtype=float)
    cls = classify_travel_time(minutes, breaks=breaks)
    legend = legend_html(
        "Car travel time", travel_time_legend(breaks=breaks),
        note=f"Each class includes its upper limit ({breaks[1]:g} min is in the "
             f"{breaks[0]:g}\u2013{breaks[1]:g} class).") + extra
    fields = _site_fields(areas, {"min": _numbers(minutes)})
    return Theme("travel", "Travel time", cls, TRAVEL_TIME_COLOURS, legend), fields


def _change_theme(areas: pd.DataFrame, *, value_col: str, minutes_col: str | None,
                  baseline_col: str | None, breaks: Sequence[float], extra: str
                  ) -> tuple[Theme, dict[str, Any]]:
    change = pd.to_numeric(areas[value_col], errors="coerce").to_numpy(dtype=float)
    cls = classify_change(change, breaks=breaks)
    fields: dict[str, Any] = {}
    if baseline_col and baseline_col in areas.columns:
        fields["base"] = _numbers(areas[baseline_col])
    if minutes_col and minutes_col in areas.columns and minutes_col != value_col:
        fields["min"] = _numbers(areas[minutes_col])
    fields["chg"] = _numbers(change)
    b0 = float(breaks[0])
    legend = legend_html(
        "Change in travel time", change_legend(breaks=breaks),
        note=f"A change of {b0:g} min or less either way counts as no real change; each "
             f"class includes its limit further from zero ({breaks[1]:g} min longer is in "
             f"{b0:g}\u2013{breaks[1]:g}).") + extra
    return (Theme("change", "Change in travel time", cls, CHANGE_COLOURS, legend),
            _site_fields(areas, fields))


def _catchment_theme(areas: pd.DataFrame, *, site_col: str, minutes_col: str | None,
                     extra: str) -> tuple[Theme, dict[str, Any]]:
    codes = pd.Categorical(areas[site_col].astype("object").where(areas[site_col].notna(),
                                                                   None)).codes
    n_cat = int(codes.max()) + 1 if len(codes) else 0
    if n_cat:
        xy = np.column_stack([areas.geometry.x.to_numpy(), areas.geometry.y.to_numpy()])
        valid = codes >= 0
        sums = np.zeros((n_cat, 2))
        np.add.at(sums, codes[valid], xy[valid])
        centres = sums / np.bincount(codes[valid], minlength=n_cat)[:, None]
        colour_of = catchment_colours(centres)
    else:
        colour_of = np.zeros(0, dtype=int)
    cls = np.where(codes >= 0, colour_of[np.maximum(codes, 0)] if n_cat else -1, -1)
    fields: dict[str, Any] = {}
    fields["site"], fields["sites"] = _categories(areas[site_col])
    if minutes_col and minutes_col in areas.columns:
        fields["min"] = _numbers(areas[minutes_col])
    legend = legend_html(
        f"Catchments of {n_cat} sites", [LegendClass(NO_VALUE_COLOUR, "no site assigned")],
        note="Each colour is one site's catchment; neighbouring catchments get different "
             "colours. Hover over an area for its site.") + extra
    return Theme("catchment", "Catchments", cls, CATEGORY_COLOURS, legend), fields


def catchment_popups(areas: pd.DataFrame, sites: pd.DataFrame, *,
                     minutes_col: str | None = "minutes") -> list[str | None]:
    """Return, per site, HTML of its catchment: population, IMD profile, rural share.

    Areas belong to a site's catchment through ``site_id`` (when both tables have it) or
    ``site_name``. The IMD profile is the share of the catchment's population in each IMD
    2019 quintile (deciles 1-2 = quintile 1, most deprived); the rural share is the
    population share of areas classed rural (ONS RUC 2011). ``None`` for a site with no
    area or when the areas carry no assignment or population.
    """
    key = schema.SITE_ID if (schema.SITE_ID in areas.columns
                             and schema.SITE_ID in sites.columns) else schema.SITE_NAME
    if key not in areas.columns or schema.POPULATION not in areas.columns or not len(sites):
        return [None] * len(sites)
    site_keys = sites[key].astype(object).to_numpy()
    n = len(sites)
    codes = pd.Categorical(areas[key].astype(object), categories=pd.unique(site_keys)).codes
    # map category position back to the first site row holding that key
    first_row = {k: i for i, k in reversed(list(enumerate(site_keys)))}
    cat_row = np.array([first_row[k] for k in pd.unique(site_keys)], dtype=np.int64)
    ok = codes >= 0
    row = cat_row[codes[ok]]
    pop = pd.to_numeric(areas[schema.POPULATION], errors="coerce").fillna(0.0).to_numpy(
        dtype=float)[ok]
    count = np.bincount(row, minlength=n)
    pop_sum = np.bincount(row, weights=pop, minlength=n)
    total_pop = float(np.nansum(pd.to_numeric(areas[schema.POPULATION], errors="coerce"))) or 1.0
    rural = quint = mean_min = None
    if schema.URBAN_RURAL in areas.columns:
        is_rural = (areas[schema.URBAN_RURAL].astype(str).str.lower() == "rural").to_numpy()[ok]
        rural = np.bincount(row, weights=pop * is_rural, minlength=n)
    if schema.IMD_DECILE in areas.columns:
        dec = pd.to_numeric(areas[schema.IMD_DECILE], errors="coerce").to_numpy(dtype=float)[ok]
        q = np.ceil(dec / 2)
        has_q = np.isfinite(q) & (q >= 1) & (q <= 5)
        quint = np.bincount(row[has_q] * 5 + (q[has_q].astype(np.int64) - 1),
                            weights=pop[has_q], minlength=n * 5).reshape(n, 5)
    if minutes_col and minutes_col in areas.columns:
        mins = pd.to_numeric(areas[minutes_col], errors="coerce").to_numpy(dtype=float)[ok]
        fin = np.isfinite(mins)
        w = np.bincount(row[fin], weights=pop[fin], minlength=n)
        wm = np.bincount(row[fin], weights=pop[fin] * mins[fin], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_min = np.where(w > 0, wm / w, np.nan)
    names = _texts(sites[schema.SITE_NAME])
    out: list[str | None] = []
    for k in range(n):
        if not count[k]:
            out.append(None)
            continue
        p = float(pop_sum[k])
        rows = [f"<b>{names[k]}</b>: catchment", f"Areas: {int(count[k]):,}",
                f"Population: {p:,.0f} ({100 * p / total_pop:.1f}% of all)"]
        if mean_min is not None and np.isfinite(mean_min[k]):
            rows.append(f"Mean travel time: {mean_min[k]:.1f} min (population-weighted)")
        if rural is not None and p > 0:
            rows.append(f"Rural share: {100 * float(rural[k]) / p:.1f}%")
        html = '<div class="access-tip access-stats">' + "<br>".join(rows)
        if quint is not None and p > 0:
            cells = "".join(f"<tr><td>Q{j + 1}</td><td>{100 * float(quint[k, j]) / p:.1f}%</td>"
                            "</tr>" for j in range(5))
            html += f"<br>Population by IMD quintile (Q1 most deprived):<table>{cells}</table>"
        out.append(html + "</div>")
    return out


def catchment_colours(
    centres: np.ndarray, *, n_colours: int = len(CATEGORY_COLOURS), neighbours: int = 6,
) -> np.ndarray:
    """Return a colour index per catchment so that nearby catchments differ.

    Greedy colouring: catchments are taken west to east and each gets the first colour
    not used by its ``neighbours`` nearest already-coloured catchments (or the least
    used among them if all are taken).

    Parameters
    ----------
    centres
        ``(n, 2)`` array of catchment centres (x, y in any planar-ish units).
    n_colours
        Number of colours available.
    neighbours
        How many nearest catchments must get a different colour.
    """
    pts = np.asarray(centres, dtype=float).reshape(-1, 2)
    n = len(pts)
    out = np.full(n, -1, dtype=int)
    for k in np.lexsort((pts[:, 1], pts[:, 0])):
        done = np.flatnonzero(out >= 0)
        if len(done):
            d = np.hypot(*(pts[done] - pts[k]).T)
            near = out[done[np.argsort(d, kind="stable")[:neighbours]]]
            counts = np.bincount(near, minlength=n_colours)
            out[k] = int(np.argmin(counts))  # first unused colour, else least used
        else:
            out[k] = 0
    return out


def restyle_payload(
    areas: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    kind: str = "travel",
    title: str = "",
    value_col: str | None = None,
    minutes_col: str | None = "minutes",
    baseline_col: str | None = "baseline_minutes",
    breaks: Sequence[float] | None = None,
    open_sites: Collection[str] | None = None,
    hubs: Collection[str] = (),
    approximate: bool = False,
) -> dict[str, Any]:
    """Return the JSON payload that recolours a loaded map page in place.

    Takes the same inputs as :func:`travel_time_map` (``kind="travel"``),
    :func:`change_map` (``"change"``) or :func:`catchment_map` (``"catchment"``) and returns
    what the page's ``accessApp.restyle(payload)`` (also ``window.accessRestyle``) needs:
    class per area, colours, legend and title HTML, the tooltip fields (minutes, change,
    assigned site), the role of each site in the order of ``sites`` and the catchment
    popups. The page must have been built from the same areas (same order) and sites.

    Parameters
    ----------
    areas, sites
        As for the builder of ``kind``.
    kind
        ``"travel"``, ``"change"`` or ``"catchment"``.
    title
        New title (escaped here).
    value_col
        Column of minutes (``"minutes"``), change (``"change"``) or site (``"site_name"``);
        the builder's default when ``None``.
    minutes_col, baseline_col, breaks, open_sites, hubs
        As for the builders.
    approximate
        Whether the page's shapes are approximate (keeps the legend note).

    Returns
    -------
    dict
        JSON-ready payload (``json.dumps`` it into ``accessRestyle(...)``).
    """
    defaults = {"travel": "minutes", "change": "change", "catchment": schema.SITE_NAME}
    if kind not in defaults:
        raise ValueError(f"Unknown map kind {kind!r}; use 'travel', 'change' or 'catchment'.")
    col = value_col or defaults[kind]
    if kind == "catchment":  # colours depend on the catchments' centres, as on the page
        areas, sites, _ = _prepare(areas, sites, None, col)
    else:
        _require(areas, [col], "areas")
        _require(sites, [schema.SITE_NAME], "sites")
    extra = _legend_extra(approximate, capacity=has_capacity(sites))
    if kind == "travel":
        main, fields = _travel_theme(areas, value_col=col,
                                     breaks=breaks or TRAVEL_TIME_BREAKS, extra=extra)
        popups = catchment_popups(areas, sites, minutes_col=col)
    elif kind == "change":
        main, fields = _change_theme(areas, value_col=col, minutes_col=minutes_col,
                                     baseline_col=baseline_col, breaks=breaks or CHANGE_BREAKS,
                                     extra=extra)
        popups = [None] * len(sites)
    else:
        main, fields = _catchment_theme(areas, site_col=col, minutes_col=minutes_col,
                                        extra=extra)
        named = areas if col == schema.SITE_NAME else areas.drop(
            columns=[schema.SITE_NAME], errors="ignore").rename(columns={col: schema.SITE_NAME})
        popups = catchment_popups(named, sites, minutes_col=minutes_col)
    return {
        "n": len(areas),
        "cls": np.asarray(main.cls, dtype=int).tolist(),
        "colours": list(main.colours),
        "noValue": main.no_value,
        "legend": main.legend,
        "title": esc(title),
        "fields": fields,
        "roles": _site_roles(sites, open_sites, hubs),
        "popups": popups,
    }


def restyle_js(payload: Mapping[str, Any]) -> str:
    """Return the JavaScript that applies a :func:`restyle_payload` in a loaded page.

    For ``QWebEnginePage.runJavaScript``; the call returns the milliseconds it took.
    """
    import json

    return f"accessRestyle({json.dumps(payload, allow_nan=False, separators=(',', ':'))})"
