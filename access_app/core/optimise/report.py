"""Tables and files of an optimisation run: ranked options, Pareto fronts, a workbook.

:func:`options_frame` and :func:`pareto_frame` give one row per option (network, rank,
hubs, objective, method, proof, gap and every headline measure); :func:`write_outputs`
writes them as CSV (UTF-8 with BOM) and as sheets of one ``.xlsx`` workbook (openpyxl), and
the chosen options as a scenario TOML, each file atomically.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from ..atomic import atomic_write
from ..scenarios import save_scenarios
from .common import constraint_label
from .options import OptimiseResult, option_row, ranked_scenarios

log = logging.getLogger(__name__)


def options_frame(result: OptimiseResult, *, site_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return the ranked options of every network, one row each."""
    rows = [option_row(b, o, site_names=site_names) for b in result.blocks.values() for o in b.options]
    return pd.DataFrame(rows)


def pareto_frame(result: OptimiseResult, *, site_names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Return the efficiency-equity front of every network (ascending mean minutes)."""
    rows = []
    for b in result.blocks.values():
        for o in b.pareto:
            row = option_row(b, o, site_names=site_names)
            row["rank"] = o.rank
            row["pareto_measure"] = result.pareto_measure
            row["proven_optimal"] = b.method == "enumeration" or ""
            row["gap"] = ""
            rows.append(row)
    return pd.DataFrame(rows)


def blocks_frame(result: OptimiseResult) -> pd.DataFrame:
    """Return one row per network: p, method, proof, gap, objective, runtime, unreachable, note."""
    return pd.DataFrame(
        [
            {
                "network": b.network,
                "p": b.p,
                "method": b.method,
                "proven_optimal": b.proven_optimal,
                "gap": b.gap,
                "objective": b.objective,
                "runtime_s": round(b.runtime, 3),
                "solver_calls_or_combinations": b.combinations,
                "unreachable_areas": len(b.unreachable),
                "best_hubs": "; ".join(b.best.hubs),
                "note": b.note,
            }
            for b in result.blocks.values()
        ]
    )


def settings_rows(result: OptimiseResult) -> list[tuple[str, str]]:
    """Return (setting, value) rows that describe the run for the workbook."""
    c = result.constraints
    rows = [
        ("Objective", result.objective.label(result.kappa)),
        ("Hubs chosen", "nationally (nearest hub anywhere)" if result.national else "per network"),
        ("Kolm-Pollak kappa (per minute)", f"{result.kappa:.6g}"),
        (
            "Demand",
            result.demand_column
            + (f" x {result.incidence_per_100k:g} per 100,000" if result.incidence_per_100k else ""),
        ),
    ]
    for name, active in (
        ("max_minutes", c.max_minutes is not None),
        ("gap", c.max_gap_minutes is not None),
        ("capacity", c.capacity_per_linac is not None),
    ):
        if active:
            rows.append(("Constraint", constraint_label(name, c)))
    if c.min_share_within is not None:
        rows.append(
            (
                "Constraint",
                f"at least {100 * c.min_share_within:g}% within {c.within_minutes:g} "
                f"minutes for each of {', '.join(c.share_groups)}",
            )
        )
    if c.must_open:
        rows.append(("Must be hubs", ", ".join(c.must_open)))
    if c.never:
        rows.append(("Never hubs", ", ".join(c.never)))
    rows.append(("Proven optimal (every network)", "yes" if result.proven_optimal else "no"))
    rows.append(("Pareto measure", result.pareto_measure or "none"))
    return rows


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    return atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"))


def write_workbook(
    path: Path, sheets: Mapping[str, pd.DataFrame], settings: Sequence[tuple[str, str]]
) -> Path:
    """Write ``sheets`` (name -> table) and a *Settings* sheet to one ``.xlsx`` file, atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    def _write(tmp: Path) -> None:
        wb = Workbook()
        ws = wb.active
        ws.title = "Settings"
        ws.append(["Setting", "Value"])
        for k, v in settings:
            ws.append([k, v])
        for name, frame in sheets.items():
            sheet = wb.create_sheet(name[:31])
            sheet.append([str(c) for c in frame.columns])
            for row in frame.itertuples(index=False):
                sheet.append(
                    [
                        None if (isinstance(v, float) and v != v) else (v.item() if hasattr(v, "item") else v)
                        for v in row
                    ]
                )
        for sheet in wb.worksheets:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            sheet.freeze_panes = "A2"
        wb.save(tmp)

    return atomic_write(path, _write)


def write_outputs(
    result: OptimiseResult,
    out_dir: str | Path,
    *,
    site_names: Mapping[str, str] | None = None,
    save_ranks: Sequence[int] = (1,),
    prefix: str = "Optimised",
) -> list[Path]:
    """Write options, Pareto front, per-network summary (CSV and workbook) and scenarios (TOML).

    Returns
    -------
    list of Path
        ``optimise_options.csv``, ``optimise_pareto.csv``, ``optimise_networks.csv``,
        ``optimise.xlsx`` and ``optimised_scenarios.toml`` in ``out_dir``.
    """
    out = Path(out_dir)
    opts = options_frame(result, site_names=site_names)
    front = pareto_frame(result, site_names=site_names)
    blocks = blocks_frame(result)
    files = [
        _csv(opts, out / "optimise_options.csv"),
        _csv(front, out / "optimise_pareto.csv"),
        _csv(blocks, out / "optimise_networks.csv"),
    ]
    files.append(
        write_workbook(
            out / "optimise.xlsx",
            {"Options": opts, "Pareto front": front, "Networks": blocks},
            settings_rows(result),
        )
    )
    files.append(
        save_scenarios(ranked_scenarios(result, save_ranks, prefix=prefix), out / "optimised_scenarios.toml")
    )
    return files
