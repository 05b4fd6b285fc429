"""The worker threads: slots, results on the GUI thread, errors with details (no window)."""

from __future__ import annotations

import threading

from access_app.core.errors import Cancelled
from access_app.gui.workers import TaskRunner


def test_new_task_in_a_slot_drops_the_old_result(qtbot):
    runner = TaskRunner()
    release = threading.Event()
    got: list[object] = []
    threads: list[int] = []

    def slow(progress, cancelled):
        progress(0.5, "half way")
        release.wait(10)
        if cancelled():
            raise Cancelled("stopped")
        return "old"

    def fast(progress, cancelled):
        return "new"

    runner.start("s", slow, on_finished=got.append, on_error=got.append)
    runner.start("s", fast, on_finished=lambda r: (got.append(r),
                                                   threads.append(threading.get_ident())))
    qtbot.waitUntil(lambda: got == ["new"], timeout=5000)
    assert threads == [threading.get_ident()]  # delivered on the GUI thread
    release.set()
    assert runner.shutdown(5000)
    assert got == ["new"]  # the first task's outcome never arrived


def test_errors_arrive_with_details_and_busy_state_follows(qtbot):
    runner = TaskRunner()
    errors = []

    def broken(progress, cancelled):
        raise ValueError("bad value 42")

    with qtbot.waitSignal(runner.busy_changed, check_params_cb=lambda b: b is False):
        runner.start("s", broken, label="Breaking", on_error=errors.append)
    assert len(errors) == 1
    err = errors[0]
    assert isinstance(err.exception, ValueError) and not err.cancelled
    assert err.label == "Breaking" and "bad value 42" in err.details
    assert "Traceback" in err.details


def test_idle_tasks_wait_until_no_other_task_has_run_for_a_while(qtbot, monkeypatch):
    import time

    from access_app.gui import workers

    monkeypatch.setattr(workers, "IDLE_DELAY_S", 0.2)
    runner = TaskRunner()
    release = threading.Event()
    order: list[tuple[str, float]] = []
    t0 = time.monotonic()

    def step(name):
        def fn(progress, cancelled):
            order.append((name, time.monotonic() - t0))
        return fn

    def busy(progress, cancelled):
        release.wait(10)
        return "busy"

    finished: list[float] = []
    runner.start("work", busy, on_finished=lambda _r: finished.append(time.monotonic() - t0))
    runner.start_when_idle("a", step("a"))
    runner.start_when_idle("b", step("b"))
    # A task the user waits for is running: nothing else starts.
    assert runner.running() == ["work"] and order == []
    release.set()
    qtbot.waitUntil(lambda: len(order) == 2, timeout=5000)
    assert [n for n, _ in order] == ["a", "b"]  # in order, one at a time
    assert order[0][1] >= finished[0] + 0.2 - 0.02  # after the quiet delay
    assert runner.running() == [] or all(s.startswith(workers.IDLE_PREFIX) for s in runner.running())
    assert runner.shutdown(5000)


def test_cancelling_a_queued_idle_task_drops_it(qtbot, monkeypatch):
    from access_app.gui import workers

    monkeypatch.setattr(workers, "IDLE_DELAY_S", 0.05)
    runner = TaskRunner()
    ran: list[str] = []
    release = threading.Event()
    runner.start("work", lambda p, c: release.wait(10))
    runner.start_when_idle("a", lambda p, c: ran.append("a"))
    runner.start_when_idle("b", lambda p, c: ran.append("b"))
    runner.cancel(workers.IDLE_PREFIX + "a")
    release.set()
    qtbot.waitUntil(lambda: ran == ["b"] and not runner.running(), timeout=5000)
    assert runner._idle == []  # "a" is gone for good
    assert runner.shutdown(5000)
