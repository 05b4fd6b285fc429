"""The embedded default dataset: England's LSOAs, NHS radiotherapy sites, DfT major roads.

The files live in the repository's top-level ``geodata/`` folder and are derived from
open data by ``tools/build_geodata.py`` (see ``geodata/README.md`` for sources and
licences). Set ``ACCESS_APP_GEODATA`` to use a copy elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from . import io
from . import schema as S
from .errors import DataError

#: Text every map, table and export built on the default data must carry.
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(ONS, MHCLG, NHS, DfT). Contains OS data © Crown copyright and database right "
    "(Code-Point Open 2025; DfT road network 2013). Radiotherapy centre directory: IAEA DIRAC "
    "(Directory of Radiotherapy Centres). © OpenStreetMap contributors, ODbL (OpenStreetMap "
    "extracts)."
)

AREAS_FILE = "areas.parquet"
SITES_FILE = "sites.csv"
ROADS_FILE = "roads_dft2013.parquet"
BOUNDARIES_FILE = "boundaries.gpkg"
ICB_NETWORKS_FILE = "icb_networks.csv"
FERRIES_FILE = "ferries.csv"
SHAPES_FILE = "area_shapes.parquet"
PLACES_FILE = "places.csv"
BOUNDARY_LAYERS = ("england", "regions", "icbs")


def geodata_dir() -> Path:
    """Return the folder of the embedded default data (``ACCESS_APP_GEODATA`` overrides it)."""
    env = os.environ.get("ACCESS_APP_GEODATA")
    folder = Path(env) if env else Path(__file__).resolve().parents[2] / "geodata"
    if not (folder / AREAS_FILE).is_file():
        raise DataError(
            f"The embedded default data is not in {folder}. Install the app from its source "
            "folder (pip install -e .), set ACCESS_APP_GEODATA to the geodata folder, or rebuild "
            "it with: python tools/build_geodata.py"
        )
    return folder


def files_token(names: tuple[str, ...] | list[str]) -> str:
    """Return a short text that changes when any of the embedded files ``names`` changes.

    Names, sizes and modification times, without reading the files: cache keys (of map
    pages, for one) use it where reading the files first would cost time.
    """
    parts = []
    for name in names:
        try:
            st = (geodata_dir() / name).stat()
            parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{name}:missing")
    return ";".join(parts)


def load_default_areas() -> gpd.GeoDataFrame:
    """Return the 32,844 England LSOAs with canonical columns, in British National Grid."""
    gdf = gpd.read_parquet(geodata_dir() / AREAS_FILE).set_crs(S.BNG, allow_override=True)
    for col in (S.AREA_ID, S.AREA_NAME, S.RUC_CLASS, S.URBAN_RURAL, S.ICB, S.REGION, S.NETWORK,
                S.NETWORK_CONFIDENCE, "ruc_name", "icb_name", "la_name"):
        if col in gdf.columns:
            gdf[col] = gdf[col].astype(object)
    gdf[S.POPULATION] = gdf[S.POPULATION].astype("float64")
    gdf[S.POP60] = gdf[S.POP60].astype("float64")
    gdf.attrs["source"] = "embedded default (geodata/areas.parquet)"
    return gdf


def load_default_sites() -> gpd.GeoDataFrame:
    """Return the 67 NHS radiotherapy sites with canonical columns, in British National Grid."""
    path = geodata_dir() / SITES_FILE
    mapping = io.ColumnMapping(
        id=S.SITE_ID, name=S.SITE_NAME, network=S.NETWORK, linacs=S.LINACS,
        site_type=S.SITE_TYPE, trust=S.TRUST, postcode=S.POSTCODE, region=S.REGION,
        easting="easting", northing="northing",
    )
    sites = io.load_sites(path, mapping=mapping)
    extra = pd.read_csv(path, dtype=str, keep_default_na=False)
    sites["parent_site_id"] = extra["parent_site_id"].to_numpy(dtype=object)
    sites["hospital_name"] = extra["hospital_name"].to_numpy(dtype=object)
    for col in (S.NETWORK_CONFIDENCE, S.NETWORK_SOURCE):
        if col in extra.columns:
            sites[col] = extra[col].to_numpy(dtype=object)
    sites.attrs["source"] = "embedded default (geodata/sites.csv)"
    return sites


def load_icb_networks() -> pd.DataFrame:
    """Return the 42 ICBs (2022) with their Radiotherapy ODN, ``network_confidence`` and source."""
    path = geodata_dir() / ICB_NETWORKS_FILE
    if not path.is_file():
        raise DataError(f"{path} is missing; rebuild geodata with: python tools/build_geodata.py")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def default_ferries_path() -> Path:
    """Return the embedded table of sea and air links (Isle of Wight, Isles of Scilly)."""
    return geodata_dir() / FERRIES_FILE


def default_roads_path() -> Path:
    """Return the compact DfT major road network 2013 file (GeoParquet, EPSG:27700)."""
    return geodata_dir() / ROADS_FILE


def load_default_boundaries() -> dict[str, gpd.GeoDataFrame]:
    """Return generalised England, region and ICB boundaries in WGS84 for map context."""
    path = geodata_dir() / BOUNDARIES_FILE
    try:
        return {layer: gpd.read_file(path, layer=layer) for layer in BOUNDARY_LAYERS}
    except pyogrio.errors.DataLayerError as exc:
        raise DataError(f"{path} lacks a boundary layer ({exc}); rebuild geodata.") from exc
