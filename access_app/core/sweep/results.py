"""Summaries of a sweep: intervals, conclusion shares, tornado data, charts and files.

- :func:`summary_table`: per scenario and measure, and per difference "scenario minus
  baseline" (computed draw by draw), the median and the 5% and 95% points of the draws
  (``numpy.quantile``, linear interpolation), the mean, the number of draws and the value
  in the base case (one-at-a-time runs).
- :func:`conclusion_table`: the share of draws in which each conclusion holds
  (:mod:`.conclusions`); draws that failed are left out of both counts.
- :func:`tornado_table`: which parameter moves a chosen measure most. One-at-a-time: the
  measure at each parameter's low and high value, the others at base, sorted by the swing
  ``|high - low|``. Monte Carlo: the mean of the measure over the draws whose parameter
  value is in its lowest fifth and in its highest fifth (for a network parameter: its base
  network against the others), sorted the same way.
- :func:`reach_bands`: the share of demand within 0, 10, ... 180 minutes per scenario,
  median and 5-95% band over the draws (for reach curves with bands).
- :func:`plot_tornado`, :func:`plot_intervals`, :func:`plot_reach`: matplotlib charts (Agg backend, imported
  only when called), PNG or SVG by the file suffix.
- :func:`write_outputs`: every table as CSV and one workbook, plus the two charts.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..atomic import atomic_write
from ..errors import ExportError
from .conclusions import evaluate, parse_expression
from .run import SweepRun
from .tasks import MEASURE_LABELS, MEASURES, REACH_COLUMNS, REACH_MINUTES

log = logging.getLogger(__name__)

QUANTILES = (0.05, 0.5, 0.95)


def _by_draw(run: SweepRun, scenario: str, measure: str) -> pd.Series:
    r = run.results
    sel = r[r["scenario"] == scenario]
    return pd.Series(sel[measure].to_numpy(dtype=float), index=sel["draw"].to_numpy())


def _complete_draws(run: SweepRun) -> np.ndarray:
    counts = run.results.groupby("draw")["scenario"].nunique()
    return np.sort(counts.index[counts == len(run.scenario_names)].to_numpy())


def _stats(values: np.ndarray) -> dict[str, float]:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return {"n": 0, "median": np.nan, "p5": np.nan, "p95": np.nan, "mean": np.nan, "min": np.nan,
                "max": np.nan}
    p5, med, p95 = np.quantile(finite, QUANTILES)
    return {"n": int(finite.size), "median": float(med), "p5": float(p5), "p95": float(p95),
            "mean": float(finite.mean()), "min": float(finite.min()), "max": float(finite.max())}


def _base_draws(run: SweepRun) -> np.ndarray:
    return run.parameters.loc[run.parameters["case"] == "base", "draw"].to_numpy()


def summary_table(run: SweepRun, *, measures: Sequence[str] = MEASURES) -> pd.DataFrame:
    """Return the interval table: kind, scenario, measure, n, median, p5, p95, mean, min, max, base."""
    draws = _complete_draws(run)
    base = _base_draws(run)
    rows: list[dict[str, Any]] = []
    for m in measures:
        series = {s: _by_draw(run, s, m).reindex(draws) for s in run.scenario_names}
        for s in run.scenario_names:
            v = series[s]
            rows.append({"kind": "scenario", "scenario": s, "measure": m, **_stats(v.to_numpy()),
                         "base": float(v.loc[base[0]]) if len(base) and base[0] in v.index else np.nan})
        for s in run.scenario_names:
            if s == run.baseline:
                continue
            d = series[s] - series[run.baseline]
            rows.append({"kind": "difference", "scenario": f"{s} - {run.baseline}", "measure": m,
                         **_stats(d.to_numpy()),
                         "base": float(d.loc[base[0]]) if len(base) and base[0] in d.index else np.nan})
    columns = ["kind", "scenario", "measure", "n", "median", "p5", "p95", "mean", "min", "max", "base"]
    return pd.DataFrame(rows, columns=columns)


def reach_bands(run: SweepRun) -> pd.DataFrame:
    """Return the reach curve's median and 5-95% band per scenario and minute.

    Columns: scenario, minutes, median, p5, p95, base (share of reachable demand within
    ``minutes``; ``base`` is the base case of a one-at-a-time run).
    """
    draws = _complete_draws(run)
    base = _base_draws(run)
    rows = []
    for s in run.scenario_names:
        for t, col in zip(REACH_MINUTES, REACH_COLUMNS, strict=True):
            v = _by_draw(run, s, col).reindex(draws)
            st = _stats(v.to_numpy())
            b = float(v.loc[base[0]]) if len(base) and base[0] in v.index else np.nan
            rows.append({"scenario": s, "minutes": t, "median": st["median"], "p5": st["p5"],
                         "p95": st["p95"], "base": b})
    return pd.DataFrame(rows, columns=["scenario", "minutes", "median", "p5", "p95", "base"])


def plot_reach(bands: pd.DataFrame, path: str | Path) -> Path:
    """Draw each scenario's reach curve (median) with its 5-95% band to a PNG or SVG file."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    try:
        for s, g in bands.groupby("scenario", sort=False):
            line = ax.plot(g["minutes"], g["median"] * 100, label=str(s))[0]
            ax.fill_between(g["minutes"], g["p5"] * 100, g["p95"] * 100, color=line.get_color(), alpha=0.2)
        ax.set_xlabel("one-way minutes")
        ax.set_ylabel("% of reachable demand within")
        ax.set_title("Reach: median and 5-95% of draws")
        ax.set_ylim(0, 100)
        ax.legend(fontsize=8)
        return _save(fig, Path(path))
    finally:
        plt.close(fig)


