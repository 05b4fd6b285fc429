"""Shared helpers for the bad-input tests: run the CLI in-process and read its one-line error."""

from __future__ import annotations

from pathlib import Path

import pytest

from access_app import cli

#: Two main sites in Rutland (British National Grid), both in network "Rutland".
SITES_CSV = (
    "site_id,site_name,easting,northing,network,site_type,linacs\n"
    "oak,Oakham,486000,308800,Rutland,main,2\n"
    "upp,Uppingham,486600,299800,Rutland,main,1\n"
)
#: Four small areas around them, in the same network.
AREAS_CSV = (
    "area_id,population,easting,northing,network,urban_rural\n"
    "a1,1500,485500,308000,Rutland,Urban\n"
    "a2,1700,487000,306000,Rutland,Rural\n"
    "a3,1600,486000,301000,Rutland,Urban\n"
    "a4,1400,488000,300500,Rutland,Rural\n"
)


def write(path: Path, data: str | bytes) -> Path:
    """Write text (UTF-8) or bytes to ``path`` and return it."""
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    """Run ``access-app-cli`` in this process; return exit code, stdout and stderr."""
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def error_line(result: tuple[int, str, str]) -> str:
    """Return the single error line of a :func:`run_cli` result that must be exit code 2."""
    code, _, err = result
    assert code == 2, f"exit code {code}, stderr: {err}"
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if line.startswith("access-app-cli: error: ")]
    assert len(lines) == 1, err
    return lines[0]


def small_files(tmp_path: Path) -> tuple[Path, Path]:
    """Write the small Rutland areas and sites files; return (areas, sites)."""
    return write(tmp_path / "areas.csv", AREAS_CSV), write(tmp_path / "sites.csv", SITES_CSV)


#: A 6 km x 12 km grid of roads around Oakham and Uppingham (British National Grid).
GRID_X = (484_000.0, 487_000.0, 490_000.0)
GRID_Y = (298_000.0, 304_000.0, 310_000.0)


def grid_roads(path: Path) -> Path:
    """Write the road grid as a GeoPackage line file (one line per block edge)."""
    import geopandas as gpd
    from shapely.geometry import LineString

    lines = []
    for y in GRID_Y:
        lines += [LineString([(a, y), (b, y)]) for a, b in zip(GRID_X, GRID_X[1:], strict=False)]
    for x in GRID_X:
        lines += [LineString([(x, a), (x, b)]) for a, b in zip(GRID_Y, GRID_Y[1:], strict=False)]
    gdf = gpd.GeoDataFrame({"road": [f"A{i}" for i in range(len(lines))]}, geometry=lines,
                           crs="EPSG:27700")
    gdf.to_file(path, driver="GPKG")
    return path
