"""Property tests: any scenario file gives scenarios or a ScenarioError, never another exception.

Random bytes, random TOML documents built from the keys the reader knows (values of every
TOML type, control characters, huge and non-finite numbers, deep nesting) and random
text encodings go through :func:`access_app.core.scenarios.load_scenarios`, with and
without a sites table to resolve ``"all"`` and check ids against.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pandas as pd
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access_app.core import scenarios
from access_app.core.errors import AccessAppError

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
SITES = pd.DataFrame({"site_id": ["oak", "upp", "far"], "network": ["R", "R", None],
                      "site_type": ["main", "satellite", "main"], "linacs": [2, 1, 5]})

SCALARS = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["oak", "upp", "far", "all", "all main", "nearest", "within_network",
                     "hub_per_network", "hub_anywhere", "population", "pop60plus", "", "\x01"]),
    st.integers(-10**30, 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=8)
KEYS = st.sampled_from(["name", "service", "rule", "open_sites", "hubs", "demand",
                        "incidence_per_100k", "fractions", "description", "extra"])


@st.composite
def scenario_docs(draw: st.DrawFn) -> dict[str, object]:
    """Draw a TOML document of 0-3 scenario tables with random keys and values."""
    entries = draw(st.lists(st.dictionaries(KEYS, VALUES, max_size=7), max_size=3))
    doc: dict[str, object] = {"scenario": entries}
    if draw(st.booleans()):
        doc["format_version"] = draw(st.one_of(st.just(1), SCALARS))
    return doc


def _write(data: bytes) -> Path:
    path = Path(tempfile.mkdtemp(prefix="fuzz-scen-")) / "s.toml"
    path.write_bytes(data)
    return path


def _load(path: Path) -> None:
    for kwargs in ({}, {"sites": SITES}):
        try:
            out = scenarios.load_scenarios(path, **kwargs)  # type: ignore[arg-type]
        except AccessAppError:
            continue
        assert out and all(isinstance(s, scenarios.Scenario) for s in out)
        for s in out:
            assert 1 <= s.fractions <= 100
            assert s.incidence_per_100k is None or math.isfinite(s.incidence_per_100k)


@SETTINGS
@given(data=st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    _load(_write(data))


@SETTINGS
@given(doc=scenario_docs(), bom=st.booleans(), encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]))
def test_random_toml_documents(doc: dict[str, object], bom: bool, encoding: str) -> None:
    try:
        text = tomli_w.dumps(doc)
    except (TypeError, ValueError):  # tomli_w refuses some mixes (e.g. NaN keys are fine, None not)
        return
    try:
        data = (("\ufeff" if bom else "") + text).encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    _load(_write(data))


@SETTINGS
@given(depth=st.integers(1, 3000), kind=st.sampled_from(["[", "{a="]))
def test_deep_nesting(depth: int, kind: str) -> None:
    close = "]" if kind == "[" else "}"
    _load(_write(f"x = {kind * depth}1{close * depth}\n".encode()))


@st.composite
def near_valid_docs(draw: st.DrawFn) -> dict[str, object]:
    """Draw scenario files that are mostly valid: known rules and sites, borderline numbers."""
    entries = []
    for i in range(draw(st.integers(1, 3))):
        rule = draw(st.sampled_from(["nearest", "within_network", "hub_per_network", "hub_anywhere"]))
        entry: dict[str, object] = {"name": draw(st.sampled_from([f"S{i}", f"Café {i}", f"S\x07{i}"])),
                                    "rule": rule}
        if rule.startswith("hub"):
            entry["hubs"] = {"R": draw(st.lists(st.sampled_from(["oak", "upp", "far"]), min_size=0,
                                                max_size=2))}
        else:
            entry["open_sites"] = draw(st.one_of(
                st.sampled_from(["all", "all main", "everything"]),
                st.lists(st.sampled_from(["oak", "upp", "far", "nowhere"]), max_size=3)))
        if draw(st.booleans()):
            entry["fractions"] = draw(st.one_of(st.integers(-2, 120), st.floats(0, 1e30)))
        if draw(st.booleans()):
            entry["incidence_per_100k"] = draw(st.one_of(st.integers(-1, 200_000),
                                                         st.floats(allow_nan=True, allow_infinity=True)))
        entries.append(entry)
    return {"scenario": entries}


@SETTINGS
@given(doc=near_valid_docs())
def test_near_valid_scenario_files(doc: dict[str, object]) -> None:
    _load(_write(tomli_w.dumps(doc).encode("utf-8")))
