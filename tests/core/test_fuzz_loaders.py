"""Property tests: any file given to the loaders gives a result or one of the app's own errors.

Random bytes, random CSV shapes (columns from the names the loaders look for, cells from
numbers, blanks, separators, control characters and non-ASCII text) and random gzip
damage. The property: :func:`access_app.core.io.read_table`, ``load_areas``, ``load_sites``
and ``read_network_table`` either return or raise an
:class:`~access_app.core.errors.AccessAppError`; no other exception escapes.
"""

from __future__ import annotations

import csv
import gzip
import io as stdio
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access_app.core import io
from access_app.core import schema as S
from access_app.core.errors import AccessAppError

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

COLUMNS = ["area_id", "lsoa11cd", "population", "pop", "site_id", "site_name", "name", "easting",
           "northing", "lon", "lat", "x", "y", "postcode", "network", "imd_decile", "IMD Rank",
           "RUC11CD", "urban_rural", "linacs", "site_type", "pop60plus", "icb", "region", "junk"]
CELLS = st.one_of(
    st.integers(-10**6, 10**7).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "1,954", "n/a", "NaN", "inf", "-0", "1e308", "1e-308", "main",
                     "satellite", "Urban", "Rural", "A1", "E2", "LE1 5WW", "486000", "308800",
                     "-1.5", "52.6", "\x00", "\x07bell", "é", "\ufeff", "\"", ",", "\n"]),
    st.text(max_size=12),
)


@st.composite
def csv_tables(draw: st.DrawFn) -> str:
    """Draw a CSV text with 0-6 columns (some repeated) and 0-8 rows of awkward cells."""
    names = draw(st.lists(st.sampled_from(COLUMNS), min_size=0, max_size=6))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(names), max_size=len(names)), max_size=8))
    buf = stdio.StringIO()
    writer = csv.writer(buf)
    if names or draw(st.booleans()):
        writer.writerow(names)
    writer.writerows(rows)
    return buf.getvalue()


def _call_all(path: Path) -> None:
    for call in (lambda: io.read_table(path), lambda: io.load_areas(path), lambda: io.load_sites(path),
                 lambda: io.read_network_table(path, key=S.SITE_ID)):
        try:
            result = call()
        except AccessAppError:
            continue
        assert isinstance(result, pd.DataFrame | dict)


_FOLDER = tempfile.TemporaryDirectory(prefix="fuzz-loaders-")


def _in_temp(suffix: str, data: bytes) -> Path:
    path = Path(_FOLDER.name) / f"input{suffix}"
    path.write_bytes(data)
    return path


PLAUSIBLE = {
    "population": st.sampled_from(["1500", "1,954", "0", "2", " 3 ", "1e3"]),
    "easting": st.sampled_from(["486000", "486000.5", "487200", " 485000"]),
    "northing": st.sampled_from(["308800", "299800", "301000.25"]),
    "network": st.sampled_from(["Rutland", "East Midlands", "", "North"]),
    "imd_decile": st.sampled_from(["1", "10", "5", ""]),
    "urban_rural": st.sampled_from(["Urban", "Rural", "urban city and town", ""]),
    "site_type": st.sampled_from(["main", "satellite", "MAIN"]),
    "linacs": st.sampled_from(["1", "", "4"]),
    "site_name": st.sampled_from(["Oakham", "Café", "St. Mary's", ""]),
}


@st.composite
def near_valid_tables(draw: st.DrawFn) -> str:
    """Draw a CSV a loader should mostly accept: unique ids, numbers and coordinates, with
    about one cell in ten replaced by an awkward value."""
    id_col = draw(st.sampled_from(["area_id", "site_id", "lsoa11cd"]))
    extra = draw(st.lists(st.sampled_from(list(PLAUSIBLE)[3:]), unique=True, max_size=4))
    names = [id_col, "population", "easting", "northing", *extra]
    n_rows = draw(st.integers(1, 6))
    rows = []
    for i in range(n_rows):
        row = [f"E0100000{i}"] + [draw(PLAUSIBLE[n]) for n in names[1:]]
        for j in range(len(row)):
            if draw(st.integers(0, 9)) == 0:
                row[j] = draw(CELLS)
        rows.append(row)
    buf = stdio.StringIO()
    writer = csv.writer(buf)
    writer.writerow(names)
    writer.writerows(rows)
    return buf.getvalue()


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".tsv", ".csv.gz", ".gpkg",
                                                             ".geojson", ".parquet", ".zip", ".fgb"]))
def test_random_bytes_give_a_result_or_an_app_error(data: bytes, suffix: str) -> None:
    _call_all(_in_temp(suffix, data))


@SETTINGS
@given(text=csv_tables(), encoding=st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
def test_random_csv_shapes_give_a_result_or_an_app_error(text: str, encoding: str) -> None:
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    _call_all(_in_temp(".csv", data))


@SETTINGS
@given(text=csv_tables(), cut=st.floats(0.0, 1.0))
def test_truncated_gzip_csv_gives_a_result_or_an_app_error(text: str, cut: float) -> None:
    data = gzip.compress(text.encode("utf-8"))
    _call_all(_in_temp(".csv.gz", data[: int(len(data) * cut)]))


@SETTINGS
@given(text=near_valid_tables())
def test_near_valid_tables_give_a_result_or_an_app_error(text: str) -> None:
    _call_all(_in_temp(".csv", text.encode("utf-8")))


NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**20, 10**20).map(lambda v: f"{v:,}"),
    st.sampled_from(["1,954", " 12 ", "+5", "-0", ".5", "5.", "1E5", "1e-400", "1e400", "Infinity",
                     "-inf", "NaN", "nan", "NAN", "0x10", "1_000", "", " ", "١٢", "1.5.2", "--1"]),
    st.text(alphabet="0123456789.,+-eE ", max_size=8),
)


@SETTINGS
@given(values=st.lists(NUMBER_TEXT, min_size=1, max_size=6))
def test_fast_number_parsing_matches_pandas(values: list[str]) -> None:
    from access_app.core.io.values import _to_number

    series = pd.Series(values, dtype="string")
    reference = pd.to_numeric(series.str.replace(",", "", regex=False).str.strip(),
                              errors="coerce").astype("float64")
    got = _to_number(series)
    assert got.index.equals(series.index)
    # pandas' parser is not always correctly rounded ("+1.0E30" gives 1 ulp below 1e30);
    # ours may be that 1 ulp closer, never further.
    np.testing.assert_allclose(got.to_numpy(), reference.to_numpy(), rtol=4e-16, atol=0)


@SETTINGS
@given(text=st.one_of(csv_tables(), near_valid_tables()))
def test_fast_csv_reader_gives_the_c_parser_frame(text: str) -> None:
    """Where pandas' C parser reads a CSV, read_table gives exactly its frame."""
    path = _in_temp(".csv", text.encode("utf-8"))
    try:
        reference = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False,
                                na_values=[""])
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError):
        return
    reference.columns = [str(c).strip() for c in reference.columns]
    pd.testing.assert_frame_equal(io.read_table(path), reference)
