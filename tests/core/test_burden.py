"""Burden per course: hours, km, miles, cost and CO2e, worked by hand (see burden_fixture)."""

from __future__ import annotations

import numpy as np
import pytest
from burden_fixture import AREAS, DISTANCES, SITES, results

from access_app.core import burden, tables
from access_app.core.burden import BurdenOptions
from access_app.core.capacity import CapacityOptions
from access_app.core.errors import ScenarioError

OPTS = BurdenOptions(cost_per_mile=0.45, parking_per_visit=2.0, co2e_kg_per_km=0.2)
MILE = 1.609344


def test_per_course_hand_worked():
    out = burden.per_course(np.array([10.0, 20.0]), np.array([8.0, 24.0]), fractions=10, options=OPTS)
    # 10 return trips: 200 and 400 one-way-minutes -> 3.333 and 6.667 h; 160 and 480 km
    np.testing.assert_allclose(out["hours_per_course"], [10 / 3, 20 / 3])
    np.testing.assert_allclose(out["km_per_course"], [160.0, 480.0])
    np.testing.assert_allclose(out["miles_per_course"], [99.41939, 298.25816], rtol=1e-6)
    # cost = miles x 0.45 + 10 visits x 2.00
    np.testing.assert_allclose(out["cost_per_course"], [64.738725, 154.216172], rtol=1e-6)
    np.testing.assert_allclose(out["co2e_kg_per_course"], [32.0, 96.0])


def test_assigned_km_follows_the_assigned_site_and_reorders_columns():
    both, one, two = results()
    np.testing.assert_array_equal(burden.assigned_km(both, DISTANCES.km), [8.0, 24.0, np.nan])
    np.testing.assert_array_equal(burden.assigned_km(one, DISTANCES.km), [8.0, 50.0, np.nan])
    swapped = DISTANCES.km[:, ::-1]
    np.testing.assert_array_equal(burden.assigned_km(two, swapped, ["S2", "S1"]), [np.nan, 24.0, np.nan])
    assert np.isnan(burden.assigned_km(both, None)).all()
    rows = DISTANCES.km[[2, 0, 1]]
    np.testing.assert_array_equal(
        burden.assigned_km(both, rows, None, ["a3", "a1", "a2"]), [8.0, 24.0, np.nan]
    )
    with pytest.raises(ScenarioError, match="no distances"):
        burden.assigned_km(both, DISTANCES.km[:2], None, ["a1", "a2"])


def _report(**kw):
    return tables.build_report(
        results(),
        AREAS,
        SITES,
        distances=DISTANCES,
        options=tables.ReportOptions(burden=OPTS, capacity=CapacityOptions(courses_per_100k=1000, **kw)),
    )


def test_burden_table_means_and_annual_totals():
    rep = _report()
    b = rep.burden.set_index(["scenario", "group_by"])
    both = b.loc[("Both", "all")]
    # weights 100 and 300 on a1 and a2 (a3 has no site)
    assert both["demand"] == 400
    assert both["hours_per_course"] == pytest.approx((100 * 10 / 3 + 300 * 20 / 3) / 400)  # 5.8333
    assert both["km_per_course"] == pytest.approx(400.0)
    assert both["miles_per_course"] == pytest.approx(400 / MILE)
    assert both["cost_per_course"] == pytest.approx(400 / MILE * 0.45 + 20)  # 131.85
    assert both["co2e_kg_per_course"] == pytest.approx(80.0)
    # courses: 1,000 per 100,000 -> a1 1, a2 3 (a3's 0.5 has no site)
    assert both["courses_per_year"] == pytest.approx(4.0)
    assert both["co2e_t_per_year"] == pytest.approx((1 * 32 + 3 * 96) / 1000)  # 0.32 t
    assert both["cost_per_year"] == pytest.approx(64.738725 + 3 * 154.216172, rel=1e-6)
    one = b.loc[("One", "all")]
    assert one["km_per_course"] == pytest.approx((100 * 160 + 300 * 1000) / 400)  # 790
    assert one["hours_per_course"] == pytest.approx((100 * 10 / 3 + 300 * 40 / 3) / 400)  # 10.833


def test_burden_changes_on_common_areas():
    rep = _report()
    c = rep.burden_changes.set_index(["scenario", "group_by", "group"])
    one = c.loc[("One", "all", "all")]
    assert one["compared_demand"] == 400
    assert one["km_per_course_change"] == pytest.approx(390.0)
    assert one["hours_per_course_change"] == pytest.approx(5.0)
    assert one["co2e_t_per_year_change"] == pytest.approx(3 * (200 - 96) / 1000)  # 0.312 t
    # Two: only a2 is compared (a1 has no site); its journey is unchanged
    two = c.loc[("Two", "all", "all")]
    assert two["compared_demand"] == 300
    assert two["km_per_course_change"] == pytest.approx(0.0)
    # by urban/rural: the rural area a2 carries the whole change under One
    assert c.loc[("One", "urban_rural", "Rural"), "km_per_course_change"] == pytest.approx(520.0)
    assert c.loc[("One", "urban_rural", "Urban"), "km_per_course_change"] == pytest.approx(0.0)


def test_area_table_carries_burden_columns():
    rep = _report()
    a = rep.areas.set_index(["scenario", "area_id"])
    assert a.loc[("One", "a2"), "km_per_course"] == pytest.approx(1000.0)
    assert a.loc[("One", "a2"), "co2e_kg_per_course"] == pytest.approx(200.0)
    assert np.isnan(a.loc[("Two", "a1"), "km_per_course"])
    assert {"burden", "burden_changes", "capacity", "capacity_summary"} <= set(rep.tables())


def test_without_distances_only_hours_are_known():
    rep = tables.build_report(results(), AREAS, SITES)
    row = rep.burden.set_index(["scenario", "group_by"]).loc[("Both", "all")]
    assert row["hours_per_course"] == pytest.approx(35 / 6)
    assert np.isnan(row["km_per_course"]) and np.isnan(row["cost_per_course"])
    assert not rep.distances_known


@pytest.mark.parametrize("field", ["cost_per_mile", "parking_per_visit", "co2e_kg_per_km"])
def test_options_refuse_negative(field):
    with pytest.raises(ScenarioError, match=field):
        BurdenOptions(**{field: -1.0})
