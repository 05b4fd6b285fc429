"""Hand-worked checks of the UK speed model and OSM maxspeed parsing."""

from __future__ import annotations

import math

import pytest

from access_app.core.errors import NetworkError
from access_app.core.speeds import SpeedModel, parse_maxspeed, road_class_from_number


@pytest.mark.parametrize(
    ("value", "kmh"),
    [
        ("50", 50.0),
        (50, 50.0),
        ("30 mph", 30 * 1.609344),
        ("30mph", 30 * 1.609344),
        ("GB:nsl_single", 60 * 1.609344),
        ("GB:nsl_dual", 70 * 1.609344),
        ("GB:motorway", 70 * 1.609344),
        ("GB:urban", 30 * 1.609344),
        ("gb:zone20", 20 * 1.609344),
        ("30 mph;40 mph", 30 * 1.609344),
        (["40 mph", "20 mph"], 20 * 1.609344),
        ("48 km/h", 48.0),
        ("none", None),
        ("signals", None),
        ("", None),
        (None, None),
        (float("nan"), None),
        ("0", None),
    ],
)
def test_parse_maxspeed(value, kmh):
    got = parse_maxspeed(value)
    if kmh is None:
        assert got is None
    else:
        assert got == pytest.approx(kmh, abs=1e-12)


@pytest.mark.parametrize(
    ("road", "cls"),
    [("M1", "motorway"), ("A1(M)", "motorway"), ("A52", "primary"), ("B6403", "secondary"),
     ("", "unclassified"), (None, "unclassified")],
)
def test_road_class_from_number(road, cls):
    assert road_class_from_number(road) == cls


def test_default_speeds_and_travel_time():
    m = SpeedModel()
    assert m.speed_kmh("motorway", urban=False) == 100.0
    assert m.speed_kmh("motorway", urban=True) == 80.0
    assert m.speed_kmh("primary", urban=True) == 40.0
    assert m.speed_kmh(["primary", "secondary"], urban=False) == 80.0
    assert m.speed_kmh("no-such-class", urban=False) == 40.0
    # 1 km of rural motorway at 100 km/h = 36 s
    assert m.travel_time_s(1000.0, "motorway", urban=False) == pytest.approx(36.0)
    # maxspeed caps the class speed, never raises it
    assert m.speed_kmh("primary", urban=False, maxspeed="30 mph") == pytest.approx(48.28032)
    assert m.speed_kmh("residential", urban=True, maxspeed="GB:nsl_single") == 25.0


def test_congestion_factor_and_edits():
    m = SpeedModel(congestion_factor=1.5, speeds_kmh={"motorway": (60.0, 120.0)})
    # 2 km at 120 km/h = 60 s, times 1.5
    assert m.travel_time_s(2000.0, "motorway", urban=False) == pytest.approx(90.0)
    assert m.with_changes(congestion_factor=1.0).travel_time_s(
        2000.0, "motorway", urban=False
    ) == pytest.approx(60.0)
    assert m.fingerprint() != SpeedModel().fingerprint()
    no_limit = SpeedModel(use_maxspeed=False)
    assert no_limit.speed_kmh("primary", urban=False, maxspeed="20 mph") == 80.0


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
def test_bad_congestion_factor(bad):
    with pytest.raises(NetworkError, match="congestion_factor"):
        SpeedModel(congestion_factor=bad)


def test_bad_speed_pair():
    with pytest.raises(NetworkError, match="'motorway'"):
        SpeedModel(speeds_kmh={"motorway": (0.0, 100.0)})


def test_model_copies_table_and_checks_pairs():
    import copy
    import dataclasses

    table = {"motorway": (60.0, 120.0)}
    m = SpeedModel(speeds_kmh=table)
    table["motorway"] = (1.0, 1.0)  # the caller's dict is copied
    assert m.speed_kmh("motorway", urban=False) == 120.0
    assert copy.deepcopy(m) == m
    assert dataclasses.asdict(m)["speeds_kmh"] == {"motorway": (60.0, 120.0)}
    with pytest.raises(NetworkError, match="'trunk'"):
        SpeedModel(speeds_kmh={"trunk": (50.0,)})
