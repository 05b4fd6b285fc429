"""Check the strategic travel-time model against full road detail and typical long drives.

Three comparisons, printed as tables (``docs/validation.md`` shows them before and after
calibration):

1. **Full detail**: LSOA centroids to the nearer of two or more destinations, on the strategic
   model (DfT major roads + access legs) and on a full OpenStreetMap network of the same
   area (every car road class, the same speed model). Default: Rutland
   (``../shared/geodata/roads/rutland-2018-02-27.osm.pbf``), destinations Oakham and
   Uppingham town centres. Bias (strategic - full), mean absolute error and the 90th
   percentile of absolute error, by urban/rural.
2. **Road-class speeds**: the strategic network's average speed per class (length over
   time, urban and rural) against the DfT statistics cited in ``access_app/core/speeds.py``.
3. **Long journeys**: a set of long trips with typical off-peak drive times, grouped into
   rural trunk-road and motorway trips, with the bias of each group.

Run from the repository root::

    python tools/validate_times.py                          # the defaults of this version
    python tools/validate_times.py --defaults-before        # the pre-calibration defaults
    python tools/validate_times.py --grid                   # search access-leg parameters
    python tools/validate_times.py --osm my_county.osm.pbf --destinations towns.csv

``--destinations`` is a CSV of ``name,easting,northing`` (British National Grid); the
origins are the embedded LSOA centroids inside the extract's road network (its convex hull).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from access_app.core import defaults, network, pipeline, routing  # noqa: E402
from access_app.core import schema as S  # noqa: E402
from access_app.core.speeds import DEFAULT_SPEEDS_KMH, MPH_TO_KMH, SpeedModel  # noqa: E402

RUTLAND_PBF = REPO.parent / "shared" / "geodata" / "roads" / "rutland-2018-02-27.osm.pbf"
#: Oakham and Uppingham town centres (British National Grid).
RUTLAND_TOWNS = {"Oakham": (486000.0, 308800.0), "Uppingham": (486600.0, 299800.0)}

#: Parameters and speeds before the calibration of docs/validation.md.
BEFORE_PARAMS = routing.RoutingParams(detour_factor=1.3, access_speed_urban_kmh=24.0,
                                      access_speed_rural_kmh=40.0, k_nearest=4)
BEFORE_SPEEDS = {**DEFAULT_SPEEDS_KMH, "motorway": (80.0, 100.0), "primary": (35.0, 70.0)}

#: Access legs on the full-detail network: fixed, so that calibrating the strategic model's
#: legs never moves the reference (on a full network they are a few hundred metres at most).
REFERENCE_PARAMS = BEFORE_PARAMS

#: Published average car speeds (km/h) per class of the strategic network; sources as in
#: access_app/core/speeds.py.
PUBLISHED_KMH = {
    ("motorway", "rural"): (59.0 * MPH_TO_KMH,
                           "Strategic Road Network average 59.0 mph, 2018/19 (DfT CGN05xx)"),
    ("primary", "rural"): (54.6 * MPH_TO_KMH,
                          "trunk roads off-peak 54.6 mph (DfT, Traffic speeds on English trunk "
                          "roads, 2003)"),
    ("primary", "urban"): (25.3 * MPH_TO_KMH,
                          "local 'A' roads 25.3 mph, year to March 2019 (DfT CGN05xx)"),
}

#: Long journeys: (origin, origin easting, northing, destination site, typical minutes, group).
#: Origins are town-centre postcode sectors (mean of their OS Code-Point Open 2025 postcodes,
#: rounded to 1 m); destinations are the embedded radiotherapy sites. Typical minutes are
#: approximate off-peak drive times as route planners give them, rounded to 5 minutes (an
#: assumption to check, not a published statistic; Berwick to the Freeman from the issue).
LONG_JOURNEYS = (
    ("Berwick-upon-Tweed (TD15 1)", 398550, 653217, "newcastle-freeman-nccc", 75, "rural trunk"),
    ("Carlisle (CA3 8)", 340060, 555950, "newcastle-freeman-nccc", 75, "rural trunk"),
    ("Penzance (TR18 2)", 147209, 30547, "truro-royal-cornwall", 40, "rural trunk"),
    ("Hereford (HR1 2)", 351508, 239893, "cheltenham-general", 60, "rural trunk"),
    ("Barnstaple (EX31 1)", 255566, 133687, "exeter-rde-wonford", 60, "rural trunk"),
    ("King's Lynn (PE30 1)", 561960, 320204, "norwich-nnuh", 60, "rural trunk"),
    ("Scarborough (YO11 1)", 504315, 488712, "hull-castle-hill-queens-centre", 65, "rural trunk"),
    ("Lincoln (LN2 1)", 497823, 371848, "nottingham-city", 55, "rural trunk"),
    ("Yeovil (BA20 1)", 355587, 115937, "taunton-musgrove-beacon", 40, "rural trunk"),
    ("Dorchester (DT1 1)", 369368, 90522, "poole-dorset-cancer-centre", 35, "rural trunk"),
    ("Great Yarmouth (NR30 2)", 652746, 307432, "norwich-nnuh", 35, "rural trunk"),
    ("Kendal (LA9 4)", 351399, 492814, "preston-rosemere", 50, "motorway"),
    ("Darlington (DL1 1)", 429891, 514735, "newcastle-freeman-nccc", 45, "motorway"),
    ("Leeds (LS1 5)", 429955, 433601, "manchester-christie-withington", 60, "motorway"),
    ("Birmingham (B2 4)", 407038, 286923, "coventry-university-hospital", 35, "motorway"),
)


def _points(kind: str, names: list[str], xy: np.ndarray, urban: list[str] | None = None
            ) -> gpd.GeoDataFrame:
    col = S.AREA_ID if kind == "area" else S.SITE_ID
    data = {col: names}
    if urban is not None:
        data[S.URBAN_RURAL] = urban
    return gpd.GeoDataFrame(data, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=S.BNG)


def full_detail_minutes(osm_path: Path, destinations: dict[str, tuple[float, float]],
                        areas: gpd.GeoDataFrame, *, local_authority: str | None = None
                        ) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """Return the areas inside the extract and their minutes to the nearest destination.

    ``local_authority`` keeps only that authority's LSOAs (Rutland for the default extract,
    which also covers the edges of its neighbours); otherwise the LSOAs inside the convex
    hull of the extract's road network.
    """
    graph = network.graph_from_osm_file(osm_path, areas=areas)
    arrays = graph.arrays
    hull = shapely.MultiPoint(np.column_stack([arrays.x, arrays.y])).convex_hull
    inside = areas[areas.geometry.within(hull)]
    if local_authority:
        inside = inside[inside["la_name"] == local_authority]
    inside = inside.reset_index(drop=True)
    if inside.empty:
        raise SystemExit(f"{osm_path}: no embedded LSOA centroid lies inside its road network")
    dest = _points("site", list(destinations), np.array(list(destinations.values())))
    m = routing.travel_time_matrix(graph, inside, dest, params=REFERENCE_PARAMS)
    return inside, m.minutes.min(axis=1)


def strategic_minutes(graph: object, areas: gpd.GeoDataFrame,
                      destinations: dict[str, tuple[float, float]],
                      params: routing.RoutingParams) -> np.ndarray:
    """Return the strategic model's minutes from each area to the nearest destination."""
    dest = _points("site", list(destinations), np.array(list(destinations.values())))
    return routing.travel_time_matrix(graph, areas, dest, params=params).minutes.min(axis=1)


