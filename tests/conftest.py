"""Test configuration shared by every test.

Qt runs without a screen (offscreen platform) and QtWebEngine's Chromium without a GPU
or sandbox; these are set here, before any Qt import, so that a plain ``pytest`` works
the same on a desktop, in a terminal and in CI.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox --disable-gpu")
os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED_GEODATA = REPO.parent / "shared" / "geodata"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def shared_geodata() -> Path:
    """Return ``../shared/geodata`` (the real open data), skipping if it is absent."""
    if not SHARED_GEODATA.is_dir():
        pytest.skip("../shared/geodata is not beside the repository")
    return SHARED_GEODATA


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Return the folder of small hand-written fixtures."""
    return DATA


@pytest.fixture(scope="session")
def analysis_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a session cache folder for networks, matrices and map pages (never the user's)."""
    return tmp_path_factory.mktemp("access-app-cache")


@pytest.fixture(scope="session")
def default_data(analysis_cache: Path) -> tuple[object, object, object]:
    """Return the embedded dataset, its road network and the travel-time matrix, once a run."""
    from access_app.core import pipeline

    ds = pipeline.load_default_dataset()
    net = pipeline.load_default_network(cache_dir=analysis_cache)
    matrix = pipeline.compute_matrix(ds, net, cache_dir=analysis_cache)
    return ds, net, matrix
