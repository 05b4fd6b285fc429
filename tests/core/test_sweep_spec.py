"""Sweep definitions: reading TOML, clear errors, deterministic draws, conclusion expressions."""

from __future__ import annotations

import numpy as np
import pytest

from access_app.core.errors import ScenarioError
from access_app.core.sweep import conclusions, draws, spec

EXAMPLE = """
format_version = 1
mode = "monte_carlo"
draws = 50
seed = 2026
scenarios = ["Status quo", "Centralised"]
baseline = "Status quo"

[tornado]
scenario = "Centralised"
measure = "q1_mean_min"
difference = true

[[conclusion]]
name = "deprived lose more"
expression = '''"Centralised".q1_mean_min - "Status quo".q1_mean_min
  > "Centralised".q5_mean_min - "Status quo".q5_mean_min'''

[[parameter]]
name = "motorway speed"
kind = "speed"
road_class = "motorway"
setting = "rural"
distribution = "uniform"
low = 0.8
high = 1.1

[[parameter]]
kind = "congestion"
distribution = "triangular"
low = 1.0
mode = 1.1
high = 1.4

[[parameter]]
kind = "fractions"
scenarios = ["Centralised"]
distribution = "choice"
values = [15, 20, 25]
weights = [1, 2, 1]

[[parameter]]
kind = "network"
site = "s2"
networks = ["South", "North"]
weights = [0.7, 0.3]

[[parameter]]
name = "detour"
kind = "access"
field = "detour_factor"
distribution = "normal"
mean = 1.3
sd = 0.05
low = 1.0
high = 1.6
"""


def _write(tmp_path, text):
    p = tmp_path / "sweep.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_example_reads(tmp_path):
    sp = spec.load_spec(_write(tmp_path, EXAMPLE))
    assert sp.mode == "monte_carlo" and sp.draws == 50 and sp.seed == 2026
    assert [p.name for p in sp.parameters] == ["motorway speed", "congestion", "fractions", "network s2",
                                               "detour"]
    assert sp.parameter("network s2").base == "South"
    assert sp.parameter("fractions").base is None
    assert sp.parameter("detour").base == 1.3
    assert sp.parameter("motorway speed").low_high() == (0.8, 1.1)
    assert sp.parameter("detour").low_high() == (1.0, 1.6)
    assert sp.tornado_scenario == "Centralised" and sp.tornado_difference
    assert sp.conclusions[0].name == "deprived lose more"


