"""Atomic file writes: a reader never sees a half-written file.

Every export is first written to a temporary file in the destination folder (same file
system, so the final rename is atomic) and then moved over the target with
:func:`os.replace`. If writing fails or is cancelled, the temporary file is removed and any
previous file at the target is left exactly as it was.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import AccessAppError, ExportError

log = logging.getLogger(__name__)


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
        unexpected error; application errors (e.g. ``Cancelled``) pass through unchanged.
        In every case the temporary file is removed.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=f".tmp{path.suffix}")
    except OSError as exc:
        raise ExportError(f"Cannot write to folder {path.parent}: {exc}.") from exc
    os.close(fd)
    tmp = Path(tmp_name)
    # Some writers (GDAL) refuse to overwrite an existing empty file: remove the placeholder.
    tmp.unlink()
    try:
        write(tmp)
        os.replace(tmp, path)
    except AccessAppError:
        _discard(tmp)
        raise
    except Exception as exc:
        _discard(tmp)
        raise ExportError(f"Could not write {path}: {exc}; the previous file is unchanged.") from exc
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
