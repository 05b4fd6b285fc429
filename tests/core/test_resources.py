"""Run-time resources are found in the top-level resources/ folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from access_app import resources


def test_map_runtime_and_icon_are_found() -> None:
    assert resources.resource_path("icons", "access-app.svg").read_text().lstrip().startswith("<")
    js = resources.resource_text("maps", "runtime.js")
    assert "window.accessApp" in js and "access-app:view:" in js
    assert ".access-legend" in resources.resource_text("maps", "runtime.css")


def test_missing_resource_names_the_fix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ACCESS_APP_RESOURCES", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"runtime\.js is missing: install the app from its source"):
        resources.resource_path("maps", "runtime.js")
