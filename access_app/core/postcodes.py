"""Geocode UK postcodes with an OS Code-Point Open file.

Code-Point Open is published as a zip with one headerless CSV per postcode area
(``Data/CSV/le.csv`` holds every ``LE`` postcode). Columns are postcode, positional
quality, easting, northing, ... (British National Grid, EPSG:27700). The CSVs are read
straight from the zip, and only those of the postcode areas asked for, so geocoding a
sites file touches a few hundred kilobytes rather than the whole country.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import DataError

log = logging.getLogger(__name__)

_AREA = re.compile(r"^([A-Z]{1,2})[0-9]")
_SHAPE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def normalise_postcode(value: object) -> str:
    """Return a postcode in upper case without spaces (``"le1 5ww"`` -> ``"LE15WW"``)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return re.sub(r"\s+", "", str(value)).upper()


def postcode_area(postcode: str) -> str:
    """Return the letters that start a normalised postcode (``"LE15WW"`` -> ``"LE"``)."""
    m = _AREA.match(postcode)
    return m.group(1) if m else ""


@dataclass(frozen=True)
class GeocodeResult:
    """Easting/northing found for each postcode asked for, and those not found.

    Attributes
    ----------
    coordinates
        Frame indexed by normalised postcode with ``easting`` and ``northing`` (EPSG:27700).
    unknown
        Postcodes (as given) that are malformed or absent from Code-Point Open.
    """

    coordinates: pd.DataFrame
    unknown: tuple[str, ...] = field(default_factory=tuple)


def _read_member(zf: zipfile.ZipFile, member: str, wanted: set[str]) -> list[tuple[str, int, int]]:
    """Return (postcode, easting, northing) of the ``wanted`` postcodes in one zip member."""
    rows: list[tuple[str, int, int]] = []
    with zf.open(member) as fh:
        reader = csv.reader(io.TextIOWrapper(fh, encoding="utf-8-sig"))
        for rec in reader:
            if len(rec) < 4:
                continue
            pc = normalise_postcode(rec[0])
            if pc in wanted:
                try:
                    rows.append((pc, int(float(rec[2])), int(float(rec[3]))))
                except (ValueError, OverflowError):
                    continue
    return rows


@dataclass(frozen=True)
class CodePointOpen:
    """A Code-Point Open zip to geocode postcodes with.

    Parameters
    ----------
    path
        The Code-Point Open zip as published by Ordnance Survey (``Data/CSV/*.csv`` inside).
    """

    path: Path

    def __post_init__(self) -> None:
        path = Path(self.path)
        object.__setattr__(self, "path", path)
        if not path.is_file():
            raise DataError(f"Postcode file {path} does not exist: choose the Code-Point Open zip.")
        try:
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
        except zipfile.BadZipFile as exc:
            raise DataError(
                f"Postcode file {path} is not a zip: choose the Code-Point Open zip "
                "(codepo_gb.zip) as downloaded from Ordnance Survey."
            ) from exc
        if not any(n.lower().startswith("data/csv/") and n.lower().endswith(".csv") for n in names):
            raise DataError(
                f"Postcode file {path} has no Data/CSV/*.csv inside: it does not look like "
                "Code-Point Open."
            )

    def geocode(self, postcodes: Iterable[object]) -> GeocodeResult:
        """Look up easting and northing of ``postcodes``.

        Parameters
        ----------
        postcodes
            Postcodes in any spacing or case.

        Returns
        -------
        GeocodeResult
            Coordinates of those found, and the postcodes that were not.
        """
        given = [str(p) if p is not None else "" for p in postcodes]
        wanted = {normalise_postcode(p) for p in given}
        areas = {postcode_area(p) for p in wanted if _SHAPE.match(p)}
        rows: list[tuple[str, int, int]] = []
        member = ""
        try:
            with zipfile.ZipFile(self.path) as zf:
                members = {Path(n).name.lower(): n for n in zf.namelist() if n.lower().endswith(".csv")}
                for area in sorted(areas):
                    member = members.get(f"{area.lower()}.csv", "")
                    if member:
                        rows.extend(_read_member(zf, member, wanted))
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError) as exc:
            # RuntimeError: encrypted member; ValueError covers UnicodeDecodeError and bad CSV.
            where = f" (member {member})" if member else ""
            reason = "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else str(exc)
            raise DataError(
                f"Postcode file {self.path}{where} cannot be read: {reason}. Download the "
                "Code-Point Open zip (codepo_gb.zip) again from Ordnance Survey."
            ) from None
        coords = pd.DataFrame(rows, columns=["postcode", "easting", "northing"])
        coords = coords.drop_duplicates("postcode").set_index("postcode")
        # Code-Point gives 0,0 for postcodes with no coordinates; treat as unknown.
        coords = coords[(coords["easting"] > 0) & (coords["northing"] > 0)]
        unknown = tuple(p for p in given if normalise_postcode(p) not in coords.index)
        log.info("geocoded %d of %d postcodes", len(given) - len(unknown), len(given))
        return GeocodeResult(coordinates=coords, unknown=unknown)
