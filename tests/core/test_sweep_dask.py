"""The same sweep on one process, on a LocalCluster and on a separate scheduler and worker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sweep_fixture as fx
from test_sweep_results import FAILING, check_failures

from access_app.core.errors import Cancelled
from access_app.core.sweep import run, spec

pytestmark = pytest.mark.slow

MC = {
    "draws": 24, "seed": 11, "baseline": "All",
    "parameter": [
        {"name": "motorway", "kind": "speed", "road_class": "motorway", "distribution": "uniform",
         "low": 0.5, "high": 2.0},
        {"name": "urban", "kind": "speed", "road_class": "all", "setting": "urban",
         "distribution": "triangular", "low": 0.7, "mode": 1.0, "high": 1.2},
        {"name": "ferry", "kind": "ferry", "route": "IOW-Test", "distribution": "normal", "mean": 1.0,
         "sd": 0.2, "low": 0.5, "high": 1.5},
        {"name": "Q1", "kind": "incidence", "group_by": "imd_quintile", "group": 1,
         "distribution": "uniform", "low": 0.8, "high": 1.5},
        {"name": "s2", "kind": "network", "site": "s2", "networks": ["South", "North"]},
        {"name": "fractions", "kind": "fractions", "distribution": "choice", "values": [15, 20, 25]},
    ],
}


@pytest.fixture(scope="module")
def sync_run():
    return run.run_sweep(fx.inputs(), spec.parse_spec(MC, source="mc.toml"), executor="sync")


def _same(a, b):
    pd.testing.assert_frame_equal(a.results, b.results, check_exact=True)
    pd.testing.assert_frame_equal(a.parameters, b.parameters, check_exact=True)


def test_local_cluster_of_two_workers_gives_identical_results(sync_run):
    assert sync_run.results["rerouted"].any() and len(sync_run.results) == 24 * 3
    progress = []
    dask_run = run.run_sweep(fx.inputs(), spec.parse_spec(MC, source="mc.toml"), executor="dask", workers=2,
                             progress=lambda f, m: progress.append(f))
    assert dask_run.where == "LocalCluster of 2 worker processes"
    _same(sync_run, dask_run)
    assert progress[-1] == 1.0 and len(progress) >= 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_separate_scheduler_and_worker_processes_give_the_same_again(sync_run):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(fx.__file__).parents[2]),
                                                         os.environ.get("PYTHONPATH", "")])}
    port = _free_port()
    procs = []
    try:
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
             "--port", str(port),
             "--no-dashboard"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", f"tcp://127.0.0.1:{port}",
             "--nworkers", "1",
             "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        from distributed import Client

        # The client retries until the scheduler listens (or 60 s have passed).
        with Client(f"tcp://127.0.0.1:{port}", timeout=60) as c:
            c.wait_for_workers(1, timeout=60)
        remote = run.run_sweep(fx.inputs(), spec.parse_spec(MC, source="mc.toml"), executor="dask",
                               scheduler=f"tcp://127.0.0.1:{port}")
        assert remote.where == f"Dask scheduler tcp://127.0.0.1:{port}"
        _same(sync_run, remote)
        # failures are reported from the cluster with their parameters too
        check_failures(run.run_sweep(fx.inputs(), spec.parse_spec(FAILING, source="f.toml"),
                                     scheduler=f"tcp://127.0.0.1:{port}"))
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


def test_cancel_stops_outstanding_tasks_on_the_cluster():
    many = {**MC, "draws": 400}
    seen = []
    with pytest.raises(Cancelled, match="outstanding draws were cancelled"):
        run.run_sweep(fx.inputs(), spec.parse_spec(many, source="mc.toml"), executor="dask", workers=1,
                      progress=lambda f, m: seen.append(f), cancelled=lambda: any(0 < f < 1 for f in seen))
    assert seen and max(seen) < 1.0


def test_local_workers_keep_one_blas_thread_but_not_the_malloc_trim_setting():
    env = run._worker_environ()
    assert "MALLOC_TRIM_THRESHOLD_" not in env
    assert str(env["OPENBLAS_NUM_THREADS"]) == "1" and str(env["OMP_NUM_THREADS"]) == "1"
