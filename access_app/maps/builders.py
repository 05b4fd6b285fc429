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
from .layers import (
    AreaPointsLayer,
    Attribution,
    BasemapLayer,
    FitBoundsRaw,
    HtmlControl,
    Runtime,
    SiteLayer,
    ViewSync,
    esc,
    legend_html,
)
from .offline import OfflineMap

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


def _site_data(
    sites: gpd.GeoDataFrame, open_sites: Collection[str] | None, hubs: Collection[str],
) -> dict[str, Any]:
    roles = _site_roles(sites, open_sites, hubs)
    linacs = sites[schema.LINACS] if schema.LINACS in sites.columns else pd.Series(
        np.nan, index=sites.index)
    radius = site_radius(linacs.to_numpy(dtype=float, na_value=np.nan))
    tips = []
    lin_int = _ints(linacs)
    for k, (_, row) in enumerate(sites.iterrows()):
        lines = [f"<b>{esc(row[schema.SITE_NAME])}</b>"]
        lines.append(f"Linacs: {lin_int[k] if lin_int[k] is not None else 'unknown'}")
        for col, label in ((schema.NETWORK, "Network"),
                           (schema.NETWORK_CONFIDENCE, "Network membership confidence"),
                           (schema.SITE_TYPE, "Type"), (schema.TRUST, "Trust")):
            if col in sites.columns and pd.notna(row[col]):
                lines.append(f"{label}: {esc(row[col])}")
        lines.append(f"Role: {_ROLE_TEXT[roles[k]]}")
        tips.append('<div class="access-tip">' + "<br>".join(lines) + "</div>")
    # Draw closed, then open, then hubs; big markers under small ones.
    rank = {"closed": 0, "open": 1, "hub": 2}
    order = sorted(range(len(sites)), key=lambda k: (rank[roles[k]], -radius[k]))
    geom = sites.geometry
    lat = np.round(geom.y.to_numpy(), COORD_DECIMALS).tolist()
    lng = np.round(geom.x.to_numpy(), COORD_DECIMALS).tolist()
    return {
        "lat": [lat[k] for k in order],
        "lng": [lng[k] for k in order],
        "r": [round(float(radius[k]), 1) for k in order],
        "role": [roles[k] for k in order],
        "tip": [tips[k] for k in order],
        "style": SITE_STYLES,
    }


