"""Loading files through the mapping dialog, switching sites, hostile site names."""

from __future__ import annotations

import json

import numpy as np
import pytest
from gui_helpers import MAP_TIMEOUT_MS, run_js
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QDialogButtonBox

from access_app.core import schema
from access_app.core.errors import DataError
from access_app.core.io import load_sites
from access_app.gui.models import SitesModel

HOSTILE = '<script>console.log("access-app:xss")</script><b>bold</b> Test Centre'

SITE_TIP_JS = """
(function (needle, open) {
  var out = [];
  window.accessMap.eachLayer(function (l) {
    var t = l.getTooltip && l.getTooltip();
    if (!t || l._accessIndex !== undefined || l.eachLayer) { return; }
    var c = t.getContent();
    if (typeof c === "string" && c.indexOf(needle) >= 0) {
      if (open) { l.openTooltip(); }
      var el = t.getElement();
      var bold = el ? Array.prototype.map.call(el.querySelectorAll("b"),
                                               function (b) { return b.textContent; }) : [];
      out.push({content: c, text: el ? el.textContent : "",
                scripts: el ? el.querySelectorAll("script").length : -1, bold: bold});
    }
  });
  return JSON.stringify(out);
})(%s, %s)
"""


def site_tips(qtbot, view, needle: str, *, open_it: bool = False) -> list[dict]:
    return run_js(qtbot, view, SITE_TIP_JS % (json.dumps(needle), "true" if open_it else
                                               "false"))


def test_bad_columns_show_problems_and_keep_previous_data(qtbot, window, tmp_path):
    areas = window.state.areas.head(30).to_crs(schema.WGS84)
    frame = areas[[schema.AREA_ID, schema.AREA_NAME, schema.POPULATION]].copy()
    frame["population"] = frame["population"].astype(int).astype(str)
    frame.loc[frame.index[2], "population"] = "n/a"
    frame["lon"], frame["lat"] = areas.geometry.x, areas.geometry.y
    path = tmp_path / "my_areas.csv"
    frame.to_csv(path, index=False)
    report_before, areas_before = window.report, window.state.areas

    window.loading.open_path(path, "areas")
    qtbot.waitUntil(lambda: window.loading.mapping_dialog is not None
                    and window.loading.mapping_dialog.isVisible(), timeout=20_000)
    dlg = window.loading.mapping_dialog
    assert dlg.combos["population"].currentText() == "population"
    assert dlg.combos["lon"].currentText() == "lon"
    assert dlg.problems() == ["Population: column 'population' holds text that is not a "
                              "number ('n/a')."]
    assert "not a number" in dlg.problems_label.text()
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert ok.isEnabled()  # a bad value is a warning; loading checks every row
    with qtbot.waitSignal(window.task_failed, timeout=20_000) as failed:
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    err = failed.args[0]
    assert isinstance(err.exception, DataError)
    assert "'population'" in str(err.exception) and "n/a" in str(err.exception)
    box = window.error_dialog
    assert box.isVisible()
    assert "n/a" in box.text() and "population" in box.text()
    assert "DataError" in box.detailedText()
    box.accept()
    # Nothing was replaced, and the window still works.
    assert window.state.areas is areas_before and window.report is report_before
    with qtbot.waitSignal(window.maps_ready, timeout=MAP_TIMEOUT_MS):
        window.set_current("Networked")
    assert window.main_pane.title.text().startswith("Networked")

    # A file without a required column cannot be loaded at all.
    path = tmp_path / "areas_without_population.csv"
    path.write_text("code,lon,lat\nE01000001,-0.09,51.52\n")
    window.loading.open_path(path, "areas")
    qtbot.waitUntil(lambda: window.loading.mapping_dialog is not dlg
                    and window.loading.mapping_dialog.isVisible(), timeout=20_000)
    dlg = window.loading.mapping_dialog
    assert "Choose the column that holds the population." in dlg.problems()
    assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    dlg.reject()