def conclusion_holds(run: SweepRun, expression: str) -> pd.Series:
    """Return, per completed draw, whether ``expression`` holds (index = draw)."""
    node = parse_expression(expression)
    draws = _complete_draws(run)

    def lookup(scenario: str, measure: str) -> np.ndarray:
        if scenario not in run.scenario_names:
            raise KeyError(f"scenario {scenario!r} is not in the sweep")
        if measure not in MEASURES:
            raise KeyError(f"{measure!r} is not a measure")
        return _by_draw(run, scenario, measure).reindex(draws).to_numpy()

    return pd.Series(np.broadcast_to(evaluate(node, lookup), draws.shape), index=draws)


def conclusion_table(run: SweepRun) -> pd.DataFrame:
    """Return per conclusion of the spec: name, expression, draws, draws where it holds, share."""
    rows = []
    for c in run.spec.conclusions:
        holds = conclusion_holds(run, c.expression)
        n = int(holds.size)
        k = int(holds.sum())
        rows.append({"conclusion": c.name, "expression": c.expression, "draws": n, "holds": k,
                     "share": k / n if n else np.nan})
    return pd.DataFrame(rows, columns=["conclusion", "expression", "draws", "holds", "share"])


def measure_by_draw(run: SweepRun, scenario: str, measure: str, *, difference: bool = False) -> pd.Series:
    """Return a measure of ``scenario`` per completed draw, or its difference from the baseline."""
    draws = _complete_draws(run)
    v = _by_draw(run, scenario, measure).reindex(draws)
    if difference:
        v = v - _by_draw(run, run.baseline, measure).reindex(draws)
    return v


