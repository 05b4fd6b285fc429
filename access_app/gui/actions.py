"""Menus, actions and keyboard shortcuts of the main window.

:func:`build_menus` creates every ``QAction`` with its shortcut, tooltip and object name
and connects it to a slot of the window or one of its controllers. Nothing else here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence

from access_app.core.io import site_id_slug as slug

from . import window_dialogs

if TYPE_CHECKING:
    from .main_window import MainWindow


def _action(win: MainWindow, text: str, slot: Callable[[], Any], shortcut: Any = None,
            tip: str = "", name: str = "") -> QAction:
    a = QAction(text, win)
    if shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
    a.setToolTip(tip or text.replace("&", ""))
    a.setStatusTip(tip or text.replace("&", ""))
    a.setObjectName(name or f"action_{slug(text.replace('&', ''))}")
    a.triggered.connect(lambda _checked=False: slot())
    win.addAction(a)
    return a


def build_menus(win: MainWindow) -> dict[str, QAction]:
    """Create the File, Scenario, View and Help menus of ``win``; return the named actions."""
    named: dict[str, QAction] = {}
    files, loading, exports = win.scenario_files, win.loading, win.exports
    act = _action

    m = win.menuBar().addMenu("&File")
    named["open_scenarios"] = act(win, "&Open scenarios…", files.open_dialog,
                                  QKeySequence.StandardKey.Open,
                                  "Open a scenario file (.toml): replace the scenarios or add to them")
    m.addAction(named["open_scenarios"])
    named["save"] = act(win, "&Save scenarios", files.save, QKeySequence.StandardKey.Save,
                        "Save the scenarios (.toml)")
    m.addAction(named["save"])
    m.addAction(act(win, "Save scenarios &as…", files.save_as, "Ctrl+Shift+S",
                    "Save the scenarios to a new file"))
    m.addSeparator()
    for kind, text, key in (("areas", "Open &areas…", "Ctrl+Shift+A"),
                            ("sites", "Open s&ites…", "Ctrl+Shift+I"),
                            ("network", "Open road &network…", "Ctrl+Shift+N"),
                            ("download", "&Download road network…", None),
                            ("postcodes", "Choose &postcode file…", None)):
        m.addAction(act(win, text, lambda k=kind: loading.request(k), key))
    m.addAction(act(win, "&Import travel times…", loading.import_matrix_dialog, None,
                    "Use a travel-time table made elsewhere (area, site, minutes; CSV or Parquet), "
                    "e.g. public transport times, instead of routing"))
    m.addAction(act(win, "Export travel-time &matrix…", exports.export_matrix_dialog, None,
                    "Write every area-to-site time (CSV or Parquet) to check the routing or the "
                    "optimiser independently"))
    nets = m.addMenu("Net&works")
    nets.setToolTipsVisible(True)
    nets.addAction(act(win, "The 11 Radiotherapy &ODNs (rebuilt from public sources)",
                       lambda: loading.set_networks("odn"), None,
                       "Sites by a sourced membership table, areas by their ICB; each with a "
                       "confidence (docs/networks.md)"))
    nets.addAction(act(win, "The 9 English &regions (a labelled proxy)",
                       lambda: loading.set_networks("regions"), None,
                       "Each area and site in its region, standing in for the networks"))
    m.addAction(act(win, "Save si&tes as CSV…", loading.save_sites_dialog, None,
                    "Save the sites, with those added or edited, to open again"))
    m.addSeparator()
    named["export"] = act(win, "&Export tables, map and charts…", exports.export_dialog, "Ctrl+E",
                          "Write Excel, CSV, GeoPackage, map HTML/PNG, charts")
    m.addAction(named["export"])
    named["report"] = act(win, "Export &board report…", exports.board_report_dialog, "Ctrl+R",
                          "Write the board paper: one offline HTML page and its PDF, with findings, "
                          "maps, equity, burden and capacity tables, methods and attribution")
    m.addAction(named["report"])
    m.addAction(act(win, "Export map as &HTML…", lambda: exports.export_map_dialog("html")))
    m.addAction(act(win, "Export map as P&NG…", lambda: exports.export_map_dialog("png")))
    m.addAction(act(win, "Export &charts…", exports.export_charts_dialog))
    m.addSeparator()
    m.addAction(act(win, "&Quit", win.close, QKeySequence.StandardKey.Quit))

    s = win.session
    m = win.menuBar().addMenu("&Scenario")
    m.addAction(act(win, "&New scenario", lambda: win.apply(s.new_scenario),
                    QKeySequence.StandardKey.New))
    m.addAction(act(win, "&Duplicate scenario", lambda: win.apply(lambda: s.duplicate(s.current)),
                    "Ctrl+D"))
    m.addAction(act(win, "&Rename scenario…", lambda: window_dialogs.rename_dialog(win), "F2"))
    m.addAction(act(win, "De&lete scenario", lambda: win.apply(lambda: s.delete(s.current))))
    m.addSeparator()
    named["hubs"] = act(win, "Suggest &hubs…", lambda: window_dialogs.hubs_dialog(win), "Ctrl+H",
                        "Choose hubs per network with the optimiser, equity built in")
    m.addAction(named["hubs"])
    m.addAction(act(win, "Sensitivity s&weep…", lambda: window_dialogs.sweep_dialog(win), None,
                    "Re-run the scenarios under many assumptions (on Dask): intervals, conclusions, tornado"))
    named["model"] = act(win, "Speeds and &access legs…", lambda: window_dialogs.model_dialog(win), None,
                         "Edit the speed model and routing parameters, then recompute")
    m.addAction(named["model"])
    named["recompute"] = act(win, "Re&compute", loading.recompute_all, "F5",
                             "Recompute travel times and every scenario")
    m.addAction(named["recompute"])
    m.addAction(act(win, "Cancel running task", win.cancel_tasks, "Esc"))

    m = win.menuBar().addMenu("&View")
    for i, (text, key) in enumerate((("&Map", "Ctrl+1"), ("&Side by side", "Ctrl+2"),
                                     ("&Equity", "Ctrl+3"))):
        m.addAction(act(win, text, lambda i=i: win.tabs.setCurrentIndex(i), key))
    m.addSeparator()
    m.addAction(win.data_dock.toggleViewAction())
    m.addAction(win.scenario_dock.toggleViewAction())
    fold = QAction("&Fold panels while comparing", win)
    fold.setObjectName("action_fold")
    fold.setCheckable(True)
    fold.setChecked(True)
    fold.setToolTip("Hide the Data and Scenarios panels on the Side by side tab, so each map "
                    "gets a third of the window; they come back on the other tabs")
    m.addAction(fold)
    named["fold"] = fold
    tiles = QAction("Web map &tiles (needs internet)", win)
    tiles.setObjectName("action_tiles")
    tiles.setCheckable(True)
    tiles.setChecked(win.settings.use_web_tiles)
    tiles.setToolTip("Add OpenStreetMap tiles under the offline basemap")
    tiles.toggled.connect(win.maps.set_tiles)
    m.addAction(tiles)
    named["tiles"] = tiles

    m = win.menuBar().addMenu("&Help")
    m.addAction(act(win, "&About Access App", lambda: window_dialogs.about(win)))
    return named
