"""The full areas x sites travel-time matrix as a file: export, and import from elsewhere.

Export (:func:`write_matrix`): one row per (area, site) pair, columns ``area_id``,
``site_id``, ``minutes`` (empty where unreachable), as Parquet or CSV (UTF-8 with BOM so
Excel opens it right), written atomically. Anyone can then check the routing and the
optimiser independently.

Import (:func:`read_matrix`): a long table made by another tool (e.g. public transport times
from r5py, OpenTripPlanner or TRACC) instead of routing. Column names are matched flexibly
(:data:`AREA_COLUMNS`, :data:`SITE_COLUMNS`, :data:`MINUTES_COLUMNS`, case-insensitive). The
file is checked against the loaded areas and sites: every id must be known, every value
non-negative and finite or empty (empty = unreachable), no pair twice, and every
(area, site) pair present; what is missing is reported with counts and the first ids.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from . import schema
from .atomic import atomic_write
from .errors import DataError
from .matrix import TravelTimeMatrix
from .progress import CancelFn, ProgressFn, check_cancelled, report

log = logging.getLogger(__name__)

#: Column names tried, in order, for the origin (area) id.
AREA_COLUMNS = (
    "area_id",
    "from_id",
    "origin_id",
    "origin",
    "lsoa11cd",
    "lsoa21cd",
    "lsoa_code",
    "lsoa",
    "from",
    "o",
    "source",
)
#: Column names tried, in order, for the destination (site) id.
SITE_COLUMNS = ("site_id", "to_id", "destination_id", "destination", "site", "to", "d", "target")
#: Column names tried, in order, for the travel time in minutes.
MINUTES_COLUMNS = (
    "minutes",
    "travel_time",
    "travel_time_min",
    "travel_time_minutes",
    "time_min",
    "duration_min",
    "duration",
    "time",
    "tt",
    "travel_time_p50",
    "cost",
    "value",
)
#: Suffixes :func:`write_matrix` and :func:`read_matrix` understand.
SUFFIXES = (".csv", ".parquet", ".pq")

#: Text values read as "no time" (unreachable), case-insensitive.
EMPTY_TEXT = ("", "nan", "na", "n/a", "null", "none")

#: Reason recorded for pairs or areas the imported matrix leaves empty.
EMPTY_REASON = "no time in the imported matrix"


def matrix_frame(matrix: TravelTimeMatrix) -> pd.DataFrame:
    """Return the matrix as a long table (``area_id``, ``site_id``, ``minutes``; NaN = unreachable)."""
    n_a, n_s = matrix.minutes.shape
    minutes = matrix.minutes.ravel().astype(float)
    minutes = np.where(np.isfinite(minutes), minutes, np.nan)
    return pd.DataFrame(
        {
            schema.AREA_ID: np.repeat(np.asarray(matrix.area_ids).astype(str), n_s),
            schema.SITE_ID: np.tile(np.asarray(matrix.site_ids).astype(str), n_a),
            "minutes": minutes,
        }
    )


def write_matrix(matrix: TravelTimeMatrix, path: str | Path, *, decimals: int = 6) -> Path:
    """Write the full matrix to ``path`` (``.parquet`` or ``.csv``), atomically.

    Parameters
    ----------
    matrix
        The travel times.
    path
        Destination; the suffix chooses the format.
    decimals
        Minutes are rounded to this many decimals in the CSV (Parquet keeps full precision).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ExportError
        If the file cannot be written (the previous file, if any, is unchanged).
    DataError
        For an unknown suffix.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError(
            f"{path}: the matrix is written as CSV (.csv) or Parquet (.parquet); "
            "choose one of these suffixes."
        )
    frame = matrix_frame(matrix)

    def _write(tmp: Path) -> None:
        if suffix == ".csv":
            frame.to_csv(tmp, index=False, encoding="utf-8-sig", float_format=f"%.{decimals}f")
        else:
            frame.to_parquet(tmp, index=False)

    atomic_write(path, _write)
    log.info("wrote %d pairs to %s", len(frame), path)
    return path


