"""The one registry of file types: kinds, suffixes, dialog filters."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from access_app.core import filetypes, pipeline


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("rutland.osm.pbf", "osm"),
        ("RUTLAND.OSM.BZ2", "osm"),
        ("extract.osm.xml", "osm"),
        ("england.npz", "saved_network"),
        ("roads.graphml", "saved_network"),
        ("oproad.gpkg", "road_lines"),
        ("roads.geojson", "road_lines"),
        ("notes.docx", None),
    ],
)
def test_kind_of_among_networks(name, kind):
    assert filetypes.kind_of(name, among=("network",)) == kind


def test_ambiguous_names_need_a_narrower_choice():
    # .zip may be areas, sites, road lines or Code-Point Open; .toml scenarios or a model
    assert filetypes.kind_of("data.zip") is None
    assert set(filetypes.kinds_of("data.zip")) == {
        "areas", "sites", "network_table", "road_lines", "postcodes"}
    assert filetypes.kind_of("mine.toml") is None
    assert filetypes.kind_of("mine.toml", among=("scenarios",)) == "scenarios"
    assert filetypes.kind_of("areas.csv.gz", among=("areas", "network")) == "areas"


def test_dialog_filter_is_qt_style_text():
    assert filetypes.dialog_filter("saved_network") == "Saved networks (*.npz *.graphml);;All files (*)"
    text = filetypes.dialog_filter("network", all_files=False)
    assert text.startswith("Road networks (*.osm *.osm.xml *.osm.bz2 *.osm.pbf *.pbf *.npz *.graphml *.shp")
    assert text.endswith(")") and ";;" not in text
    # the complaint: the GUI's list lacked these
    for pattern in ("*.npz", "*.osm.bz2", "*.fgb", "*.parquet"):
        assert pattern in text


def test_pipeline_lists_come_from_the_registry():
    assert pipeline.OSM_SUFFIXES == filetypes.suffixes("osm")
    assert pipeline.SAVED_SUFFIXES == (".npz", ".graphml")
    assert set(filetypes.suffixes("network")) == set(
        pipeline.OSM_SUFFIXES + pipeline.SAVED_SUFFIXES + pipeline.LINE_SUFFIXES)


def test_unknown_kind_is_named():
    with pytest.raises(KeyError, match="unknown file kind 'roads'"):
        filetypes.suffixes("roads")


def test_registry_imports_only_the_standard_library():
    code = ("import sys; import access_app.core.filetypes; "
            "print(sorted(m for m in ('numpy', 'pandas', 'geopandas', 'networkx') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[2]).stdout
    assert out.strip() == "[]"
