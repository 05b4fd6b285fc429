"""Sensible limits for user input, and the checks that enforce them.

Every loader and the scenario reader call these before any slow work, so that absurd or
unusable input stops at once with a one-line message naming the file and the value,
instead of giving silent nonsense (``inf`` totals, hours per course of 10^28) or a
traceback after all the routing.

Limits (documented in ``docs/input_limits.md``)
-----------------------------------------------
:data:`MAX_FRACTIONS` = 100
    Visits per course. The longest standard schedules in the Royal College of
    Radiologists' *Radiotherapy dose fractionation* guidance (4th edition, 2024) are
    about 39-40 fractions (e.g. prostate 78 Gy in 39 fractions); 100 leaves room for
    unusual protocols while refusing typing mistakes.
:data:`MAX_INCIDENCE_PER_100K` = 100,000
    A rate per 100,000 people cannot exceed 100,000 (everyone).
:data:`MAX_AREA_POPULATION` = 100,000,000 and :data:`MAX_TOTAL_POPULATION` = 10,000,000,000
    More people than live in England (56.3 million, ONS mid-2019) in one area, or more
    than live on Earth (about 8.2 billion, UN World Population Prospects 2024) in the
    whole file, is a units or typing mistake; both keep sums far from float overflow.
:data:`MAX_TABLE_ROWS` = 5,000,000
    Rows in an areas or sites file. England has 32,844 LSOAs and 1.8 million postcodes;
    ``benchmarks/bench_load.py`` shows the loader's time and memory per million rows.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pyproj import CRS
from pyproj.exceptions import CRSError

from .errors import AccessAppError, DataError, ExportError, NetworkError

log = logging.getLogger(__name__)

MAX_FRACTIONS = 100
MAX_INCIDENCE_PER_100K = 100_000.0
MAX_AREA_POPULATION = 100_000_000.0
MAX_TOTAL_POPULATION = 10_000_000_000.0
MAX_TABLE_ROWS = 5_000_000
#: A scenario or model TOML file larger than this is not one (the defaults for 67 sites take 3 kB).
MAX_TOML_BYTES = 5_000_000

#: Characters no name may hold: C0 controls, DEL and C1 controls (spreadsheets, CSV
#: readers and GeoPackage writers reject or mangle them). Tab, newline and carriage
#: return are allowed only in free text (descriptions).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _shown(value: str) -> str:
    return repr(value)[:60]


def control_characters(text: str, *, free_text: bool = False) -> list[str]:
    """Return the control characters in ``text`` as code points such as ``U+001B`` (empty if none).

    Parameters
    ----------
    text
        A name or free text.
    free_text
        Allow tab, newline and carriage return (descriptions may span lines).
    """
    pattern = _CONTROL_IN_TEXT if free_text else _CONTROL
    return sorted({f"U+{ord(c):04X}" for c in pattern.findall(text)})


def check_names(values: Iterable[object], *, what: str, where: str, free_text: bool = False) -> None:
    """Refuse names (site names, scenario names ...) that hold control characters.

    Parameters
    ----------
    values
        The names; missing values (``None``, ``NaN``, ``pd.NA``) are skipped.
    what
        What the names are, for the message (``"column 'site_name'"``).
    where
        The file or scenario, for the message.
    free_text
        Allow tab and line breaks.

    Raises
    ------
    DataError
        Naming the first bad value and the characters.
    """
    bad: list[tuple[str, list[str]]] = []
    for v in values:
        if v is None or not isinstance(v, str):
            continue
        codes = control_characters(v, free_text=free_text)
        if codes:
            bad.append((v, codes))
    if bad:
        value, codes = bad[0]
        raise DataError(
            f"{where}: {what} has {len(bad)} value(s) with control characters "
            f"(first: {_shown(value)} holds {', '.join(codes)}). Remove them: names must be "
            "plain printable text."
        )


def check_series_names(values: pd.Series, *, what: str, where: str) -> None:
    """Refuse a column of names holding control characters (vectorised :func:`check_names`)."""
    text = values.astype("string")
    hit = text.str.contains(_CONTROL.pattern, regex=True, na=False)
    if hit.any():
        check_names(text[hit].tolist(), what=what, where=where)


def check_row_count(n_rows: int, *, path: Path | str) -> None:
    """Refuse a table with more than :data:`MAX_TABLE_ROWS` rows."""
    if n_rows > MAX_TABLE_ROWS:
        raise DataError(
            f"{path}: {n_rows:,} rows is more than the {MAX_TABLE_ROWS:,} this app reads "
            "(England has 32,844 LSOAs). Aggregate the rows to small areas first."
        )


def check_population(values: np.ndarray, ids: pd.Series | np.ndarray, *, path: Path | str,
                     column: str, allow_zero_total: bool = False) -> None:
    """Refuse populations that are all zero, too large for one area or absurd in total.

    Parameters
    ----------
    values
        Population of each area (finite and ``>= 0``, already checked).
    ids
        Area ids in the same order, for the message.
    path, column
        File and column, for the message.
    allow_zero_total
        Accept a column that is zero everywhere (an optional count such as ``pop60plus``).
    """
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return
    big = values > MAX_AREA_POPULATION
    if big.any():
        i = int(np.flatnonzero(big)[0])
        raise DataError(
            f"{path}: column '{column}' has {int(big.sum())} values above "
            f"{MAX_AREA_POPULATION:,.0f} people for one area (first: {np.asarray(ids)[i]}="
            f"{values[i]:g}). Check the units and the column."
        )
    total = float(values.sum())
    if not math.isfinite(total) or total > MAX_TOTAL_POPULATION:
        raise DataError(
            f"{path}: column '{column}' adds up to {total:g} people, more than the "
            f"{MAX_TOTAL_POPULATION:,.0f} limit. Check the units and the column."
        )
    if total <= 0 and not allow_zero_total:
        raise DataError(
            f"{path}: column '{column}' is zero for every area (total population 0), so every "
            "average would be undefined. Map the column that holds the population."
        )


def metric_crs(crs: str, *, what: str = "--crs") -> CRS:
    """Return ``crs`` parsed, refusing unknown and geographic (degree) systems.

    Parameters
    ----------
    crs
        Any string PROJ understands (``"EPSG:27700"``).
    what
        Where the CRS came from, for the message.

    Raises
    ------
    DataError
        If PROJ does not know it, or it is not in metres.
    """
    try:
        parsed = CRS.from_user_input(crs)
    except CRSError as exc:
        reason = str(exc).split(":", 1)[0] if str(exc) else "unknown"
        raise DataError(
            f"{what} {crs!r} is not a coordinate reference system PROJ knows ({reason}). "
            "Use a metric CRS such as EPSG:27700 (British National Grid)."
        ) from None
    if not parsed.is_projected:
        raise DataError(
            f"{what} {crs!r} is a geographic CRS in degrees; distances need metres. Use a "
            "metric (projected) CRS such as EPSG:27700 (British National Grid)."
        )
    return parsed


def check_output_folder(out_dir: Path | str) -> Path:
    """Make sure ``out_dir`` can be written, before any slow work.

    The folder is created if needed and a temporary file is written and removed in it.

    Raises
    ------
    ExportError
        Naming the folder and the reason.
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise ExportError(f"Output folder {out} is a file: choose a folder for --out.")
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=out, prefix=".write-test.", suffix=".tmp")
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise ExportError(
            f"Output folder {out} cannot be written ({exc.strerror or exc}). Choose another "
            "folder for --out, or fix its permissions."
        ) from None
    return out


