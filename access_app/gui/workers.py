"""Run long core functions on worker threads with progress, cancel and error signals.

A task is any callable ``fn(progress, cancelled) -> result`` that follows the core's
progress protocol (:mod:`access_app.core.progress`). :class:`TaskRunner` runs it on a
``QThreadPool``; its signals live on a separate :class:`WorkerSignals` ``QObject`` so the
runnable itself never touches widgets. Tasks are started in named *slots*: starting a new
task in a slot cancels and disconnects the one already running there, so a stale result
never reaches the window.
"""

from __future__ import annotations

import ctypes
import logging
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from access_app.core.errors import AccessAppError, Cancelled
from access_app.core.progress import CancelFn, ProgressFn

log = logging.getLogger(__name__)

TaskFn = Callable[[ProgressFn, CancelFn], Any]

#: Seconds without any other task before a queued background task starts
#: (:meth:`TaskRunner.start_when_idle`): a planner's next click usually comes sooner.
IDLE_DELAY_S = 1.0
IDLE_PREFIX = "idle:"

_pinned_lock = threading.Lock()
_pinned_threads: set[int] = set()


def _pin_thread_state() -> None:
    """Keep this pool thread's Python thread state alive between tasks.

    PySide6 creates a Python thread state for each ``QRunnable.run`` call on a pool
    thread and deletes it afterwards, which drops every ``threading.local`` of the thread.
    pyproj keeps its PROJ context pointer in native thread storage but the object that
    owns it in a ``threading.local``: the context is freed after the first task and the
    next task on the same thread crashes inside PROJ. One extra ``PyGILState_Ensure``
    (never released) keeps the thread state, so the thread behaves like a Python thread.
    """
    ident = threading.get_ident()
    with _pinned_lock:
        if ident in _pinned_threads:
            return
        _pinned_threads.add(ident)
    ctypes.pythonapi.PyGILState_Ensure.restype = ctypes.c_int
    ctypes.pythonapi.PyGILState_Ensure()


@dataclass(frozen=True)
class TaskError:
    """An exception raised by a task, carried to the GUI thread.

    Attributes
    ----------
    exception
        The exception object itself (its class decides how the window reports it).
    details
        The formatted traceback, shown behind the "Details" button of the error dialog.
    label
        The task's label, e.g. "Computing travel times".
    """

    exception: BaseException
    details: str
    label: str

    @property
    def cancelled(self) -> bool:
        """Return True when the task stopped because the user cancelled it."""
        return isinstance(self.exception, Cancelled)


class WorkerSignals(QObject):
    """Signals of one task, emitted from the worker thread and queued to the GUI thread."""

    progress = Signal(float, str)
    finished = Signal(object)
    errored = Signal(object)


class Worker(QRunnable):
    """Run one task function on a pool thread.

    Parameters
    ----------
    fn
        Called as ``fn(progress, cancelled)``.
    label
        Short description shown in the status bar and in error dialogs.
    """

    def __init__(self, fn: TaskFn, *, label: str = "") -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.label = label
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self._done = threading.Event()

    def cancel(self) -> None:
        """Ask the task to stop at its next check."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        """Return True once :meth:`cancel` was called."""
        return self._cancel.is_set()

    def is_done(self) -> bool:
        """Return True once the task function has returned or raised."""
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the task ends; return False on timeout."""
        return self._done.wait(timeout)

    def _progress(self, fraction: float, message: str) -> None:
        if not self._cancel.is_set():
            try:
                self.signals.progress.emit(float(fraction), str(message))
            except RuntimeError:  # the window went away: nobody wants the result
                self._cancel.set()

    def run(self) -> None:
        """Run the task and emit ``finished`` or ``errored`` (never raises)."""
        _pin_thread_state()
        try:
            if self._cancel.is_set():
                raise Cancelled("Stopped before it started.")
            result = self.fn(self._progress, self.is_cancelled)
            if self._cancel.is_set():
                raise Cancelled("Stopped at the user's request.")
        except BaseException as exc:  # noqa: BLE001 - every error goes to the dialog
            if isinstance(exc, AccessAppError):
                log.info("task %r stopped: %s", self.label, exc)
            else:
                log.exception("task %r failed", self.label)
            err = TaskError(exc, traceback.format_exc(), self.label)
            self._done.set()
            try:
                self.signals.errored.emit(err)
            except RuntimeError:  # signals object already deleted at shutdown
                pass
            return
        self._done.set()
        try:
            self.signals.finished.emit(result)
        except RuntimeError:
            pass


def shared_pool() -> QThreadPool:
    """Return the process-wide thread pool, set up so its threads never expire.

    Pool threads keep their pinned Python thread state (see :func:`_pin_thread_state`)
    for the life of the process; a thread that exited and an unrelated new thread could
    otherwise share an identifier and skip pinning.
    """
    pool = QThreadPool.globalInstance()
    if pool.expiryTimeout() != -1:
        pool.setExpiryTimeout(-1)
        pool.setMaxThreadCount(max(2, pool.maxThreadCount()))
    return pool