def error_table(model: np.ndarray, reference: np.ndarray, urban: np.ndarray) -> pd.DataFrame:
    """Return n, mean minutes, bias, MAE and p90 absolute error, by urban/rural and overall."""
    rows = []
    for name, mask in (("urban", urban), ("rural", ~urban), ("all", np.ones_like(urban))):
        if not mask.any():
            continue
        err = model[mask] - reference[mask]
        rows.append({"areas": name, "n": int(mask.sum()),
                     "full detail min": reference[mask].mean(), "model min": model[mask].mean(),
                     "bias min": err.mean(), "MAE min": np.abs(err).mean(),
                     "p90 abs err min": np.quantile(np.abs(err), 0.9)})
    return pd.DataFrame(rows).round(2)


def class_speed_table(graph: object) -> pd.DataFrame:
    """Return the network's average speed (km/h) per class and setting vs published figures."""
    rows: dict[tuple[str, str], list[float]] = {}
    for _, _, d in graph.graph.edges(data=True):  # type: ignore[attr-defined]
        if d.get("highway") in ("ferry", "ferry_access"):
            continue
        key = (str(d.get("highway")), "urban" if d.get("urban") else "rural")
        acc = rows.setdefault(key, [0.0, 0.0])
        acc[0] += d["length"]
        acc[1] += d["travel_time"]
    out = []
    for (cls, setting), (metres, seconds) in sorted(rows.items()):
        model = metres / seconds * 3.6
        pub = PUBLISHED_KMH.get((cls, setting))
        out.append({"class": cls, "setting": setting, "km (both ways)": round(metres / 1000),
                    "model km/h": round(model, 1),
                    "published km/h": round(pub[0], 1) if pub else None,
                    "bias %": round((model / pub[0] - 1) * 100, 1) if pub else None,
                    "source": pub[1] if pub else ""})
    return pd.DataFrame(out)


