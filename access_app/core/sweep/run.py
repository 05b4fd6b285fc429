"""Run a sweep: in this process, on a local Dask cluster, or on an existing Dask scheduler.

:func:`run_sweep` evaluates every draw of a :class:`~.spec.SweepSpec` with
:func:`~.tasks.evaluate_draw` and gathers the rows into a :class:`SweepRun`.

Executors
---------
``"sync"``
    One draw after another in the calling process (no Dask).
``"dask"`` (default)
    ``dask.distributed``: a ``LocalCluster`` of ``workers`` processes with one thread each
    (default 2), or the scheduler at ``scheduler`` (``"tcp://host:8786"``) when given. The
    :class:`~.tasks.SweepInputs` (network arrays, base matrix, area arrays) and the spec are
    sent to every worker once with ``client.scatter(..., broadcast=True)``; each task
    carries only its draw's parameter values. Progress is reported as futures complete
    (``distributed.as_completed``); a cancel request cancels every outstanding future.

A task that raises is recorded in :attr:`SweepRun.failures` with its parameter values and
the error, and the other draws go on. Rows are sorted by draw index and scenario order,
so the table does not depend on which worker finished first.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import Cancelled, ScenarioError
from ..network import RoadNetwork
from ..progress import CancelFn, ProgressFn, check_cancelled, report, scaled
from ..routing import RoutingParams
from ..scenarios import Scenario
from .draws import Draw, make_draws
from .spec import SweepSpec
from .tasks import MEASURES, REACH_COLUMNS, SweepInputs, evaluate_draw

if TYPE_CHECKING:
    from ..pipeline import Dataset

log = logging.getLogger(__name__)

EXECUTORS = ("dask", "sync")


@dataclass(frozen=True)
class SweepRun:
    """What a sweep produced.

    Attributes
    ----------
    spec
        The sweep definition.
    parameters
        One row per draw: ``draw``, ``case`` and one column per parameter.
    results
        One row per draw and scenario: ``draw``, ``case``, ``scenario``, ``rerouted`` and
        every measure of :data:`~.tasks.MEASURES`, then the reach curve
        (:data:`~.tasks.REACH_COLUMNS`).
    failures
        One row per failed draw: ``draw``, ``case``, ``parameters`` (``name=value; ...``) and
        ``error``.
    where
        Where it ran ("this process", "LocalCluster of 2 workers", the scheduler address).
    seconds
        Wall-clock time of the draws (after the cluster started).
    scenario_names
        Scenarios in comparison order.
    """

    spec: SweepSpec
    parameters: pd.DataFrame
    results: pd.DataFrame
    failures: pd.DataFrame
    where: str
    seconds: float
    scenario_names: tuple[str, ...]

    @property
    def baseline(self) -> str:
        """Return the scenario differences are taken against."""
        return self.spec.baseline or self.scenario_names[0]


def describe_values(values: dict[str, Any]) -> str:
    """Return ``name=value; ...`` with numbers to 6 significant figures."""
    return "; ".join(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())


def _failure(draw: Draw, exc: BaseException) -> dict[str, Any]:
    log.warning("sweep draw %d (%s) failed: %s", draw.index, describe_values(draw.values), exc)
    return {"draw": draw.index, "case": draw.case, "parameters": describe_values(draw.values),
            "error": f"{type(exc).__name__}: {exc}"}


def _one_blas_thread() -> AbstractContextManager[Any]:
    """Return a context that limits BLAS to one thread, as Dask's nanny does for workers.

    One draw's arrays are small: several BLAS threads on a busy machine make ``numpy.dot``
    thousands of times slower, and one thread also sums in the same order as a worker, so
    the numbers are the same.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # a declared dependency; without it only the last digits may differ
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _run_sync(inputs: SweepInputs, spec: SweepSpec, draws: Sequence[Draw], progress: ProgressFn | None,
              cancelled: CancelFn | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    with _one_blas_thread():
        for i, d in enumerate(draws):
            check_cancelled(cancelled)
            try:
                rows.extend(evaluate_draw(inputs, spec, d))
            except Exception as exc:  # noqa: BLE001 - a failed draw is reported, the rest go on
                failures.append(_failure(d, exc))
            report(progress, (i + 1) / len(draws), f"Evaluated {i + 1} of {len(draws)} draws")
    return rows, failures


def _worker_environ() -> dict[str, Any]:
    """Return Dask's pre-spawn environment for worker processes without the malloc trim setting.

    Dask sets ``MALLOC_TRIM_THRESHOLD_=65536`` so that workers hand memory back to the system
    quickly. A sweep task allocates the same large arrays (areas x sites) in every draw, and
    with that setting glibc maps and faults them in afresh each time: on the England default
    it cost about a third more CPU per draw (three times the minor page faults), measured
    with ``benchmarks/bench_sweep.py``. The one-thread BLAS settings are kept.
    """
    import dask
    import distributed  # noqa: F401 - registers the distributed.* config defaults

    env = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    env.pop("MALLOC_TRIM_THRESHOLD_", None)
    return env


def _run_dask(inputs: SweepInputs, spec: SweepSpec, draws: Sequence[Draw], *, scheduler: str | None,
              workers: int | None, progress: ProgressFn | None,
              cancelled: CancelFn | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str, float]:
    import dask
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler, timeout=30)
        where = f"Dask scheduler {scheduler}"
    else:
        n = workers or 2
        with dask.config.set({"distributed.nanny.pre-spawn-environ": _worker_environ()}):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   dashboard_address=None, silence_logs=logging.WARNING)
        client = Client(cluster)
        where = f"LocalCluster of {n} worker processes"
    rows: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    try:
        check_cancelled(cancelled)
        start = time.perf_counter()
        report(progress, 0.0, f"Sending the network and matrix to the workers ({where})")
        inputs_f, spec_f = client.scatter([inputs, spec], broadcast=True, hash=False)
        token = uuid.uuid4().hex[:8]
        futures = [client.submit(evaluate_draw, inputs_f, spec_f, d, key=f"sweep-{token}-{d.index}",
                                 pure=False, retries=0) for d in draws]
        by_key = {f.key: d for f, d in zip(futures, draws, strict=True)}
        ac = as_completed(futures)
        done = 0
        while not ac.is_empty():
            if cancelled is not None and cancelled():
                client.cancel([f for f in futures if not f.done()])
                raise Cancelled("Sweep stopped at the user's request; outstanding draws were cancelled.")
            batch = ac.next_batch(block=False)
            if not batch:
                time.sleep(0.02)
                continue
            for fut in batch:
                d = by_key[fut.key]
                if fut.status == "error":
                    failures.append(_failure(d, fut.exception()))
                elif fut.status == "cancelled":
                    failures.append(_failure(d, Cancelled("the task was cancelled on the cluster")))
                else:
                    rows.extend(fut.result())
                done += 1
            report(progress, done / len(draws), f"Evaluated {done} of {len(draws)} draws on {where}")
        seconds = time.perf_counter() - start
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return rows, failures, where, seconds


