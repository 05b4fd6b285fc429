"""Read population areas and sites from the formats planners have, and check them.

Supported inputs: GeoPackage, GeoJSON, Shapefile (also zipped), FlatGeobuf,
Parquet/GeoParquet and CSV (the list is :mod:`access_app.core.filetypes`). A CSV gives
locations as longitude/latitude (WGS84), British National Grid easting/northing
(EPSG:27700), or a postcode column geocoded with an OS Code-Point Open zip.

A :class:`ColumnMapping` says which of the user's columns is the id, name, population,
deprivation and so on; :func:`detect_columns` guesses it from common names. Loading renames
the columns to the canonical names of :mod:`access_app.core.schema`, parses numbers written
with thousands separators (``"1,954"``), projects everything to one metric CRS and refuses
bad input with a :class:`~access_app.core.errors.DataError` that names the file, the column
or the value and says what to do. Nothing is half-loaded: either a complete, valid frame is
returned or an error is raised.

Modules
-------
- :mod:`.tables`: reading a file as it is (:func:`read_table`, :func:`read_preview`).
- :mod:`.columns`: :class:`ColumnMapping` and :func:`detect_columns`.
- :mod:`.values`: parsing and checking column values (numbers, ids, deciles, urban/rural).
- :mod:`.points`: locations from geometry, coordinates or postcodes; CRS checks.
- :mod:`.areas`, :mod:`.sites`: :func:`load_areas`, :func:`load_sites`; rows for new sites
  (:func:`make_site_row`, :func:`unique_site_id`).
- :mod:`.extent`: :func:`check_within_extent` against a road network's bounds.
- :mod:`.networks`: :func:`read_network_table`, :func:`apply_networks`.
"""

from .. import schema as S
from .areas import load_areas
from .columns import ColumnMapping, Kind, detect_columns
from .extent import check_within_extent
from .networks import apply_networks, read_network_table
from .points import GB_BOUNDS_BNG, UnknownPostcodesError
from .sites import load_sites, make_site_row, site_id_slug, unique_site_id
from .tables import GEO_SUFFIXES, TABLE_SUFFIXES, read_preview, read_table
from .values import deciles_from_rank

__all__ = [
    "GB_BOUNDS_BNG",
    "GEO_SUFFIXES",
    "TABLE_SUFFIXES",
    "ColumnMapping",
    "Kind",
    "S",
    "UnknownPostcodesError",
    "apply_networks",
    "check_within_extent",
    "deciles_from_rank",
    "detect_columns",
    "load_areas",
    "load_sites",
    "make_site_row",
    "read_network_table",
    "read_preview",
    "read_table",
    "site_id_slug",
    "unique_site_id",
]
