"""Class breaks, colours and legend labels for the maps.

Travel time (sequential)
    Breaks 30, 45, 60, 90 minutes give five classes. Every class **includes its upper
    limit**, so "within 45 minutes" (the NRAG guideline) is exactly the first two classes:

    ====== ================ =====================
    class  minutes          example values
    ====== ================ =====================
    0      t <= 30          0, 29.9, 30.0
    1      30 < t <= 45     30.01, 45.0
    2      45 < t <= 60     45.01, 60.0
    3      60 < t <= 90     60.01, 90.0
    4      t > 90           90.01, 240
    -1     unreachable      inf, NaN
    ====== ================ =====================

    Colours: viridis sampled at five points, short journeys yellow, long ones dark purple
    (perceptually ordered and readable with the common colour-vision deficiencies).

    Tooltips show minutes to 0.1, rounded away from zero (45.01 shows as 45.1), so the
    number shown always falls in the class of the colour; classes use the exact values,
    like the equity tables' "within 45 minutes" counts.

Change against a baseline (diverging)
    Symmetric breaks at +-5, +-15, +-30 minutes give seven classes, classified on the size
    of the change with upper limits included, so -5 and +5 both count as "no real change":

    ====== ===================== ==============
    class  change (minutes)      example values
    ====== ===================== ==============
    0      d < -30               -45
    1      -30 <= d < -15        -30.0, -15.01
    2      -15 <= d < -5         -15.0, -5.01
    3      -5 <= d <= 5          -5.0, 0, 5.0
    4      5 < d <= 15           5.01, 15.0
    5      15 < d <= 30          15.01, 30.0
    6      d > 30                30.01
    -1     no value              NaN, +-inf
    ====== ===================== ==============

    Colours: ColorBrewer RdBu (colour-blind safe), fewer minutes blue, more minutes red,
    the middle class light grey so it stays visible on the pale basemap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Upper limits (minutes) of the travel-time classes; the last class is open-ended.
TRAVEL_TIME_BREAKS: tuple[float, ...] = (30.0, 45.0, 60.0, 90.0)
#: viridis at 1, 0.75, 0.5, 0.25, 0 (short journeys light, long ones dark).
TRAVEL_TIME_COLOURS: tuple[str, ...] = ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154")
#: Positive half of the symmetric change breaks (minutes).
CHANGE_BREAKS: tuple[float, ...] = (5.0, 15.0, 30.0)
#: ColorBrewer RdBu (9-class) without its palest pair; middle replaced by light grey.
CHANGE_COLOURS: tuple[str, ...] = (
    "#2166ac", "#4393c3", "#92c5de", "#d9d9d9", "#f4a582", "#d6604d", "#b2182b",
)
#: Colour of areas with no value (unreachable, or no change computable).
NO_VALUE_COLOUR = "#8c8c8c"
#: Categorical colours for catchments (Okabe-Ito plus darker/lighter companions).
CATEGORY_COLOURS: tuple[str, ...] = (
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00",
    "#f0e442", "#882255", "#44aa99", "#999933", "#aa4499", "#332288",
)


@dataclass(frozen=True)
class LegendClass:
    """One legend entry: a colour and its label."""

    colour: str
    label: str


def _check_breaks(breaks: Sequence[float], what: str) -> np.ndarray:
    arr = np.asarray(breaks, dtype=float)
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} must be a non-empty list of finite numbers, got {breaks!r}")
    if np.any(np.diff(arr) <= 0):
        raise ValueError(f"{what} must be strictly increasing, got {breaks!r}")
    return arr


def classify_travel_time(
    minutes: npt.ArrayLike, *, breaks: Sequence[float] = TRAVEL_TIME_BREAKS
) -> np.ndarray:
    """Return the class index of each travel time, upper limits included.

    Parameters
    ----------
    minutes
        Travel times; ``inf`` or ``NaN`` mean unreachable.
    breaks
        Strictly increasing upper limits; ``len(breaks) + 1`` classes.

    Returns
    -------
    numpy.ndarray
        ``int8`` class per value: 0 for ``t <= breaks[0]``, ``k`` for
        ``breaks[k-1] < t <= breaks[k]``, ``len(breaks)`` above the last break and
        -1 for unreachable.
    """
    b = _check_breaks(breaks, "Travel-time breaks")
    t = np.asarray(minutes, dtype=float)
    out = np.searchsorted(b, t, side="left").astype(np.int8)
    out[~np.isfinite(t)] = -1
    return out


def classify_change(
    change: npt.ArrayLike, *, breaks: Sequence[float] = CHANGE_BREAKS
) -> np.ndarray:
    """Return the diverging class index of each change, symmetric about zero.

    Parameters
    ----------
    change
        Change in minutes (positive = longer journey); non-finite values have no class.
    breaks
        Strictly increasing positive limits of the size of the change; the middle class
        is ``|d| <= breaks[0]``.

    Returns
    -------
    numpy.ndarray
        ``int8`` class per value from 0 (largest decrease) to ``2 * len(breaks)``
        (largest increase), ``len(breaks)`` for no real change and -1 for no value.
    """
    b = _check_breaks(breaks, "Change breaks")
    if b[0] <= 0:
        raise ValueError(f"Change breaks must be positive, got {breaks!r}")
    d = np.asarray(change, dtype=float)
    finite = np.isfinite(d)
    size = np.searchsorted(b, np.abs(np.where(finite, d, 0.0)), side="left")
    out = (len(b) + np.sign(d, where=finite, out=np.zeros_like(d)) * size).astype(np.int8)
    out[~finite] = -1
    return out


def _fmt(x: float) -> str:
    return f"{x:g}"


def travel_time_legend(
    *, breaks: Sequence[float] = TRAVEL_TIME_BREAKS,
    colours: Sequence[str] = TRAVEL_TIME_COLOURS,
) -> list[LegendClass]:
    """Return the legend entries of the travel-time classes, then the unreachable entry."""
    b = _check_breaks(breaks, "Travel-time breaks")
    if len(colours) != len(b) + 1:
        raise ValueError(f"Need {len(b) + 1} colours for {len(b)} breaks, got {len(colours)}")
    labels = [f"up to {_fmt(b[0])} min"]
    labels += [f"{_fmt(lo)}\u2013{_fmt(hi)} min" for lo, hi in zip(b[:-1], b[1:], strict=True)]
    labels.append(f"over {_fmt(b[-1])} min")
    entries = [LegendClass(c, lab) for c, lab in zip(colours, labels, strict=True)]
    entries.append(LegendClass(NO_VALUE_COLOUR, "unreachable"))
    return entries


def change_legend(
    *, breaks: Sequence[float] = CHANGE_BREAKS, colours: Sequence[str] = CHANGE_COLOURS
) -> list[LegendClass]:
    """Return the legend entries of the change classes (most fewer minutes first)."""
    b = _check_breaks(breaks, "Change breaks")
    n = len(b)
    if len(colours) != 2 * n + 1:
        raise ValueError(f"Need {2 * n + 1} colours for {n} change breaks, got {len(colours)}")
    fewer = [f"over {_fmt(b[-1])} min shorter"]
    fewer += [
        f"{_fmt(lo)}\u2013{_fmt(hi)} min shorter"
        for lo, hi in zip(b[-2::-1], b[:0:-1], strict=True)
    ]
    more = [f"{_fmt(lo)}\u2013{_fmt(hi)} min longer" for lo, hi in zip(b[:-1], b[1:], strict=True)]
    more.append(f"over {_fmt(b[-1])} min longer")
    labels = [*fewer, f"within \u00b1{_fmt(b[0])} min", *more]
    entries = [LegendClass(c, lab) for c, lab in zip(colours, labels, strict=True)]
    entries.append(LegendClass(NO_VALUE_COLOUR, "no value (unreachable)"))
    return entries


def site_radius(linacs: npt.ArrayLike, *, scale: float = 2.5, minimum: float = 3.5) -> np.ndarray:
    """Return marker radii in pixels with area proportional to the linac count.

    ``radius = max(minimum, scale * sqrt(linacs))``; missing or non-positive counts get
    ``minimum``.
    """
    n = np.asarray(linacs, dtype=float)
    r = scale * np.sqrt(np.where(np.isfinite(n) & (n > 0), n, 0.0))
    return np.maximum(r, minimum)
