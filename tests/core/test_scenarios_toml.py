"""Saving and loading scenarios as TOML, with clear errors."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from test_tables_fixtures import make_sites

from access_app.core.errors import ScenarioError
from access_app.core.scenarios import Scenario, default_scenarios, load_scenarios, save_scenarios


def test_round_trip(tmp_path):
    scs = default_scenarios(make_sites())
    scs.append(
        Scenario(
            "Custom",
            service="Vulval",
            open_sites=("S1", "S3"),
            demand="pop60plus",
            incidence_per_100k=3.25,
            fractions=25,
            description="Two sites, é accents",
        )
    )
    path = save_scenarios(scs, tmp_path / "my.toml")
    assert load_scenarios(path, site_ids=["S1", "S2", "S3", "S4"]) == scs
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Access App scenarios")
    doc = tomllib.loads(text)
    assert doc["format_version"] == 1
    assert doc["scenario"][3]["hubs"] == {"North": ["S1"], "South": ["S3"]}
    assert "incidence_per_100k" not in doc["scenario"][0]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


def test_load_hand_written_file_resolves_all_main(data_dir):
    scs = load_scenarios(data_dir / "eq_scenarios.toml", sites=make_sites())
    assert scs[0] == Scenario(
        "Everything",
        service="Anal cancer radiotherapy",
        open_sites=("S1", "S2", "S3"),
        demand="pop60plus",
        incidence_per_100k=2.5,
        fractions=28,
        description="All main centres, weighted by people aged 60+.",
    )
    assert scs[1].open_sites == ("S2", "S3")
    assert scs[1].hubs == {"North": ("S2",), "South": ("S3",)}
    assert scs[1].fractions == 20


def _write(tmp_path, body):
    path = tmp_path / "s.toml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[scenario]]\nname = "A"\nopen_sites = ["S1"]\nfractons = 3\n',
            r"scenario 'A': unknown keys \['fractons'\]",
        ),
        (
            '[[scenario]]\nname = "A"\nopen_sites = ["S1"]\nrule = "closest"\n',
            "Scenario 'A': rule = 'closest' is not a rule",
        ),
        (
            '[[scenario]]\nname = "A"\nopen_sites = ["S1"]\nfractions = -2\n',
            "fractions = -2 must be at least 1",
        ),
        (
            '[[scenario]]\nname = "A"\nopen_sites = ["S9"]\n',
            r"scenario 'A': site ids \['S9'\] are not in the sites table",
        ),
        ('[[scenario]]\nname = "A"\nopen_sites = "some"\n', "open_sites = 'some' is not a list"),
        ('[[scenario]]\nname = "A"\nopen_sites = [1, 2]\n', "open_sites must be a list"),
        ('[[scenario]]\nopen_sites = ["S1"]\n', "the key 'name' is missing"),
        (
            '[[scenario]]\nname = "A"\nopen_sites = ["S1"]\n[[scenario]]\nname = "A"\nopen_sites = ["S2"]\n',
            "another scenario already has this name",
        ),
        ('[[scenario]]\nname = "A"\nrule = "hub_anywhere"\nhubs = ["S1"]\n', "hubs must be a table"),
        ("format_version = 9\n", "format_version = 9 is not supported"),
        ('name = "A"\n', r"unknown top-level keys \['name'\]"),
        ("format_version = 1\n", r"no \[\[scenario\]\] tables"),
        ('[[scenario]\nname = "A"\n', "is not valid TOML"),
    ],
)
def test_errors_name_file_scenario_and_key(tmp_path, body, message):
    path = _write(tmp_path, body)
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenarios(path, site_ids=["S1", "S2", "S3", "S4"])
    assert str(path) in str(info.value)


def test_missing_file_and_unresolved_keyword(tmp_path):
    with pytest.raises(ScenarioError, match="does not exist"):
        load_scenarios(tmp_path / "none.toml")
    path = _write(tmp_path, '[[scenario]]\nname = "A"\nopen_sites = "all"\n')
    with pytest.raises(ScenarioError, match="needs the sites table"):
        load_scenarios(path)
    assert load_scenarios(path, sites=make_sites())[0].open_sites == ("S1", "S2", "S3", "S4")


def test_save_refuses_duplicate_names(tmp_path):
    sc = Scenario("A", open_sites=("S1",))
    with pytest.raises(ScenarioError, match="repeated"):
        save_scenarios([sc, sc], tmp_path / "d.toml")
    assert not list(tmp_path.iterdir())


def test_documented_example_loads_against_england_sites(shared_geodata, tmp_path):
    doc = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", doc, re.S).group(1)
    sites = pd.read_csv(shared_geodata / "sites" / "england_radiotherapy_sites.csv")
    scs = load_scenarios(_write(tmp_path, example), sites=sites)
    assert [s.name for s in scs] == ["Status quo", "Networked", "Centralised"]
    assert len(scs[0].open_sites) == 51  # every main centre in England
    assert scs[2].open_sites == ("bristol-bhoc", "newcastle-freeman-nccc")