def tornado_table(run: SweepRun, *, scenario: str | None = None, measure: str | None = None,
                  difference: bool | None = None) -> pd.DataFrame:
    """Return tornado data sorted by swing (largest first); see the module docstring.

    Columns: parameter, value_low, value_high (parameter values or group means), measure_low,
    measure_high, base (base case, or the median of all draws), swing.
    """
    spec = run.spec
    scenario = scenario or spec.tornado_scenario or run.scenario_names[-1]
    measure = measure or spec.tornado_measure
    difference = spec.tornado_difference if difference is None else difference
    y = measure_by_draw(run, scenario, measure, difference=difference)
    params = run.parameters.set_index("draw").reindex(y.index)
    rows = []
    if spec.mode == "one_at_a_time":
        by_case = pd.Series(y.to_numpy(), index=params["case"].to_numpy())
        base = float(by_case.get("base", np.nan))
        for p in spec.parameters:
            lo, hi = p.low_high()
            m_lo = float(by_case.get(f"{p.name} low", np.nan))
            m_hi = float(by_case.get(f"{p.name} high", np.nan))
            rows.append({"parameter": p.name, "value_low": lo, "value_high": hi, "measure_low": m_lo,
                         "measure_high": m_hi, "base": base})
    else:
        base = float(np.nanmedian(y.to_numpy())) if y.size else np.nan
        for p in spec.parameters:
            x = params[p.name]
            v_lo: Any
            v_hi: Any
            if p.kind == "network":
                lo_sel, hi_sel = (x == p.base).to_numpy(), (x != p.base).to_numpy()
                v_lo, v_hi = p.base, "other"
            else:
                xv = x.to_numpy(dtype=float)
                if not np.isfinite(xv).any():
                    continue
                q20, q80 = np.nanquantile(xv, [0.2, 0.8])
                lo_sel, hi_sel = xv <= q20, xv >= q80
                if q20 == q80:  # a parameter without spread (fixed) moves nothing
                    lo_sel = hi_sel = np.zeros_like(xv, dtype=bool)
                v_lo = float(np.mean(xv[lo_sel])) if lo_sel.any() else np.nan
                v_hi = float(np.mean(xv[hi_sel])) if hi_sel.any() else np.nan
            yv = y.to_numpy()
            rows.append({"parameter": p.name, "value_low": v_lo, "value_high": v_hi,
                         "measure_low": float(np.nanmean(yv[lo_sel])) if lo_sel.any() else np.nan,
                         "measure_high": float(np.nanmean(yv[hi_sel])) if hi_sel.any() else np.nan,
                         "base": base})
    out = pd.DataFrame(rows, columns=["parameter", "value_low", "value_high", "measure_low", "measure_high",
                                      "base"])
    out["swing"] = (out["measure_high"] - out["measure_low"]).abs()
    out = out.sort_values("swing", ascending=False, kind="stable", na_position="last").reset_index(drop=True)
    out.attrs.update({"scenario": scenario, "measure": measure, "difference": difference,
                      "baseline": run.baseline})
    return out


class _Figures:
    """Make figures without pyplot (no global backend or state).

    Safe in any thread and inside the desktop app, whose own charts use Qt canvases.
    """

    @staticmethod
    def subplots(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        from matplotlib.figure import Figure

        fig = Figure(figsize=kwargs.pop("figsize", None))
        return fig, fig.subplots(*args, **kwargs)

    @staticmethod
    def close(fig: Any) -> None:
        fig.clear()


def _pyplot() -> type[_Figures]:
    return _Figures


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float | int | np.floating) else str(value)


def _save(fig: Any, path: Path) -> Path:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise ExportError(f"{path}: charts are written as .png or .svg.")
    atomic_write(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=150, bbox_inches="tight"))
    return path


def _measure_title(t: pd.DataFrame) -> str:
    what = MEASURE_LABELS.get(t.attrs.get("measure", ""), t.attrs.get("measure", ""))
    scen = t.attrs.get("scenario", "")
    if t.attrs.get("difference"):
        return f"{scen} minus {t.attrs.get('baseline', 'baseline')}: {what}"
    return f"{scen}: {what}"


def plot_tornado(table: pd.DataFrame, path: str | Path, *, top: int = 12) -> Path:
    """Draw the tornado chart of :func:`tornado_table` to a PNG or SVG file."""
    plt = _pyplot()
    t = table.dropna(subset=["swing"]).head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * max(len(t), 1) + 1.4))
    try:
        base = float(table["base"].iloc[0]) if len(table) else 0.0
        ypos = np.arange(len(t))
        ax.barh(ypos, t["measure_low"] - base, left=base, color="#4c78a8", label="parameter low")
        ax.barh(ypos, t["measure_high"] - base, left=base, color="#f58518", label="parameter high")
        ax.axvline(base, color="black", linewidth=0.8)
        pairs = zip(t["parameter"], t["value_low"], t["value_high"], strict=True)
        ax.set_yticks(ypos, [f"{p} ({_short(lo)} / {_short(hi)})" for p, lo, hi in pairs])
        ax.set_xlabel(_measure_title(table))
        ax.set_title("Which assumption moves the result most")
        ax.legend(loc="lower right", fontsize=8)
        return _save(fig, Path(path))
    finally:
        plt.close(fig)