def _pick(columns: Sequence[str], names: Sequence[str], given: str | None, what: str, path: Path) -> str:
    if given is not None:
        if given not in columns:
            raise DataError(
                f"{path}: column {given!r} (the {what}) is not in the file (columns: {', '.join(columns)})."
            )
        return given
    lower = {c.lower().strip(): c for c in columns}
    for n in names:
        if n in lower:
            return lower[n]
    raise DataError(
        f"{path}: no {what} column (looked for {', '.join(names)}; the file has "
        f"{', '.join(columns)}). Rename the column or name it explicitly."
    )


def _first(ids: Sequence[object], n: int = 5) -> str:
    shown = ", ".join(map(str, list(ids)[:n]))
    return shown + (", ..." if len(ids) > n else "")


def read_matrix(
    path: str | Path,
    *,
    area_ids: Sequence[str] | np.ndarray,
    site_ids: Sequence[str] | np.ndarray,
    area_column: str | None = None,
    site_column: str | None = None,
    minutes_column: str | None = None,
    seconds: bool = False,
    allow_missing: bool = False,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> TravelTimeMatrix:
    """Read a long travel-time table made elsewhere and check it against the loaded data.

    Parameters
    ----------
    path
        CSV or Parquet file with one row per (area, site) pair.
    area_ids, site_ids
        The loaded areas and sites, in the order the matrix should have.
    area_column, site_column, minutes_column
        Column names; found from :data:`AREA_COLUMNS`, :data:`SITE_COLUMNS` and
        :data:`MINUTES_COLUMNS` when ``None``.
    seconds
        The time column is in seconds (divided by 60).
    allow_missing
        Treat pairs absent from the file as unreachable instead of refusing the file
        (some tools leave out pairs beyond their time cut-off).
    progress, cancelled
        Progress callback and cancel check.

    Returns
    -------
    TravelTimeMatrix
        Minutes with ``inf`` for empty (or, with ``allow_missing``, absent) pairs; the
        ``unreachable`` table lists areas with no time to any site; ``key`` is a hash of the
        file's contents.

    Raises
    ------
    DataError
        Naming the file and what is wrong: unknown ids, negative, infinite or non-numeric
        times, duplicate pairs, or missing pairs (counts and the first ids).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"Travel-time matrix {path} does not exist: check the path.")
    suffix = path.suffix.lower()
    report(progress, 0.0, f"Reading {path.name}")
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            raise DataError(f"{path}: a travel-time matrix must be CSV (.csv) or Parquet (.parquet).")
    except DataError:
        raise
    except Exception as exc:
        raise DataError(f"{path} cannot be read as {suffix[1:].upper()}: {exc}.") from exc
    check_cancelled(cancelled)
    cols = [str(c) for c in frame.columns]
    frame.columns = cols
    a_col = _pick(cols, AREA_COLUMNS, area_column, "area id", path)
    s_col = _pick(cols, SITE_COLUMNS, site_column, "site id", path)
    m_col = _pick(cols, MINUTES_COLUMNS, minutes_column, "travel time", path)
    if len({a_col, s_col, m_col}) < 3:
        raise DataError(f"{path}: the area, site and time columns must differ ({a_col}, {s_col}, {m_col}).")
    if frame.empty:
        raise DataError(f"{path} has no rows.")
    areas = np.asarray(area_ids).astype(str)
    sites = np.asarray(site_ids).astype(str)
    a_of = pd.Index(areas)
    s_of = pd.Index(sites)
    fa = frame[a_col].astype(str).str.strip().to_numpy()
    fs = frame[s_col].astype(str).str.strip().to_numpy()
    ri = a_of.get_indexer(fa)
    ci = s_of.get_indexer(fs)
    if (ri < 0).any() or (ci < 0).any():
        bad_a = pd.unique(fa[ri < 0])
        bad_s = pd.unique(fs[ci < 0])
        parts = []
        if bad_a.size:
            parts.append(f"{bad_a.size} area ids not among the loaded areas ({_first(bad_a)})")
        if bad_s.size:
            parts.append(f"{bad_s.size} site ids not among the loaded sites ({_first(bad_s)})")
        raise DataError(
            f"{path}: " + "; ".join(parts) + ". Load the areas and sites the matrix was made "
            "for, or remove those rows."
        )
    raw = frame[m_col]
    if pd.api.types.is_numeric_dtype(raw):
        values = pd.to_numeric(raw, errors="coerce").to_numpy(float)
        empty = np.isnan(values)
    else:
        text = raw.astype("string").str.strip()
        empty = (text.isna() | text.str.lower().isin(EMPTY_TEXT)).to_numpy(bool)
        values = pd.to_numeric(text.mask(empty), errors="coerce").to_numpy(float)
    not_number = ~empty & np.isnan(values)
    if not_number.any():
        i = np.flatnonzero(not_number)
        raise DataError(
            f"{path}: column {m_col!r} has {i.size} values that are not numbers (first: "
            f"{fa[i[0]]} -> {fs[i[0]]} = {raw.iloc[i[0]]!r}). Leave unreachable pairs empty."
        )
    bad = ~empty & (~np.isfinite(values) | (values < 0))
    if bad.any():
        i = np.flatnonzero(bad)
        raise DataError(
            f"{path}: column {m_col!r} has {i.size} negative or infinite times (first: "
            f"{fa[i[0]]} -> {fs[i[0]]} = {values[i[0]]}). Times must be >= 0; leave "
            "unreachable pairs empty."
        )
    if seconds:
        values = values / 60.0
    flat = ri.astype(np.int64) * len(sites) + ci
    dup = pd.Index(flat).duplicated()
    if dup.any():
        i = np.flatnonzero(dup)
        raise DataError(
            f"{path}: {i.size} pairs appear more than once (first: {fa[i[0]]} -> {fs[i[0]]}); "
            "keep one row per area and site."
        )
    check_cancelled(cancelled)
    report(progress, 0.6, "Checking coverage")
    minutes = np.full((len(areas), len(sites)), np.nan)
    minutes.ravel()[flat] = np.where(empty, np.inf, values)
    absent = np.isnan(minutes)
    if absent.any() and not allow_missing:
        rows_all = absent.all(axis=1)
        cols_all = absent.all(axis=0)
        parts = []
        if rows_all.any():
            parts.append(f"{int(rows_all.sum())} areas have no row at all ({_first(areas[rows_all])})")
        if cols_all.any():
            parts.append(f"{int(cols_all.sum())} sites have no row at all ({_first(sites[cols_all])})")
        partial = absent & ~rows_all[:, None] & ~cols_all[None, :]
        if partial.any():
            r, c = np.nonzero(partial)
            parts.append(
                f"{int(partial.sum())} other pairs are missing (first: {areas[r[0]]} -> {sites[c[0]]})"
            )
        raise DataError(
            f"{path}: the matrix does not cover every loaded area and site: {int(absent.sum()):,} of "
            f"{absent.size:,} pairs are missing; " + "; ".join(parts) + ". Add the rows (leave the "
            "time empty for unreachable pairs) or allow missing pairs."
        )
    minutes[absent] = np.inf
    no_site = ~np.isfinite(minutes).any(axis=1) if minutes.shape[1] else np.zeros(len(areas), bool)
    unreachable = pd.DataFrame({"id": areas[no_site], "kind": "area", "reason": EMPTY_REASON})
    h = hashlib.sha256()
    h.update(np.ascontiguousarray(minutes).tobytes())
    h.update("|".join(areas).encode())
    h.update("|".join(sites).encode())
    report(progress, 1.0, f"Read {len(frame):,} pairs from {path.name}")
    return TravelTimeMatrix(
        minutes=minutes,
        area_ids=areas,
        site_ids=sites,
        area_snap_m=np.zeros(len(areas)),
        site_snap_m=np.zeros(len(sites)),
        unreachable=unreachable,
        key=f"import-{h.hexdigest()[:16]}",
    )