def check_graph(G: object, *, source: str) -> None:
    """Refuse a road network that is empty or has missing, negative or non-finite lengths.

    Parameters
    ----------
    G
        A networkx (Multi)DiGraph.
    source
        The file it came from, for the message.

    Raises
    ------
    NetworkError
        Naming the file and the problem.
    """
    import networkx as nx

    if not isinstance(G, nx.Graph):
        raise NetworkError(f"{source}: does not hold a road network graph.")
    if G.number_of_nodes() == 0 or G.number_of_edges() == 0:
        raise NetworkError(
            f"{source}: the network is empty ({G.number_of_nodes()} nodes, "
            f"{G.number_of_edges()} edges). Choose a file that holds roads."
        )
    for attr in ("length", "travel_time"):
        bad = 0
        example: tuple[object, object, object] = (None, None, None)
        for u, v, d in G.edges(data=True):
            value = d.get(attr)
            if value is None:
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = math.nan
            if not math.isfinite(number) or number < 0:
                bad += 1
                if bad == 1:
                    example = (u, v, value)
        if bad:
            raise NetworkError(
                f"{source}: {bad} road links have a missing, negative or non-numeric {attr} "
                f"(first: {example[0]}->{example[1]} = {example[2]!r}). Repair or rebuild the file."
            )
    try:
        xy = np.array([(float(d["x"]), float(d["y"])) for _, d in G.nodes(data=True)])
    except (KeyError, TypeError, ValueError):
        raise NetworkError(
            f"{source}: some nodes lack numeric 'x'/'y' coordinates. Repair or rebuild the file."
        ) from None
    if not np.isfinite(xy).all():
        raise NetworkError(f"{source}: some node coordinates are not finite numbers.")


def read_toml(path: Path, *, what: str = "TOML file",
              error: type[AccessAppError] = DataError) -> dict[str, Any]:
    """Return the TOML document in ``path``, refusing what cannot be a text TOML file.

    A UTF-8 byte order mark (written by Windows Notepad) is skipped. Other encodings,
    files nested too deeply for the parser and files over :data:`MAX_TOML_BYTES` are
    refused with a message naming the file.

    Parameters
    ----------
    path
        The file.
    what
        Words for the file in messages (``"Scenario file"``).
    error
        The error class to raise (:class:`ScenarioError` for scenario files).

    Raises
    ------
    AccessAppError
        Of class ``error``, naming the file and the problem (and the line, for encoding and
        syntax errors).
    """
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_TOML_BYTES + 1)
    except FileNotFoundError:
        raise error(f"{what} {path} does not exist.") from None
    except OSError as exc:
        raise error(f"{what} {path} cannot be read: {exc.strerror or exc}.") from None
    if len(data) > MAX_TOML_BYTES:
        raise error(f"{what} {path} is over {MAX_TOML_BYTES // 1_000_000} MB: it is not a "
                    "settings file.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise error(f"{what} {path} is saved as UTF-16: save it as UTF-8.")
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(
            f"{what} {path} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}, "
            "perhaps saved as Latin-1 or Windows-1252): save it as UTF-8."
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {path} is not valid TOML: {exc}.") from None
    except RecursionError:
        raise error(
            f"{what} {path} is nested too deeply to be a settings file (arrays or tables "
            "inside each other hundreds of levels deep)."
        ) from None