@pytest.mark.parametrize("change, message", [
    (("low = 0.8", "low = 1.2"), "parameter 'motorway speed': low = 1.2 must be below high = 1.1"),
    (('kind = "speed"', 'kind = "sped"'), "kind = 'sped' is not one of"),
    (('setting = "rural"', 'setting = "town"'), "setting = 'town'"),
    (("draws = 50", "draws = 0"), "draws = 0"),
    (('mode = "monte_carlo"', 'mode = "grid"'), "mode = 'grid'"),
    (("sd = 0.05", "sd = 0"), "sd = 0 must be > 0"),
    (("mode = 1.1", "mode = 2.1"), "mode = 2.1 must lie between"),
    (('measure = "q1_mean_min"', 'measure = "q9"'), "tornado measure = 'q9'"),
    (('baseline = "Status quo"', 'baseline = "Other"'), "baseline = 'Other'"),
    (("weights = [1, 2, 1]", "weights = [1, 2]"), "weights must be a list as long"),
    (('field = "detour_factor"', 'field = "k_nearest"'), "field = 'k_nearest'"),
    (('> "Centralised".q5', '>> "Centralised".q5'), "conclusion 'deprived lose more'"),
    (("seed = 2026", "seeds = 2026"), "unknown top-level keys ['seeds']"),
])
def test_errors_name_the_file_and_the_key(tmp_path, change, message):
    path = _write(tmp_path, EXAMPLE.replace(*change, 1))
    with pytest.raises(ScenarioError) as err:
        spec.load_spec(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_missing_file_and_bad_toml(tmp_path):
    with pytest.raises(ScenarioError, match="does not exist"):
        spec.load_spec(tmp_path / "nope.toml")
    with pytest.raises(ScenarioError, match="not valid TOML"):
        spec.load_spec(_write(tmp_path, "draws = = 3"))
    with pytest.raises(ScenarioError, match="no \\[\\[parameter\\]\\] tables"):
        spec.load_spec(_write(tmp_path, "draws = 3"))


def test_monte_carlo_draws_depend_only_on_seed_index_and_position(tmp_path):
    sp = spec.load_spec(_write(tmp_path, EXAMPLE))
    all_draws = draws.make_draws(sp)
    assert len(all_draws) == 50
    # the same draw made alone, in another order, or in a longer sweep is identical
    assert draws.monte_carlo_draw(sp, 37) == all_draws[37]
    longer = spec.load_spec(_write(tmp_path, EXAMPLE.replace("draws = 50", "draws = 80")))
    assert draws.make_draws(longer)[:50] == all_draws
    # a parameter added at the end leaves the earlier parameters' values alone
    more = spec.load_spec(_write(tmp_path, EXAMPLE + '\n[[parameter]]\nkind = "ferry"\ndistribution = '
                                 '"uniform"\nlow = 0.9\nhigh = 1.5\n'))
    d = draws.make_draws(more)[11]
    assert {k: v for k, v in d.values.items() if k != "ferry"} == all_draws[11].values
    # another seed gives other values
    other = spec.load_spec(_write(tmp_path, EXAMPLE.replace("seed = 2026", "seed = 2027")))
    assert draws.make_draws(other)[0].values != all_draws[0].values
    # values respect their distributions
    mw = np.array([d.values["motorway speed"] for d in all_draws])
    assert ((mw >= 0.8) & (mw <= 1.1)).all() and mw.std() > 0
    assert {d.values["fractions"] for d in all_draws} <= {15, 20, 25}
    assert {d.values["network s2"] for d in all_draws} == {"South", "North"}
    det = np.array([d.values["detour"] for d in all_draws])
    assert ((det >= 1.0) & (det <= 1.6)).all()


def test_one_at_a_time_cases(tmp_path):
    sp = spec.load_spec(_write(tmp_path, EXAMPLE.replace('"monte_carlo"', '"one_at_a_time"')))
    cases = draws.make_draws(sp)
    assert [c.case for c in cases[:3]] == ["base", "motorway speed low", "motorway speed high"]
    assert len(cases) == 1 + 2 * len(sp.parameters)
    assert cases[1].values == {**cases[0].values, "motorway speed": 0.8}
    assert cases[6].values["fractions"] == 25 and isinstance(cases[6].values["fractions"], int)
    assert cases[7].values["network s2"] == "South" and cases[8].values["network s2"] == "North"
    assert cases[0].values["fractions"] is None  # base = the scenario's own


def test_normal_without_bounds_uses_the_5_and_95_percent_points():
    sp = spec.parse_spec({"mode": "one_at_a_time", "parameter": [
        {"name": "c", "kind": "congestion", "distribution": "normal", "mean": 1.2, "sd": 0.1}]})
    lo, hi = sp.parameter("c").low_high()
    assert lo == pytest.approx(1.2 - 0.16448536) and hi == pytest.approx(1.2 + 0.16448536)


# ------------------------------------------------------------------ conclusion expressions


def _lookup(table):
    return lambda s, m: np.asarray(table[(s, m)], dtype=float)


def test_expression_precedence_and_logic():
    t = {("A", "x"): [1.0, 2.0, 3.0], ("B", "x"): [2.0, 2.0, 2.0], ("A", "y"): [0.0, 10.0, np.nan]}
    ev = lambda text: conclusions.evaluate(conclusions.parse_expression(text), _lookup(t)).tolist()  # noqa: E731
    assert ev('"A".x > "B".x') == [False, False, True]
    assert ev('"A".x - "B".x * 2 >= -3') == [True, True, True]  # * binds tighter than -
    assert ev('("A".x - "B".x) * 2 >= 0') == [False, True, True]
    assert ev('abs("A".x - "B".x) == 1') == [True, False, True]
    assert ev('"A".x > 1 and not "A".y > 5') == [False, False, True]
    assert ev('"A".x > 2.5 or "A".y > 5') == [False, True, True]
    assert ev('"A".y < 100') == [True, True, False]  # a missing value makes a comparison false
    refs = conclusions.references(conclusions.parse_expression('"A".x > "B".x + 1'))
    assert refs == {("A", "x"), ("B", "x")}


@pytest.mark.parametrize("text", [
    '"A".x', "1 + 2", '"A".x > ', '__import__("os")', '"A".x > 1 and 2', '"A".x > "B".x > 3',
    '"A" > 1', "", '"A".x > 1)', "open('f')",
])
def test_bad_expressions_are_refused(text):
    with pytest.raises(ScenarioError):
        conclusions.parse_expression(text)


def test_the_documented_example_reads():
    import re
    import tomllib
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "sweeps.md").read_text(encoding="utf-8")
    block = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    sp = spec.parse_spec(tomllib.loads(block), source="docs/sweeps.md")
    assert len(sp.parameters) == 7 and len(sp.conclusions) == 2
    assert sp.parameter("network chester-countess").values == ("North West", "West Midlands")
