"""Fixtures for the session tests (the embedded data comes from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="session")
def app_cache(analysis_cache: Path) -> Path:
    """Return the shared session cache (tests/conftest.py) under the name these tests use."""
    return analysis_cache


@pytest.fixture
def session(app_cache: Path, default_data: Any) -> Any:
    """Return a session holding the default data, with its scenarios evaluated."""
    from access_app.app.session import Session

    s = Session(cache_dir=app_cache)
    s.use(*default_data)
    s.evaluate()
    return s
