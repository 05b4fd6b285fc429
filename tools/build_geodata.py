"""Derive the embedded default dataset in ``geodata/`` from the open data in ``../shared/geodata``.

Re-runnable: every output is rebuilt from the raw files, written atomically, and the
script prints what it wrote. Run from the repository root::

    python tools/build_geodata.py [--shared ../shared/geodata] [--out geodata]

Outputs (all derived, none copied):

- ``areas.parquet``: the 32,844 England LSOAs (2011) as population-weighted centroid points
  in British National Grid, with mid-2019 population, population aged 60+ (IoD 2015
  denominators), IMD 2019 rank and decile, RUC 2011 class and urban/rural, ICB 2022,
  local authority, region and the default network: the Radiotherapy ODN of the area's ICB
  (``networks/icb_odn.csv``, joined through the LSOA -> ICB look-up in ``boundaries/``),
  with its ``network_confidence``.
- ``sites.csv``: the 67 NHS radiotherapy sites with canonical column names and their ODN
  (``networks/site_odn.csv``: ``network``, ``network_confidence``, ``network_source``).
- ``icb_networks.csv``: the 42 ICBs (2022) with their ODN, confidence and source, so that
  user files without a network column get one from their location.
- ``ferries.csv``: sea and air links to the Isle of Wight and the Isles of Scilly
  (``roads/ferries_england.csv``) with ports in British National Grid.
- ``roads_dft2013.parquet``: the DfT major road network 2013 links (road number, urban flag).
- ``boundaries.gpkg``: generalised England outline, 9 regions and 42 ICBs (WGS84).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from access_app.core import schema as S  # noqa: E402

ENGLAND_LSOAS = 32_844
ENGLAND_ICBS = 42
ODN_COUNT = 11


def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        os.remove(tmp)
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _number(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.astype(str).str.replace(",", "", regex=False), errors="raise")


def build_areas(shared: Path) -> gpd.GeoDataFrame:
    """Join centroids, population, IMD, RUC and geography look-ups for England's LSOAs."""
    pop = shared / "population"
    cent = pd.read_csv(pop / "lsoa11_population_weighted_centroids.csv", encoding="utf-8-sig")
    cent = cent[cent["lsoa11cd"].str.startswith("E")]
    people = pd.read_csv(pop / "lsoa_population_mid2019.csv", encoding="utf-8-sig", dtype=str)
    people = people.rename(columns={"lsoa": "lsoa11cd"})
    people["population"] = _number(people["pop"])
    imd = pd.read_csv(pop / "imd2019_file1_imd.csv.gz", encoding="utf-8-sig", dtype=str)
    imd = imd.rename(columns={
        "LSOA code (2011)": "lsoa11cd",
        "Index of Multiple Deprivation (IMD) Rank": "imd_rank",
        "Index of Multiple Deprivation (IMD) Decile": "imd_decile",
    })
    imd["imd_rank"] = _number(imd["imd_rank"]).astype("int64")
    imd["imd_decile"] = _number(imd["imd_decile"]).astype("int64")
    denominators = pd.read_csv(pop / "imd2019_file6_population_denominators.csv.gz",
                               encoding="utf-8-sig", dtype=str)
    code_col = next(c for c in denominators.columns if c.startswith("LSOA code"))
    old_col = next(c for c in denominators.columns if "60" in c and "over" in c.lower())
    denominators = denominators.rename(columns={code_col: "lsoa11cd"})
    denominators["pop60plus"] = _number(denominators[old_col])
    ruc = pd.read_csv(pop / "lsoa11_rural_urban_2011.csv", encoding="utf-8-sig", dtype=str)
    ruc = ruc.rename(columns={"lsoa": "lsoa11cd", "RUC11CD": "ruc_class", "RUC11": "ruc_name"})
    combined = pd.read_csv(pop / "england_lsoa11_combined.csv.gz", dtype=str)
    geo = combined[["lsoa11cd", "icb22_code", "icb22_name", "ltla22_name", "region21_name"]]

    df = (
        cent[["lsoa11cd", "lsoa11nm", "X", "Y"]]
        .merge(people[["lsoa11cd", "population"]], on="lsoa11cd", how="left", validate="1:1")
        .merge(imd[["lsoa11cd", "imd_rank", "imd_decile"]], on="lsoa11cd", how="inner",
               validate="1:1")
        .merge(denominators[["lsoa11cd", "pop60plus"]], on="lsoa11cd", how="left", validate="1:1")
        .merge(ruc[["lsoa11cd", "ruc_class", "ruc_name"]], on="lsoa11cd", how="left",
               validate="1:1")
        .merge(geo, on="lsoa11cd", how="left", validate="1:1")
    )
    if len(df) != ENGLAND_LSOAS or df.isna().any().any():
        missing = df.columns[df.isna().any()].tolist()
        raise SystemExit(f"areas: expected {ENGLAND_LSOAS} complete rows, got {len(df)}; "
                         f"gaps in {missing}")
    urban = df["ruc_class"].str[0].map({"A": "Urban", "B": "Urban", "C": "Urban",
                                         "D": "Rural", "E": "Rural"})
    out = pd.DataFrame({
        S.AREA_ID: df["lsoa11cd"],
        S.AREA_NAME: df["lsoa11nm"],
        S.POPULATION: df["population"].astype("int64"),
        S.POP60: df["pop60plus"].astype("int64"),
        S.IMD_RANK: df["imd_rank"],
        S.IMD_DECILE: df["imd_decile"],
        S.RUC_CLASS: df["ruc_class"],
        "ruc_name": df["ruc_name"],
        S.URBAN_RURAL: urban,
        S.ICB: df["icb22_code"],
        "icb_name": df["icb22_name"],
        "la_name": df["ltla22_name"],
        S.REGION: df["region21_name"],
    })
    networks = area_networks(shared, out[S.AREA_ID])
    out[S.NETWORK] = networks[S.NETWORK].to_numpy()
    out[S.NETWORK_CONFIDENCE] = networks[S.NETWORK_CONFIDENCE].to_numpy()
    gdf = gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(df["X"], df["Y"]), crs=S.WGS84)
    gdf = gdf.to_crs(S.BNG)
    # One-metre precision is ample for a centroid and keeps the file small.
    gdf["geometry"] = gpd.points_from_xy(gdf.geometry.x.round(0), gdf.geometry.y.round(0),
                                         crs=S.BNG)
    return gdf.sort_values(S.AREA_ID).reset_index(drop=True)


