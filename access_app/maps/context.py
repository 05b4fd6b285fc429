"""What a map shows besides its subject: area shapes, roads, place names, context layers.

A :class:`MapContext` is built once (the packing of 32,844 shapes and of the road network
is cached inside it) and passed to every builder::

    ctx = maps.default_context()          # embedded approximate shapes, DfT roads, places
    m = maps.travel_time_map(frame, ds.sites, attribution=..., context=ctx)

For a user's own area polygons: ``MapContext(shapes=polygons_gdf)`` (keyed by ``area_id``);
for the network in use: ``MapContext(roads=lines_gdf, road_name_col="ref")``.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from access_app.core import schema

from .shapes import (
    align_shapes,
    default_places,
    default_roads,
    default_shapes,
    pack_polygons,
    place_data,
    road_data,
    shape_area_km2,
)

#: Context layers offered by default in the layer control.
DEFAULT_LAYERS: tuple[str, ...] = ("imd", "urban_rural", "density")


@dataclass(frozen=True, eq=False)
class MapContext:
    """Area shapes, roads, places and context layers for the maps.

    Attributes
    ----------
    shapes
        Area polygons keyed by ``area_id`` (any CRS); areas without a shape are dots.
        ``attrs["approximate"]`` marks derived shapes, labelled so on the map.
    roads
        Road lines with a road number column; motorways and A roads are drawn.
    places
        Place table (``kind``, ``name``, ``lat``, ``lon``) for labels and the search box.
    layers
        Context layers to offer (``"imd"``, ``"urban_rural"``, ``"density"``).
    road_name_col
        Column of road numbers in ``roads``.
    road_area
        Optional polygon (British National Grid): only road links within 2 km of it are
        drawn.
    """

    shapes: gpd.GeoDataFrame | None = None
    roads: gpd.GeoDataFrame | None = None
    places: pd.DataFrame | None = None
    layers: tuple[str, ...] = DEFAULT_LAYERS
    road_name_col: str = "road"
    road_area: Any = None
    _cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def approximate(self) -> bool:
        """Whether the shapes are approximate (derived, not real boundaries)."""
        return bool(self.shapes is not None and self.shapes.attrs.get("approximate"))

    def packed_shapes(self, areas: pd.DataFrame) -> tuple[dict[str, Any] | None,
                                                          np.ndarray | None]:
        """Return the packed shapes and km² per area of ``areas`` (cached by area ids)."""
        if self.shapes is None or schema.AREA_ID not in areas.columns:
            return None, None
        ids = areas[schema.AREA_ID].astype(str).to_numpy()
        key = ("shapes", hashlib.sha1("\0".join(ids).encode()).hexdigest())
        if key not in self._cache:
            aligned = align_shapes(areas, self.shapes)
            if all(g is None for g in aligned):
                self._cache[key] = (None, None)
            else:
                if len(self._cache) > 4:
                    self._cache.clear()
                self._cache[key] = (pack_polygons(aligned), shape_area_km2(areas, self.shapes))
        return self._cache[key]

    def packed_roads(self) -> dict[str, Any] | None:
        """Return the packed motorways and A roads (cached)."""
        if self.roads is None:
            return None
        if "roads" not in self._cache:
            self._cache["roads"] = road_data(self.roads, name_col=self.road_name_col,
                                             within=self.road_area, within_m=2000.0)
        return self._cache["roads"]

    def warm(self, areas: pd.DataFrame) -> MapContext:
        """Pack shapes (for ``areas``), roads and places now, e.g. on a start-up worker.

        The first map then skips the packing (about 2 s for England). Returns ``self``.
        """
        self.packed_shapes(areas)
        self.packed_roads()
        self.place_table()
        return self

    def place_table(self) -> dict[str, Any] | None:
        """Return the place labels and search table, or ``None``."""
        if self.places is None:
            return None
        if "places" not in self._cache:
            self._cache["places"] = place_data(self.places)
        return self._cache["places"]


_default_lock = threading.Lock()


def default_context() -> MapContext:
    """Return the context of the embedded data (one shared, cached instance).

    Approximate LSOA shapes, the DfT major roads 2013 that touch England (within 2 km of
    its outline) and the local authority and postcode district places. Safe to call from
    several threads: the first call reads the files (a start-up worker, in the app) and
    any other waits for it rather than reading them again.
    """
    with _default_lock:
        return _read_default_context()


@lru_cache(maxsize=1)
def _read_default_context() -> MapContext:
    from access_app.core import defaults

    england = defaults.load_default_boundaries()["england"].to_crs(schema.BNG)
    return MapContext(shapes=default_shapes(), roads=default_roads(), places=default_places(),
                      road_area=england.union_all())
