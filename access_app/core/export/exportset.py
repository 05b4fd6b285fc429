"""Write the whole export set so a folder holds the old complete set or the new one, never a mix.

How :func:`write_all` does it:

1. **Sweep.** Temporary files and staging folders left in ``out_dir`` by a process that no
   longer runs (killed with SIGKILL, power cut) are cleaned up first
   (:func:`recover_folder`): a staging folder whose swap had started is rolled back,
   so the old set is whole again; one whose swap had finished is removed.
2. **Stage.** Every file is written into a hidden staging folder inside ``out_dir``
   (``.access-app-staging.<pid>.<run id>``, same file system so renames are atomic). A
   failure here (disk full, cancel, Ctrl-C, SIGTERM) removes the staging folder and leaves
   the old set untouched.
3. **Manifest.** ``export_manifest.json`` (run id, time, software, and every file with its
   size and SHA-256) is written last into the staging folder: a staging folder with a
   manifest holds a complete new set.
4. **Swap.** The old manifest is moved aside first (from then on the folder says it is
   incomplete), then file by file the old file is moved into ``<staging>/.old`` and the new
   one moved in, and the new manifest is moved in last: that rename is the commit. Any
   failure or interruption during the swap moves the old files back (roll-back), so the old
   set with its manifest is restored. The swap holds a lock on the folder
   (:func:`folder_lock`), so two exports into one folder replace the set one after the
   other: the last one wins, whole.

A reader tells a complete set by ``export_manifest.json``: every file it lists is present
with the listed SHA-256 (:func:`verify_manifest`). During the few milliseconds of a swap
the folder has no manifest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd

from ..atomic import atomic_write_text, pid_alive, sweep_stale_temp_files
from ..errors import ExportError
from ..progress import CancelFn, ProgressFn, check_cancelled, report
from ..tables import EquityReport
from .tabular import write_csv, write_geopackage
from .workbook import write_excel

log = logging.getLogger(__name__)

WORKBOOK_NAME = "equity_report.xlsx"
AREAS_CSV = "area_results.csv"
AREAS_GPKG = "area_results.gpkg"
ATTRIBUTION_TXT = "ATTRIBUTION.txt"
MANIFEST_NAME = "export_manifest.json"
MANIFEST_FORMAT = "access-app export set, version 1"

STAGING_PREFIX = ".access-app-staging"
_STAGING_RE = re.compile(rf"^{re.escape(STAGING_PREFIX)}\.(?P<pid>\d+)\.(?P<run>[0-9a-f]+)$")
_OLD = ".old"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    """Return the manifest of the export set in ``folder``, or ``None`` if there is none.

    A manifest that cannot be read counts as none (the set is then not known complete).
    """
    path = Path(folder) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("files"), list) else None


def verify_manifest(folder: str | Path) -> list[str]:
    """Return the problems that make the export set in ``folder`` incomplete (empty = complete).

    Parameters
    ----------
    folder
        A folder written by :func:`write_all`.

    Returns
    -------
    list of str
        One sentence per problem: no manifest, a listed file missing, or a file whose
        SHA-256 differs from the manifest (changed or from another run).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        return [f"{folder / MANIFEST_NAME} is missing or unreadable: the export set is incomplete."]
    problems = []
    for entry in manifest["files"]:
        path = folder / str(entry.get("name"))
        if not path.is_file():
            problems.append(f"{path} is listed in the manifest but missing.")
        elif _sha256(path) != entry.get("sha256"):
            problems.append(f"{path} differs from the manifest (changed, or from another run).")
    return problems


def _manifest(folder: Path, names: list[str], *, run_id: str) -> dict[str, Any]:
    from access_app import __version__

    return {
        "format": MANIFEST_FORMAT,
        "run_id": run_id,
        "created_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": f"access-app {__version__}",
        "files": [
            {"name": n, "bytes": (folder / n).stat().st_size, "sha256": _sha256(folder / n)}
            for n in names
        ],
    }


