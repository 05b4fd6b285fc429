"""Capacity and workforce, worked by hand (see burden_fixture)."""

from __future__ import annotations

import numpy as np
import pytest
from burden_fixture import AREAS, SITES, results

from access_app.core import capacity, tables
from access_app.core.capacity import CapacityOptions
from access_app.core.errors import ScenarioError


def test_site_capacity_hand_worked():
    # 4 courses of 10 fractions to site 0 (2 linacs), 3 to site 1 (linacs unknown), 2 to a
    # site with no linac; throughput 15 fractions per linac a year
    courses = np.array([1.0, 3.0, 3.0, 2.0, 0.5])
    site = np.array([0, 0, 1, 2, -1])
    out = capacity.site_capacity(
        courses,
        site,
        np.array([2.0, np.nan, 0.0]),
        fractions=10,
        options=CapacityOptions(fractions_per_linac_year=15, staff_per_linac=5),
    )
    np.testing.assert_allclose(out["courses_per_year"], [4.0, 3.0, 2.0])
    np.testing.assert_allclose(out["fractions_per_year"], [40.0, 30.0, 20.0])
    np.testing.assert_allclose(out["capacity_fractions"], [30.0, np.nan, 0.0])
    np.testing.assert_allclose(out["utilisation"], [40 / 30, np.nan, np.inf])
    assert out["over_capacity"].tolist() == [True, None, True]
    np.testing.assert_allclose(out["linacs_needed"], [3.0, 2.0, 2.0])  # ceil(40/15), ceil(30/15)
    np.testing.assert_allclose(out["extra_linacs"], [1.0, np.nan, 2.0])
    np.testing.assert_allclose(out["staff_needed"], [15.0, 10.0, 10.0])
    np.testing.assert_allclose(out["extra_staff"], [5.0, np.nan, 10.0])


def test_exact_throughput_needs_no_extra_linac():
    out = capacity.site_capacity(
        np.array([1.6]),
        np.array([0]),
        np.array([2.0]),
        fractions=10,
        options=CapacityOptions(fractions_per_linac_year=8),
    )
    assert out["utilisation"][0] == pytest.approx(1.0)
    assert out["over_capacity"][0] is False
    assert out["linacs_needed"][0] == 2 and out["extra_linacs"][0] == 0


def test_capacity_tables_in_the_report():
    opts = tables.ReportOptions(
        capacity=CapacityOptions(fractions_per_linac_year=15, courses_per_100k=1000, staff_per_linac=5)
    )
    rep = tables.build_report(results(), AREAS, SITES, options=opts)
    cap = rep.capacity.set_index(["scenario", "site_id"])
    # One: S1 gets a1 + a2 = 1 + 3 courses = 40 fractions against 2 x 15
    s1 = cap.loc[("One", "S1")]
    assert s1["fractions_per_year"] == pytest.approx(40.0)
    assert s1["utilisation"] == pytest.approx(4 / 3)
    assert s1["over_capacity"] is True and s1["extra_linacs"] == 1 and s1["extra_staff"] == 5
    # Both: S2 takes a2's 3 courses, linacs unknown: unknown, not zero
    s2 = cap.loc[("Both", "S2")]
    assert s2["fractions_per_year"] == pytest.approx(30.0)
    assert np.isnan(s2["utilisation"]) and s2["over_capacity"] is None and np.isnan(s2["extra_linacs"])
    assert ("One", "S2") not in cap.index  # closed sites are not listed
    summ = rep.capacity_summary.set_index("scenario")
    assert summ.loc["One", "courses_without_site"] == pytest.approx(0.5)  # a3
    assert summ.loc["Two", "courses_without_site"] == pytest.approx(1.5)  # a1 and a3
    assert summ.loc["One", "sites_over_capacity"] == 1
    assert summ.loc["Both", "sites_unknown_linacs"] == 1
    assert summ.loc["One", "extra_linacs"] == 1 and summ.loc["One", "extra_staff"] == 5


def test_course_basis_order_and_unknown():
    both = results()[0]
    c, basis = capacity.area_courses(both, AREAS, options=CapacityOptions())
    assert np.isnan(c).all() and basis == capacity.COURSE_BASIS_UNKNOWN
    areas = AREAS.assign(courses=[2.0, 4.0, 1.0])
    c, basis = capacity.area_courses(
        both, areas, options=CapacityOptions(courses_column="courses", courses_per_100k=5)
    )
    np.testing.assert_array_equal(c, [2.0, 4.0, 1.0])
    assert "courses" in basis
    with pytest.raises(ScenarioError, match="'nope'"):
        capacity.area_courses(both, AREAS, options=CapacityOptions(courses_column="nope"))


def test_incidence_in_the_scenario_gives_the_courses():
    from burden_fixture import MATRIX

    from access_app.core import scenarios

    sc = scenarios.Scenario(name="Rate", open_sites=("S1",), incidence_per_100k=2000.0, fractions=5)
    res = scenarios.assign(AREAS, SITES, MATRIX, sc)
    c, basis = capacity.area_courses(res, AREAS, options=CapacityOptions(courses_per_100k=1))
    np.testing.assert_allclose(c, [2.0, 6.0, 1.0])
    assert "2000 per 100,000" in basis


@pytest.mark.parametrize(
    "kw", [{"fractions_per_linac_year": 0}, {"staff_per_linac": -1}, {"courses_per_100k": float("nan")}]
)
def test_options_refuse_bad_values(kw):
    with pytest.raises(ScenarioError, match=next(iter(kw))):
        CapacityOptions(**kw)
