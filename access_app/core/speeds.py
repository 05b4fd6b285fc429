"""UK car speed model: default speeds per road class, OSM ``maxspeed`` parsing, congestion.

The model turns an edge's road class, its urban/rural setting and (for OpenStreetMap data)
its posted limit into a car speed, and the speed into a travel time::

    speed = class default (urban or rural)                if no usable maxspeed
    speed = min(class default, maxspeed)                  if maxspeed is known
    travel_time [s] = length [m] / (speed [km/h] / 3.6) * congestion_factor

The posted limit caps the typical speed; it never raises it (cars average less than the
limit on almost every class of road).

Default speeds (km/h, urban / rural)
------------------------------------
=================  ======  ======  =========================================================
class              urban   rural   basis
=================  ======  ======  =========================================================
motorway              80     100   DfT: Strategic Road Network average 59.0 mph (95 km/h)
                                   in 2018/19 across all hours; urban stretches slower
trunk                 45      80   DfT: trunk roads averaged 54.6 mph off-peak (2003);
                                   free-flow cars on national-limit single carriageways
                                   about 48 mph (vehicle speed compliance statistics)
primary               40      80   DfT: local 'A' roads averaged 25.3 mph (41 km/h) in the
                                   year to March 2019 (all hours, flow-weighted, so mostly
                                   urban traffic) and 24.4 mph in the weekday morning peak;
                                   rural: between free-flow cars on national-limit single
                                   carriageways (about 48 mph, 77 km/h) and trunk roads
                                   off-peak (54.6 mph, 88 km/h), as the DfT network's rural
                                   A roads mix both (calibrated in docs/validation.md: 35/70
                                   made long rural trips 15% slower than typical drives)
secondary             30      60
tertiary              30      50
unclassified          25      40
residential           25      30   30 mph limit; free-flow cars about 31 mph, less
                                   junction delay
living_street         10      10
service               15      20
*_link                (0.6 to 0.8 of the parent class)
=================  ======  ======  =========================================================

Sources: DfT "Travel time measures for the Strategic Road Network and local 'A' roads"
(statistical releases 2017-2019, tables CGN05xx), DfT "Traffic speeds on English trunk
roads" (2003) and DfT "Vehicle speed compliance statistics for Great Britain". The
figures are rounded readings for regional access work, not measurements of any road; B
and minor road values are interpolated between the A road and residential figures. Every
value can be changed through :class:`SpeedModel`.

The DfT major roads network (motorways and A roads only, no speed data) is classed by
road number: ``M..`` and ``A..(M)`` are ``motorway``; other ``A..`` roads are ``primary``
(the DfT file does not separate trunk from principal A roads), urban or rural by
:func:`access_app.core.network.classify_urban_links`.

OSM ``maxspeed`` values are parsed by :func:`parse_maxspeed`: plain numbers are km/h,
``"30 mph"`` is converted (1 mph = 1.609344 km/h), lists (``"30;40"``) take the lowest,
and the UK implicit limits are ``GB:nsl_single`` 60 mph, ``GB:nsl_dual`` 70 mph,
``GB:motorway`` 70 mph, ``GB:urban`` / ``GB:zone30`` 30 mph and ``GB:zone20`` 20 mph.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from .errors import NetworkError

log = logging.getLogger(__name__)

MPH_TO_KMH = 1.609344

#: Default speeds in km/h as (urban, rural) per OSM-style road class.
DEFAULT_SPEEDS_KMH: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "motorway": (80.0, 100.0),
        "motorway_link": (50.0, 60.0),
        "trunk": (45.0, 80.0),
        "trunk_link": (35.0, 50.0),
        "primary": (40.0, 80.0),
        "primary_link": (30.0, 45.0),
        "secondary": (30.0, 60.0),
        "secondary_link": (25.0, 40.0),
        "tertiary": (30.0, 50.0),
        "tertiary_link": (25.0, 35.0),
        "unclassified": (25.0, 40.0),
        "residential": (25.0, 30.0),
        "living_street": (10.0, 10.0),
        "service": (15.0, 20.0),
        "road": (25.0, 40.0),
    }
)

#: UK implicit speed limits (OSM ``maxspeed`` / ``maxspeed:type`` values), in mph.
UK_IMPLICIT_MPH: Mapping[str, float] = MappingProxyType(
    {
        "gb:nsl_single": 60.0,
        "gb:nsl_dual": 70.0,
        "gb:motorway": 70.0,
        "gb:urban": 30.0,
        "gb:zone30": 30.0,
        "gb:zone20": 20.0,
        "uk:nsl_single": 60.0,
        "uk:nsl_dual": 70.0,
        "uk:motorway": 70.0,
        "uk:urban": 30.0,
        "national": 60.0,
    }
)

_NUM_UNIT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$")


def parse_maxspeed(value: object) -> float | None:
    """Parse an OSM ``maxspeed`` value into km/h.

    Parameters
    ----------
    value
        The tag value as found in OSM data: ``"50"``, ``"30 mph"``, ``"GB:nsl_single"``,
        a list such as ``["30 mph", "40 mph"]`` or ``"30 mph;40 mph"`` (the lowest is
        used), a number, or ``None``/NaN.

    Returns
    -------
    float or None
        The limit in km/h, or ``None`` when the value is missing or not understood
        (``"signals"``, ``"none"``, ``"walk"``...).
    """
    if value is None:
        return None
    if isinstance(value, (list, tuple, set)):
        parsed = [parse_maxspeed(v) for v in value]
        known = [p for p in parsed if p is not None]
        return min(known) if known else None
    if isinstance(value, (int, float, np.integer, np.floating)):
        v = float(value)
        return v if math.isfinite(v) and v > 0 else None
    text = str(value).strip()
    if ";" in text or "|" in text:
        return parse_maxspeed(re.split(r"[;|]", text))
    key = text.lower()
    if key in UK_IMPLICIT_MPH:
        return UK_IMPLICIT_MPH[key] * MPH_TO_KMH
    match = _NUM_UNIT.match(key)
    if match is None:
        return None
    number = float(match.group(1))
    if number <= 0:
        return None
    return number * MPH_TO_KMH if match.group(2) == "mph" else number


def road_class_from_number(road: object) -> str:
    """Return the OSM-style class of a British road number (DfT ``Road`` column).

    ``M1``, ``M25`` and ``A1(M)`` are ``"motorway"``; ``A52`` is ``"primary"``; ``B..``
    roads are ``"secondary"``; anything else is ``"unclassified"``.
    """
    text = str(road).strip().upper() if road is not None else ""
    if text.startswith("M") or text.endswith("(M)"):
        return "motorway"
    if text.startswith("A"):
        return "primary"
    if text.startswith("B"):
        return "secondary"
    return "unclassified"


@dataclass(frozen=True)
class SpeedModel:
    """Car speeds per road class and the rules that turn them into travel times.

    Attributes
    ----------
    speeds_kmh
        ``{class: (urban km/h, rural km/h)}``; classes not listed use ``fallback_kmh``.
        OSM list-valued classes (``["primary", "secondary"]``) use the first listed.
    fallback_kmh
        (urban, rural) speed for classes missing from ``speeds_kmh``.
    use_maxspeed
        If True, a parsed OSM ``maxspeed`` caps the class speed.
    congestion_factor
        Multiplies every travel time (1.0 = free-flowing typical speeds; 1.25 = a
        quarter longer, e.g. for peak-hour journeys). Must be > 0.
    """

    speeds_kmh: Mapping[str, tuple[float, float]] = field(
        default_factory=lambda: DEFAULT_SPEEDS_KMH
    )
    fallback_kmh: tuple[float, float] = (25.0, 40.0)
    use_maxspeed: bool = True
    congestion_factor: float = 1.0

    def __post_init__(self) -> None:
        if not (self.congestion_factor > 0 and math.isfinite(self.congestion_factor)):
            raise NetworkError(
                f"congestion_factor must be a positive number, got {self.congestion_factor!r}"
            )
        # a private copy of the caller's table (a plain dict, so copy.deepcopy and
        # dataclasses.asdict work); treat it as read-only and use with_changes()
        table: dict[str, tuple[float, float]] = {}
        for cls, pair in self.speeds_kmh.items():
            try:
                urban, rural = (float(v) for v in pair)
            except (TypeError, ValueError):
                urban = rural = -1.0
            table[str(cls)] = (urban, rural)
            if not (urban > 0 and rural > 0):
                raise NetworkError(
                    f"speed for road class {cls!r} must be (urban, rural) km/h > 0, got {pair!r}"
                )
        object.__setattr__(self, "speeds_kmh", table)

    def with_changes(self, **changes: object) -> SpeedModel:
        """Return a copy with some fields replaced (e.g. ``congestion_factor=1.2``)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def speed_kmh(self, highway: object, *, urban: bool, maxspeed: object = None) -> float:
        """Return the car speed in km/h for one edge.

        Parameters
        ----------
        highway
            OSM-style class (``"primary"``), or a list of classes (first is used).
        urban
            Whether the edge runs through an urban area.
        maxspeed
            Optional OSM ``maxspeed`` value, parsed with :func:`parse_maxspeed`.
        """
        if isinstance(highway, (list, tuple)):
            highway = highway[0] if highway else None
        pair = self.speeds_kmh.get(str(highway), self.fallback_kmh)
        speed = float(pair[0] if urban else pair[1])
        if self.use_maxspeed:
            limit = parse_maxspeed(maxspeed)
            if limit is not None:
                speed = min(speed, limit)
        return speed

    def travel_time_s(
        self, length_m: float, highway: object, *, urban: bool, maxspeed: object = None
    ) -> float:
        """Return the travel time in seconds over ``length_m`` metres of one edge."""
        kmh = self.speed_kmh(highway, urban=urban, maxspeed=maxspeed)
        return float(length_m) / (kmh / 3.6) * self.congestion_factor

    def fingerprint(self) -> str:
        """Return a stable text form of the model, used in cache keys."""
        items = sorted((str(k), tuple(float(x) for x in v)) for k, v in self.speeds_kmh.items())
        return repr(
            (items, tuple(self.fallback_kmh), self.use_maxspeed, float(self.congestion_factor))
        )
