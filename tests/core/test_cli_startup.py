"""Start-up of the CLI imports nothing heavy that the command does not need."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("osmnx", "matplotlib", "PySide6", "folium")
DATA = ("pandas", "geopandas", "numpy", "scipy", "networkx", "openpyxl", "pyarrow")


def _modules_after(code: str) -> set[str]:
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                         timeout=300)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_help_imports_no_data_library() -> None:
    loaded = _modules_after(
        "import contextlib, io\nfrom access_app import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    cli.main(['--help'])"
    )
    assert not loaded & set(HEAVY + DATA), loaded & set(HEAVY + DATA)


def test_run_path_imports_neither_osmnx_nor_plotting_nor_qt() -> None:
    # Everything a default ``run`` imports before routing and exporting.
    loaded = _modules_after(
        "from access_app import cli\nfrom access_app.core import export, pipeline, tables, scenarios\n"
        "cli.build_parser().parse_args(['run', '--out', 'x'])"
    )
    assert "geopandas" in loaded  # the test sees the modules of the run path
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_library_info_lines_stay_quiet_unless_verbose() -> None:
    # dask.distributed sets its own loggers to INFO; the CLI prints warnings only.
    code = (
        "import contextlib, io, logging, sys\nfrom access_app import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(sys.argv[1:])\n"
        "lib = logging.getLogger('distributed.scheduler'); lib.setLevel(logging.INFO)\n"
        "lib.info('State start'); lib.warning('worker lost')\n"
    )
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           timeout=120, check=True)
    assert "worker lost" in quiet.stderr and "State start" not in quiet.stderr
    loud = subprocess.run([sys.executable, "-c", code, "-v"], capture_output=True, text=True,
                          timeout=120, check=True)
    assert "State start" in loud.stderr
