"""Build the application's maps from GeoDataFrames.

Every builder takes the data first and keyword options after, and returns an
:class:`~access_app.maps.offline.OfflineMap` ready for :func:`~access_app.maps.offline.save_map`:

- :func:`travel_time_map`: areas coloured by travel time classes (30/45/60/90 minutes);
- :func:`change_map`: areas coloured by the change against a baseline (diverging);
- :func:`catchment_map`: areas coloured by their assigned site.

Each map has the boundary basemap (always, so it reads without web tiles), the sites sized
by linacs (open, closed and hub drawn differently), a legend, the data attribution in
Leaflet's attribution control, a layer control, optional OpenStreetMap tiles and the view
hooks for synchronised panes (see :mod:`access_app.maps`).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from access_app.core import schema
from access_app.core.errors import DataError
from access_app.core.progress import CancelFn, ProgressFn, check_cancelled, report

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
    site_radius,
    travel_time_legend,
)
from .context import MapContext
from .layers import (
    AreaPointsLayer,
    Attribution,
    BasemapLayer,
    FitBoundsRaw,
    Highlight,
    HtmlControl,
    LayerControlRaw,
    LegendControl,
    OutlineLayer,
    PlaceLayer,
    RoadLayer,
    Runtime,
    ScaleControl,
    SearchControl,
    SiteLayer,
    ViewSync,
    esc,
    legend_html,
    road_key_html,
)
from .offline import OfflineMap
from .shapes import APPROXIMATE_NOTE
from .themes import Theme, context_themes

logger = logging.getLogger(__name__)

#: Decimal places kept for longitude/latitude (about 1 m).
COORD_DECIMALS = 5
#: Bounds of England used when there is nothing to fit: [[south, west], [north, east]].
ENGLAND_BOUNDS = ((49.85, -6.45), (55.82, 1.77))

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

#: Basemap styles by boundary key, drawn in this order (unknown keys after, thin grey).
BOUNDARY_STYLES: dict[str, tuple[str, dict[str, Any]]] = {
    "england": ("England", {"color": "#6f6f6f", "weight": 1.2, "fillColor": "#fbfaf6",
                            "fillOpacity": 1.0}),
    "icbs": ("ICBs", {"color": "#b4b4b4", "weight": 0.7, "fill": False}),
    "regions": ("Regions", {"color": "#7f7f7f", "weight": 1.1, "fill": False}),
}
_OTHER_BOUNDARY_STYLE = {"color": "#a0a0a0", "weight": 0.8, "fill": False}


# ---------------------------------------------------------------------------- checks


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


# ---------------------------------------------------------------------------- pieces


def _bounds(
    areas: gpd.GeoDataFrame, sites: gpd.GeoDataFrame,
    boundaries: Mapping[str, gpd.GeoDataFrame],
) -> list[list[float]]:
    frames = [g for g in (areas, sites) if len(g)]
    if "england" in boundaries and len(boundaries["england"]):
        frames = [boundaries["england"]]
    if not frames:
        return [list(ENGLAND_BOUNDS[0]), list(ENGLAND_BOUNDS[1])]
    b = np.array([f.total_bounds for f in frames])
    west, south = b[:, 0].min(), b[:, 1].min()
    east, north = b[:, 2].max(), b[:, 3].max()
    return [[float(south), float(west)], [float(north), float(east)]]


def _boundary_geojson(gdf: gpd.GeoDataFrame, key: str) -> dict[str, Any]:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataError(f"Boundary layer {key!r} must be a GeoDataFrame, got {type(gdf).__name__}.")
    if gdf.crs is None:
        raise DataError(f"Boundary layer {key!r} has no coordinate reference system.")
    geoms = gdf.geometry
    if not gdf.crs.equals(schema.WGS84):
        geoms = geoms.to_crs(schema.WGS84)
    geoms = geoms[geoms.notna() & ~geoms.is_empty]
    rounded = shapely.transform(geoms.to_numpy(), lambda xy: np.round(xy, COORD_DECIMALS))
    features = [
        {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(g)}
        for g in rounded
    ]
    return {"type": "FeatureCollection", "features": features}


def _add_boundaries(m: OfflineMap, boundaries: Mapping[str, gpd.GeoDataFrame]) -> None:
    order = [k for k in BOUNDARY_STYLES if k in boundaries]
    order += [k for k in boundaries if k not in BOUNDARY_STYLES]
    for key in order:
        label, style = BOUNDARY_STYLES.get(key, (str(key), _OTHER_BOUNDARY_STYLE))
        BasemapLayer(
            _boundary_geojson(boundaries[key], key), style=style, name=f"Basemap: {label}"
        ).add_to(m)


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
    from .layers import _site_symbol_svg

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


def _site_data(
    sites: gpd.GeoDataFrame, open_sites: Collection[str] | None, hubs: Collection[str],
    popups: Sequence[str | None] | None = None,
) -> dict[str, Any]:
    roles = _site_roles(sites, open_sites, hubs)
    linacs = sites[schema.LINACS] if schema.LINACS in sites.columns else pd.Series(
        np.nan, index=sites.index)
    radius = site_radius(linacs.to_numpy(dtype=float, na_value=np.nan))
    tips = []
    lin_int = _ints(linacs)
    names = _texts(sites[schema.SITE_NAME])
    for k, (_, row) in enumerate(sites.iterrows()):
        lines = [f"<b>{names[k]}</b>"]
        lines.append(f"Linacs: {lin_int[k] if lin_int[k] is not None else 'unknown'}")
        for col, label in ((schema.NETWORK, "Network"),
                           (schema.NETWORK_CONFIDENCE, "Network membership confidence"),
                           (schema.SITE_TYPE, "Type"), (schema.TRUST, "Trust")):
            if col in sites.columns and pd.notna(row[col]):
                lines.append(f"{label}: {esc(row[col])}")
        if popups is not None and popups[k]:
            lines.append('<span class="access-note">Click for its catchment</span>')
        if "utilisation" in sites.columns and roles[k] != "closed":
            u = pd.to_numeric(pd.Series([row["utilisation"]]), errors="coerce").iloc[0]
            lines.append("Linac capacity used: " + ("unknown" if pd.isna(u) else f"{u:.0%}"))
        lines.append(f"Role: {_ROLE_TEXT[roles[k]]}")
        tips.append('<div class="access-tip">' + "<br>".join(lines) + "</div>")
    # Draw closed, then open, then hubs; big markers under small ones.
    rank = {"closed": 0, "open": 1, "hub": 2}
    order = sorted(range(len(sites)), key=lambda k: (rank[roles[k]], -radius[k]))
    geom = sites.geometry
    lat = np.round(geom.y.to_numpy(), COORD_DECIMALS).tolist()
    lng = np.round(geom.x.to_numpy(), COORD_DECIMALS).tolist()
    data: dict[str, Any] = {
        "lat": [lat[k] for k in order],
        "lng": [lng[k] for k in order],
        "r": [round(float(radius[k]), 1) for k in order],
        "role": [roles[k] for k in order],
        "tip": [tips[k] for k in order],
        "name": [names[k] for k in order],
        "label": [names[k] for k in order],
        "idx": order,
        "style": SITE_STYLES,
    }
    if popups is not None:
        data["popup"] = [popups[k] for k in order]
    if has_capacity(sites):
        util = sites["utilisation"].to_numpy()
        data["fill"] = [None if roles[k] == "closed" else utilisation_colour(util[k])
                        for k in order]
    return data


def _area_data(areas: gpd.GeoDataFrame) -> dict[str, Any]:
    """Return the static per-area columns (location, names, population, IMD, urban/rural)."""
    geom = areas.geometry
    data: dict[str, Any] = {
        "lat": np.round(geom.y.to_numpy(), COORD_DECIMALS).tolist(),
        "lng": np.round(geom.x.to_numpy(), COORD_DECIMALS).tolist(),
    }
    if schema.AREA_NAME in areas.columns:
        data["name"] = _texts(areas[schema.AREA_NAME])
        if schema.AREA_ID in areas.columns:
            data["id"] = _texts(areas[schema.AREA_ID])
    elif schema.AREA_ID in areas.columns:
        data["name"] = _texts(areas[schema.AREA_ID])
    else:
        data["name"] = _texts(areas.index)
    if schema.POPULATION in areas.columns:
        data["pop"] = _ints(areas[schema.POPULATION])
    if schema.IMD_DECILE in areas.columns:
        data["imd"] = _ints(areas[schema.IMD_DECILE])
    if schema.URBAN_RURAL in areas.columns:
        data["ur"], data["urs"] = _categories(areas[schema.URBAN_RURAL])
    if "via_ferry" in areas.columns:  # sea or air routes the area depends on ("" = none)
        routes = areas["via_ferry"].astype("object").where(areas["via_ferry"].astype(str) != "")
        if routes.notna().any():
            data["ferry"], data["ferries"] = _categories(
                routes.map(lambda r: r.replace(";", ", ") if isinstance(r, str) else r))
    return data


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


# ---------------------------------------------------------------------------- themes


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


# ---------------------------------------------------------------------------- assembly


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


def _assemble(
    main: Theme, fields: Mapping[str, Any], sites: gpd.GeoDataFrame, *,
    areas: gpd.GeoDataFrame, context: MapContext | None,
    boundaries: Mapping[str, gpd.GeoDataFrame], title: str, attribution: str, tiles: bool,
    open_sites: Collection[str] | None, hubs: Collection[str],
    popups: Sequence[str | None] | None = None,
    outlines: Sequence[tuple[str, dict[str, Any], dict[str, Any]]] = (),
    highlight: Sequence[float] | None = None,
    progress: ProgressFn | None, cancelled: CancelFn | None,
) -> OfflineMap:
    if not str(attribution).strip():
        raise DataError("A map needs the data attribution text; pass Dataset.attribution.")
    ctx = context or MapContext(layers=())
    bounds = _bounds(areas, sites, boundaries)
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = OfflineMap(location=centre, zoom_start=6, prefer_canvas=True, tiles=None,
                   control_scale=False, font_size="0.75rem", zoom_snap=0.25, zoom_delta=0.5)
    Runtime().add_to(m)
    overlays: list[tuple[str, Any]] = []
    if tiles:
        tile = folium.TileLayer("OpenStreetMap", name="OpenStreetMap tiles (online)")
        tile.add_to(m)
        overlays.append(("OpenStreetMap tiles (online)", tile))
    check_cancelled(cancelled)
    _add_boundaries(m, boundaries)
    report(progress, 0.4, "Drawing areas")
    packed, km2 = ctx.packed_shapes(areas)
    approximate = packed is not None and ctx.approximate
    data = _area_data(areas)
    data.update(fields)
    data["cls"] = np.asarray(main.cls, dtype=int).tolist()
    if packed is not None:
        data["shape"] = packed
    check_cancelled(cancelled)
    area_layer = AreaPointsLayer(data, colours=main.colours, no_value=main.no_value,
                                 name="Areas")
    area_layer.add_to(m)
    overlays.append(("Areas" + (" (approximate shapes)" if approximate else ""), area_layer))
    roads = ctx.packed_roads()
    has_roads = roads is not None and bool(roads["g"])
    if roads is not None and has_roads:
        road_layer = RoadLayer(roads, name="Roads")
        road_layer.add_to(m)
        overlays.append(("Roads (motorways from zoom 7, A roads from 9)", road_layer))
    for label, geojson, style in outlines:
        o = OutlineLayer(geojson, style=style, name=label)
        o.add_to(m)
        overlays.append((label, o))
    place_layer = None
    places = ctx.place_table()
    if places is not None and places["lat"]:
        place_layer = PlaceLayer(places, name="Place names")
        place_layer.add_to(m)
        overlays.append(("Place names (from zoom 8)", place_layer))
    check_cancelled(cancelled)
    site_layer = SiteLayer(_site_data(sites, open_sites, hubs, popups), name="Sites")
    site_layer.add_to(m)
    overlays.append(("Sites (names from zoom 9)", site_layer))
    if str(title).strip():
        HtmlControl(esc(title), position="topright", class_name="access-title").add_to(m)
    SearchControl(place_layer, site_layer).add_to(m)
    LegendControl(main.legend, footer=road_key_html() if has_roads else "").add_to(m)
    if highlight is not None:
        Highlight(highlight).add_to(m)
    note = (f"{attribution}\n{APPROXIMATE_NOTE}" if approximate else attribution)
    Attribution(note).add_to(m)
    ScaleControl().add_to(m)
    extra = _legend_extra(approximate, capacity=has_capacity(sites))
    themes = [main.to_json()] + [
        t.to_json() for t in context_themes(areas, area_km2=km2, keys=ctx.layers,
                                            extra_legend=extra)]
    LayerControlRaw(themes, overlays).add_to(m)
    FitBoundsRaw(bounds).add_to(m)
    ViewSync().add_to(m)
    report(progress, 1.0, "Map ready")
    return m


def travel_time_map(
    areas: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    attribution: str,
    boundaries: Mapping[str, gpd.GeoDataFrame] | None = None,
    title: str = "Car travel time to the assigned radiotherapy site",
    value_col: str = "minutes",
    breaks: Sequence[float] = TRAVEL_TIME_BREAKS,
    tiles: bool = False,
    open_sites: Collection[str] | None = None,
    hubs: Collection[str] = (),
    context: MapContext | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> OfflineMap:
    """Build a map of areas coloured by travel time to their assigned site.

    Parameters
    ----------
    areas
        Area points in any CRS with ``value_col`` (minutes; ``inf``/``NaN`` = unreachable,
        drawn grey) and, for the tooltip, any of ``area_id``, ``area_name``,
        ``population``, ``imd_decile``, ``urban_rural``, ``site_name`` (the assigned site).
    sites
        Site points in any CRS with ``site_name`` and optionally ``site_id``, ``linacs``,
        ``network``, ``site_type``, ``trust``.
    attribution
        Data attribution shown in the map's attribution control (required).
    boundaries
        Basemap layers in EPSG:4326 keyed ``"england"``, ``"regions"``, ``"icbs"``
        (others drawn as thin grey lines); the map is fitted to ``"england"`` if given.
    title
        Title shown at the top right, above the legend.
    value_col
        Column of minutes.
    breaks
        Upper limits of the classes, see :mod:`access_app.maps.classify`.
    tiles
        Add OpenStreetMap web tiles (needs internet) under the basemap.
    open_sites
        ``site_id`` of the open sites; ``None`` means all. Others are drawn as closed.
    hubs
        ``site_id`` of hub sites, drawn with a ring.
    context
        Area shapes, roads, places and context layers (:func:`default_context` for the
        embedded data); without it areas are dots and there are no roads or places.
    progress, cancelled
        Progress and cancellation hooks.

    Returns
    -------
    OfflineMap
        The map; write it with :func:`~access_app.maps.offline.save_map`.
    """
    report(progress, 0.0, "Preparing the travel-time map")
    areas, sites, boundaries = _prepare(areas, sites, boundaries, value_col)
    extra = _legend_extra(_approx(context, areas), capacity=has_capacity(sites))
    main, fields = _travel_theme(areas, value_col=value_col, breaks=breaks, extra=extra)
    return _assemble(main, fields, sites, areas=areas, context=context,
                     boundaries=boundaries, title=title, attribution=attribution, tiles=tiles,
                     open_sites=open_sites, hubs=hubs,
                     popups=catchment_popups(areas, sites, minutes_col=value_col),
                     progress=progress, cancelled=cancelled)


def _approx(context: MapContext | None, areas: pd.DataFrame) -> bool:
    return bool(context is not None and context.approximate
                and schema.AREA_ID in areas.columns)


def change_map(
    areas: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    attribution: str,
    boundaries: Mapping[str, gpd.GeoDataFrame] | None = None,
    title: str = "Change in car travel time against the baseline",
    value_col: str = "change",
    minutes_col: str | None = "minutes",
    baseline_col: str | None = "baseline_minutes",
    breaks: Sequence[float] = CHANGE_BREAKS,
    tiles: bool = False,
    open_sites: Collection[str] | None = None,
    hubs: Collection[str] = (),
    context: MapContext | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> OfflineMap:
    """Build a map of the change in travel time per area (more minutes red, fewer blue).

    Parameters
    ----------
    areas
        Area points with ``value_col`` (scenario minus baseline, in minutes; non-finite =
        no value, drawn grey) and the tooltip columns of :func:`travel_time_map`;
        ``minutes_col`` and ``baseline_col`` are shown in the tooltip when present.
    sites
        Sites of the compared scenario, as in :func:`travel_time_map`.
    attribution, boundaries, title, tiles, open_sites, hubs, context, progress, cancelled
        As in :func:`travel_time_map`.
    value_col
        Column of the change in minutes.
    minutes_col, baseline_col
        Optional columns of the scenario's and the baseline's minutes.
    breaks
        Positive limits of the symmetric classes, see :mod:`access_app.maps.classify`.

    Returns
    -------
    OfflineMap
        The map.
    """
    report(progress, 0.0, "Preparing the change map")
    areas, sites, boundaries = _prepare(areas, sites, boundaries, value_col)
    extra = _legend_extra(_approx(context, areas), capacity=has_capacity(sites))
    main, fields = _change_theme(areas, value_col=value_col, minutes_col=minutes_col,
                                 baseline_col=baseline_col, breaks=breaks, extra=extra)
    return _assemble(main, fields, sites, areas=areas, context=context,
                     boundaries=boundaries, title=title, attribution=attribution, tiles=tiles,
                     open_sites=open_sites, hubs=hubs, progress=progress,
                     cancelled=cancelled)


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



def catchment_map(
    areas: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    attribution: str,
    boundaries: Mapping[str, gpd.GeoDataFrame] | None = None,
    title: str = "Catchments: areas by assigned site",
    site_col: str = schema.SITE_NAME,
    minutes_col: str | None = "minutes",
    tiles: bool = False,
    open_sites: Collection[str] | None = None,
    hubs: Collection[str] = (),
    context: MapContext | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> OfflineMap:
    """Build a map of areas coloured by their assigned site (nearby catchments differ).

    Clicking a site opens its catchment: population, population-weighted mean travel
    time, rural share and IMD quintile profile (see :func:`catchment_popups`).

    Parameters
    ----------
    areas
        Area points with ``site_col`` (assigned site; missing = unassigned, grey) and the
        tooltip columns of :func:`travel_time_map`.
    sites
        Sites, as in :func:`travel_time_map`.
    site_col
        Column naming each area's site.
    minutes_col
        Optional column of minutes shown in the tooltip.
    attribution, boundaries, title, tiles, open_sites, hubs, context, progress, cancelled
        As in :func:`travel_time_map`.

    Returns
    -------
    OfflineMap
        The map.
    """
    report(progress, 0.0, "Preparing the catchment map")
    areas, sites, boundaries = _prepare(areas, sites, boundaries, site_col)
    extra = _legend_extra(_approx(context, areas), capacity=has_capacity(sites))
    main, fields = _catchment_theme(areas, site_col=site_col, minutes_col=minutes_col,
                                    extra=extra)
    named = areas if site_col == schema.SITE_NAME else areas.drop(
        columns=[schema.SITE_NAME], errors="ignore").rename(columns={site_col: schema.SITE_NAME})
    return _assemble(main, fields, sites, areas=areas, context=context,
                     boundaries=boundaries, title=title, attribution=attribution, tiles=tiles,
                     open_sites=open_sites, hubs=hubs,
                     popups=catchment_popups(named, sites, minutes_col=minutes_col),
                     progress=progress, cancelled=cancelled)


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
