"""The model settable by users: speeds and routing parameters from a TOML file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_pipeline import SITES_CSV, rutland_areas_csv  # noqa: F401 - a fixture

from access_app.cli import main
from access_app.core import pipeline, scenarios
from access_app.core.errors import DataError
from access_app.core.model_settings import ModelSettings, load_model, read_model_table, save_model
from access_app.core.routing import RoutingParams
from access_app.core.speeds import DEFAULT_SPEEDS_KMH, SpeedModel


def _write(tmp_path: Path, text: str, name: str = "model.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_round_trip(tmp_path):
    path = save_model(ModelSettings(), tmp_path / "m.toml")
    back = load_model(path)
    assert back.speed_model.fingerprint() == SpeedModel().fingerprint()
    assert back.routing_params == RoutingParams()
    assert back.source == str(path)


def test_keys_left_out_keep_their_defaults(tmp_path):
    path = _write(tmp_path, "[model]\ncongestion_factor = 1.25\n[model.speeds_kmh]\nprimary = [30, 60]\n"
                            "[model.routing]\nk_nearest = 2\nmax_snap_m = 5000\n")
    m = load_model(path)
    assert m.speed_model.congestion_factor == 1.25 and m.speed_model.use_maxspeed is True
    assert m.speed_model.speeds_kmh["primary"] == (30.0, 60.0)
    assert m.speed_model.speeds_kmh["motorway"] == DEFAULT_SPEEDS_KMH["motorway"]
    assert m.routing_params == RoutingParams(k_nearest=2, max_snap_m=5000.0)
    # 1 km of rural primary at 60 km/h, a quarter longer: 75 s
    assert m.speed_model.travel_time_s(1000, "primary", urban=False) == pytest.approx(75.0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[model]\ncongestion = 1.2\n", r"\[model\]: unknown keys \['congestion'\]"),
        ("[model.speeds_kmh]\nmotorwya = [80, 100]\n", r"\[model.speeds_kmh\]: unknown keys \['motorwya'\]"),
        ("[model.routing]\nk_near = 2\n", r"\[model.routing\]: unknown keys \['k_near'\]"),
        ("[model]\ncongestion_factor = 0\n", "congestion_factor = 0 must be above 0"),
        ("[model]\ncongestion_factor = \"fast\"\n", "congestion_factor = 'fast' must be a number"),
        ("[model]\nuse_maxspeed = 1\n", "use_maxspeed = 1 must be true or false"),
        ("[model.speeds_kmh]\nprimary = [30]\n", r"primary = \[30\] must be \[urban, rural\]"),
        ("[model.speeds_kmh]\nprimary = [30, 0]\n", "speeds must be above 0"),
        ("[model.routing]\nk_nearest = 2.5\n", "k_nearest = 2.5 must be a whole number"),
        ("[model.routing]\ndetour_factor = 0.9\n", "detour_factor must be >= 1"),
        ("[model.routing]\nsite_access = 3\n", "site_access = 3 must be text"),
        ("[model.routing]\nsite_access = \"bus\"\n", "site_access must be 'urban' or 'rural'"),
        ("[speeds]\nprimary = 3\n", r"unknown keys \['speeds'\]"),
        ("format_version = 2\n[model]\n", "format_version = 2 is not supported"),
        ("[model\n", "is not valid TOML"),
    ],
)
def test_errors_name_the_file_and_key(tmp_path, body, message):
    path = _write(tmp_path, body)
    with pytest.raises(DataError, match=message) as info:
        load_model(path)
    assert str(path) in str(info.value)


def test_no_model_table_and_missing_file(tmp_path):
    path = _write(tmp_path, '[[scenario]]\nname = "A"\nopen_sites = ["S1"]\n')
    assert read_model_table(path) is None
    with pytest.raises(DataError, match=r"no \[model\] table"):
        load_model(path)
    with pytest.raises(DataError, match="does not exist"):
        load_model(tmp_path / "none.toml")


def test_model_table_in_a_scenarios_file(tmp_path):
    path = _write(tmp_path, '[model.routing]\nk_nearest = 1\n\n'
                            '[[scenario]]\nname = "A"\nopen_sites = ["S1"]\n', "s.toml")
    assert [s.name for s in scenarios.load_scenarios(path, site_ids=["S1"])] == ["A"]
    assert load_model(path).routing_params.k_nearest == 1


def test_metadata_records_the_objects_used():
    data = pipeline.load_default_dataset()
    params = RoutingParams(k_nearest=2)
    model = SpeedModel(congestion_factor=1.5)
    meta = pipeline.metadata(data, None, [], params=params, speed_model=model, model_source="m.toml")
    assert meta["Routing"] == repr(params) and meta["Speed model"] == model.fingerprint()
    assert meta["Model settings"] == "m.toml"
    assert pipeline.metadata(data, None, [])["Routing"] == repr(RoutingParams())


@pytest.mark.slow
def test_cli_run_with_a_model_file(tmp_path, rutland_areas_csv, shared_geodata):  # noqa: F811
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES_CSV.replace(",East\n", ",East Midlands\n").replace(",West\n", ",East Midlands\n"))
    roads = shared_geodata / "roads" / "rutland-2018-02-27.osm.pbf"
    common = ["run", "--population", str(rutland_areas_csv), "--sites", str(sites), "--network", str(roads),
              "--cache-dir", str(tmp_path / "cache"), "-q"]
    assert main([*common, "--out", str(tmp_path / "plain")]) == 0
    model = _write(tmp_path, "[model]\ncongestion_factor = 2.0\n[model.routing]\nk_nearest = 1\n")
    assert main([*common, "--out", str(tmp_path / "slow"), "--model", str(model)]) == 0
    note = (tmp_path / "slow" / "ATTRIBUTION.txt").read_text(encoding="utf-8")
    assert f"Routing: {RoutingParams(k_nearest=1)!r}" in note
    assert f"Speed model: {SpeedModel(congestion_factor=2.0).fingerprint()}" in note
    assert f"Model settings: {model}" in note
    plain = (tmp_path / "plain" / "ATTRIBUTION.txt").read_text(encoding="utf-8")
    assert f"Routing: {RoutingParams()!r}" in plain and "Model settings" not in plain
    # doubling every network travel time lengthens the mean journey (access legs are unchanged)
    mean = {k: pd.read_csv(tmp_path / k / "summary.csv").set_index("scenario")["mean_min"]
            for k in ("plain", "slow")}
    assert (mean["slow"] > 1.5 * mean["plain"]).all()


def test_cli_model_writes_the_defaults(tmp_path, capsys):
    out = tmp_path / "model.toml"
    assert main(["model", "--out", str(out)]) == 0
    assert load_model(out).routing_params == RoutingParams()
    assert main(["run", "--model", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "o")]) == 2
    assert "Model file" in capsys.readouterr().err