def _area_data(areas: gpd.GeoDataFrame, cls: np.ndarray) -> dict[str, Any]:
    geom = areas.geometry
    data: dict[str, Any] = {
        "lat": np.round(geom.y.to_numpy(), COORD_DECIMALS).tolist(),
        "lng": np.round(geom.x.to_numpy(), COORD_DECIMALS).tolist(),
        "cls": cls.astype(int).tolist(),
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
    if schema.SITE_NAME in areas.columns:
        data["site"], data["sites"] = _categories(areas[schema.SITE_NAME])
    if "via_ferry" in areas.columns:  # sea or air routes the area depends on ("" = none)
        routes = areas["via_ferry"].astype("object").where(areas["via_ferry"].astype(str) != "")
        if routes.notna().any():
            data["ferry"], data["ferries"] = _categories(
                routes.map(lambda r: r.replace(";", ", ") if isinstance(r, str) else r))
    return data


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


def _assemble(
    areas_layer: AreaPointsLayer, sites: gpd.GeoDataFrame, *,
    areas: gpd.GeoDataFrame,
    boundaries: Mapping[str, gpd.GeoDataFrame], title: str, attribution: str, tiles: bool,
    legend: str, open_sites: Collection[str] | None, hubs: Collection[str],
    progress: ProgressFn | None, cancelled: CancelFn | None,
) -> OfflineMap:
    if not str(attribution).strip():
        raise DataError("A map needs the data attribution text; pass Dataset.attribution.")
    bounds = _bounds(areas, sites, boundaries)
    centre = [(bounds[0][0] + bounds[1][0]) / 2, (bounds[0][1] + bounds[1][1]) / 2]
    m = OfflineMap(location=centre, zoom_start=6, prefer_canvas=True, tiles=None,
                   control_scale=True, font_size="0.75rem", zoom_snap=0.25, zoom_delta=0.5)
    Runtime().add_to(m)
    FitBoundsRaw(bounds).add_to(m)
    if tiles:
        folium.TileLayer("OpenStreetMap", name="OpenStreetMap tiles (online)").add_to(m)
    check_cancelled(cancelled)
    _add_boundaries(m, boundaries)
    report(progress, 0.6, "Drawing areas")
    areas_layer.add_to(m)
    check_cancelled(cancelled)
    SiteLayer(_site_data(sites, open_sites, hubs), name="Sites").add_to(m)
    HtmlControl(legend, position="bottomleft", class_name="access-legend").add_to(m)
    if str(title).strip():
        HtmlControl(esc(title), position="topright", class_name="access-title").add_to(m)
    Attribution(attribution).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    ViewSync().add_to(m)
    report(progress, 1.0, "Map ready")
    return m


_SITES_NOTE = "Marker area is proportional to the number of linacs."


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
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> OfflineMap:
    """Build a map of areas coloured by travel time to their assigned site.

    Parameters
    ----------
    areas
        Area points in any CRS with ``value_col`` (minutes; ``inf``/``NaN`` = unreachable,
        drawn grey) and, for the tooltip, any of ``area_id``, ``area_name``,
        ``population``, ``imd_decile``, ``site_name`` (the assigned site).
    sites
        Site points in any CRS with ``site_name`` and optionally ``site_id``, ``linacs``,
        ``network``, ``site_type``, ``trust``.
    attribution
        Data attribution shown in the map's attribution control (required).
    boundaries
        Basemap layers in EPSG:4326 keyed ``"england"``, ``"regions"``, ``"icbs"``
        (others drawn as thin grey lines); the map is fitted to ``"england"`` if given.
    title
        Title shown at the top right.
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
    progress, cancelled
        Progress and cancellation hooks.

    Returns
    -------
    OfflineMap
        The map; write it with :func:`~access_app.maps.offline.save_map`.
    """
    report(progress, 0.0, "Preparing the travel-time map")
    areas, sites, boundaries = _prepare(areas, sites, boundaries, value_col)
    minutes = pd.to_numeric(areas[value_col], errors="coerce").to_numpy(dtype=float)
    cls = classify_travel_time(minutes, breaks=breaks)
    data = _area_data(areas, cls)
    data["min"] = _numbers(minutes)
    legend = legend_html(
        "Car travel time", travel_time_legend(breaks=breaks),
        note=f"Each class includes its upper limit ({breaks[1]:g} min is in the "
             f"{breaks[0]:g}\u2013{breaks[1]:g} class).",
        sites=[(label, SITE_STYLES[role]) for label, role in _SITE_LEGEND],
        sites_note=_SITES_NOTE,
    )
    layer = AreaPointsLayer(data, colours=TRAVEL_TIME_COLOURS, no_value=NO_VALUE_COLOUR,
                            name="Areas: travel time")
    return _assemble(layer, sites, areas=areas, boundaries=boundaries, title=title,
                     attribution=attribution, tiles=tiles, legend=legend,
                     open_sites=open_sites, hubs=hubs, progress=progress,
                     cancelled=cancelled)


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
    attribution, boundaries, title, tiles, open_sites, hubs, progress, cancelled
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
    change = pd.to_numeric(areas[value_col], errors="coerce").to_numpy(dtype=float)
    cls = classify_change(change, breaks=breaks)
    data = _area_data(areas, cls)
    if baseline_col and baseline_col in areas.columns:
        data["base"] = _numbers(areas[baseline_col])
    if minutes_col and minutes_col in areas.columns and minutes_col != value_col:
        data["min"] = _numbers(areas[minutes_col])
    data["chg"] = _numbers(change)
    b0 = float(breaks[0])
    legend = legend_html(
        "Change in travel time", change_legend(breaks=breaks),
        note=f"A change of {b0:g} min or less either way counts as no real change; each "
             f"class includes its limit further from zero ({breaks[1]:g} min longer is in "
             f"{b0:g}\u2013{breaks[1]:g}).",
        sites=[(label, SITE_STYLES[role]) for label, role in _SITE_LEGEND],
        sites_note=_SITES_NOTE,
    )
    layer = AreaPointsLayer(data, colours=CHANGE_COLOURS, no_value=NO_VALUE_COLOUR,
                            name="Areas: change in travel time")
    return _assemble(layer, sites, areas=areas, boundaries=boundaries, title=title,
                     attribution=attribution, tiles=tiles, legend=legend,
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
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> OfflineMap:
    """Build a map of areas coloured by their assigned site (nearby catchments differ).

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
    attribution, boundaries, title, tiles, open_sites, hubs, progress, cancelled
        As in :func:`travel_time_map`.

    Returns
    -------
    OfflineMap
        The map.
    """
    report(progress, 0.0, "Preparing the catchment map")
    areas, sites, boundaries = _prepare(areas, sites, boundaries, site_col)
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
    named = areas.drop(columns=[schema.SITE_NAME], errors="ignore") if (
        site_col != schema.SITE_NAME) else areas
    data = _area_data(named.rename(columns={site_col: schema.SITE_NAME}), cls)
    if minutes_col and minutes_col in areas.columns:
        data["min"] = _numbers(areas[minutes_col])
    entries = [LegendClass(NO_VALUE_COLOUR, "no site assigned")]
    legend = legend_html(
        f"Catchments of {n_cat} sites", entries,
        note="Each colour is one site's catchment; neighbouring catchments get different "
             "colours. Hover over an area for its site.",
        sites=[(label, SITE_STYLES[role]) for label, role in _SITE_LEGEND],
        sites_note=_SITES_NOTE,
    )
    layer = AreaPointsLayer(data, colours=CATEGORY_COLOURS, no_value=NO_VALUE_COLOUR,
                            name="Areas: catchments")
    return _assemble(layer, sites, areas=areas, boundaries=boundaries, title=title,
                     attribution=attribution, tiles=tiles, legend=legend,
                     open_sites=open_sites, hubs=hubs, progress=progress,
                     cancelled=cancelled)