def build_icb_networks(shared: Path) -> pd.DataFrame:
    """Return the 42 ICBs (2022) with their Radiotherapy ODN, confidence and source."""
    raw = pd.read_csv(shared / "networks" / "icb_odn.csv", dtype=str)
    out = pd.DataFrame({
        S.ICB: raw["icb22cd"],
        "icb_name": raw["icb22nm"],
        S.NETWORK: raw["odn"],
        S.NETWORK_CONFIDENCE: raw["membership_confidence"],
        S.NETWORK_SOURCE: raw["source_url"],
    })
    if len(out) != ENGLAND_ICBS or not out[S.ICB].is_unique or out.isna().any().any():
        raise SystemExit(f"icb_odn.csv: expected {ENGLAND_ICBS} complete, unique ICB rows")
    if out[S.NETWORK].nunique() != ODN_COUNT:
        raise SystemExit(f"icb_odn.csv: expected {ODN_COUNT} ODNs, got {out[S.NETWORK].nunique()}")
    return out.sort_values(S.ICB).reset_index(drop=True)


def area_networks(shared: Path, area_ids: pd.Series) -> pd.DataFrame:
    """Return each LSOA's ODN through its ICB (LSOA -> ICB look-up, then the ICB table)."""
    lookup = pd.read_csv(shared / "boundaries" / "lookup_lsoa11_sicbl22_icb22_ltla22.csv",
                         dtype=str, usecols=["lsoa11_code", "icb22_code"])
    icbs = build_icb_networks(shared)
    joined = (pd.DataFrame({"lsoa11_code": area_ids.to_numpy()})
              .merge(lookup, on="lsoa11_code", how="left", validate="1:1")
              .merge(icbs, left_on="icb22_code", right_on=S.ICB, how="left", validate="m:1"))
    if joined[S.NETWORK].isna().any():
        missing = joined.loc[joined[S.NETWORK].isna(), "lsoa11_code"].head(5).tolist()
        raise SystemExit(f"areas: no ICB or ODN for {joined[S.NETWORK].isna().sum()} LSOAs, "
                         f"e.g. {missing}")
    return joined[[S.NETWORK, S.NETWORK_CONFIDENCE]]


