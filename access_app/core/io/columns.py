"""Which of a user's columns holds each canonical field, and guessing it from common names."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

import pandas as pd

from .. import schema as S
from ..errors import DataError
from .values import _list, _to_number

log = logging.getLogger(__name__)


Kind = Literal["areas", "sites"]


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of a user's file holds each canonical field (``None`` = absent).

    Location comes from the file's geometry, or for tables from ``lon``/``lat``,
    ``easting``/``northing`` or ``postcode`` (in that order of preference).
    """

    id: str | None = None
    name: str | None = None
    population: str | None = None
    imd_rank: str | None = None
    imd_decile: str | None = None
    ruc_class: str | None = None
    urban_rural: str | None = None
    network: str | None = None
    region: str | None = None
    icb: str | None = None
    pop60plus: str | None = None
    linacs: str | None = None
    site_type: str | None = None
    trust: str | None = None
    postcode: str | None = None
    lon: str | None = None
    lat: str | None = None
    easting: str | None = None
    northing: str | None = None

    def used(self) -> dict[str, str]:
        """Return the canonical field -> user column pairs that are set."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


#: Canonical output column of each mapping field.
_TARGET = {
    "id": None,  # area_id or site_id by kind
    "name": None,
    "population": S.POPULATION,
    "imd_rank": S.IMD_RANK,
    "imd_decile": S.IMD_DECILE,
    "ruc_class": S.RUC_CLASS,
    "urban_rural": S.URBAN_RURAL,
    "network": S.NETWORK,
    "region": S.REGION,
    "icb": S.ICB,
    "pop60plus": S.POP60,
    "linacs": S.LINACS,
    "site_type": S.SITE_TYPE,
    "trust": S.TRUST,
    "postcode": S.POSTCODE,
}

# Common names, compared after lower-casing and dropping everything but letters and digits.
_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "areas": {
        "id": ("areaid", "lsoa11cd", "lsoacode", "lsoa11code", "lsoacode2011", "lsoa", "lsoa11",
               "lsoa21cd", "datazone", "dzcode", "geocode", "code", "id"),
        "name": ("areaname", "lsoa11nm", "lsoaname", "lsoaname2011", "lsoa21nm", "name"),
        "population": ("population", "pop", "popmid2019", "totalpopulation", "allages", "usualresidents",
                       "persons", "people"),
        "imd_rank": ("imdrank", "imd2019rank", "indexofmultipledeprivationimdrank", "imdrank2019"),
        "imd_decile": ("imddecile", "imd2019decile", "indexofmultipledeprivationimddecile",
                       "imddecile2019", "decile"),
        "ruc_class": ("rucclass", "ruc11cd", "ruc11", "ruc", "ruralurbanclassification"),
        "urban_rural": ("urbanrural", "urbanorrural"),
        "network": ("network", "odn", "networkname"),
        "region": ("region", "region21name", "rgn11nm", "rgn21nm", "regionname"),
        "icb": ("icb", "icb22code", "icbcode", "icb22cd", "icb23cd"),
        "pop60plus": ("pop60plus", "pop60plusmid2015", "aged60plus", "population60plus", "over60"),
    },
    "sites": {
        "id": ("siteid", "sitecode", "siteods", "odscode", "code", "id"),
        "name": ("sitename", "name", "hospitalname", "site", "centre", "centrename"),
        "network": ("network", "odn", "networkname"),
        "linacs": ("linacs", "linac", "linaccount", "nlinacs", "machines"),
        "site_type": ("sitetype", "type", "role"),
        "trust": ("trust", "trustname", "provider"),
        "region": ("region", "onsregion21", "region21name", "regionname"),
    },
}
_LOCATION_SYNONYMS = {
    "postcode": ("postcode", "postalcode", "pcd", "pcds", "pcd7", "pcd8"),
    "lon": ("lon", "long", "longitude", "lng"),
    "lat": ("lat", "latitude"),
    "easting": ("easting", "eastings", "oseast1m", "east", "bngx"),
    "northing": ("northing", "northings", "osnrth1m", "north", "bngy"),
}


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


def detect_columns(df: pd.DataFrame, *, kind: Kind) -> ColumnMapping:
    """Guess a :class:`ColumnMapping` from the column names of ``df``.

    Parameters
    ----------
    df
        The user's table (only its column names and, for bare ``X``/``Y``, values are read).
    kind
        ``"areas"`` or ``"sites"``.

    Returns
    -------
    ColumnMapping
        Fields whose column was recognised; the others are ``None``.
    """
    by_key: dict[str, str] = {}
    for col in df.columns:
        if col == getattr(df, "_geometry_column_name", None):
            continue
        by_key.setdefault(_key(col), col)
    found: dict[str, str] = {}
    taken: set[str] = set()
    synonyms = dict(_SYNONYMS[kind])
    synonyms.update(_LOCATION_SYNONYMS)
    for field_name, names in synonyms.items():
        for n in names:
            col = by_key.get(n)
            if col is not None and col not in taken:
                found[field_name] = col
                taken.add(col)
                break
    # Bare X/Y columns: degrees or metres, decided by the values.
    if "x" in by_key and "y" in by_key and not ({"lon", "easting"} & found.keys()):
        x = _to_number(df[by_key["x"]])
        y = _to_number(df[by_key["y"]])
        if x.notna().any() and x.abs().max() <= 180 and y.abs().max() <= 90:
            found["lon"], found["lat"] = by_key["x"], by_key["y"]
        else:
            found["easting"], found["northing"] = by_key["x"], by_key["y"]
    return ColumnMapping(**found)



def _require(df: pd.DataFrame, mapping: ColumnMapping, field_name: str, *, path: Path,
             kind: Kind) -> str:
    col = getattr(mapping, field_name)
    if not col:
        raise DataError(
            f"{path}: no column for the {kind[:-1]} {field_name.replace('_', ' ')}. "
            f"Columns found: {_list(list(df.columns), 12)}. Rename one or map it in the column dialog."
        )
    if col not in df.columns:
        raise DataError(
            f"{path}: column '{col}' (mapped to {field_name}) is not in the file. "
            f"Columns found: {_list(list(df.columns), 12)}."
        )
    return col
