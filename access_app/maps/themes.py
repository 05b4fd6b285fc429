"""Colourings of the area layer: the map's own theme plus context layers.

A :class:`Theme` is one colouring of the same areas (class per area, colours, legend). The
first theme of a map is its subject (travel time, change, catchments, drive time); the
context themes :func:`imd_theme`, :func:`urban_rural_theme` and :func:`density_theme` are
offered beside it in the layer control (one is shown at a time, so the 32,844 areas are
drawn once and only recoloured). :func:`context_themes` picks those the data allow.

Class limits of the context layers
----------------------------------
IMD decile
    The ten deciles of the English Indices of Deprivation 2019 (MHCLG), 1 = most deprived;
    ColorBrewer RdBu, most deprived dark red.
Urban/rural
    The two-way split of the ONS 2011 rural-urban classification (``urban_rural``).
Population density
    People per km² of the area's shape (approximate shapes for the embedded data), classes
    up to 100, 500, 2,000, 5,000, 10,000 and above; ColorBrewer YlOrBr. These limits are
    display classes only (rural LSOAs mostly fall below 500, urban ones above 2,000).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from access_app.core import schema

from .classify import NO_VALUE_COLOUR, LegendClass, classify_travel_time

IMD_COLOURS: tuple[str, ...] = (
    "#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7",
    "#d1e5f0", "#92c5de", "#4393c3", "#2166ac", "#053061",
)
URBAN_RURAL_COLOURS: tuple[str, ...] = ("#6a51a3", "#74c476")
DENSITY_BREAKS: tuple[float, ...] = (100.0, 500.0, 2000.0, 5000.0, 10000.0)
DENSITY_COLOURS: tuple[str, ...] = (
    "#ffffd4", "#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404",
)


@dataclass(frozen=True)
class Theme:
    """One colouring of the area layer.

    Attributes
    ----------
    key
        Short identifier (``"travel"``, ``"imd"`` ...).
    name
        Label in the layer control.
    cls
        Class index per area (-1 = no value).
    colours
        Colour per class.
    legend
        Legend body HTML (already escaped).
    no_value
        Colour of areas without a class.
    """

    key: str
    name: str
    cls: np.ndarray
    colours: tuple[str, ...]
    legend: str
    no_value: str = NO_VALUE_COLOUR

    def to_json(self) -> dict[str, Any]:
        """Return the theme as the JSON the page's runtime reads."""
        from .markup import esc

        return {"name": esc(self.name), "cls": np.asarray(self.cls, dtype=int).tolist(),
                "colours": list(self.colours), "noValue": self.no_value,
                "legend": self.legend}


def _legend(title: str, entries: Sequence[LegendClass], note: str, extra: str) -> str:
    from .markup import legend_html

    return legend_html(title, entries, note=note) + extra


def imd_theme(areas: pd.DataFrame, *, extra_legend: str = "") -> Theme | None:
    """Return the IMD decile theme, or ``None`` without an ``imd_decile`` column."""
    if schema.IMD_DECILE not in areas.columns:
        return None
    dec = pd.to_numeric(areas[schema.IMD_DECILE], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(dec) & (dec >= 1) & (dec <= 10)
    cls = np.where(ok, np.nan_to_num(dec, nan=1.0) - 1, -1).astype(int)
    labels = [f"{k}" + (" (most deprived)" if k == 1 else " (least deprived)" if k == 10 else "")
              for k in range(1, 11)]
    entries = [LegendClass(c, lab) for c, lab in zip(IMD_COLOURS, labels, strict=True)]
    return Theme("imd", "IMD 2019 decile", cls, IMD_COLOURS, _legend(
        "IMD 2019 decile", entries, "English Indices of Deprivation 2019 (MHCLG), by LSOA.",
        extra_legend))


def urban_rural_theme(areas: pd.DataFrame, *, extra_legend: str = "") -> Theme | None:
    """Return the urban/rural theme, or ``None`` without an ``urban_rural`` column."""
    if schema.URBAN_RURAL not in areas.columns:
        return None
    v = areas[schema.URBAN_RURAL].astype(str).str.strip().str.lower().to_numpy()
    cls = np.select([v == "urban", v == "rural"], [0, 1], default=-1)
    entries = [LegendClass(URBAN_RURAL_COLOURS[0], "urban"),
               LegendClass(URBAN_RURAL_COLOURS[1], "rural")]
    return Theme("urban_rural", "Urban/rural", cls, URBAN_RURAL_COLOURS, _legend(
        "Urban/rural", entries, "ONS rural-urban classification 2011, two-way split.",
        extra_legend))


def density_theme(areas: pd.DataFrame, area_km2: np.ndarray | None, *,
                  extra_legend: str = "") -> Theme | None:
    """Return the population density theme (people per km² of each shape), or ``None``.

    ``None`` when there is no ``population`` column or no shape areas (points only).
    """
    if schema.POPULATION not in areas.columns or area_km2 is None:
        return None
    km2 = np.asarray(area_km2, dtype=float)
    if not np.isfinite(km2).any():
        return None
    pop = pd.to_numeric(areas[schema.POPULATION], errors="coerce").to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        dens = np.where(km2 > 0, pop / km2, np.nan)
    cls = classify_travel_time(dens, breaks=DENSITY_BREAKS)  # same "upper limit in" rule
    b = DENSITY_BREAKS
    labels = [f"up to {b[0]:,.0f}"] + [f"{lo:,.0f}\u2013{hi:,.0f}" for lo, hi in
                                       zip(b[:-1], b[1:], strict=True)] + [f"over {b[-1]:,.0f}"]
    entries = [LegendClass(c, lab) for c, lab in zip(DENSITY_COLOURS, labels, strict=True)]
    return Theme("density", "Population density", cls, DENSITY_COLOURS, _legend(
        "People per km\u00b2", entries,
        "Population (ONS mid-2019) over the area of the shape drawn.", extra_legend))


def context_themes(areas: pd.DataFrame, *, area_km2: np.ndarray | None,
                   keys: Sequence[str] = ("imd", "urban_rural", "density"),
                   extra_legend: str = "") -> list[Theme]:
    """Return the context themes named in ``keys`` that the areas' columns allow."""
    makers: Mapping[str, Any] = {
        "imd": lambda: imd_theme(areas, extra_legend=extra_legend),
        "urban_rural": lambda: urban_rural_theme(areas, extra_legend=extra_legend),
        "density": lambda: density_theme(areas, area_km2, extra_legend=extra_legend),
    }
    unknown = [k for k in keys if k not in makers]
    if unknown:
        raise ValueError(f"Unknown context layers {unknown}; choose from {sorted(makers)}.")
    out = [makers[k]() for k in keys]
    return [t for t in out if t is not None]