def build_sites(shared: Path) -> pd.DataFrame:
    """Rename the NHS radiotherapy sites file to the canonical columns, with each site's ODN."""
    raw = pd.read_csv(shared / "sites" / "england_radiotherapy_sites.csv", dtype=str)
    odn = pd.read_csv(shared / "networks" / "site_odn.csv", dtype=str)
    raw = raw.merge(odn[["site_id", "odn", "membership_confidence", "source_url"]], on="site_id",
                    how="left", validate="1:1")
    if raw["odn"].isna().any():
        raise SystemExit(f"site_odn.csv lacks sites {raw.loc[raw['odn'].isna(), 'site_id'].tolist()}")
    out = pd.DataFrame({
        S.SITE_ID: raw["site_id"],
        S.SITE_NAME: raw["site_name"],
        "hospital_name": raw["hospital_name"],
        S.TRUST: raw["trust_name"],
        S.POSTCODE: raw["postcode"],
        S.SITE_TYPE: raw["site_type"],
        "parent_site_id": raw["parent_site_id"].fillna(""),
        S.LINACS: pd.to_numeric(raw["linacs"]).astype("Int64"),  # 8 blanks: unknown
        S.REGION: raw["ons_region21"],
        S.NETWORK: raw["odn"],
        S.NETWORK_CONFIDENCE: raw["membership_confidence"],
        S.NETWORK_SOURCE: raw["source_url"],
        "nhs_region": raw["nhs_region"],
        "icb_name": raw["icb22_name"],
        "proton": raw["proton"],
        "confidence": raw["confidence"],
        "easting": raw["easting"].astype(int),
        "northing": raw["northing"].astype(int),
        "lat": raw["lat"].astype(float),
        "lon": raw["lon"].astype(float),
    })
    return out.sort_values(S.SITE_ID).reset_index(drop=True)


