import numpy as np
import pytest

from access_app.maps.builders import catchment_colours
from access_app.maps.classify import (
    CHANGE_COLOURS,
    NO_VALUE_COLOUR,
    TRAVEL_TIME_COLOURS,
    change_legend,
    classify_change,
    classify_travel_time,
    site_radius,
    travel_time_legend,
)

INF = float("inf")
NAN = float("nan")


def test_travel_time_classes_include_their_upper_limit():
    minutes = [0, 29.9, 30.0, 30.01, 45.0, 45.01, 60.0, 60.01, 90.0, 90.01, 240, INF, NAN]
    assert classify_travel_time(minutes).tolist() == [0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, -1, -1]


def test_travel_time_custom_breaks():
    assert classify_travel_time([10, 20, 20.5, 99], breaks=[20, 40]).tolist() == [0, 0, 1, 2]


def test_change_classes_are_symmetric_about_zero():
    change = [-45, -30.0, -15.01, -15.0, -5.01, -5.0, 0, 5.0, 5.01, 15.0, 15.01, 30.0, 30.01,
              NAN, INF, -INF]
    expected = [0, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5, 6, -1, -1, -1]
    assert classify_change(change).tolist() == expected
    # mirror image: class(-d) == 6 - class(d) for every finite d
    finite = np.array([v for v in change if np.isfinite(v)])
    assert (classify_change(-finite) == 6 - classify_change(finite)).all()


@pytest.mark.parametrize("breaks", [[], [30, 30], [45, 30], [float("nan")]])
def test_bad_breaks_are_refused(breaks):
    with pytest.raises(ValueError):
        classify_travel_time([1.0], breaks=breaks)


def test_change_breaks_must_be_positive():
    with pytest.raises(ValueError):
        classify_change([1.0], breaks=[0, 10])


def test_travel_time_legend_labels_and_colours():
    entries = travel_time_legend()
    assert [e.label for e in entries] == [
        "up to 30 min", "30\u201345 min", "45\u201360 min", "60\u201390 min", "over 90 min",
        "unreachable",
    ]
    assert [e.colour for e in entries] == [*TRAVEL_TIME_COLOURS, NO_VALUE_COLOUR]


def test_change_legend_labels_and_colours():
    entries = change_legend()
    assert [e.label for e in entries] == [
        "over 30 min shorter", "15\u201330 min shorter", "5\u201315 min shorter",
        "within \u00b15 min",
        "5\u201315 min longer", "15\u201330 min longer", "over 30 min longer",
        "no value (unreachable)",
    ]
    colours = [e.colour for e in entries]
    assert colours[:7] == list(CHANGE_COLOURS)
    # fewer minutes blue (blue channel > red), more minutes red (red > blue)
    rgb = [(int(c[1:3], 16), int(c[5:7], 16)) for c in CHANGE_COLOURS]
    assert all(b > r for r, b in rgb[:3]) and all(r > b for r, b in rgb[4:])


def test_site_radius_area_proportional_to_linacs():
    # 2.5 * sqrt(n), at least 3.5 px
    assert site_radius([1, 4, 16, 0, NAN]).tolist() == [3.5, 5.0, 10.0, 3.5, 3.5]


def test_catchment_colours_differ_between_neighbours():
    pts = np.array([[0, 0], [1, 0], [2, 0], [10, 0]])
    # west to east: 0; 1 (next to 0); 2 (next to 1 and 0); then 0 again (its 2 nearest are 2, 1)
    assert catchment_colours(pts, n_colours=3, neighbours=2).tolist() == [0, 1, 2, 0]
