"""Key-finding sentences from fixture numbers, checked against hand-worked ones."""

from __future__ import annotations

import pytest
from burden_fixture import AREAS, DISTANCES, SITES, results

from access_app.core import findings, tables
from access_app.core.burden import BurdenOptions
from access_app.core.capacity import CapacityOptions


@pytest.mark.parametrize(
    ("change", "word"),
    [
        (0.0, "about the same"),
        (1.0, "about the same"),
        (-0.6, "about the same"),
        (1.01, "slightly longer"),
        (5.0, "slightly longer"),
        (-5.0, "slightly shorter"),
        (5.1, "longer"),
        (-14.9, "shorter"),
        (15.0, "much longer"),
        (-30.0, "much shorter"),
    ],
)
def test_degree_thresholds(change, word):
    assert findings.degree(change) == word


@pytest.mark.parametrize(
    ("a", "b", "word"),
    [
        (10.0, 10.5, "about as much as"),
        (20.0, 19.0, "about as much as"),
        (22.0, 20.0, "about as much as"),
        (25.0, 20.0, "more than"),
        (30.0, 20.0, "much more than"),
        (20.0, 30.0, "much less than"),
        (0.0, 20.0, "much less than"),
        (3.0, 0.0, "more than"),
        (12.0, 2.0, "much more than"),
    ],
)
def test_compare_changes_thresholds(a, b, word):
    assert findings.compare_changes(a, b) == word


@pytest.mark.parametrize(
    ("value", "text"),
    [(39_532_681, "39.5 million"), (143_995, "144,000"), (6_052, "6,052"), (300, "300"), (0.312, "0.3")],
)
def test_format_count(value, text):
    assert findings.format_count(value) == text


def test_sentences_hand_worked_without_distances():
    rep = tables.build_report(results(), AREAS, SITES)
    got = findings.scenario_findings(rep, "One")
    # Both -> One on a1 and a2 (a3 has no site in either): 17.5 -> 32.5 minutes
    assert got == [
        "Under One, journeys are much longer than under Both: 15.0 minutes more on average "
        "(32.5 against 17.5 minutes one way, for the same 400 people).",
        "300 people (75%) would travel further.",
        "Within 45 minutes (the NRAG guideline): 100% of people under One against 100% under Both.",
        "The most deprived fifth of areas (IMD quintile 1) sees its mean journey change by +0.0 minutes, "
        "much less than the least deprived fifth (+20.0 minutes).",
        "Rural areas see their mean journey change by +20.0 minutes, much more than urban areas "
        "(+0.0 minutes).",
        "Those who lose out most are the most rural, not the most deprived.",
        "50 people have no reachable site, as under Both; they are counted on their own, "
        "not in the averages.",
        # hours: (100 x 0 + 300 x 20 min x 20 trips / 60) / 400 = 5.0 hours
        "A course of 10 fractions means, on average, 5.0 hours more in the car, against Both.",
    ]


def test_sentences_with_burden_and_capacity():
    opts = tables.ReportOptions(
        burden=BurdenOptions(cost_per_mile=0.45, parking_per_visit=2.0, co2e_kg_per_km=0.2),
        capacity=CapacityOptions(fractions_per_linac_year=15, courses_per_100k=1000, staff_per_linac=5),
    )
    rep = tables.build_report(results(), AREAS, SITES, distances=DISTANCES, options=opts)
    got = findings.scenario_findings(rep, "One")
    # +390 km a course = 242.3 miles, x 0.45 = 109.05 pounds, x 0.2 = 78 kg; a2's 3 courses a
    # year x 104 kg = 0.312 t. S1 takes 40 fractions against 2 x 15: over, one more linac
    assert got[-3] == (
        "A course of 10 fractions means, on average, 5.0 hours more in the car, 242 miles more, "
        "£109 more in travel costs and 78 kg CO2e more; 0.3 tonnes CO2e a year more in all, against Both."
    )
    assert got[-2] == (
        "At 15 fractions per linac a year, 1 of 1 open sites would be over capacity for this service, "
        "needing 1 more linac and 5 more staff."
    )
    # 40 fractions against 2 x 15 = 133%
    assert got[-1] == "The busiest site, Site one, would use 133% of its linac capacity for this service."
    two = findings.scenario_findings(rep, "Two")
    assert two[0].startswith(
        "Under Two, journeys are about the same as under Both on average (20.0 against "
        "20.0 minutes one way, for the same 300 people)"
    )
    assert "150 people have no reachable site under Two (100 more than under Both)" in " ".join(two)
    assert "(1 site with an unknown linac count not judged)" in two[-1]  # S2 only, no busiest site
    assert set(findings.report_findings(rep)) == {"One", "Two"}
