"""Matplotlib charts in Qt: reach curves, mean minutes by deprivation, change in minutes.

The charts only draw what the scenario results hold (minutes and demand per area); every
saved chart carries the data attribution in its footer.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from matplotlib.figure import Figure
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from access_app.core.scenarios import ScenarioResult

THRESHOLDS = (30, 45, 60, 90)
COLOURS = ("#1b6ca8", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d")


def reach_curve(result: ScenarioResult, *, step: float = 1.0,
                upto: float = 180.0) -> tuple[np.ndarray, np.ndarray]:
    """Return minutes and the share of reachable demand (0..1) within each, for one scenario.

    Shares are of *reachable* demand, as in the equity tables (:mod:`access_app.core.tables`).
    """
    x = np.arange(0.0, upto + step, step)
    ok = np.isfinite(result.minutes)
    total = float(result.demand[ok].sum())
    if total <= 0:
        return x, np.zeros_like(x)
    order = np.argsort(result.minutes[ok], kind="stable")
    mins = result.minutes[ok][order]
    cum = np.concatenate([[0.0], np.cumsum(result.demand[ok][order])])
    return x, cum[np.searchsorted(mins, x, side="right")] / total


def mean_by_group(result: ScenarioResult, groups: np.ndarray,
                  levels: Sequence[int]) -> np.ndarray:
    """Return the demand-weighted mean minutes of reachable areas in each group level."""
    ok = np.isfinite(result.minutes)
    out = np.full(len(levels), np.nan)
    for i, level in enumerate(levels):
        sel = ok & (groups == level)
        w = result.demand[sel]
        if w.sum() > 0:
            out[i] = float(np.average(result.minutes[sel], weights=w))
    return out


class ChartCanvas(FigureCanvasQTAgg):
    """One matplotlib figure in a Qt widget."""

    def __init__(self, parent: QWidget | None = None) -> None:
        self.figure = Figure(figsize=(7, 4), layout="constrained")
        super().__init__(self.figure)
        self.setParent(parent)
        self.ax = self.figure.add_subplot(111)
        self.attribution = ""
        self._stale_hidden = False

    def draw_idle(self) -> None:
        """Draw soon if the chart is on screen; otherwise draw when it is next shown.

        A redraw of a constrained-layout figure takes 0.1-0.3 s of the GUI thread; charts
        on a tab nobody looks at should not delay the maps and tables.
        """
        if not self.isVisible():
            self._stale_hidden = True
            return
        super().draw_idle()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Draw what changed while the chart was hidden."""
        super().showEvent(event)
        if self._stale_hidden:
            self._stale_hidden = False
            super().draw_idle()

    def draw(self) -> None:
        """Draw, without warning when the hidden canvas has no size yet."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="constrained_layout not applied")
            super().draw()

    def save(self, path: str | Path) -> Path:
        """Save the chart as PNG or SVG (by suffix) with the attribution in its footer."""
        path = Path(path)
        note = self.figure.text(0.01, 0.002, self.attribution, fontsize=6, color="#555",
                                va="bottom", wrap=True)
        try:
            self.figure.savefig(path, dpi=150)
        finally:
            note.remove()
            self.draw_idle()
        return path


class ChartsWidget(QTabWidget):
    """Three tabs of charts comparing the scenarios."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reach = ChartCanvas(self)
        self.deciles = ChartCanvas(self)
        self.change = ChartCanvas(self)
        for canvas, title, tip in (
            (self.reach, "Reach", "Share of demand within x minutes, per scenario"),
            (self.deciles, "By deprivation",
             "Mean one-way minutes by IMD decile (1 = most deprived), per scenario"),
            (self.change, "Change",
             "Distribution of the change in minutes of each scenario against the baseline, "
             "weighted by demand"),
        ):
            holder = QWidget()
            lay = QVBoxLayout(holder)
            lay.setContentsMargins(0, 0, 0, 0)
            lay.addWidget(canvas)
            canvas.setToolTip(tip)
            self.addTab(holder, title)
            self.setTabToolTip(self.count() - 1, tip)

    def canvases(self) -> dict[str, ChartCanvas]:
        """Return the charts by short name (used for file names on export)."""
        return {"reach": self.reach, "by_imd_decile": self.deciles, "change": self.change}

    def set_attribution(self, text: str) -> None:
        """Set the footer every saved chart carries."""
        for c in self.canvases().values():
            c.attribution = text

    def plot(
        self,
        results: Sequence[ScenarioResult],
        *,
        imd_decile: np.ndarray | None,
        baseline: ScenarioResult | None,
        bands: pd.DataFrame | None = None,
    ) -> None:
        """Redraw every chart from scenario results (changes are against ``baseline``).

        ``bands`` (scenario, minutes, p5, p95; shares 0..1, as from
        :func:`access_app.core.sweep.results.reach_bands`) shades each scenario's 5-95%
        reach band over a sensitivity sweep's draws.
        """
        self._plot_reach(results, bands)
        self._plot_deciles(results, imd_decile)
        self._plot_change(results, baseline)

    def _plot_reach(self, results: Sequence[ScenarioResult],
                    bands: pd.DataFrame | None = None) -> None:
        ax = self.reach.ax
        ax.clear()
        banded = False
        for i, res in enumerate(results):
            x, share = reach_curve(res)
            colour = COLOURS[i % len(COLOURS)]
            ax.plot(x, share * 100, color=colour, label=res.scenario.name)
            band = None if bands is None else bands[bands["scenario"] == res.scenario.name]
            if band is not None and len(band) and band[["p5", "p95"]].notna().all().all():
                ax.fill_between(band["minutes"].to_numpy(dtype=float), band["p5"].to_numpy(dtype=float) * 100,
                                band["p95"].to_numpy(dtype=float) * 100, color=colour, alpha=0.18, lw=0)
                banded = True
        for t in THRESHOLDS:
            ax.axvline(t, color="#999", lw=0.7, ls="--")
        ax.set_xlabel("One-way car travel time (minutes)")
        ax.set_ylabel("Share of reachable demand within (%)")
        ax.set_title("Share of demand within x minutes"
                     + (" (shaded: 5–95% of the sweep's draws)" if banded else ""))
        ax.set_xlim(0, 180)
        ax.set_ylim(0, 100)
        if results:
            ax.legend(loc="lower right", fontsize=8)
        ax.grid(alpha=0.3)
        self.reach.draw_idle()

    def _plot_deciles(self, results: Sequence[ScenarioResult],
                      imd_decile: np.ndarray | None) -> None:
        ax = self.deciles.ax
        ax.clear()
        if imd_decile is None or not results:
            ax.text(0.5, 0.5, "No IMD decile in the areas table", ha="center",
                    transform=ax.transAxes)
            self.deciles.draw_idle()
            return
        levels = list(range(1, 11))
        groups = np.asarray(imd_decile, dtype=float)
        width = 0.8 / len(results)
        top = 45.0
        for i, res in enumerate(results):
            means = mean_by_group(res, groups, levels)
            xs = np.array(levels) - 0.4 + width * (i + 0.5)
            ax.bar(xs, means, width=width, color=COLOURS[i % len(COLOURS)],
                   label=res.scenario.name)
            if np.isfinite(means).any():
                top = max(top, float(np.nanmax(means)))
        ax.set_ylim(0, top * 1.3)  # room for the legend above the bars
        ax.axhline(45, color="#b00020", lw=0.8, ls="--", label="45 min (NRAG guideline)")
        ax.set_xticks(levels)
        ax.set_xlabel("IMD decile (1 = most deprived)")
        ax.set_ylabel("Mean one-way minutes")
        ax.set_title("Mean travel time by deprivation decile")
        ax.legend(fontsize=8, loc="upper center", ncols=3, frameon=False)
        ax.grid(axis="y", alpha=0.3)
        self.deciles.draw_idle()

    def _plot_change(self, results: Sequence[ScenarioResult],
                     baseline: ScenarioResult | None) -> None:
        ax = self.change.ax
        ax.clear()
        others = [r for r in results if baseline is not None
                  and r.scenario.name != baseline.scenario.name]
        deltas = []
        for res in others:
            d = res.minutes - baseline.minutes
            ok = np.isfinite(d)
            deltas.append((res, d[ok], res.demand[ok]))
        if not deltas or not any(len(d) for _, d, _ in deltas):
            ax.text(0.5, 0.5, "Add a scenario to compare with the baseline", ha="center",
                    transform=ax.transAxes)
            self.change.draw_idle()
            return
        values = np.concatenate([d for _, d, _ in deltas])
        lo, hi = float(np.floor(values.min())), float(np.ceil(values.max()))
        if hi - lo < 2:
            lo, hi = lo - 1, hi + 1
        bins = np.linspace(lo, hi, 61)
        for res, d, w in deltas:
            colour = COLOURS[(results.index(res)) % len(COLOURS)]
            ax.hist(d, bins=bins, weights=w / 1000.0, histtype="step", lw=1.6, color=colour,
                    label=res.scenario.name)
        ax.axvline(0, color="#333", lw=0.8)
        ax.set_yscale("log")
        ax.set_xlabel(f"Change in one-way minutes against {baseline.scenario.name} "
                      "(positive = longer journey)")
        ax.set_ylabel("Demand (thousands, log scale)")
        ax.set_title("Distribution of the change in travel time")
        ax.legend(fontsize=8, loc="upper right")
        ax.grid(alpha=0.3)
        self.change.draw_idle()
