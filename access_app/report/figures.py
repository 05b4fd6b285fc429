"""Static figures for the board report: reach curves and maps, as PNG bytes.

matplotlib is imported inside each function and figures are bare ``Figure`` objects (no
pyplot, no backend switch), so importing this module is cheap, never opens a window and
leaves the desktop app's matplotlib state alone. Colours and classes are the app's map classes
(:mod:`access_app.maps.classify`): travel time up to 30, 30-45, 45-60, 60-90, over 90
minutes (upper limits included) and change classes at +-5, +-15, +-30 minutes.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np

from ..maps import classify

DPI = 120


def _figure(**kwargs: Any) -> Any:
    """Return a new ``matplotlib.figure.Figure``: no pyplot, no global backend switch.

    A bare ``Figure`` renders with Agg when saved, so the report can be drawn on a worker
    thread of the desktop app without touching the GUI's matplotlib state.
    """
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", facecolor="white")
    return buf.getvalue()


def reach_curves(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]], *, max_minutes: float = 150.0, people: str = "people"
) -> bytes:
    """Return a PNG of the share of demand within x minutes, one line per scenario.

    Parameters
    ----------
    curves
        Scenario name -> (minutes, demand) of the areas on the common base.
    max_minutes
        Right end of the x axis.
    people
        What the demand counts, for the axis label.
    """
    fig = _figure(figsize=(7.0, 3.6))
    ax = fig.subplots()
    x = np.linspace(0, max_minutes, 301)
    styles = ["-", "--", "-.", ":"]
    for i, (name, (minutes, demand)) in enumerate(curves.items()):
        order = np.argsort(minutes, kind="stable")
        m, w = minutes[order], demand[order]
        total = w.sum()
        if total <= 0:
            continue
        cum = np.concatenate([[0.0], np.cumsum(w)]) / total
        y = cum[np.searchsorted(m, x, side="right")]
        ax.plot(x, y * 100, styles[i % len(styles)], lw=2, label=name)
    for t in (45, 60, 90):
        ax.axvline(t, color="#999999", lw=0.8, zorder=0)
        ax.text(t + 1, 3, f"{t} min", color="#666666", fontsize=8)
    ax.set_xlim(0, max_minutes)
    ax.set_ylim(0, 100)
    ax.set_xlabel("one-way car travel time (minutes)")
    ax.set_ylabel(f"share of {people} within (%)")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8, frameon=True)
    return _png(fig)


def _draw_boundaries(ax: Any, boundaries: Sequence[gpd.GeoDataFrame]) -> None:
    for i, b in enumerate(boundaries):
        if b is None or b.empty:
            continue
        b.boundary.plot(
            ax=ax, color="#555555" if i == 0 else "#b0b0b0", linewidth=0.6 if i == 0 else 0.4, zorder=1
        )


def area_maps(
    x: np.ndarray,
    y: np.ndarray,
    panels: Sequence[tuple[str, np.ndarray, np.ndarray | None, np.ndarray | None]],
    *,
    kind: str,
    boundaries: Sequence[gpd.GeoDataFrame] = (),
) -> bytes:
    """Return a PNG of maps side by side with one legend, e.g. baseline and scenario.

    Parameters
    ----------
    x, y
        Area centroids in British National Grid metres.
    panels
        ``(title, values, open sites xy, hubs xy)`` per map.
    kind
        ``"minutes"`` or ``"change"`` (see :func:`area_map`).
    boundaries
        Outline first, then inner boundaries.
    """
    fig = _figure(figsize=(4.6 * len(panels), 6.0))
    axes = fig.subplots(1, len(panels))
    axes = np.atleast_1d(axes)
    handles: list[Any] = []
    for ax, (title, values, sites_xy, hubs_xy) in zip(axes, panels, strict=True):
        handles = _draw_map(
            ax, x, y, values, kind=kind, boundaries=boundaries, sites_xy=sites_xy, hubs_xy=hubs_xy
        )
        ax.set_title(title, fontsize=10)
    # one legend below the maps, outside the land
    fig.legend(
        handles=handles,
        title=_LEGEND_TITLES[kind],
        loc="upper center",
        bbox_to_anchor=(0.5, 0.06),
        ncol=5,
        fontsize=8,
        title_fontsize=8,
        frameon=False,
    )
    fig.subplots_adjust(wspace=0.0, left=0.0, right=1.0, top=0.95, bottom=0.06)
    return _png(fig)


_LEGEND_TITLES = {"minutes": "one-way minutes", "change": "change in minutes"}


def _draw_map(
    ax: Any,
    x: np.ndarray,
    y: np.ndarray,
    values: np.ndarray,
    *,
    kind: str,
    boundaries: Sequence[gpd.GeoDataFrame],
    sites_xy: np.ndarray | None,
    hubs_xy: np.ndarray | None,
) -> list[Any]:
    from matplotlib.lines import Line2D

    if kind == "minutes":
        cls = classify.classify_travel_time(values)
        legend = classify.travel_time_legend()
        colours = list(classify.TRAVEL_TIME_COLOURS)
    elif kind == "change":
        cls = classify.classify_change(values)
        legend = classify.change_legend()
        colours = list(classify.CHANGE_COLOURS)
    else:
        raise ValueError(f"kind must be 'minutes' or 'change', not {kind!r}")
    _draw_boundaries(ax, boundaries)
    palette = np.array([*colours, classify.NO_VALUE_COLOUR])
    col = palette[np.where(cls < 0, len(colours), cls)]
    # long journeys (or large changes) on top, so the many short ones do not hide them
    key = (
        np.where(cls < 0, -1, cls) if kind == "minutes" else np.abs(np.nan_to_num(values, posinf=0, neginf=0))
    )
    order = np.argsort(key, kind="stable")
    ax.scatter(x[order], y[order], c=col[order], s=1.2, linewidths=0, zorder=2, rasterized=True)
    if sites_xy is not None and len(sites_xy):
        ax.scatter(
            sites_xy[:, 0],
            sites_xy[:, 1],
            s=22,
            marker="o",
            facecolor="white",
            edgecolor="black",
            linewidths=1.0,
            zorder=4,
        )
    if hubs_xy is not None and len(hubs_xy):
        ax.scatter(
            hubs_xy[:, 0],
            hubs_xy[:, 1],
            s=60,
            marker="o",
            facecolor="none",
            edgecolor="#c2006b",
            linewidths=1.8,
            zorder=5,
        )
    handles = [
        Line2D(
            [],
            [],
            marker="s",
            ls="",
            markersize=8,
            markerfacecolor=e.colour,
            markeredgecolor="none",
            label=e.label,
        )
        for e in legend
    ]
    if sites_xy is not None and len(sites_xy):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                markersize=6,
                markerfacecolor="white",
                markeredgecolor="black",
                label="open site",
            )
        )
    if hubs_xy is not None and len(hubs_xy):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                markersize=8,
                markerfacecolor="none",
                markeredgecolor="#c2006b",
                markeredgewidth=1.8,
                label="hub",
            )
        )
    ax.set_aspect("equal")
    ax.set_axis_off()
    return handles


def area_map(
    x: np.ndarray,
    y: np.ndarray,
    values: np.ndarray,
    *,
    kind: str,
    title: str,
    boundaries: Sequence[gpd.GeoDataFrame] = (),
    sites_xy: np.ndarray | None = None,
    hubs_xy: np.ndarray | None = None,
) -> bytes:
    """Return a PNG map of area centroids coloured by travel time or by change.

    Parameters
    ----------
    x, y
        Area centroids in a metric CRS (British National Grid).
    values
        Minutes (``kind="minutes"``) or change in minutes (``kind="change"``); NaN/inf =
        no value (unreachable).
    kind
        ``"minutes"`` or ``"change"``.
    title
        Title above the map.
    boundaries
        Outline first, then inner boundaries, in the same CRS.
    sites_xy, hubs_xy
        Open sites and hubs to mark.
    """
    fig = _figure(figsize=(6.2, 6.2))
    ax = fig.subplots()
    handles = _draw_map(
        ax, x, y, values, kind=kind, boundaries=boundaries, sites_xy=sites_xy, hubs_xy=hubs_xy
    )
    # the legend sits outside the map frame, so it never covers land
    ax.legend(
        handles=handles,
        title=_LEGEND_TITLES.get(kind, ""),
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        title_fontsize=8,
        frameon=False,
    )
    ax.set_title(title, fontsize=10)
    return _png(fig)