def plot_intervals(summary: pd.DataFrame, path: str | Path, *, measure: str = "mean_min") -> Path:
    """Draw medians with 5-95% intervals of a measure, per scenario and per difference."""
    plt = _pyplot()
    s = summary[summary["measure"] == measure]
    fig, axes = plt.subplots(1, 2, figsize=(10, 0.5 * max(len(s), 2) + 1.5))
    try:
        panels = ((axes[0], "scenario", "Scenarios"), (axes[1], "difference", "Against the baseline"))
        for ax, kind, title in panels:
            k = s[s["kind"] == kind].iloc[::-1]
            ypos = np.arange(len(k))
            ax.errorbar(k["median"], ypos, xerr=[k["median"] - k["p5"], k["p95"] - k["median"]], fmt="o",
                        color="#4c78a8", ecolor="#9ecae9", elinewidth=4, capsize=0)
            ax.set_yticks(ypos, [str(x) for x in k["scenario"]])
            ax.set_ylim(-0.6, max(len(k), 1) - 0.4)
            ax.set_title(title)
            ax.set_xlabel(f"{MEASURE_LABELS.get(measure, measure)} (median, 5-95% of draws)")
            if kind == "difference":
                ax.axvline(0, color="black", linewidth=0.8)
        fig.tight_layout()
        return _save(fig, Path(path))
    finally:
        plt.close(fig)


def draws_table(run: SweepRun) -> pd.DataFrame:
    """Return one row per draw and scenario with the draw's parameter values beside the measures."""
    return run.results.merge(run.parameters.drop(columns="case"), on="draw", how="left")


def write_outputs(run: SweepRun, out_dir: str | Path, *, charts: bool = True) -> list[Path]:
    """Write every sweep table, the workbook and the charts to ``out_dir``.

    Files: ``draws.csv``, ``failures.csv``, ``summary.csv``, ``conclusions.csv``,
    ``tornado.csv``, ``reach.csv``, ``sweep.xlsx`` and (if ``charts``) ``tornado.png``,
    ``intervals.png``, ``reach.png``.

    Returns
    -------
    list of Path
        The files written.
    """
    from ..export import write_csv

    out = Path(out_dir)
    summary = summary_table(run)
    tables = {
        "draws": draws_table(run), "failures": run.failures, "summary": summary,
        "conclusions": conclusion_table(run), "tornado": tornado_table(run), "reach": reach_bands(run),
    }
    files = [write_csv(frame, out / f"{name}.csv") for name, frame in tables.items()]
    about = pd.DataFrame({"item": ["spec", "mode", "draws", "seed", "ran on", "seconds", "failed draws",
                                   "baseline"],
                          "value": [run.spec.source, run.spec.mode, str(len(run.parameters)),
                                    str(run.spec.seed), run.where, f"{run.seconds:.1f}",
                                    str(len(run.failures)), run.baseline]})

    def _xlsx(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            about.to_excel(xw, sheet_name="About", index=False)
            for name in ("summary", "conclusions", "tornado", "reach", "draws", "failures"):
                tables[name].to_excel(xw, sheet_name=name.capitalize(), index=False)

    files.append(atomic_write(out / "sweep.xlsx", _xlsx))
    if charts:
        files.append(plot_tornado(tables["tornado"], out / "tornado.png"))
        measure = tables["tornado"].attrs.get("measure", "mean_min")
        files.append(plot_intervals(summary, out / "intervals.png", measure=measure))
        files.append(plot_reach(tables["reach"], out / "reach.png"))
    return files
