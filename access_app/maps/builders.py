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
    CHANGE_BREAKS,
    TRAVEL_TIME_BREAKS,
    site_radius,
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
    road_key_html,
)
from .offline import OfflineMap
from .shapes import APPROXIMATE_NOTE
from .styling import (  # noqa: F401 - catchment_colours, restyle_* and the helpers the planner reads
    _ROLE_TEXT,
    COORD_DECIMALS,
    SITE_STYLES,
    UTILISATION_CLASSES,
    _catchment_theme,
    _categories,
    _change_theme,
    _ints,
    _legend_extra,
    _numbers,
    _prepare,
    _site_roles,
    _texts,
    _travel_theme,
    catchment_colours,
    catchment_popups,
    has_capacity,
    restyle_js,
    restyle_payload,
    utilisation_colour,
)
from .themes import Theme, context_themes

logger = logging.getLogger(__name__)

#: Bounds of England used when there is nothing to fit: [[south, west], [north, east]].
ENGLAND_BOUNDS = ((49.85, -6.45), (55.82, 1.77))


#: Basemap styles by boundary key, drawn in this order (unknown keys after, thin grey).
BOUNDARY_STYLES: dict[str, tuple[str, dict[str, Any]]] = {
    "england": ("England", {"color": "#6f6f6f", "weight": 1.2, "fillColor": "#fbfaf6",
                            "fillOpacity": 1.0}),
    "icbs": ("ICBs", {"color": "#b4b4b4", "weight": 0.7, "fill": False}),
    "regions": ("Regions", {"color": "#7f7f7f", "weight": 1.1, "fill": False}),
}
_OTHER_BOUNDARY_STYLE = {"color": "#a0a0a0", "weight": 0.8, "fill": False}


# ---------------------------------------------------------------------------- checks


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


# ---------------------------------------------------------------------------- themes


# ---------------------------------------------------------------------------- assembly


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


