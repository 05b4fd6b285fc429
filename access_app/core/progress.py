"""Progress and cancellation hooks shared by long-running core functions.

Core functions that take more than a moment accept two optional keyword arguments::

    progress: ProgressFn | None   # called as progress(fraction 0..1, message)
    cancelled: CancelFn | None    # returns True when the user asked to stop

and call :func:`report` / :func:`check_cancelled` between steps. The GUI passes
callbacks that emit Qt signals; the CLI passes one that prints to stderr.
"""

from __future__ import annotations

from collections.abc import Callable

from .errors import Cancelled

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]


def report(progress: ProgressFn | None, fraction: float, message: str) -> None:
    """Call ``progress`` with ``fraction`` clipped to [0, 1] if a callback was given."""
    if progress is not None:
        progress(min(1.0, max(0.0, float(fraction))), message)


def check_cancelled(cancelled: CancelFn | None) -> None:
    """Raise :class:`~access_app.core.errors.Cancelled` if the user asked to stop."""
    if cancelled is not None and cancelled():
        raise Cancelled("Stopped at the user's request.")


def scaled(progress: ProgressFn | None, start: float, stop: float) -> ProgressFn | None:
    """Return a callback that maps a sub-task's 0..1 onto ``start..stop`` of ``progress``."""
    if progress is None:
        return None

    def _inner(fraction: float, message: str) -> None:
        report(progress, start + (stop - start) * fraction, message)

    return _inner
