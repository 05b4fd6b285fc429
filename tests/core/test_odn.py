"""Network membership: the rebuilt ODNs, the region proxy, and sites placed by location."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from access_app.core import defaults, odn, pipeline
from access_app.core import schema as S


def _points(xy: list[tuple[float, float]], **cols: list[object]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=gpd.points_from_xy(*zip(*xy, strict=True)), crs=S.BNG)


def test_locate_takes_the_nearest_reference_inside_the_outline() -> None:
    ref = _points([(0, 0), (1000, 0), (5000, 0)], icb=["A", "B", "C"])
    outline = gpd.GeoDataFrame(geometry=[box(-100, -100, 5100, 100)], crs=S.BNG)
    pts = gpd.GeoSeries(gpd.points_from_xy([400, 600, 4000, 9000], [0, 0, 50, 0]), crs=S.BNG)
    got = odn.locate(pts, ref, column=S.ICB, outline=outline, tolerance_m=2000)
    # 9000 is 3.9 km beyond the outline: no ICB.
    assert got.tolist()[:3] == ["A", "B", "C"] and pd.isna(got.iloc[3])


def test_sites_by_location_uses_known_ids_then_the_icb_table() -> None:
    ref = _points([(0, 0), (10_000, 0)], icb=["I1", "I2"])
    table = pd.DataFrame({S.ICB: ["I1", "I2"], S.NETWORK: ["North", "South"],
                          S.NETWORK_CONFIDENCE: ["high", "low"]})
    known = pd.DataFrame({S.SITE_ID: ["k"], S.NETWORK: ["Elsewhere"],
                          S.NETWORK_CONFIDENCE: ["medium"], S.NETWORK_SOURCE: ["https://x"]})
    sites = _points([(100, 0), (9_000, 0), (5_000, 0)], site_id=["k", "new", "given"],
                    network=[None, None, "Mine"])
    out, located = odn.sites_by_location(sites, reference=ref, icb_table=table, known=known)
    assert out[S.NETWORK].tolist() == ["Elsewhere", "South", "Mine"]
    assert out[S.NETWORK_CONFIDENCE].tolist() == ["medium", "low", odn.USER_CONFIDENCE]
    assert out.loc[1, S.NETWORK_SOURCE] == "location: ICB I2"
    assert located == ["new"]
    assert sites[S.NETWORK].isna().sum() == 2  # the input is not changed


def test_the_shared_sites_file_gets_the_embedded_odns(shared_geodata: Path) -> None:
    path = shared_geodata / "sites" / "england_radiotherapy_sites.csv"
    data = pipeline.load_dataset(sites_path=path)
    default = pipeline.load_default_dataset()
    a = data.sites.set_index(S.SITE_ID)
    b = default.sites.set_index(S.SITE_ID)
    assert (a.loc[b.index, S.NETWORK] == b[S.NETWORK]).all()
    assert (a.loc[b.index, S.NETWORK_CONFIDENCE] == b[S.NETWORK_CONFIDENCE]).all()
    assert data.network_note == default.network_note
    assert "11 of 67 sites low confidence" in data.network_note


def test_unknown_sites_are_placed_by_location_with_a_warning_naming_them(
        shared_geodata: Path, tmp_path: Path) -> None:
    raw = pd.read_csv(shared_geodata / "sites" / "england_radiotherapy_sites.csv")
    renamed = raw.assign(site_id="x-" + raw["site_id"])[["site_id", "site_name", "easting",
                                                        "northing", "linacs", "site_type"]]
    path = tmp_path / "sites.csv"
    renamed.to_csv(path, index=False)
    data = pipeline.load_dataset(sites_path=path)
    got = data.sites.set_index(S.SITE_ID)[S.NETWORK]
    # By location every site takes the ODN of its own ICB (the shared file's icb22_code) ...
    icb = defaults.load_icb_networks().set_index(S.ICB)[S.NETWORK]
    expected = raw.set_index("x-" + raw["site_id"])["icb22_code"].map(icb)
    assert (got.loc[expected.index] == expected).all()
    # ... which differs from the sourced membership exactly for the four providers' satellites
    # and Mount Vernon that the networks README lists.
    sourced = defaults.load_default_sites().set_index(S.SITE_ID)[S.NETWORK]
    differ = sorted(i[2:] for i in expected.index if expected[i] != sourced[i[2:]])
    assert differ == ["hereford-county", "milton-keynes-university", "northwood-mount-vernon",
                      "swindon-great-western"]
    assert any("placed in the ODN of the ICB it lies in" in w and "x-london-uclh" in w
               for w in data.warnings)
    assert "67 sites placed by location" in data.network_note


def test_regions_remain_available_as_a_labelled_proxy() -> None:
    data = pipeline.load_default_dataset(networks="regions")
    assert data.network_note == S.NETWORK_PROXY_LABEL
    assert data.areas[S.NETWORK].nunique() == 9
    assert (data.sites[S.NETWORK] == data.sites[S.REGION]).all()
    with pytest.raises(Exception, match="Unknown network membership"):
        pipeline.load_default_dataset(networks="counties")  # type: ignore[arg-type]


def test_odn_label_counts_low_confidence_sites() -> None:
    sites = pd.DataFrame({S.NETWORK: ["a", "b", "b"], S.NETWORK_CONFIDENCE: ["low", "high", "low"]})
    label = odn.odn_label(sites)
    assert "2 of 3 sites low confidence" in label and "2 of the 11 in use" in label


def test_fill_networks_for_one_table_matches_load_dataset(shared_geodata: Path) -> None:
    """The desktop app loads one table at a time and fills networks the same way."""
    from access_app.core import io

    path = shared_geodata / "sites" / "england_radiotherapy_sites.csv"
    base = pipeline.load_default_dataset()
    areas, sites, note, warnings = pipeline.fill_networks(
        base.areas, io.load_sites(path), boundaries=base.boundaries, user_sites=True)
    whole = pipeline.load_dataset(sites_path=path)
    assert sites[S.NETWORK].tolist() == whole.sites[S.NETWORK].tolist()
    assert note == whole.network_note and list(warnings) == list(whole.warnings)
    assert areas is base.areas or areas.equals(base.areas)


def test_with_table_fills_networks_as_load_dataset(shared_geodata: Path) -> None:
    """The session's table step (pipeline.with_table) fills networks as the command line does."""
    path = shared_geodata / "sites" / "england_radiotherapy_sites.csv"
    base = pipeline.load_default_dataset()
    ds = pipeline.with_table(base, "sites", path)
    whole = pipeline.load_dataset(sites_path=path)
    assert ds.sites[S.NETWORK].tolist() == whole.sites[S.NETWORK].tolist()
    assert ds.sites[S.NETWORK_CONFIDENCE].tolist() == whole.sites[S.NETWORK_CONFIDENCE].tolist()
    assert ds.network_note == whole.network_note and ds.warnings == whole.warnings
    # the region proxy stays the proxy when a table is loaded into it
    proxy = pipeline.with_table(pipeline.load_default_dataset(networks="regions"), "sites", path)
    assert proxy.network_note == S.NETWORK_PROXY_LABEL
    assert set(proxy.sites[S.NETWORK].dropna()) <= set(base.areas[S.REGION])
