"""The core never imports Qt: the CLI and tests must run without a GUI toolkit."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import access_app.core


def test_core_modules_do_not_import_qt() -> None:
    names = [f"access_app.core.{m.name}" for m in pkgutil.iter_modules(access_app.core.__path__)]
    names += ["access_app.cli"]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'shiboken')))\n"
        "print(','.join(qt))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"Qt imported by the core: {proc.stdout}"
    assert len(names) >= 10


def test_recolouring_a_map_needs_no_folium() -> None:
    """The restyle path (frames, styling) imports no folium; the builders do."""
    code = (
        "import sys\n"
        "from access_app import maps\n"
        "maps.restyle_payload, maps.restyle_js, maps.site_roles, maps.scenario_areas\n"
        "from access_app.maps import shapes\n"
        "print('folium' in sys.modules)\n"
        "maps.travel_time_map\n"
        "print('folium' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "True"]


def test_unknown_names_of_the_maps_package_raise_attribute_errors() -> None:
    import pytest

    from access_app import maps

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        maps.nope  # noqa: B018
    assert "restyle_payload" in dir(maps) and "builders" in dir(maps)