def long_journey_table(graph: object, params: routing.RoutingParams) -> pd.DataFrame:
    """Return model and typical minutes of :data:`LONG_JOURNEYS`."""
    sites = defaults.load_default_sites().set_index(S.SITE_ID)
    xy = np.array([(e, n) for _, e, n, *_ in LONG_JOURNEYS], dtype=float)
    origins = _points("area", [j[0] for j in LONG_JOURNEYS], xy, ["Urban"] * len(xy))
    dest = sites.loc[[j[3] for j in LONG_JOURNEYS]].reset_index()
    m = routing.travel_time_matrix(graph, origins, dest, params=params).minutes
    model = np.diag(m)
    typical = np.array([j[4] for j in LONG_JOURNEYS], dtype=float)
    return pd.DataFrame({
        "from": [j[0] for j in LONG_JOURNEYS], "to": [j[3] for j in LONG_JOURNEYS],
        "group": [j[5] for j in LONG_JOURNEYS], "typical min": typical,
        "model min": model.round(1), "diff %": ((model / typical - 1) * 100).round(1),
    })


def group_bias(journeys: pd.DataFrame) -> pd.DataFrame:
    """Return the mean and range of the model's relative difference per journey group."""
    g = journeys.groupby("group")["diff %"]
    return pd.DataFrame({"n": g.size(), "bias %": g.mean().round(1), "min %": g.min(),
                         "max %": g.max()}).reset_index()


def _speed_model(speeds: dict[str, tuple[float, float]]) -> SpeedModel:
    return SpeedModel(speeds_kmh=speeds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--osm", type=Path, default=RUTLAND_PBF,
                        help="full-detail OSM extract (default: Rutland, 2018)")
    parser.add_argument("--destinations", type=Path,
                        help="CSV name,easting,northing (default: Oakham and Uppingham)")
    parser.add_argument("--defaults-before", action="store_true",
                        help="use the routing parameters and speeds before calibration")
    parser.add_argument("--grid", action="store_true",
                        help="search detour factor, access speeds and k on the full-detail comparison")
    parser.add_argument("--primary", metavar="URBAN,RURAL",
                        help="try these A-road (primary) speeds in km/h, e.g. 40,80")
    parser.add_argument("--local-authority", metavar="NAME",
                        help="keep only this authority's LSOAs as origins (default: Rutland for the "
                             "Rutland extract, else every LSOA inside the extract's road network)")
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    if args.destinations is not None:
        t = pd.read_csv(args.destinations)
        destinations = {str(r["name"]): (float(r["easting"]), float(r["northing"]))
                        for _, r in t.iterrows()}
    else:
        destinations = RUTLAND_TOWNS
    if args.primary is not None:
        u, r = (float(v) for v in args.primary.split(","))
        speeds_table = dict(BEFORE_SPEEDS if args.defaults_before else SpeedModel().speeds_kmh)
        speeds_table["primary"] = (u, r)
    if args.defaults_before:
        params, speeds = BEFORE_PARAMS, _speed_model(BEFORE_SPEEDS)
        label = "before calibration"
    else:
        params, speeds = routing.RoutingParams(), SpeedModel()
        label = "defaults of this version"
    if args.primary is not None:
        speeds = _speed_model(speeds_table)
        label += f", primary (A road) speeds {args.primary} km/h"
    areas = defaults.load_default_areas()
    la = args.local_authority if args.local_authority is not None else (
        "Rutland" if args.osm == RUTLAND_PBF else "")
    inside, full = full_detail_minutes(args.osm, destinations, areas, local_authority=la or None)
    urban = inside[S.URBAN_RURAL].eq("Urban").to_numpy()
    graph = pipeline.load_default_network(cache_dir=args.cache_dir, speed_model=speeds)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 90)
    print(f"# {label}: {params!r}")
    print(f"# speeds: motorway {speeds.speeds_kmh['motorway']}, primary {speeds.speeds_kmh['primary']}"
          " (urban, rural km/h)\n")
    if args.grid:
        rows = []
        for detour, urb, rur, k in itertools.product((1.2, 1.3, 1.4), (24, 30, 36, 42, 48),
                                                      (40, 50, 60, 70), (4, 8, 16, 24)):
            p = replace(params, detour_factor=detour, access_speed_urban_kmh=float(urb),
                        access_speed_rural_kmh=float(rur), k_nearest=k)
            err = strategic_minutes(graph, inside, destinations, p) - full
            rows.append((detour, urb, rur, k, err.mean(), np.abs(err).mean(),
                         np.quantile(np.abs(err), 0.9)))
        grid = pd.DataFrame(rows, columns=["detour", "urban km/h", "rural km/h", "k", "bias",
                                           "MAE", "p90"]).sort_values("MAE")
        print("## Grid over access-leg parameters (best 15 by MAE)\n")
        print(grid.head(15).round(2).to_string(index=False))
        print()
    model = strategic_minutes(graph, inside, destinations, params)
    print(f"## Full detail: {len(inside)} LSOA centroids to the nearer of "
          f"{', '.join(destinations)} ({args.osm.name})\n")
    print(error_table(model, full, urban).to_string(index=False))
    print("\n## Strategic network speeds by class against published averages\n")
    print(class_speed_table(graph).to_string(index=False))
    journeys = long_journey_table(graph, params)
    print("\n## Long journeys\n")
    print(journeys.to_string(index=False))
    print()
    print(group_bias(journeys).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