def build_roads(shared: Path, areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Keep road number, geometry and an urban flag of the DfT 2013 major road links."""
    from access_app.core.network import classify_urban_links

    path = shared / "roads" / "dft_major_roads_link_network_2013.zip"
    lines = gpd.read_file(f"zip://{path}")
    lines = lines.rename(columns={"Road": "road"})[["road", "geometry"]]
    lines = lines.set_crs(S.BNG, allow_override=True) if lines.crs is None else lines.to_crs(S.BNG)
    lines = lines.explode(index_parts=False).reset_index(drop=True)
    lines["urban"] = np.asarray(classify_urban_links(lines, areas), dtype=bool)
    # Vertices to the metre; identical end points stay identical after rounding.
    lines["geometry"] = lines.geometry.set_precision(1.0)
    lines = lines[~lines.geometry.is_empty & (lines.geometry.length > 0)]
    return lines.reset_index(drop=True)


def build_ferries(shared: Path) -> pd.DataFrame:
    """Return the sea and air links with port coordinates in British National Grid (1 m)."""
    raw = pd.read_csv(shared / "roads" / "ferries_england.csv", dtype=str)
    ends = {}
    for end in ("from", "to"):
        pts = gpd.GeoSeries(gpd.points_from_xy(raw[f"{end}_lon"].astype(float),
                                               raw[f"{end}_lat"].astype(float)), crs=S.WGS84)
        pts = pts.to_crs(S.BNG)
        ends[end] = (pts.x.round(0).astype(int), pts.y.round(0).astype(int))
    note = raw["note"].fillna("")
    out = pd.DataFrame({
        "route": raw["route"],
        "operator": raw["operator"],
        "mode": np.where(raw["route"].str.endswith("-air"), "air",
                         np.where(raw["route"].str.endswith("-helicopter"), "helicopter", "sea")),
        "from_name": raw["from_name"],
        "from_easting": ends["from"][0], "from_northing": ends["from"][1],
        "to_name": raw["to_name"],
        "to_easting": ends["to"][0], "to_northing": ends["to"][1],
        "crossing_min": raw["crossing_min"].astype(float),
        "headway_min": raw["typical_headway_min"].astype(float),
        "check_in_min": raw["check_in_min"].astype(float),
        "carries_cars": raw["carries_cars"].str.strip().str.lower().eq("yes"),
        "runs_in_winter": ~note.str.contains("no sailings in winter", case=False),
        "enabled": True,
        "note": note,
    })
    return out


def build_boundaries(shared: Path) -> dict[str, gpd.GeoDataFrame]:
    """Generalise England, region and ICB boundaries for the map's basemap."""
    b = shared / "boundaries"
    layers = {
        "england": gpd.read_file(b / "england_outline.geojson")[["name", "geometry"]],
        "regions": gpd.read_file(b / "regions21_england.geojson")[["region21_name", "geometry"]]
        .rename(columns={"region21_name": "name"}),
        "icbs": gpd.read_file(b / "icb22.geojson")[["icb22_code", "icb22_name", "geometry"]]
        .rename(columns={"icb22_name": "name", "icb22_code": "code"}),
    }
    out = {}
    for name, gdf in layers.items():
        gdf = gdf.to_crs(S.BNG)
        gdf["geometry"] = gdf.geometry.simplify(250, preserve_topology=True).set_precision(10.0)
        out[name] = gdf.to_crs(S.WGS84)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "geodata")
    parser.add_argument("--out", type=Path, default=REPO / "geodata")
    parser.add_argument("--skip-roads", action="store_true", help="keep the existing roads file")
    args = parser.parse_args(argv)
    shared, out = args.shared, args.out
    if not shared.is_dir():
        raise SystemExit(f"{shared} is not a folder: pass --shared PATH/TO/shared/geodata")

    areas = build_areas(shared)
    _atomic(out / "areas.parquet", lambda p: areas.to_parquet(p, index=False, compression="zstd"))
    print(f"areas.parquet: {len(areas)} LSOAs, population {areas[S.POPULATION].sum():,}")

    sites = build_sites(shared)
    _atomic(out / "sites.csv", lambda p: sites.to_csv(p, index=False))
    low = int((sites[S.NETWORK_CONFIDENCE] == "low").sum())
    print(f"sites.csv: {len(sites)} sites ({(sites[S.SITE_TYPE] == 'main').sum()} main), "
          f"{sites[S.NETWORK].nunique()} ODNs, {low} low-confidence memberships")

    icbs = build_icb_networks(shared)
    _atomic(out / "icb_networks.csv", lambda p: icbs.to_csv(p, index=False))
    print(f"icb_networks.csv: {len(icbs)} ICBs in {icbs[S.NETWORK].nunique()} ODNs")

    ferries = build_ferries(shared)
    _atomic(out / "ferries.csv", lambda p: ferries.to_csv(p, index=False))
    print(f"ferries.csv: {len(ferries)} links")

    if not args.skip_roads:
        roads = build_roads(shared, areas)
        _atomic(out / "roads_dft2013.parquet",
                lambda p: roads.to_parquet(p, index=False, compression="zstd"))
        print(f"roads_dft2013.parquet: {len(roads)} links, {roads.geometry.length.sum() / 1000:,.0f} km,"
              f" {int(roads['urban'].sum())} urban")

    bounds = build_boundaries(shared)

    def _write_gpkg(p: Path) -> None:
        for name, gdf in bounds.items():
            gdf.to_file(p, layer=name, driver="GPKG")

    _atomic(out / "boundaries.gpkg", _write_gpkg)
    print("boundaries.gpkg: " + ", ".join(f"{k} ({len(v)})" for k, v in bounds.items()))
    total = sum(f.stat().st_size for f in out.iterdir() if f.is_file())
    print(f"geodata/ total {total / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

