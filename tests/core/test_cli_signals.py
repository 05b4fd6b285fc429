"""SIGTERM and Ctrl-C during an export of ``access-app-cli run``: exit 143/130, old set kept."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from test_tables_fixtures import make_areas, make_matrix, make_sites

from access_app.core import export
from access_app.core.scenarios import assign_all, default_scenarios
from access_app.core.tables import build_report

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

HERE = Path(__file__).resolve().parent

# Runs the real ``cli.main`` and ``export.write_all``; only the data loading and routing are
# replaced by the small fixture, and writing sites.csv announces itself on stdout and then
# blocks until a signal arrives.
_WRAPPER = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from test_tables_fixtures import make_areas, make_matrix, make_sites
    from access_app import cli
    from access_app.core import export, pipeline
    from access_app.core.export import exportset, tabular
    from access_app.core.scenarios import Scenario, assign_all
    from access_app.core.tables import build_report

    out = Path(sys.argv[1])
    areas, sites = make_areas(), make_sites()
    report = build_report(assign_all(areas, sites, make_matrix(), [Scenario("New", open_sites=("S4",))]),
                          areas, sites)
    real = tabular.write_csv

    def slow(frame, path):
        result = real(frame, path)
        if path.name == "sites.csv":  # written on the main thread
            print("writing", flush=True)  # the test waits for this line
            threading.Event().wait()  # until the signal handler raises
        return result

    exportset.write_csv = slow
    pipeline.load_dataset = lambda **kw: None
    pipeline.run = lambda out_dir, **kw: export.write_all(report, out_dir, areas=areas, metadata={{}})
    sys.exit(cli.main(["run", "--out", str(out), "-q"]))
    """
)


@pytest.mark.parametrize(("sig", "code", "word"), [(signal.SIGTERM, 143, "terminated"),
                                                   (signal.SIGINT, 130, "interrupted")])
def test_signal_during_export_keeps_previous_set(tmp_path: Path, sig: int, code: int, word: str) -> None:
    areas, sites = make_areas(), make_sites()
    old = build_report(assign_all(areas, sites, make_matrix(), default_scenarios(sites)), areas, sites)
    out = tmp_path / "results"
    export.write_all(old, out, areas=areas, metadata={"Run": "old"})
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    script = tmp_path / "wrapper.py"
    script.write_text(_WRAPPER.format(tests=str(HERE)), encoding="utf-8")
    path = os.pathsep.join([str(HERE.parents[1]), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    proc = subprocess.Popen([sys.executable, str(script), str(out)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 120)  # the line, or a deadline
        assert ready, "the export never started"
        line = proc.stdout.readline()
        assert line == "writing\n", line
        staging = [p for p in out.iterdir() if p.name.startswith(".access-app-staging")]
        assert len(staging) == 1 and (staging[0] / "sites.csv").exists()  # mid-export
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, stderr
    assert word in stderr and "Traceback" not in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # old set whole, no leftovers
    assert export.verify_manifest(out) == []