def _restore(staging: Path, out: Path, moved_in: list[str], had_old: set[str]) -> None:
    """Undo a partial swap: new files out, old files (and the old manifest) back in."""
    old = staging / _OLD
    for name in reversed(moved_in):
        with contextlib.suppress(OSError):
            if name in had_old:
                os.replace(old / name, out / name)
            else:
                (out / name).unlink()
    if (old / MANIFEST_NAME).exists():
        with contextlib.suppress(OSError):
            os.replace(old / MANIFEST_NAME, out / MANIFEST_NAME)


def _swap(staging: Path, out: Path, names: list[str]) -> None:
    """Move the staged set into ``out``; on any failure put the old set back and re-raise."""
    old = staging / _OLD
    old.mkdir()
    moved_in: list[str] = []
    had_old: set[str] = set()
    try:
        if (out / MANIFEST_NAME).exists():
            os.replace(out / MANIFEST_NAME, old / MANIFEST_NAME)
        for name in names:
            if (out / name).exists():
                os.replace(out / name, old / name)
                had_old.add(name)
            moved_in.append(name)
            os.replace(staging / name, out / name)
        os.replace(staging / MANIFEST_NAME, out / MANIFEST_NAME)  # the commit
    except BaseException as exc:
        _restore(staging, out, moved_in, had_old)
        if isinstance(exc, OSError):
            raise ExportError(
                f"Could not replace {out / moved_in[-1] if moved_in else out}: {exc}. Is the file "
                "open in another program (Excel)? Close it and export again; the previous export "
                "set is unchanged."
            ) from exc
        raise


def _recover_staging(staging: Path, out: Path) -> None:
    """Put ``out`` back to a complete set after a process died with ``staging`` in place."""
    match = _STAGING_RE.match(staging.name)
    run_id = match.group("run") if match else ""
    current = read_manifest(out)
    old = staging / _OLD
    if old.is_dir() and not (current is not None and current.get("run_id") == run_id):
        # The swap had started but not committed: roll back from what the staging folder holds.
        staged = read_manifest(staging)
        names = [str(e["name"]) for e in staged["files"]] if staged else []
        for name in names:
            if (old / name).exists():
                os.replace(old / name, out / name)
            elif not (staging / name).exists() and (out / name).exists():
                (out / name).unlink()  # moved in, and there was no old file of that name
        if (old / MANIFEST_NAME).exists():
            os.replace(old / MANIFEST_NAME, out / MANIFEST_NAME)
        log.warning("rolled back an interrupted export in %s to the previous set", out)
    shutil.rmtree(staging, ignore_errors=True)


