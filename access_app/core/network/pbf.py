"""Reading OpenStreetMap road data: ``.osm.pbf`` via pyosmium, XML for osmnx.

osmnx reads OSM XML (``.osm``, ``.osm.xml``, ``.osm.bz2``) but not the compressed binary
``.osm.pbf`` that Geofabrik and others publish. :func:`read_pbf_elements` reads the road
ways of a ``.pbf`` with pyosmium (maintained by the OSM developers) into the JSON shape the
Overpass API returns, and :func:`write_osm_xml` writes that as OSM XML, so every OSM source
goes through the same osmnx graph construction (one-way rules, simplification).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from ..errors import NetworkError

log = logging.getLogger(__name__)

#: Road classes a car can use, for regional or local work.
DRIVE_CLASSES: tuple[str, ...] = (
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
    "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
    "residential", "living_street", "road",
)
#: Motorway to tertiary (with links): enough for regional travel times, much smaller.
REGIONAL_CLASSES: tuple[str, ...] = (
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
    "secondary", "secondary_link", "tertiary", "tertiary_link",
)
_NO_CAR = {"no", "private"}


def highway_filter(classes: Iterable[str]) -> str:
    """Return an osmnx/Overpass ``custom_filter`` selecting car roads of ``classes``."""
    names = "|".join(sorted(set(classes)))
    if not names:
        raise NetworkError("choose at least one road class")
    return (
        f'["highway"~"^({names})$"]["area"!~"yes"]["access"!~"private|no"]'
        '["motor_vehicle"!~"no"]["motorcar"!~"no"]'
    )


def read_pbf_elements(
    path: str | Path,
    *,
    classes: Iterable[str] = DRIVE_CLASSES,
    bbox: tuple[float, float, float, float] | None = None,
) -> dict[str, Any]:
    """Read the car road ways of an ``.osm.pbf`` as an Overpass-style JSON dict.

    Parameters
    ----------
    path
        The ``.osm.pbf`` file.
    classes
        ``highway`` values to keep.
    bbox
        Optional ``(west, south, east, north)`` in degrees: keep ways with at least one
        node inside.

    Returns
    -------
    dict
        ``{"elements": [...]}`` with ``node`` elements (``id``, ``lat``, ``lon``) and
        ``way`` elements (``id``, ``nodes``, ``tags``), as the Overpass API returns them.
    """
    import osmium  # imported here: only needed for .pbf files

    path = Path(path)
    if not path.exists():
        raise NetworkError(f"OSM file {path} does not exist")
    keep = set(classes)
    nodes: dict[int, tuple[float, float]] = {}
    ways: list[dict[str, Any]] = []
    try:
        fp = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_filter(osmium.filter.KeyFilter("highway"))
        )
        for obj in fp:
            if not isinstance(obj, osmium.osm.Way):
                continue
            tags = {t.k: t.v for t in obj.tags}
            if tags.get("highway") not in keep or tags.get("area") == "yes":
                continue
            if tags.get("access") in _NO_CAR or tags.get("motor_vehicle") == "no":
                continue
            refs = []
            locs = []
            for nd in obj.nodes:
                if not nd.location.valid():
                    continue
                refs.append(nd.ref)
                locs.append((nd.lon, nd.lat))
            if len(refs) < 2:
                continue
            if bbox is not None and not any(
                bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3] for lon, lat in locs
            ):
                continue
            nodes.update(zip(refs, locs, strict=True))
            ways.append({"type": "way", "id": obj.id, "nodes": refs, "tags": tags})
    except (RuntimeError, OSError) as exc:
        raise NetworkError(f"cannot read OSM file {path}: {exc}") from exc
    elements: list[dict[str, Any]] = [
        {"type": "node", "id": nid, "lat": lat, "lon": lon} for nid, (lon, lat) in nodes.items()
    ]
    elements.extend(ways)
    log.info("%s: %d road ways, %d nodes", path.name, len(ways), len(nodes))
    return {"version": 0.6, "generator": "access-app", "elements": elements}


def write_osm_xml(data: dict[str, Any], path: str | Path) -> Path:
    """Write Overpass-style JSON elements as an OSM XML file that osmnx can read."""
    path = Path(path)
    with path.open("w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">\n')
        for el in data["elements"]:
            if el["type"] == "node":
                f.write(f'<node id="{el["id"]}" lat="{el["lat"]:.7f}" lon="{el["lon"]:.7f}"/>\n')
        for el in data["elements"]:
            if el["type"] != "way":
                continue
            f.write(f'<way id="{el["id"]}">')
            f.writelines(f'<nd ref="{r}"/>' for r in el["nodes"])
            f.writelines(
                f"<tag k={quoteattr(str(k))} v={quoteattr(str(v))}/>"
                for k, v in el.get("tags", {}).items()
            )
            f.write("</way>\n")
        f.write("</osm>\n")
    return path
