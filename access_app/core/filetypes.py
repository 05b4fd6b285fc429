"""The one registry of file types the application reads, by kind.

Every place that asks "what may this file be?" uses it: the pipeline (which reader opens a
road network file), the CLI help, the GUI's file dialogs and drag and drop. Each kind
lists its file-name endings (matched case-insensitively at the end of the name, so
``.osm.pbf`` and ``.csv.gz`` work) and a label for dialogs.

Kinds
-----
``areas``, ``sites``
    Tables of areas or sites: GeoPackage, GeoJSON, Shapefile (or a zip holding one),
    FlatGeobuf, Parquet/GeoParquet, CSV/TSV/TXT (:func:`access_app.core.io.read_table`).
``network_table``
    Tables assigning sites, areas or ICBs to networks (read like areas and sites).
``road_lines``
    Road line files (:func:`access_app.core.network.read_lines`).
``osm``
    OpenStreetMap extracts (:func:`access_app.core.network.graph_from_osm_file`).
``saved_network``
    Networks saved by :func:`access_app.core.network.save_network` (``.npz``) or GraphML.
``scenarios``, ``model``
    Scenario and model-settings TOML files.
``matrix``
    Travel-time matrices as the routing cache writes them (``.npz``).
``postcodes``
    OS Code-Point Open as published (a zip of CSV files).

``network`` is the group ``osm`` + ``saved_network`` + ``road_lines``: anything that
:func:`access_app.core.pipeline.load_network_file` opens.

Nothing here imports more than the standard library, so the CLI can build its help text
from it without loading the analysis.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

#: Endings of plain-text tables (read with pandas).
TEXT_TABLE_SUFFIXES: tuple[str, ...] = (".csv", ".txt", ".tsv", ".csv.gz")
#: Endings of spatial tables (read with geopandas/pyogrio or as Parquet).
GEO_TABLE_SUFFIXES: tuple[str, ...] = (
    ".gpkg", ".geojson", ".json", ".shp", ".fgb", ".zip", ".parquet", ".geoparquet",
)


@dataclass(frozen=True)
class FileType:
    """One kind of input file.

    Attributes
    ----------
    kind
        Key in :data:`FILE_TYPES`.
    label
        Words for dialogs and messages ("Road line files").
    suffixes
        File-name endings, lower case, with the dot.
    """

    kind: str
    label: str
    suffixes: tuple[str, ...]

    def matches(self, path: str | Path) -> bool:
        """Return True if the name of ``path`` ends with one of :attr:`suffixes`."""
        return Path(path).name.lower().endswith(self.suffixes)


FILE_TYPES: Mapping[str, FileType] = MappingProxyType({
    ft.kind: ft
    for ft in (
        FileType("areas", "Areas", GEO_TABLE_SUFFIXES + TEXT_TABLE_SUFFIXES),
        FileType("sites", "Sites", GEO_TABLE_SUFFIXES + TEXT_TABLE_SUFFIXES),
        FileType("network_table", "Network tables", TEXT_TABLE_SUFFIXES + GEO_TABLE_SUFFIXES),
        FileType("road_lines", "Road line files",
                 (".shp", ".zip", ".gpkg", ".fgb", ".geojson", ".json", ".parquet")),
        FileType("osm", "OpenStreetMap extracts",
                 (".osm", ".osm.xml", ".osm.bz2", ".osm.pbf", ".pbf")),
        FileType("saved_network", "Saved networks", (".npz", ".graphml")),
        FileType("scenarios", "Scenario files", (".toml",)),
        FileType("model", "Model settings", (".toml",)),
        FileType("matrix", "Travel-time matrices", (".npz",)),
        FileType("postcodes", "Code-Point Open zip", (".zip",)),
    )
})

#: Kinds made of several others, with their label.
GROUPS: Mapping[str, tuple[str, tuple[str, ...]]] = MappingProxyType({
    "network": ("Road networks", ("osm", "saved_network", "road_lines")),
})


def _kinds(kind: str) -> tuple[str, ...]:
    if kind in GROUPS:
        return GROUPS[kind][1]
    if kind not in FILE_TYPES:
        known = ", ".join([*FILE_TYPES, *GROUPS])
        raise KeyError(f"unknown file kind {kind!r}; known kinds: {known}")
    return (kind,)


def suffixes(*kinds: str) -> tuple[str, ...]:
    """Return the file-name endings of ``kinds`` (groups expanded), without repeats, in order."""
    out: list[str] = []
    for kind in kinds:
        for k in _kinds(kind):
            out.extend(s for s in FILE_TYPES[k].suffixes if s not in out)
    return tuple(out)


def label(kind: str) -> str:
    """Return the label of a kind or group ("Road networks")."""
    return GROUPS[kind][0] if kind in GROUPS else FILE_TYPES[_kinds(kind)[0]].label


def kinds_of(path: str | Path, *, among: Iterable[str] | None = None) -> tuple[str, ...]:
    """Return every kind (of ``among``, groups expanded; all kinds if None) ``path`` may be."""
    candidates = FILE_TYPES if among is None else [k for kind in among for k in _kinds(kind)]
    seen: list[str] = []
    for k in candidates:
        if k not in seen and FILE_TYPES[k].matches(path):
            seen.append(k)
    return tuple(seen)


def kind_of(path: str | Path, *, among: Iterable[str] | None = None) -> str | None:
    """Return the one kind ``path`` is by its name, or None if unknown or ambiguous.

    Parameters
    ----------
    path
        A file name or path.
    among
        Kinds or groups to consider (all kinds if None). ``.zip`` or ``.toml`` files are
        ambiguous among all kinds; narrow the choice with ``among``.
    """
    found = kinds_of(path, among=among)
    return found[0] if len(found) == 1 else None


def describe(kind: str) -> str:
    """Return the endings of a kind for help text: ``".osm, .osm.xml, ..."``."""
    return ", ".join(suffixes(kind))


def dialog_filter(kind: str, *, all_files: bool = True) -> str:
    """Return a file-dialog filter such as ``"Road networks (*.osm *.pbf ...);;All files (*)"``.

    Plain text in the form Qt's file dialogs take; nothing here imports Qt.
    """
    patterns = " ".join(f"*{s}" for s in suffixes(kind))
    text = f"{label(kind)} ({patterns})"
    return text + ";;All files (*)" if all_files else text