def recover_folder(out_dir: str | Path) -> list[Path]:
    """Clean up ``out_dir`` after exports that were killed, and return what was removed.

    Staging folders and temporary files of processes that no longer run are removed; a
    staging folder caught in the middle of its swap is first rolled back so that the
    previous export set is whole again.
    """
    out = Path(out_dir)
    removed = sweep_stale_temp_files(out)
    try:
        entries = list(out.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _STAGING_RE.match(entry.name)
        if match is None or not entry.is_dir() or pid_alive(int(match.group("pid"))):
            continue
        try:
            _recover_staging(entry, out)
        except OSError as exc:
            raise ExportError(
                f"Could not clean up the interrupted export {entry}: {exc}. Remove that folder "
                "by hand and export again."
            ) from exc
        removed.append(entry)
    return removed


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` so two exports into it swap one after the other.

    On POSIX the folder itself is locked (``flock`` on a descriptor of the folder), so no
    lock file is left behind and the lock ends with the process, however it ends. On
    Windows there is no such lock and concurrent exports into one folder are not serialised.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def write_all(
    report_: EquityReport,
    out_dir: str | Path,
    *,
    areas: gpd.GeoDataFrame,
    metadata: Mapping[str, str],
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> list[Path]:
    """Write the workbook, one CSV per table, per-area CSV and GeoPackage, metadata and manifest.

    CSV and GeoPackage files cannot carry a note of their own, so ``ATTRIBUTION.txt``
    beside them holds the metadata rows (sources, attribution, network, speed model,
    scenarios, software version). The set is staged and swapped in as described in the
    module docstring: ``out_dir`` holds the previous complete set or the new one.

    Parameters
    ----------
    report_
        The tables.
    out_dir
        Folder to write into (created if needed).
    areas
        The areas GeoDataFrame the report was built from (for the GeoPackage points).
    metadata
        ``label -> text`` rows for the metadata sheet: data sources, attribution, network
        and speed model.
    progress, cancelled
        Optional hooks; cancelling stops between files and leaves the previous set.

    Returns
    -------
    list of Path
        Every file of the new set in ``out_dir``, in order, ending with the manifest.

    Raises
    ------
    ExportError
        If a file cannot be written (the previous set is unchanged).
    Cancelled
        If ``cancelled()`` turned true (the previous set is unchanged).
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Cannot create the output folder {out}: {exc}.") from exc
    with folder_lock(out):
        recover_folder(out)
    run_id = secrets.token_hex(8)
    staging = out / f"{STAGING_PREFIX}.{os.getpid()}.{run_id}"
    try:
        staging.mkdir()
    except OSError as exc:
        raise ExportError(f"Cannot write to the output folder {out}: {exc}.") from exc
    try:
        names = _stage(report_, staging, areas=areas, metadata=metadata, progress=progress,
                       cancelled=cancelled)
        check_cancelled(cancelled)
        report(progress, 0.97, f"Writing {MANIFEST_NAME}")
        manifest = _manifest(staging, names, run_id=run_id)
        atomic_write_text(staging / MANIFEST_NAME, json.dumps(manifest, indent=2) + "\n")
        with folder_lock(out):
            _swap(staging, out, names)
    except OSError as exc:
        raise ExportError(
            f"Could not write the export set to {out}: {exc}; the previous export set is unchanged."
        ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    written = [out / n for n in [*names, MANIFEST_NAME]]
    report(progress, 1.0, f"Wrote {len(written)} files to {out}")
    return written


def _stage(
    report_: EquityReport,
    staging: Path,
    *,
    areas: gpd.GeoDataFrame,
    metadata: Mapping[str, str],
    progress: ProgressFn | None,
    cancelled: CancelFn | None,
) -> list[str]:
    """Write every file of the set into ``staging`` and return their names, in order.

    The per-area GeoPackage and CSV are written on a worker thread while this thread writes
    the workbook and the small CSVs: GDAL and Arrow do most of their work outside the GIL,
    so the two overlap on a machine with two cores. The worker is always waited for before
    returning or raising, so nothing writes into the staging folder after it is removed.
    """
    note = "".join(f"{k}: {v}\n" for k, v in metadata.items())
    background: list[tuple[str, Callable[[Path], Path]]] = [
        (AREAS_GPKG, lambda p: write_geopackage(report_, p, areas=areas)),
        (AREAS_CSV, _bind_csv(report_.areas)),
    ]
    steps: list[tuple[str, Callable[[Path], Path]]] = [
        (WORKBOOK_NAME, lambda p: write_excel(report_, p, metadata=metadata)),
    ]
    for name, frame in report_.tables().items():
        steps.append((f"{name}.csv", _bind_csv(frame)))
    steps.append((ATTRIBUTION_TXT, lambda p: atomic_write_text(p, note)))
    total = len(steps) + len(background)
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export")
    try:
        check_cancelled(cancelled)
        futures = [pool.submit(step, staging / name) for name, step in background]
        for i, (name, step) in enumerate(steps):
            report(progress, 0.9 * i / total, f"Writing {name}")
            if i:
                check_cancelled(cancelled)
            step(staging / name)
        for (name, _), future in zip(background, futures, strict=True):
            report(progress, 0.9 * len(steps) / total, f"Writing {name}")
            future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    names = [name for name, _ in steps] + [name for name, _ in background]
    order = [WORKBOOK_NAME, *(f"{n}.csv" for n in report_.tables()), AREAS_CSV, AREAS_GPKG, ATTRIBUTION_TXT]
    return sorted(names, key=order.index)


def _bind_csv(frame: Any) -> Callable[[Path], Path]:
    return lambda p: write_csv(frame, p)


__all__ = [
    "AREAS_CSV",
    "AREAS_GPKG",
    "ATTRIBUTION_TXT",
    "MANIFEST_NAME",
    "WORKBOOK_NAME",
    "read_manifest",
    "recover_folder",
    "verify_manifest",
    "write_all",
]
