"""Neutralise user text that a spreadsheet would run as a formula (CSV / formula injection).

Site, scenario and area names come from files the user (or someone who sent them the
file) wrote. A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` is taken by Excel,
LibreOffice and Google Sheets as a formula when a CSV is opened, and a tab or carriage
return at the start can hide such a formula from a quick look. Following the OWASP
guidance on CSV injection (https://owasp.org/www-community/attacks/CSV_Injection), every
such text cell gets a leading single quote in the CSVs, so it is shown as text. In the
workbook the same text is written as a string cell, never as a formula, with Excel's
"quote prefix" style so that editing the cell keeps it text.

Only text is touched: numbers (a negative number included) stay numbers. The quote is
visible to a program reading the CSV, which is the price OWASP accepts; the leading
characters are rare in real site and area names.
"""

from __future__ import annotations

import pandas as pd

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a text cell as a formula (OWASP)."""

QUOTE = "'"


def is_risky(text: str) -> bool:
    """Return whether a text would be read as a formula by a spreadsheet."""
    return text.startswith(FORMULA_TRIGGERS)


def neutralise_text(text: str) -> str:
    """Return ``text`` with a leading single quote if a spreadsheet would run it as a formula."""
    return QUOTE + text if is_risky(text) else text


def _is_text_column(series: pd.Series) -> bool:
    return series.dtype == object or isinstance(series.dtype, pd.StringDtype)


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with every risky text cell quoted (numbers and other cells unchanged).

    Only object and string columns are looked at, and within them only ``str`` values, so
    numeric values (a negative number included) keep their type and value. The input is not
    modified; it is returned as is when nothing needs quoting.

    Parameters
    ----------
    frame
        A table about to be written as CSV.

    Returns
    -------
    pandas.DataFrame
    """
    out = frame
    for column in frame.columns:
        series = frame[column]
        if not _is_text_column(series):
            continue
        text = series.map(lambda v: isinstance(v, str)) if series.dtype == object else series.notna()
        risky = text & series.astype("string").str.startswith(FORMULA_TRIGGERS).fillna(False).astype(bool)
        if not risky.any():
            continue
        if out is frame:
            out = frame.copy()
        fixed = series.astype(object).copy()
        fixed[risky.to_numpy()] = QUOTE + series[risky.to_numpy()].astype(str)
        out[column] = fixed.astype(series.dtype) if isinstance(series.dtype, pd.StringDtype) else fixed
    return out


__all__ = ["FORMULA_TRIGGERS", "is_risky", "neutralise_frame", "neutralise_text"]
