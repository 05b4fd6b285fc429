"""Shared loaders for the benchmarks: DfT network, England LSOAs, radiotherapy sites."""

from __future__ import annotations

import resource
from pathlib import Path

import geopandas as gpd
import pandas as pd

GEODATA = Path(__file__).resolve().parents[1].parent / "shared" / "geodata"
DFT_ZIP = GEODATA / "roads" / "dft_major_roads_link_network_2013.zip"


def england_areas() -> gpd.GeoDataFrame:
    df = pd.read_csv(GEODATA / "population" / "england_lsoa11_combined.csv.gz")
    return gpd.GeoDataFrame(
        {"area_id": df["lsoa11cd"], "urban_rural": df["urban_rural"]},
        geometry=gpd.points_from_xy(df["lon"], df["lat"]),
        crs="EPSG:4326",
    ).to_crs("EPSG:27700")


def england_sites() -> gpd.GeoDataFrame:
    s = pd.read_csv(GEODATA / "sites" / "england_radiotherapy_sites.csv")
    return gpd.GeoDataFrame(
        {"site_id": s["site_id"]},
        geometry=gpd.points_from_xy(s["easting"], s["northing"]),
        crs="EPSG:27700",
    )


def dft_graph(areas: gpd.GeoDataFrame | None = None):
    from access_app.core import network

    lines = network.read_lines(DFT_ZIP)
    return network.graph_from_lines(lines, road_col="Road", areas=areas)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux ru_maxrss is in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