def select_scenarios(spec: SweepSpec, available: Sequence[Scenario]) -> list[Scenario]:
    """Return the scenarios the spec compares, in its order (all of them if it names none).

    Raises
    ------
    ScenarioError
        If the spec names a scenario that is not defined.
    """
    by_name = {s.name: s for s in available}
    if not spec.scenarios:
        return list(available)
    unknown = [n for n in spec.scenarios if n not in by_name]
    if unknown:
        raise ScenarioError(
            f"{spec.source}: scenarios {unknown} are not defined (defined: {', '.join(by_name)}); "
            "check the names or the scenario_file."
        )
    return [by_name[n] for n in spec.scenarios]


def prepare_sweep(
    spec: SweepSpec,
    dataset: Dataset,
    road_network: RoadNetwork,
    available: Sequence[Scenario],
    *,
    params: RoutingParams | None = None,
    cache_dir: Path | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> SweepInputs:
    """Compute the base matrix and the task inputs of a sweep, and check the spec against them.

    Parameters
    ----------
    spec
        The sweep definition.
    dataset, road_network
        Loaded data and road network (:mod:`access_app.core.pipeline`).
    available
        Defined scenarios; the spec picks from them by name.
    params
        Routing parameters of the base matrix (defaults if None).
    cache_dir, progress, cancelled
        Matrix cache folder, progress callback and cancel check.
    """
    from ..pipeline import compute_matrix
    from .tasks import check_spec, prepare_inputs

    chosen = select_scenarios(spec, available)
    params = params or RoutingParams()
    matrix = compute_matrix(dataset, road_network, cache_dir=cache_dir, params=params,
                            progress=scaled(progress, 0.0, 0.8), cancelled=cancelled)
    report(progress, 0.8, "Preparing the sweep arrays")
    inputs = prepare_inputs(road_network, dataset.areas, dataset.sites, chosen, matrix.minutes,
                            params=params)
    check_spec(spec, inputs)
    report(progress, 1.0, "Sweep ready")
    return inputs


def run_sweep(
    inputs: SweepInputs,
    spec: SweepSpec,
    *,
    executor: str = "dask",
    scheduler: str | None = None,
    workers: int | None = None,
    draws: Sequence[Draw] | None = None,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> SweepRun:
    """Evaluate every draw of ``spec`` and return the tables.

    Parameters
    ----------
    inputs
        From :func:`~.tasks.prepare_inputs`.
    spec
        The sweep definition (checked against ``inputs`` with :func:`~.tasks.check_spec`).
    executor
        ``"dask"`` or ``"sync"`` (see the module docstring).
    scheduler
        Address of an existing Dask scheduler; a local cluster is started when ``None``.
    workers
        Worker processes of the local cluster (default 2).
    draws
        Draws to evaluate; :func:`~.draws.make_draws` of ``spec`` when ``None``.
    progress, cancelled
        Progress callback and cancel check.

    Raises
    ------
    Cancelled
        When ``cancelled()`` becomes true (outstanding tasks are cancelled first).
    """
    from .tasks import check_spec

    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {EXECUTORS}, not {executor!r}")
    check_spec(spec, inputs)
    draws = list(draws) if draws is not None else make_draws(spec)
    names = tuple(s.name for s in inputs.scenario_list)
    if executor == "sync":
        start = time.perf_counter()
        rows, failures = _run_sync(inputs, spec, draws, progress, cancelled)
        where, seconds = "this process", time.perf_counter() - start
    else:
        rows, failures, where, seconds = _run_dask(inputs, spec, draws, scheduler=scheduler,
                                                   workers=workers, progress=progress, cancelled=cancelled)
    results = pd.DataFrame(rows, columns=["draw", "case", "scenario", "rerouted", *MEASURES, *REACH_COLUMNS])
    order = {n: i for i, n in enumerate(names)}
    results = (results.assign(_s=results["scenario"].map(order)).sort_values(["draw", "_s"])
               .drop(columns="_s").reset_index(drop=True))
    params = pd.DataFrame([{"draw": d.index, "case": d.case, **d.values} for d in draws])
    fail = pd.DataFrame(failures, columns=["draw", "case", "parameters", "error"]).sort_values("draw")
    log.info("sweep: %d draws, %d failed, %.1f s on %s", len(draws), len(fail), seconds, where)
    return SweepRun(spec=spec, parameters=params, results=results, failures=fail.reset_index(drop=True),
                    where=where, seconds=seconds, scenario_names=names)
