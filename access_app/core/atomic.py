"""Atomic file writes: a reader never sees a half-written file.

Every export is first written to a temporary file in the destination folder (same file
system, so the final rename is atomic) and then moved over the target with
:func:`os.replace`. If writing fails or is interrupted (any exception, ``KeyboardInterrupt``
and ``SystemExit`` included), the temporary file is removed and any previous file at the
target is left exactly as it was.

A process killed outright (SIGKILL, power cut) cannot clean up: its temporary files carry
its process id in their name (``.<stem>.<pid>.<random>.tmp<suffix>``), so
:func:`sweep_stale_temp_files` (called by every export into a folder) removes those whose
process no longer runs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import sys
from collections.abc import Callable
from pathlib import Path

from .errors import AccessAppError, ExportError

log = logging.getLogger(__name__)

TEMP_MARK = ".tmp"
_TEMP_RE = re.compile(r"^\..*\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp(\.[^.]*)*$")


def temp_path_for(path: Path) -> Path:
    """Return an unused temporary name beside ``path`` that names this process.

    The name is hidden (leading dot), keeps the destination's suffix (writers that choose a
    format by suffix, such as GDAL, still work) and holds the process id so that a later
    run can tell a stale file from one being written now.
    """
    return path.with_name(f".{path.stem}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_MARK}{path.suffix}")


def temp_owner(name: str) -> int | None:
    """Return the process id written into a temporary name, or ``None`` if it is not one."""
    match = _TEMP_RE.match(name)
    return int(match.group("pid")) if match else None


def pid_alive(pid: int) -> bool:
    """Return whether a process with id ``pid`` is running (this process counts as running)."""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return bool(ok) and code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def sweep_stale_temp_files(folder: str | Path) -> list[Path]:
    """Remove temporary files left in ``folder`` by processes that no longer run.

    Parameters
    ----------
    folder
        Folder to sweep (a missing folder is not an error).

    Returns
    -------
    list of Path
        The files removed.
    """
    removed: list[Path] = []
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return removed
    for entry in entries:
        pid = temp_owner(entry.name)
        if pid is None or pid_alive(pid) or not entry.is_file():
            continue
        with contextlib.suppress(OSError):
            entry.unlink()
            removed.append(entry)
            log.info("removed stale temporary file %s (process %d has ended)", entry, pid)
    return removed


def atomic_write(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(temp_path)`` and move the result onto ``path`` only if it succeeds.

    Parameters
    ----------
    path
        Final destination. Its folder is created if needed.
    write
        Writes the complete file at the temporary path it is given. The temporary name keeps
        the destination's suffix, so writers that choose a format by suffix (GDAL) work.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ExportError
        If the folder cannot be created or ``write`` fails with an ``OSError`` or another
        unexpected error; application errors (e.g. ``Cancelled``), ``KeyboardInterrupt``
        and ``SystemExit`` pass through unchanged. In every case the temporary file is
        removed and a previous file at ``path`` is unchanged.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Cannot write to folder {path.parent}: {exc}.") from exc
    tmp = temp_path_for(path)
    try:
        write(tmp)
        os.replace(tmp, path)
    except AccessAppError:
        _discard(tmp)
        raise
    except Exception as exc:
        _discard(tmp)
        raise ExportError(f"Could not write {path}: {exc}; the previous file is unchanged.") from exc
    except BaseException:
        # KeyboardInterrupt, SystemExit (SIGTERM in the CLI), GeneratorExit: clean up, pass on.
        _discard(tmp)
        raise
    log.info("wrote %s", path)
    return path


def _discard(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def atomic_write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write`)."""

    def _write(tmp: Path) -> None:
        with tmp.open("w", encoding=encoding, newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    return atomic_write(path, _write)
