"""Mirror the session in the window's widgets: title, combos, tables, charts, headlines.

Functions of the window, called when the session says what changed; they read the
session and write widgets, and change nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from access_app.app import session as sess
from access_app.core import schema

if TYPE_CHECKING:
    from .main_window import MainWindow


def refresh_views(win: MainWindow) -> None:
    """Show the session: title, combos, scenario list, sites table, sources."""
    s = win.session
    project = Path(s.scenario_file).name if s.scenario_file else "default scenarios"
    win.setWindowTitle(f"Access App — {project}{'*' if s.has_unsaved_changes() else ''}")
    for combo, value in ((win.current_combo, s.current), (win.compare_combo, s.compare),
                         (win.baseline_combo, s.baseline)):
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(s.names())
        combo.setCurrentText(value)
        combo.blockSignals(False)
    if s.dataset is None:
        return
    win.scenario_panel.show_scenarios(s.scenarios, s.current, areas=s.areas, sites=s.sites)
    sc = s.scenario(s.current) if s.current in s.names() else None
    win.data_panel.model.set_data(
        s.sites, open_sites=sc.open_sites if sc else (), hubs=sc.hub_sites if sc else (),
        hub_editable=bool(sc and sc.rule in sess.scenarios.HUB_RULES))
    win.data_panel.resize_columns()
    win.data_panel.sites_summary.setText(
        f"{len(s.sites)} sites; {len(sc.open_sites) if sc else 0} open in '{s.current}'")
    win.data_panel.set_sources(s.dataset.sources, network=s.network_label,
                                network_note=s.dataset.network_note)
    win.data_panel.model.network_note = s.dataset.network_note
    win.data_panel.network_delegate.networks = s.networks()


def show_results(win: MainWindow) -> None:
    """Show new results: equity tables, charts, headlines and the maps."""
    s = win.session
    rep, ds = s.report, s.dataset
    if rep is None or ds is None:
        return
    proxy = ds.network_note == schema.NETWORK_PROXY_LABEL
    win.equity.set_report(rep, network_label="Network (region proxy)" if proxy else "Network")
    win.equity.set_attribution(ds.attribution)
    refresh_results(win)
    win.status(f"{len(s.results)} scenarios applied to {len(s.areas):,} areas "
                f"in {win.timings.get('analysis', 0):.2f} s")
    win.analysis_updated.emit()
    win.maps.update()


def refresh_results(win: MainWindow) -> None:
    """Update charts, headline numbers and the comparison table from the results."""
    s = win.session
    rep, results = s.report, s.results
    if rep is None or not results:
        return
    order = [n for n in s.names() if n in results]
    areas = s.areas
    deciles = (areas[schema.IMD_DECILE].to_numpy(dtype=float)
               if schema.IMD_DECILE in areas.columns else None)
    win.equity.plot([results[n] for n in order], imd_decile=deciles,
                    baseline=results.get(rep.baseline),
                    bands=s.sweep_bands() if s.sweep is not None else None)
    win.compare.set_table(rep.summary, s.current, s.compare)
    win.maps.set_titles()
