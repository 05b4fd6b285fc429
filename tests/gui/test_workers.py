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
