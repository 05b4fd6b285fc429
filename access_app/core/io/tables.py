"""Read a file of areas, sites or network assignments as it is, without mapping or checks."""

from __future__ import annotations

import gzip
import logging
import zlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from ..errors import DataError
from ..filetypes import GEO_TABLE_SUFFIXES, TEXT_TABLE_SUFFIXES
from ..limits import check_row_count

log = logging.getLogger(__name__)

GEO_SUFFIXES = set(GEO_TABLE_SUFFIXES)
#: Plain tables by their last suffix (``.csv.gz`` is recognised by its full ending).
TABLE_SUFFIXES = set(TEXT_TABLE_SUFFIXES) - {".csv.gz"}


def read_table(path: str | Path, *, layer: str | None = None) -> pd.DataFrame:
    """Read a file of areas or sites as it is, without mapping or checks.

    Parameters
    ----------
    path
        GeoPackage, GeoJSON, Shapefile (or a zip holding one), FlatGeobuf,
        Parquet/GeoParquet or CSV.
    layer
        Layer of a multi-layer file (GeoPackage); the first layer by default.

    Returns
    -------
    pandas.DataFrame
        A GeoDataFrame for spatial formats, a DataFrame of strings for CSV.
    """
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p} does not exist: check the path or choose the file again.")
    if p.is_dir():
        raise DataError(f"{p} is a folder: choose a file inside it.")
    suffix = "".join(p.suffixes[-2:]).lower() if p.name.lower().endswith(".csv.gz") else p.suffix.lower()
    try:
        if suffix in TABLE_SUFFIXES or suffix == ".csv.gz":
            df = _read_text_table(p, sep="\t" if suffix == ".tsv" else ",")
        elif suffix in {".parquet", ".geoparquet"}:
            try:
                df = gpd.read_parquet(p)
            except (ValueError, KeyError):
                df = pd.read_parquet(p)
        elif suffix in GEO_SUFFIXES:
            df = gpd.read_file(p, layer=layer) if layer else gpd.read_file(p)
        else:
            raise DataError(
                f"{p}: files ending {p.suffix or '(none)'} cannot be read. Use GeoPackage, "
                "GeoJSON, Shapefile (or zip), FlatGeobuf, Parquet or CSV."
            )
    except DataError:
        raise
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{p} is empty: it has no header and no rows.") from exc
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise DataError(f"{p} cannot be read as {suffix} data: {exc}") from exc
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise DataError(
            f"{p} is truncated or damaged ({exc}): copy or download the file again."
        ) from None
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{p} is not UTF-8 text (it holds the byte 0x{exc.object[exc.start]:02x}, perhaps from "
            "Latin-1 or Windows-1252): save it as CSV UTF-8."
        ) from None
    except (pd.errors.ParserError, OSError, ValueError) as exc:
        raise DataError(f"{p} cannot be read: {exc}") from exc
    check_row_count(len(df), path=p)
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _read_text_table(path: Path, *, sep: str) -> pd.DataFrame:
    """Read a CSV/TSV as strings: Arrow's multi-threaded parser first, pandas' C parser if it refuses.

    Arrow reads a million-row CSV about 10x faster than the C parser and gives the same
    frame (``benchmarks/bench_load.py``); it refuses some files the C parser reads or
    explains better (quoted line breaks, ragged rows, other encodings), and those are read
    again with the C parser, whose errors are the ones reported.
    """
    options = {"dtype": str, "sep": sep, "encoding": "utf-8-sig", "keep_default_na": False,
               "na_values": [""]}
    try:
        df = pd.read_csv(path, engine="pyarrow", **options)  # type: ignore[call-overload]
    except Exception as exc:  # noqa: BLE001 - Arrow raises many types; the C parser decides
        log.debug("%s: Arrow CSV reader refused the file (%s); using the C parser", path, exc)
    else:
        # The C parser skips lines of spaces as blank; Arrow keeps them as values (and, with
        # more than one column, refuses them, so only one-column files can differ).
        if len(df.columns) != 1 or not df.iloc[:, 0].str.strip().eq("").any():
            return df
    return pd.read_csv(path, **options)  # type: ignore[call-overload]


def read_preview(path: str | Path, *, n: int = 20) -> pd.DataFrame:
    """Return the first ``n`` rows of a file for the column-mapping dialog."""
    return read_table(path).head(n)