def test_switching_a_site_off_changes_tables_and_map(qtbot, window, default_data):
    ds, _graph, matrix = default_data
    sites = window.report.sites
    busiest = sites[sites["scenario"] == "Status quo"].sort_values("demand").iloc[-1]
    sid, name = busiest["site_id"], busiest["site_name"]
    assert site_tips(qtbot, window.main_pane.view, name)[0]["content"].endswith(
        "Role: open</div>")

    panel = window.data_panel
    row = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(sid), 0))
    panel.table.scrollTo(row)
    rect = panel.table.visualRect(row)
    with qtbot.waitSignals([window.maps_ready, window.analysis_updated], timeout=MAP_TIMEOUT_MS):
        qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton,
                         pos=check_box_point(panel.table, rect))
    assert sid not in window.state.scenario("Status quo").open_sites
    summary = window.report.summary.set_index("scenario")
    assert summary.at["Status quo", "open_sites"] == 50
    # Independent check: nearest of the other 50 main centres, with numpy.
    keep = ((ds.sites[schema.SITE_TYPE] == "main") & (ds.sites[schema.SITE_ID] != sid)).to_numpy()
    best = matrix.minutes[:, keep].min(axis=1)
    ok = np.isfinite(best)
    pop = ds.areas[schema.POPULATION].to_numpy()
    assert summary.at["Status quo", "mean_min"] == pytest.approx(
        np.average(best[ok], weights=pop[ok]), rel=1e-12)
    site_row = window.report.sites.query("scenario == 'Status quo' and site_id == @sid")
    assert not site_row["open"].iloc[0] and site_row["demand"].iloc[0] == 0
    assert panel.model.data(panel.model.index(panel.model.row_of(sid), 0),
                            Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert "Role: closed in this scenario" in site_tips(qtbot, window.main_pane.view,
                                                       name)[0]["content"]

    # Move the site to another network with the table's editor.
    target = "North West" if window.state.site_network(sid) != "North West" else "Northern"
    col = [c for c, _ in SitesModel.COLUMNS].index("network")
    idx = panel.proxy.mapFromSource(panel.model.index(panel.model.row_of(sid), col))
    panel.table.edit(idx)
    editors = panel.table.viewport().findChildren(QComboBox)
    assert len(editors) == 1 and editors[0].findText(target) >= 0
    editors[0].setCurrentText(target)
    with qtbot.waitSignal(window.analysis_updated, timeout=MAP_TIMEOUT_MS):
        qtbot.keyClick(editors[0], Qt.Key.Key_Return)
    assert window.state.site_network(sid) == target
    row = window.report.sites.query("scenario == 'Networked' and site_id == @sid")
    assert row["network"].iloc[0] == target


def check_box_point(table, rect) -> QPoint:
    """Return the point of the check box drawn at the left of a cell."""
    width = table.style().pixelMetric(table.style().PixelMetric.PM_IndicatorWidth)
    return QPoint(rect.left() + width // 2 + 4, rect.center().y())


def test_hostile_site_name_added_on_the_map_is_shown_as_text(qtbot, window, tmp_path):
    view = window.main_pane.view
    # Add a site by clicking the map: press the button, click Birmingham, fill the dialog.
    qtbot.mouseClick(window.data_panel.pick_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(view.clicked, timeout=10_000):
        run_js(qtbot, view, "window.accessMap.fire('click', "
                            "{latlng: L.latLng(52.4862, -1.8904)}); 1")
    qtbot.waitUntil(lambda: window.loading.add_site_dlg is not None
                    and window.loading.add_site_dlg.isVisible(), timeout=10_000)
    dlg = window.loading.add_site_dlg
    assert not window.data_panel.pick_button.isChecked()
    qtbot.keyClicks(dlg.name, HOSTILE)
    dlg.network.setCurrentText("West Midlands")
    with qtbot.waitSignals([window.maps_ready, window.analysis_updated], timeout=MAP_TIMEOUT_MS):
        qtbot.mouseClick(dlg.ok, Qt.MouseButton.LeftButton)
    sid = "script-console-log-access-app-xss-script-b-bold-b-test-centre"
    assert sid in window.state.scenario(window.state.current).open_sites
    model: SitesModel = window.data_panel.model
    idx = model.index(model.row_of(sid), 2)
    assert model.data(idx, Qt.ItemDataRole.DisplayRole) == HOSTILE
    tip = model.data(idx, Qt.ItemDataRole.ToolTipRole)
    assert "&lt;script&gt;" in tip and "<script>" not in tip and "&lt;b&gt;bold" in tip
    # In the map: the tooltip shows the characters, with no script or bold element.
    tips = site_tips(qtbot, view, "Test Centre", open_it=True)
    assert len(tips) == 1
    assert "&lt;script&gt;" in tips[0]["content"]
    assert HOSTILE in tips[0]["text"] and tips[0]["scripts"] == 0
    assert tips[0]["bold"] == [HOSTILE]  # only the builder's own <b> around the name
    assert not any("access-app:xss" in m for m in view.console_messages)
    # The equity tables carry the name as plain data too.
    site_rows = window.equity.table("sites")
    assert HOSTILE in set(site_rows["site_name"])
    new = window.state.sites.set_index("site_id").loc[sid]
    assert new["network"] == "West Midlands" and new["linacs"] == 2.0
    # Added sites can be saved and opened again, names intact.
    saved = tmp_path / "my_sites.csv"
    assert window.loading.save_sites_to(saved)
    again = load_sites(saved).set_index("site_id")
    assert again.loc[sid, "site_name"] == HOSTILE and len(again) == 68
    assert again.loc[sid].geometry.distance(new.geometry) < 1
    assert new.geometry.distance(window.state.sites.set_index("site_id").loc[
        "birmingham-queen-elizabeth"].geometry) < 10_000


def test_site_added_by_postcode_is_routed_and_opened(qtbot, window, shared_geodata):
    zip_path = shared_geodata / "postcodes" / "os_codepoint_open_2025.zip"
    window.loading.open_path(zip_path, "postcodes")
    with qtbot.waitSignal(window.analysis_updated, timeout=MAP_TIMEOUT_MS):
        window.loading.add_site({"site_name": "Second Leeds unit", "postcode": "ls9 7tf",
                         "network": "Yorkshire and The Humber", "linacs": 4,
                         "site_type": "satellite"}, location=None)
    sites = window.state.sites.set_index("site_id")
    # Same postcode as St James's: the same Code-Point point as the embedded site.
    assert sites.loc["second-leeds-unit"].geometry.equals(sites.loc["leeds-st-james"].geometry)
    assert "second-leeds-unit" in window.state.matrix.site_ids
    col = window.state.matrix.column("second-leeds-unit")
    assert (col == window.state.matrix.column("leeds-st-james")).all()
    assert "second-leeds-unit" in window.state.scenario("Status quo").open_sites
