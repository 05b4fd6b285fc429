"""The pipeline with the user's own files: areas, sites, network tables, an OSM extract."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from access_app.core import defaults, pipeline
from access_app.core import schema as S
from access_app.core.errors import DataError

# Two sites in Rutland (British National Grid): Oakham and Uppingham town centres.
SITES_CSV = (
    "site_id,site_name,easting,northing,network\n"
    "oak,Oakham,486000,308800,East\nupp,Uppingham,486600,299800,West\n"
)


@pytest.fixture(scope="module")
def rutland_areas_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    areas = defaults.load_default_areas()
    rutland = areas[areas["la_name"] == "Rutland"]
    frame = pd.DataFrame({
        "lsoa11cd": rutland[S.AREA_ID], "pop": rutland[S.POPULATION].map(lambda v: f"{v:,.0f}"),
        "IMD Decile": rutland[S.IMD_DECILE], "RUC11CD": rutland[S.RUC_CLASS],
        "easting": rutland.geometry.x, "northing": rutland.geometry.y, "network": rutland[S.NETWORK],
    })
    path = tmp_path_factory.mktemp("rutland") / "rutland_areas.csv"
    frame.to_csv(path, index=False)
    return path


def test_user_files_and_network_tables(tmp_path: Path, rutland_areas_csv: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES_CSV)
    nets = tmp_path / "site_nets.csv"
    nets.write_text("site_id,network\noak,Rutland ODN\nupp,Rutland ODN\n")
    area_nets = tmp_path / "area_nets.csv"
    ids = pd.read_csv(rutland_areas_csv)["lsoa11cd"]
    area_nets.write_text("area_id,network\n" + "".join(f"{i},Rutland ODN\n" for i in ids))
    data = pipeline.load_dataset(areas_path=rutland_areas_csv, sites_path=sites,
                                 site_networks_path=nets, area_networks_path=area_nets)
    assert len(data.areas) == 23 and data.areas[S.NETWORK].eq("Rutland ODN").all()
    assert data.sites[S.NETWORK].tolist() == ["Rutland ODN", "Rutland ODN"]
    assert "site networks table" in data.network_note and "area networks table" in data.network_note
    assert data.sources["areas"] == str(rutland_areas_csv)


def test_networks_that_never_meet_are_refused(tmp_path: Path, rutland_areas_csv: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES_CSV)
    with pytest.raises(DataError, match="No network name is shared by areas and sites"):
        pipeline.load_dataset(areas_path=rutland_areas_csv, sites_path=sites)


@pytest.mark.slow
def test_run_on_an_osm_extract(tmp_path: Path, rutland_areas_csv: Path, shared_geodata: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES_CSV.replace(",East\n", ",Rutland\n").replace(",West\n", ",Rutland\n"))
    area_nets = tmp_path / "area_nets.csv"
    ids = pd.read_csv(rutland_areas_csv)["lsoa11cd"]
    area_nets.write_text("area_id,network\n" + "".join(f"{i},Rutland\n" for i in ids))
    data = pipeline.load_dataset(areas_path=rutland_areas_csv, sites_path=sites,
                                 area_networks_path=area_nets)
    scenario_file = tmp_path / "s.toml"
    scenario_file.write_text(
        '[[scenario]]\nname = "Both"\nrule = "nearest"\nopen_sites = ["oak", "upp"]\n\n'
        '[[scenario]]\nname = "Oakham only"\nrule = "nearest"\nopen_sites = ["oak"]\n'
    )
    seen: list[float] = []
    result = pipeline.run(tmp_path / "out", dataset=data,
                          network_path=shared_geodata / "roads" / "rutland-2018-02-27.osm.pbf",
                          scenario_path=scenario_file, cache_dir=tmp_path / "cache",
                          progress=lambda f, m: seen.append(f))
    summary = result.report.summary.set_index("scenario")
    assert summary.loc["Both", "unreachable_demand"] == 0
    # Rutland is about 25 km across: nobody should be more than ~40 minutes from Oakham.
    assert 0 < summary.loc["Both", "mean_min"] < summary.loc["Oakham only", "mean_min"] < 40
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert (tmp_path / "out" / "equity_report.xlsx").is_file()


def test_unknown_network_format(tmp_path: Path) -> None:
    p = tmp_path / "roads.xyz"
    p.write_text("x")
    with pytest.raises(DataError, match=r"roads\.xyz: a road network must be an OSM extract"):
        pipeline.load_network_file(p)


@pytest.mark.slow
def test_another_metric_crs_gives_the_same_times(tmp_path: Path, rutland_areas_csv: Path,
                                                 shared_geodata: Path) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES_CSV.replace(",East\n", ",East Midlands\n").replace(",West\n", ",East Midlands\n"))
    graph = pipeline.load_network_file(shared_geodata / "roads" / "rutland-2018-02-27.osm.pbf")
    minutes = {}
    for crs in ("EPSG:27700", "EPSG:3035"):
        data = pipeline.load_dataset(areas_path=rutland_areas_csv, sites_path=sites, crs=crs)
        assert data.areas.crs.to_epsg() == int(crs.split(":")[1])
        minutes[crs] = pipeline.compute_matrix(data, graph, cache_dir=tmp_path / crs[5:]).minutes
    # Points are moved to the network's CRS for routing: the same minutes to a millimetre's worth.
    assert minutes["EPSG:3035"] == pytest.approx(minutes["EPSG:27700"], abs=1e-3)
