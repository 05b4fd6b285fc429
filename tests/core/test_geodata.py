"""The embedded default: rebuilt from ../shared/geodata, checked against published facts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from access_app.core import defaults
from access_app.core import schema as S

REPO = Path(__file__).resolve().parents[2]


def _build_tool():
    spec = importlib.util.spec_from_file_location("build_geodata", REPO / "tools" / "build_geodata.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rebuilt(shared_geodata: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("geodata")
    assert _build_tool().main(["--shared", str(shared_geodata), "--out", str(out)]) == 0
    return out


def test_rebuilt_areas_match_published_facts(rebuilt: Path) -> None:
    areas = gpd.read_parquet(rebuilt / "areas.parquet")
    assert len(areas) == 32_844
    assert areas[S.AREA_ID].is_unique and areas[S.AREA_ID].str.startswith("E01").all()
    assert int(areas[S.POPULATION].sum()) == 56_286_961
    counts = areas[S.IMD_DECILE].value_counts()
    assert sorted(counts.index) == list(range(1, 11))
    assert set(counts) <= {3_284, 3_285}
    assert set(areas[S.RUC_CLASS]) <= {"A1", "B1", "C1", "C2", "D1", "D2", "E1", "E2"}
    assert areas[S.REGION].nunique() == 9
    # Areas belong to the ODN of their ICB (../shared/geodata/networks/icb_odn.csv).
    assert areas[S.NETWORK].nunique() == 11
    assert set(areas[S.NETWORK_CONFIDENCE]) == {"high", "medium", "low"}
    nenc = areas[areas[S.ICB] == "E54000050"]  # North East and North Cumbria ICB
    assert len(nenc) and (nenc[S.NETWORK] == "Northern").all()
    # The most deprived LSOA (rank 1) is in decile 1, the least (rank 32,844) in decile 10.
    by_rank = areas.set_index(S.IMD_RANK)
    assert by_rank.loc[1, S.IMD_DECILE] == 1 and by_rank.loc[32_844, S.IMD_DECILE] == 10


def test_every_site_lies_in_england(rebuilt: Path) -> None:
    sites = pd.read_csv(rebuilt / "sites.csv")
    assert len(sites) == 67 and (sites[S.SITE_TYPE] == "main").sum() == 51
    england = gpd.read_file(rebuilt / "boundaries.gpkg", layer="england").to_crs(S.BNG)
    pts = gpd.GeoSeries(gpd.points_from_xy(sites["easting"], sites["northing"]), crs=S.BNG)
    # generalised outline: allow 500 m for coastal sites
    assert pts.within(england.union_all().buffer(500)).all()


def test_sites_carry_their_odn_and_its_confidence(rebuilt: Path, shared_geodata: Path) -> None:
    sites = pd.read_csv(rebuilt / "sites.csv").set_index(S.SITE_ID)
    assert sites[S.NETWORK].nunique() == 11
    # The counts stated in ../shared/geodata/networks/README.md.
    assert sites[S.NETWORK_CONFIDENCE].value_counts().to_dict() == {"medium": 41, "high": 15, "low": 11}
    # Judgement calls of that README: providers rather than geography.
    assert sites.loc["carlisle-nccc-north-cumbria", S.NETWORK] == "Northern"
    assert sites.loc["poole-dorset-cancer-centre", S.NETWORK] == "Thames Valley and Wessex"
    assert sites.loc["swindon-great-western", S.NETWORK] == "Thames Valley and Wessex"
    assert sites.loc["guildford-st-lukes", S.NETWORK] == "West London, Surrey and Sussex"
    mv = sites.loc["northwood-mount-vernon"]
    assert (mv[S.NETWORK], mv[S.NETWORK_CONFIDENCE]) == ("North Central and East London", "low")
    assert sites[S.NETWORK_SOURCE].str.startswith("https://").all()
    icbs = pd.read_csv(rebuilt / "icb_networks.csv")
    assert len(icbs) == 42 and icbs[S.ICB].is_unique and icbs[S.NETWORK].nunique() == 11


def test_ferries_table_keeps_every_link_with_ports_in_bng(rebuilt: Path) -> None:
    ferries = pd.read_csv(rebuilt / "ferries.csv").set_index("route")
    assert len(ferries) == 6
    ports = gpd.GeoSeries(gpd.points_from_xy(ferries["to_easting"], ferries["to_northing"]),
                          crs=S.BNG).to_crs(S.WGS84)
    # Fishbourne (Isle of Wight) is at 50.7333 N, 1.2106 W in the source table.
    fish = ferries.index.get_loc("portsmouth-fishbourne")
    assert ports.y.iloc[fish] == pytest.approx(50.7333, abs=2e-5)
    assert ports.x.iloc[fish] == pytest.approx(-1.2106, abs=2e-5)
    scillonian = ferries.loc["penzance-st-marys-sea"]
    assert not scillonian["carries_cars"] and not scillonian["runs_in_winter"]
    assert ferries.loc["lands-end-st-marys-air", "mode"] == "air"
    assert ferries["enabled"].all()


def test_roads_keep_every_link(rebuilt: Path) -> None:
    roads = gpd.read_parquet(rebuilt / "roads_dft2013.parquet")
    assert len(roads) == 18_012
    assert roads.geometry.length.sum() / 1000 == pytest.approx(45_955, rel=0.001)
    assert {"road", "urban"} <= set(roads.columns)
    assert roads["road"].str.match(r"^(M|A)\d").all()


def test_committed_default_is_current(rebuilt: Path) -> None:
    committed = defaults.load_default_areas()
    fresh = gpd.read_parquet(rebuilt / "areas.parquet")
    assert_geodataframe_equal(
        committed[fresh.columns].reset_index(drop=True),
        fresh.set_crs(S.BNG, allow_override=True).astype(committed[fresh.columns].dtypes.to_dict()),
        check_crs=False,
    )
    total = sum(f.stat().st_size for f in (REPO / "geodata").iterdir() if f.is_file())
    assert total < 25e6


def test_default_sites_load_through_the_checked_loader() -> None:
    sites = defaults.load_default_sites()
    assert sites.crs.to_epsg() == 27700
    assert sites[S.LINACS].isna().sum() == 8  # blank = unknown, kept as NaN
    lri = sites.set_index(S.SITE_ID).loc["leicester-royal-infirmary"]
    assert lri[S.NETWORK] == "East Midlands"