class TaskRunner(QObject):
    """Start tasks in named slots on a thread pool; one running task per slot.

    Signals
    -------
    busy_changed(bool)
        True while any task with ``show_progress=True`` runs.
    progress(float, str)
        Progress of the most recent visible task (fraction 0..1, message).
    """

    busy_changed = Signal(bool)
    progress = Signal(float, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = shared_pool()
        self._slots: dict[str, Worker] = {}
        self._visible: list[str] = []
        self._idle: list[tuple[str, TaskFn, str, Callable[[TaskError], None] | None]] = []
        self._last_busy = 0.0

    def start(
        self,
        slot: str,
        fn: TaskFn,
        *,
        label: str = "",
        on_finished: Callable[[Any], None] | None = None,
        on_error: Callable[[TaskError], None] | None = None,
        show_progress: bool = True,
    ) -> Worker:
        """Cancel the task in ``slot`` (if any) and start ``fn`` there.

        Parameters
        ----------
        slot
            Name of the slot, e.g. ``"matrix"`` or ``"map:left"``.
        fn
            Task function ``fn(progress, cancelled) -> result``.
        label
            Description shown with the progress bar.
        on_finished, on_error
            Called on the GUI thread with the result or a :class:`TaskError`.
        show_progress
            Whether the task drives the status-bar progress bar and Cancel button.
        """
        self.cancel(slot)
        if not slot.startswith(IDLE_PREFIX):
            self._last_busy = time.monotonic()
        worker = Worker(fn, label=label)

        def _finished(result: Any) -> None:
            if self._release(slot, worker) and on_finished is not None:
                on_finished(result)

        def _errored(err: TaskError) -> None:
            if self._release(slot, worker) and on_error is not None:
                on_error(err)

        worker.signals.finished.connect(_finished)
        worker.signals.errored.connect(_errored)
        if show_progress:
            worker.signals.progress.connect(self.progress)
            self._visible.append(slot)
        self._slots[slot] = worker
        if show_progress:
            self.progress.emit(0.0, label)
            self.busy_changed.emit(True)
        self.pool.start(worker)
        return worker

    def start_when_idle(self, slot: str, fn: TaskFn, *, label: str = "",
                        on_error: Callable[[TaskError], None] | None = None) -> None:
        """Queue a short background task that starts only while no other task runs.

        For preparation the user is not waiting for (e.g. packing map shapes for later
        pages): on a two-core machine it would otherwise slow the task the user is waiting
        for. Queued tasks run one at a time, in order, without progress, once no other
        task has run for :data:`IDLE_DELAY_S`; a task started with :meth:`start` meanwhile
        goes first. The result is dropped; the slot is ``"idle:" + slot``.
        """
        self._idle.append((IDLE_PREFIX + slot, fn, label, on_error))
        self._start_idle()

    def _start_idle(self) -> None:
        if self._slots or not self._idle:
            return
        wait = IDLE_DELAY_S - (time.monotonic() - self._last_busy)
        if wait > 0:  # the user may be about to ask for more
            QTimer.singleShot(int(wait * 1000) + 1, self._start_idle)
            return
        slot, fn, label, on_error = self._idle.pop(0)
        self.start(slot, fn, label=label, on_error=on_error, show_progress=False)

    def _release(self, slot: str, worker: Worker) -> bool:
        """Forget ``worker`` if it is still the current task of ``slot``."""
        if self._slots.get(slot) is not worker:
            return False
        del self._slots[slot]
        self._last_busy = time.monotonic()
        if self._idle:  # after the callbacks, which may start the next task themselves
            QTimer.singleShot(0, self._start_idle)
        if slot in self._visible:
            self._visible.remove(slot)
            if not self._visible:
                self.busy_changed.emit(False)
        return True

    def cancel(self, slot: str) -> None:
        """Cancel and disconnect the task in ``slot``; its result will be dropped."""
        self._idle = [t for t in self._idle if t[0] != slot]
        worker = self._slots.pop(slot, None)
        if worker is None:
            return
        worker.cancel()
        for sig in (worker.signals.progress, worker.signals.finished, worker.signals.errored):
            try:
                sig.disconnect()
            except (RuntimeError, TypeError):
                pass
        if slot in self._visible:
            self._visible.remove(slot)
            if not self._visible:
                self.busy_changed.emit(False)

    def cancel_visible(self) -> None:
        """Cancel every task that shows progress (the status-bar Cancel button)."""
        for slot in list(self._visible):
            worker = self._slots.get(slot)
            if worker is not None:
                worker.cancel()

    def is_running(self, slot: str) -> bool:
        """Return True while a task runs in ``slot``."""
        return slot in self._slots

    def running(self) -> list[str]:
        """Return the slots with a running task."""
        return list(self._slots)

    def shutdown(self, timeout_ms: int = 10000) -> bool:
        """Cancel every task of this runner and wait until they have returned."""
        self._idle.clear()
        workers = list(self._slots.values())
        for slot in list(self._slots):
            self.cancel(slot)
        ok = True
        for w in workers:
            if self.pool.tryTake(w):  # still queued: it will never run
                continue
            ok = w.wait(timeout_ms / 1000.0) and ok
        return ok
