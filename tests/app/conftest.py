"""Fixtures for the session tests: the embedded data, network and matrix, computed once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def app_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a session cache folder for networks and matrices (never the user's)."""
    return tmp_path_factory.mktemp("access-app-session-cache")


@pytest.fixture(scope="session")
def default_data(app_cache: Path) -> tuple[Any, Any, Any]:
    """Return the embedded dataset, its road network and the travel-time matrix."""
    from access_app.core import pipeline

    ds = pipeline.load_default_dataset()
    net = pipeline.load_default_network(cache_dir=app_cache)
    matrix = pipeline.compute_matrix(ds, net, cache_dir=app_cache)
    return ds, net, matrix


@pytest.fixture
def session(app_cache: Path, default_data: Any) -> Any:
    """Return a session holding the default data, with its scenarios evaluated."""
    from access_app.app.session import Session

    s = Session(cache_dir=app_cache)
    s.use(*default_data)
    s.evaluate()
    return s
