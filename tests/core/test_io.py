"""Loading areas and sites: formats, column detection and every bad-input message."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.affinity import translate
from shapely.geometry import LineString, Point, Polygon

from access_app.core import io
from access_app.core.errors import DataError
from access_app.core.postcodes import CodePointOpen, normalise_postcode


def _areas_gdf(crs: str | None = "EPSG:27700") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"lsoa11cd": ["E1", "E2"], "pop": [10, 20], "IMDDecile": [1, 10]},
        geometry=[Point(450000, 300000), Point(451000, 301000)],
        crs=crs,
    )


def _write_csv(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# --- formats -------------------------------------------------------------------------------


def test_csv_lonlat_with_thousands_separators(data_dir: Path) -> None:
    areas = io.load_areas(data_dir / "io_areas_ok.csv")
    assert areas[io.S.AREA_ID].tolist() == ["E01000001", "E01025700", "E01026700"]
    assert areas[io.S.POPULATION].tolist() == [1954.0, 1203.0, 2010.0]
    assert areas[io.S.IMD_DECILE].tolist() == [9, 8, 6]
    assert areas[io.S.URBAN_RURAL].tolist() == ["Urban", "Rural", "Rural"]
    assert areas.crs.to_epsg() == 27700
    # St Paul's Cathedral (51.5138 N, 0.0984 W) is at 532,030 E, 181,140 N; this centroid lies
    # 0.0043 deg (478 m) north and 0.0007 deg (49 m) east of it: about 532,080 E, 181,620 N.
    assert areas.geometry.x.iloc[0] == pytest.approx(532_080, abs=30)
    assert areas.geometry.y.iloc[0] == pytest.approx(181_620, abs=30)


def test_csv_easting_northing_and_deciles_from_rank(data_dir: Path) -> None:
    areas = io.load_areas(data_dir / "io_areas_bng.csv")
    assert areas.geometry.x.tolist() == [530000.0, 450000.0, 400000.0]
    # ranks 1, 16422 (exactly half of 32844) and 32844 -> deciles 1, 5, 10
    assert areas[io.S.IMD_DECILE].tolist() == [1, 5, 10]
    assert areas[io.S.AREA_NAME].tolist() == ["First", "Second", "Third"]


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".fgb", ".parquet", ".shp", ".zip"])
def test_spatial_formats_round_trip(tmp_path: Path, suffix: str) -> None:
    gdf = _areas_gdf()
    if suffix == ".parquet":
        path = tmp_path / "a.parquet"
        gdf.to_parquet(path)
    elif suffix == ".zip":
        shp_dir = tmp_path / "shp"
        shp_dir.mkdir()
        gdf.to_file(shp_dir / "a.shp")
        path = tmp_path / "a.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for f in shp_dir.iterdir():
                zf.write(f, f.name)
    else:
        path = tmp_path / f"a{suffix}"
        gdf.to_file(path)
    areas = io.load_areas(path).sort_values(io.S.AREA_ID)  # FlatGeobuf reorders rows
    assert areas[io.S.AREA_ID].tolist() == ["E1", "E2"]
    assert areas[io.S.POPULATION].tolist() == [10.0, 20.0]
    assert areas[io.S.IMD_DECILE].tolist() == [1, 10]
    assert areas.geometry.x.round().tolist() == [450000.0, 451000.0]


def test_polygons_become_points_inside(tmp_path: Path) -> None:
    gdf = _areas_gdf()
    gdf["geometry"] = [translate(Polygon([(0, 0), (10, 0), (10, 10), (0, 10)]), 450000, 300000),
                       translate(Polygon([(0, 0), (10, 0), (10, 10)]), 451000, 301000)]
    path = tmp_path / "poly.gpkg"
    gdf.to_file(path)
    areas = io.load_areas(path)
    assert areas.geom_type.tolist() == ["Point", "Point"]
    assert gdf.geometry.iloc[0].contains(areas.geometry.iloc[0])


def test_detect_columns_common_names() -> None:
    df = pd.DataFrame(columns=["LSOA11CD", "lsoa11nm", "pop", "IMD Decile", "RUC11CD", "X", "Y"],
                      data=[["E1", "n", "1", "2", "A1", "-1.5", "52.0"]])
    m = io.detect_columns(df, kind="areas")
    assert (m.id, m.name, m.population, m.imd_decile, m.ruc_class) == (
        "LSOA11CD", "lsoa11nm", "pop", "IMD Decile", "RUC11CD")
    assert (m.lon, m.lat, m.easting) == ("X", "Y", None)
    df2 = df.assign(X="450000", Y="300000")
    m2 = io.detect_columns(df2, kind="areas")
    assert (m2.easting, m2.northing, m2.lon) == ("X", "Y", None)


def test_explicit_mapping_overrides_detection(tmp_path: Path) -> None:
    p = _write_csv(tmp_path, "code,people,other,lon,lat\nX1,5,7,-1.5,52\nX2,6,8,-1.4,52.1\n")
    m = io.ColumnMapping(id="code", population="other", lon="lon", lat="lat")
    areas = io.load_areas(p, mapping=m)
    assert areas[io.S.POPULATION].tolist() == [7.0, 8.0]


# --- postcodes ---------------------------------------------------------------------------


def test_sites_by_postcode(shared_geodata: Path, data_dir: Path) -> None:
    cpo = CodePointOpen(shared_geodata / "postcodes" / "os_codepoint_open_2025.zip")
    sites = io.load_sites(data_dir / "io_sites_postcodes.csv", postcodes=cpo)
    assert sites.geometry.x.tolist() == [458583.0, 456595.0]
    assert sites.geometry.y.tolist() == [303575.0, 344000.0]
    assert sites[io.S.LINACS].iloc[0] == 5.0 and np.isnan(sites[io.S.LINACS].iloc[1])


def test_unknown_postcodes_are_listed_and_optional(shared_geodata: Path, data_dir: Path) -> None:
    cpo = CodePointOpen(shared_geodata / "postcodes" / "os_codepoint_open_2025.zip")
    path = data_dir / "io_sites_bad_postcode.csv"
    with pytest.raises(io.UnknownPostcodesError, match=r"2 postcodes not found") as err:
        io.load_sites(path, postcodes=cpo)
    assert err.value.unknown == ["ZZ9 9ZZ", "NG51"]
    assert "io_sites_bad_postcode.csv" in str(err.value)
    sites = io.load_sites(path, postcodes=cpo, allow_unknown_postcodes=True)
    assert sites[io.S.SITE_ID].tolist() == ["lri"]
    assert sites.attrs["unknown_postcodes"] == ["ZZ9 9ZZ", "NG51"]


def test_postcodes_without_lookup_file_ask_for_one(data_dir: Path) -> None:
    with pytest.raises(DataError, match=r"only as postcodes in 'postcode'.*Code-Point Open"):
        io.load_sites(data_dir / "io_sites_postcodes.csv")


def test_codepoint_file_checks(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="does not exist"):
        CodePointOpen(tmp_path / "missing.zip")
    bad = _write_csv(tmp_path, "not a zip", "cpo.zip")
    with pytest.raises(DataError, match="is not a zip"):
        CodePointOpen(bad)
    assert normalise_postcode(" le1  5ww ") == "LE15WW"


# --- bad input ------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.csv does not exist"):
        io.load_areas(tmp_path / "nope.csv")


def test_unsupported_suffix(tmp_path: Path) -> None:
    p = _write_csv(tmp_path, "x", "areas.xlsx")
    with pytest.raises(DataError, match=r"files ending \.xlsx cannot be read"):
        io.load_areas(p)


def test_empty_file_and_header_only(data_dir: Path) -> None:
    with pytest.raises(DataError, match=r"io_empty\.csv is empty"):
        io.load_areas(data_dir / "io_empty.csv")
    with pytest.raises(DataError, match=r"io_header_only\.csv has no rows"):
        io.load_areas(data_dir / "io_header_only.csv")


def test_missing_crs(tmp_path: Path) -> None:
    path = tmp_path / "nocrs.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"area_id":"a","population":1},"geometry":{"type":"Point","coordinates":[450000,300000]}}]}'
    )
    # GeoJSON is WGS84 by definition; values in metres are out of range for it.
    with pytest.raises(DataError, match=r"outside longitude/latitude range.*EPSG:27700"):
        io.load_areas(path)
    shp = tmp_path / "nocrs.shp"
    _areas_gdf(crs=None).to_file(shp)
    with pytest.raises(DataError, match=r"nocrs\.shp has no coordinate reference system"):
        io.load_areas(shp)
    # ... and the user can say which CRS it is.
    assert len(io.load_areas(shp, source_crs="EPSG:27700")) == 2


def test_wrong_crs_degrees_labelled_metres(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"area_id": ["a"], "population": [1]}, geometry=[Point(-1.5, 52.6)],
                           crs="EPSG:27700")
    p = tmp_path / "wrong.gpkg"
    gdf.to_file(p)
    with pytest.raises(DataError, match=r"look like longitude/latitude degrees.*EPSG:4326"):
        io.load_areas(p)


def test_points_outside_great_britain(tmp_path: Path) -> None:
    p = _write_csv(tmp_path, "area_id,population,lon,lat\nok,1,-1.5,52.6\nparis,2,2.35,48.85\n")
    with pytest.raises(DataError, match=r"1 areas lie outside Great Britain \(paris\)"):
        io.load_areas(p)


def test_required_column_absent(tmp_path: Path) -> None:
    p = _write_csv(tmp_path, "area_id,people_count_x,lon,lat\na,1,-1.5,52.6\n")
    with pytest.raises(DataError, match=r"no column for the area population.*people_count_x"):
        io.load_areas(p)
    with pytest.raises(DataError, match=r"column 'popn' \(mapped to population\) is not in the file"):
        io.load_areas(p, mapping=io.ColumnMapping(id="area_id", population="popn", lon="lon", lat="lat"))


def test_no_location_columns(tmp_path: Path) -> None:
    p = _write_csv(tmp_path, "area_id,population\na,1\n")
    with pytest.raises(DataError, match=r"no location columns"):
        io.load_areas(p)


def test_duplicate_and_empty_ids(tmp_path: Path) -> None:
    p = _write_csv(tmp_path, "area_id,population,lon,lat\na,1,-1.5,52.6\nb,1,-1.5,52.6\na,2,-1.4,52.6\n")
    with pytest.raises(DataError, match=r"duplicate ids: a\. Each id must appear once"):
        io.load_areas(p)
    p2 = _write_csv(tmp_path, "area_id,population,lon,lat\na,1,-1.5,52.6\n,1,-1.5,52.6\n", "e.csv")
    with pytest.raises(DataError, match=r"'area_id' is empty in 1 rows \(rows 3,"):
        io.load_areas(p2)


def test_non_numeric_negative_and_missing_population(tmp_path: Path) -> None:
    head = "area_id,population,lon,lat\n"
    p = _write_csv(tmp_path, head + "a,12,-1.5,52.6\nb,lots,-1.5,52.6\n")
    with pytest.raises(DataError, match=r"'population' has 1 values that are not numbers \(b='lots'\)"):
        io.load_areas(p)
    p = _write_csv(tmp_path, head + "a,12,-1.5,52.6\nb,-3,-1.5,52.6\n", "n.csv")
    with pytest.raises(DataError, match=r"1 negative values \(b=-3\)"):
        io.load_areas(p)
    p = _write_csv(tmp_path, head + "a,,-1.5,52.6\n", "m.csv")
    with pytest.raises(DataError, match=r"'population' is empty for 1 rows \(a\)"):
        io.load_areas(p)


def test_bad_coordinates_and_bad_decile(tmp_path: Path) -> None:
    p = _write_csv(tmp_path, "area_id,population,lon,lat\na,1,-1.5,x\n")
    with pytest.raises(DataError, match=r"1 rows have missing or non-numeric coordinates"):
        io.load_areas(p)
    p = _write_csv(tmp_path, "area_id,population,imd_decile,lon,lat\na,1,11,-1.5,52.6\n", "d.csv")
    with pytest.raises(DataError, match=r"deciles 1 to 10; found a=11"):
        io.load_areas(p)


def test_line_geometry_refused(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame({"area_id": ["a"], "population": [1]},
                           geometry=[LineString([(450000, 300000), (450100, 300000)])], crs=27700)
    p = tmp_path / "lines.gpkg"
    gdf.to_file(p)
    with pytest.raises(DataError, match=r"geometry must be points \(or polygons\), found LineString"):
        io.load_areas(p)


def test_bad_site_type(tmp_path: Path) -> None:
    p = _write_csv(tmp_path, "site_id,site_type,lon,lat\ns1,main,-1.5,52.6\ns2,hub,-1.4,52.6\n")
    with pytest.raises(DataError, match=r"'main' or 'satellite'; found s2='hub'"):
        io.load_sites(p)


def test_outside_network_extent() -> None:
    pts = gpd.GeoDataFrame({"area_id": ["in", "far"]},
                           geometry=[Point(100, 100), Point(500_000, 100)], crs=27700)
    io.check_within_extent(pts.iloc[:1], (0, 0, 1000, 1000), id_column="area_id", what="areas")
    with pytest.raises(DataError, match=r"1 of 2 areas lie outside the road network's extent \(far\)"):
        io.check_within_extent(pts, (0, 0, 1000, 1000), id_column="area_id", what="areas")


def test_network_tables(tmp_path: Path) -> None:
    sites = gpd.GeoDataFrame({"site_id": ["s1", "s2"]}, geometry=[Point(0, 0)] * 2, crs=27700)
    table = io.read_network_table(_write_csv(tmp_path, "site_id,network\ns1,North\ns2,South\n"),
                                  key="site_id")
    assert io.apply_networks(sites, table, key_column="site_id", what="sites")["network"].tolist() == [
        "North", "South"]
    partial = {"s1": "North"}
    with pytest.raises(DataError, match=r"does not cover 1 site_id values of sites: s2"):
        io.apply_networks(sites, partial, key_column="site_id", what="sites")
    with pytest.raises(DataError, match=r"no 'network' column"):
        io.read_network_table(_write_csv(tmp_path, "site_id,odn_name\ns1,N\n", "x.csv"), key="site_id")
