"""What the session's two-step verbs hand from plan to commit, and where the network comes from.

:class:`NetworkChoice` names the road network (embedded, a file, a download or imported
travel times); :class:`Loaded` is what a load task produced and :class:`Evaluation` what an
evaluation task produced, each applied by the session's ``commit_*`` verb.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd

from access_app.core import io, pipeline, schema, tables
from access_app.core.errors import DataError
from access_app.core.matrix import TravelTimeMatrix
from access_app.core.progress import CancelFn, ProgressFn
from access_app.core.scenarios import Scenario, ScenarioResult

DEFAULT_NETWORK_LABEL = "DfT major road network 2013 (embedded default)"


def new_site_row(values: dict[str, Any], *, site_id: str,
                  location: tuple[float, float] | None, postcodes: Any,
                  crs: Any) -> gpd.GeoDataFrame:
    """Return the canonical row of a site added in the app, placed by point or postcode."""
    from shapely.geometry import Point

    name = str(values.get("site_name", "")).strip()
    if not name:
        raise DataError("Give the new site a name.")
    postcode = str(values.get("postcode", "") or "").strip()
    if location is None:
        if postcodes is None:
            raise DataError("Choose the OS Code-Point Open zip to place sites by postcode.")
        found = postcodes.geocode([postcode])
        if found.unknown:
            raise DataError(f"Postcode {postcode!r} is not in Code-Point Open; check it or add "
                            "the site by clicking the map.")
        xy = found.coordinates.iloc[0]
        point, point_crs = Point(float(xy["easting"]), float(xy["northing"])), schema.BNG
    else:
        lat, lon = location
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise DataError(f"Location {location!r} is not a latitude and longitude.")
        point, point_crs = Point(lon, lat), schema.WGS84
    linacs = values.get("linacs")
    try:
        linacs_f = float(linacs) if linacs not in (None, "") else None
    except (TypeError, ValueError) as exc:
        raise DataError(f"Linacs {linacs!r} is not a number.") from exc
    return io.make_site_row(site_id, name, point, crs=point_crs,
                            network=str(values.get("network") or "").strip() or None,
                            linacs=linacs_f, site_type=str(values.get("site_type") or "main"),
                            postcode=postcode, trust=str(values.get("trust") or ""),
                            to_crs=crs)


@dataclass(frozen=True)
class NetworkChoice:
    """Where the road network comes from.

    Attributes
    ----------
    path
        A road network file (see :mod:`access_app.core.io.filetypes`); ``None`` with no
        ``place`` means the embedded DfT network.
    place
        A place name to download with osmnx (needs the internet).
    matrix_path
        A travel-time table made elsewhere (CSV or Parquet of area, site, minutes; e.g.
        public transport times); no routing is done and there is no road network.
    """

    path: Path | None = None
    place: str | None = None
    matrix_path: Path | None = None

    @property
    def label(self) -> str:
        """Return how the network is named in the window and the exports."""
        if self.matrix_path is not None:
            return f"Travel times imported from {self.matrix_path}"
        if self.path is not None:
            return str(self.path)
        if self.place is not None:
            return f"OpenStreetMap: {self.place}"
        return DEFAULT_NETWORK_LABEL

    def load(self, areas: gpd.GeoDataFrame, *, cache_dir: Path | None,
             model: Any = None, progress: ProgressFn | None = None,
             cancelled: CancelFn | None = None) -> Any:
        """Return the road network, built or read by the pipeline's network steps."""
        speed_model = getattr(model, "speed_model", None)
        if self.path is not None:
            return pipeline.load_network_file(self.path, areas=areas, speed_model=speed_model,
                                              progress=progress, cancelled=cancelled)
        if self.place is not None:
            return pipeline.download_network(self.place, areas=areas, speed_model=speed_model,
                                             progress=progress, cancelled=cancelled)
        return pipeline.load_default_network(cache_dir=cache_dir, speed_model=speed_model,
                                             progress=progress, cancelled=cancelled)


@dataclass(frozen=True)
class Loaded:
    """What a load task produced: the data, network and matrix, and the scenarios for them.

    ``scenarios`` is ``None`` when the current scenarios still fit the new sites;
    ``notes`` explains any choice made for the user (for the status bar).
    """

    dataset: pipeline.Dataset
    network: Any
    network_choice: NetworkChoice
    matrix: TravelTimeMatrix
    scenarios: tuple[Scenario, ...] | None = None
    scenario_file: str | None = None
    notes: tuple[str, ...] = ()
    distances: Any = None


@dataclass(frozen=True)
class Evaluation:
    """Results and tables of one set of scenarios, and what they were computed from."""

    results: dict[str, ScenarioResult]
    report: tables.EquityReport
    scenarios: tuple[Scenario, ...]
    baseline: str
    matrix: TravelTimeMatrix
