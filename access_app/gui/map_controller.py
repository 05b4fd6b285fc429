"""Which maps the visible tab needs, building them on workers and loading them in panes.

A map is identified by a key: what it shows (travel time, change, catchments, the
difference of two scenarios), the scenarios it shows, the data it was drawn from and the
tile setting. The controller rebuilds only panes whose key changed, so switching tabs or
scenarios back and forth reuses pages already drawn.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from access_app.app.session import own_crs
from access_app.core.errors import ScenarioError
from access_app.core.progress import CancelFn, ProgressFn, check_cancelled
from access_app.core.scenarios import Scenario

from .panels.map_pane import MapPane
from .workers import TaskError

if TYPE_CHECKING:
    from .main_window import MainWindow

LAYERS = (("travel", "Travel time"), ("change", "Change vs baseline"),
          ("catchment", "Catchments"), ("drivetime", "Drive time from a site"))
TAB_MAP, TAB_COMPARE, TAB_EQUITY = 0, 1, 2


#: Map pages kept in the cache between sessions (about 4.5 MB each for England).
PAGES_KEPT = 40


def _prune_pages(folder: Path, *, keep: int) -> None:
    """Delete all but the ``keep`` most recently used cached map pages in ``folder``."""
    try:
        pages = sorted(folder.glob("*.html"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in pages[keep:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _geometry_bytes(table: Any) -> bytes:
    """Return bytes that change with a table's geometry (coordinates of points, else WKB).

    Points (the usual centroids and sites) hash their coordinates; areas loaded with real
    polygons hash their WKB, so a page drawn from other polygons is never reused.
    """
    import numpy as np

    geoms = getattr(table, "geometry", None)
    if geoms is None or "geometry" not in getattr(table, "columns", ()):
        return b""
    if len(geoms) and bool((geoms.geom_type == "Point").all()):
        return np.ascontiguousarray(np.column_stack([geoms.x, geoms.y])).tobytes()
    return b"".join(w or b"" for w in geoms.to_wkb())


def _user_cache() -> Path:
    from access_app.core.pipeline import user_cache_dir

    return user_cache_dir()


def _page_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    """Return what a map page is drawn from: the kind of map, the data and the tiles.

    Two keys with the same page key differ only in the scenarios shown, so the page can
    be recoloured in place (not when its sites show the scenario's capacity use, key[-2]).
    """
    per_scenario = key[0] == "drivetime" or key[-2]
    return (key[0], key[2] if key[0] == "drivetime" else None,
            key[1] if per_scenario else None, *key[3:])


class MapController(QObject):
    """Keep the map panes of ``win`` showing the session's current results."""

    def __init__(self, win: MainWindow) -> None:
        super().__init__(win)
        self.win = win
        self.map_dir = Path(tempfile.mkdtemp(prefix="access-app-maps-"))
        self._counter = 0
        self.wanted: dict[str, tuple[Any, ...]] = {}
        self.loaded: dict[str, tuple[Any, ...]] = {}
        self.building: dict[str, tuple[Any, ...]] = {}
        self._t0: dict[str, float] = {}
        self._other_context: Any = None
        self._digests: dict[int, tuple[Any, str]] = {}

    def panes(self) -> dict[str, MapPane]:
        """Return the map panes by name: main, left, right, diff."""
        c = self.win.compare
        return {"main": self.win.main_pane, "left": c.left, "right": c.right, "diff": c.diff}

    def connect_panes(self) -> None:
        """Listen to the panes' page loads."""
        for key, pane in self.panes().items():
            pane.view.map_loaded.connect(lambda ok, k=key: self._on_loaded(k, ok))

    def layer(self) -> str:
        """Return what the main map shows ("travel", "change" or "catchment")."""
        return str(self.win.layer_combo.currentData() or "travel")

    def set_tiles(self, on: bool) -> None:
        """Add or remove web tiles under the offline basemap."""
        self.win.settings = replace(self.win.settings, use_web_tiles=on)
        self.update()

    def _wanted(self) -> dict[str, tuple[Any, ...]]:
        s = self.win.session
        tiles = bool(self.win.settings.use_web_tiles)
        capacity = self._capacity_known()
        base_key = (id(s.dataset), id(s.matrix), capacity, tiles)
        try:
            cur, cmp_ = s.scenario(s.current), s.scenario(s.compare)
            base = s.scenario(s.baseline)
        except ScenarioError:
            return {}
        tab = self.win.tabs.currentIndex()
        if tab == TAB_MAP:
            layer = self.layer()
            if layer == "drivetime":
                site = s.drive_time_site()
                return {"main": (layer, cur, site, *base_key)} if site else {}
            return {"main": (layer, cur, base if layer == "change" else None, *base_key)}
        if tab == TAB_COMPARE:
            return {"left": ("travel", cur, None, *base_key),
                    "right": ("travel", cmp_, None, *base_key),
                    "diff": ("diff", cmp_, cur, *base_key)}
        return {}

    def update(self) -> None:
        """Bring the maps of the visible tab up to date with the current results.

        A pane whose page was drawn from the same areas, sites and kind of map is
        recoloured in place (:func:`access_app.maps.restyle_payload`, a fraction of a
        rebuild); otherwise its page is built on a worker and loaded.
        """
        s = self.win.session
        if not s.results:
            self._open_cached_pages()
            return
        self.set_titles()
        self.wanted = self._wanted()
        for pane, key in self.wanted.items():
            if self.loaded.get(pane) == key or self.building.get(pane) == key:
                continue
            needed = {key[1].name} | ({key[2].name} if isinstance(key[2], Scenario) else set())
            if not needed <= set(s.results):
                continue
            shown = self.loaded.get(pane)
            if shown is not None and _page_key(shown) == _page_key(key) and pane not in self.building:
                self._restyle(pane, key)
            else:
                self._build(pane, key)
        self._check_ready()

    def _open_cached_pages(self) -> None:
        """Open pages drawn in an earlier session from the same inputs, before any results.

        A page is keyed by the scenarios and data it is drawn from, not by the results, so
        once the data is loaded a cached page can load while the scenarios are applied;
        ``maps_ready`` still waits for the results. Nothing is drawn here.
        """
        s = self.win.session
        if s.dataset is None or s.matrix is None:
            return
        self.wanted = self._wanted()
        for pane, key in self.wanted.items():
            if self.loaded.get(pane) == key or self.building.get(pane) == key:
                continue
            cached = self.page_cache_path(key)
            if cached is not None and cached.is_file():
                self._build(pane, key)

    def context(self) -> Any:
        """Return the map context: approximate shapes, roads and places of the default data.

        For a network other than the embedded DfT one, its roads are not drawn (the
        shapes and place names still are).
        """
        from access_app import maps

        ctx = maps.default_context()
        if self._uses_default_roads():
            return ctx
        if self._other_context is None:
            self._other_context = maps.MapContext(shapes=ctx.shapes, places=ctx.places)
        return self._other_context

    def _uses_default_roads(self) -> bool:
        choice = self.win.session.network_choice
        return choice.path is None and choice.place is None

    def _context_token(self) -> str:
        """Return what the map context is made of, without reading it (for page keys).

        The embedded (approximate) shapes and places, and the DfT roads clipped to England
        when the default network is in use; :mod:`access_app.maps` is not imported here,
        as the first map of a session should not wait for folium.
        """
        from access_app.core import defaults as d

        names = [d.SHAPES_FILE, d.PLACES_FILE]
        if self._uses_default_roads():
            names += [d.ROADS_FILE, d.BOUNDARIES_FILE]
        return "approx;" + d.files_token(names)

    def _approximate(self) -> bool:
        """Whether the pages' shapes are approximate (both contexts use the embedded shapes).

        Answered without reading the context, which a recolour does not otherwise need.
        """
        from access_app.maps import shapes

        return shapes.DEFAULT_SHAPES_APPROXIMATE

    def _restyle(self, pane: str, key: tuple[Any, ...]) -> None:
        """Recolour the loaded page of ``pane`` for ``key`` without reloading it."""
        from access_app import maps

        self._t0[pane] = time.perf_counter()
        frame, title, sc = self._frame_and_title(key)
        ds = self.win.session.dataset
        assert ds is not None
        open_sites, hubs = maps.site_roles(sc)
        kind = {"diff": "change"}.get(key[0], key[0])
        payload = maps.restyle_payload(frame, self.sites_for(sc.name), kind=kind, title=title,
                                       open_sites=open_sites, hubs=hubs,
                                       approximate=self._approximate())
        view = self.panes()[pane].view
        view.pending_key = key
        self.building[pane] = key

        def done(_ms: Any) -> None:
            if self.building.get(pane) == key:
                self.building.pop(pane, None)
            view.pending_key = key
            self._on_loaded(pane, True)

        view.run_js(maps.restyle_js(payload), done)

    def set_titles(self) -> None:
        """Write the pane titles and headline numbers."""
        s, win = self.win.session, self.win
        layer = dict(LAYERS)[self.layer()]
        if self.layer() == "change":
            layer = f"change in travel time against {s.baseline}"
        elif self.layer() == "drivetime":
            layer = f"drive-time bands from {self._site_name(s.drive_time_site())}"
        win.main_pane.set_text(f"{s.current} — {layer}", s.headline(s.current))
        win.compare.left.set_text(s.current, s.headline(s.current))
        win.compare.right.set_text(s.compare, s.headline(s.compare))
        win.compare.diff.set_text(f"Difference: {s.compare} minus {s.current}",
                                  f"Warm colours: longer journeys under {s.compare}; "
                                  "cool colours: shorter")

    def map_task(self, key: tuple[Any, ...], *, standalone: Path | None = None,
                 cache_to: Path | None = None) -> Any:
        """Return a task that draws the map for ``key`` and writes its page.

        With ``standalone``, the page goes there with Leaflet inlined (for export).
        """
        from access_app import maps

        s = self.win.session
        layer, tiles = key[0], key[-1]
        frame, title, sc = self._frame_and_title(key)
        context_of = self.context  # read on the worker: the first call reads the files
        self._counter += 1
        path = standalone or cache_to or self.map_dir / f"map-{self._counter}.html"
        ds = s.dataset
        assert ds is not None
        site_table = self.sites_for(sc.name)
        open_sites, hubs = maps.site_roles(sc)
        builder = {"change": maps.change_map, "diff": maps.change_map,
                   "catchment": maps.catchment_map}.get(layer, maps.travel_time_map)

        matrix = s.matrix

        def task(progress: ProgressFn, cancelled: CancelFn) -> Path:
            context = context_of()
            boundaries = {k: own_crs(v) for k, v in ds.boundaries.items()}
            if layer == "drivetime":
                assert matrix is not None
                m = maps.drive_time_map(own_crs(frame), matrix.column(key[2]), key[2],
                                        sites=own_crs(site_table), attribution=ds.attribution,
                                        boundaries=boundaries, tiles=tiles, open_sites=open_sites,
                                        hubs=hubs, context=context, progress=progress,
                                        cancelled=cancelled)
                check_cancelled(cancelled)
                maps.save_map(m, path, standalone=standalone is not None)
                return path
            m = builder(own_crs(frame), own_crs(site_table), attribution=ds.attribution,
                        boundaries=boundaries, title=title, tiles=tiles, open_sites=open_sites,
                        hubs=hubs, context=context, progress=progress, cancelled=cancelled)
            check_cancelled(cancelled)
            maps.save_map(m, path, standalone=standalone is not None)
            return path

        return task

    def _site_name(self, site_id: str) -> str:
        sites = self.win.session.sites
        row = sites[sites["site_id"].astype(str) == site_id]
        return str(row["site_name"].iloc[0]) if len(row) else site_id

    def _capacity_known(self) -> bool:
        rep = self.win.session.report
        cap = getattr(rep, "capacity", None)
        return bool(cap is not None and len(cap) and "utilisation" in cap.columns
                    and cap["utilisation"].notna().any())

    def sites_for(self, scenario: str) -> Any:
        """Return the sites, with the scenario's linac capacity use when it is known."""
        s = self.win.session
        assert s.dataset is not None
        sites = s.dataset.sites
        if not self._capacity_known() or s.report is None:
            return sites
        cap = s.report.capacity
        rows = cap[cap["scenario"] == scenario].set_index("site_id")["utilisation"]
        return sites.assign(utilisation=sites["site_id"].astype(str).map(rows).to_numpy())

    def _frame_and_title(self, key: tuple[Any, ...]) -> tuple[Any, str, Any]:
        s = self.win.session
        layer, sc, other = key[0], key[1], key[2]
        if layer == "drivetime":
            return s.map_frame(sc.name), f"Drive time from {self._site_name(other)}", sc
        if layer in ("change", "diff"):
            frame = s.map_frame(sc.name, against=other.name)
            title = (f"{sc.name}: change against {other.name}" if layer == "change"
                     else f"{sc.name} minus {other.name}")
        else:
            frame = s.map_frame(sc.name)
            title = f"{sc.name}: car travel time" if layer == "travel" else f"{sc.name}: catchments"
        return frame, title, sc

    def page_cache_path(self, key: tuple[Any, ...]) -> Path | None:
        """Return where the page for ``key`` is kept between sessions (``None``: no cache).

        Pages are keyed by what they are drawn from: the travel-time matrix (itself keyed
        by network, speeds, routing parameters and points), the areas' and sites' tables,
        the scenarios shown, the kind of map, the tiles setting, the map context and the
        app version. A planner who reopens the app on the same data sees the last map at
        once instead of waiting for it to be drawn.
        """
        import hashlib

        from access_app import __version__

        s = self.win.session
        if s.dataset is None or s.matrix is None or not s.matrix.key:
            return None
        layer, sc, other, tiles = key[0], key[1], key[2], key[-1]
        text = "|".join([
            "page/2", __version__, layer, repr(sc), repr(other), str(tiles), s.matrix.key,
            self._table_digest(s.dataset), s.network_label, self._context_token(),
        ])
        base = s.cache_dir or _user_cache()
        return Path(base) / "maps" / f"{hashlib.sha256(text.encode()).hexdigest()[:24]}.html"

    def _table_digest(self, dataset: Any) -> str:
        cached = self._digests.get(id(dataset))
        if cached is not None and cached[0] is dataset:
            return cached[1]
        import hashlib

        import pandas as pd

        h = hashlib.sha256()
        for table in (dataset.areas, dataset.sites):
            plain = pd.DataFrame(table.drop(columns="geometry", errors="ignore"))
            try:
                hashed = pd.util.hash_pandas_object(plain, index=False)
            except TypeError:  # a column of values pandas cannot hash (e.g. lists)
                hashed = pd.util.hash_pandas_object(plain.astype(str), index=False)
            h.update(hashed.to_numpy().tobytes())
            h.update(str(list(plain.columns)).encode())
            h.update(_geometry_bytes(table))
        h.update(dataset.attribution.encode())
        digest = h.hexdigest()[:16]
        self._digests = {id(dataset): (dataset, digest)}
        return digest

    def _build(self, pane: str, key: tuple[Any, ...]) -> None:
        self.building[pane] = key
        self._t0[pane] = time.perf_counter()
        cached = self.page_cache_path(key)

        def done(path: Path) -> None:
            if path == cached:
                _prune_pages(path.parent, keep=PAGES_KEPT)
            self.building.pop(pane, None)
            view = self.panes()[pane].view
            view.pending_key = key
            # A pane shown for the first time opens where the main map is.
            start = view.current_view or (self.win.main_pane.view.current_view
                                          if pane != "main" else None)
            view.show_file(path, view=start)

        def failed(err: TaskError) -> None:
            self.building.pop(pane, None)
            self.win.report_error(err)

        view = self.panes()[pane].view
        if cached is not None and view.path == cached and cached.is_file():
            # The page shown (opened at start-up or before the results) is the one these
            # results draw: keep it, loaded or still loading.
            self.building.pop(pane, None)
            view.pending_key = key
            if view.loaded:
                self._on_loaded(pane, True)
            return
        if cached is not None and cached.is_file():
            try:
                os.utime(cached)  # most recently used pages are kept longest
            except OSError:
                pass
            done(cached)  # drawn in an earlier session from the same inputs
            return
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                cached = None
        self.win.run_task(f"map:{pane}", self.map_task(key, cache_to=cached),
                          label="Drawing the map", on_finished=done, on_error=failed)

    def page_to_reopen(self) -> str:
        """Return the cached page of the main map as it is now, if one exists ("" if not).

        Saved at close, so the next start-up can open it while the data loads. Only a
        page drawn from saved scenarios can match what the next session starts with.
        """
        key = self.loaded.get("main")
        if key is None or self.win.session.has_unsaved_changes():
            return ""
        path = self.page_cache_path(key)
        return str(path) if path is not None and path.is_file() else ""

    def preload(self, path: str) -> bool:
        """Open the main map's last cached page at once, while the data loads.

        :meth:`_build` keeps it if the loaded data and scenario draw the same page (pages
        are keyed by their inputs); otherwise it is replaced. Returns whether it opened.
        """
        page = Path(path) if path else None
        if page is None or not page.is_file() or page.parent.name != "maps":
            return False
        self.win.main_pane.view.show_file(page)
        return True

    def _on_loaded(self, pane: str, ok: bool) -> None:
        view = self.panes()[pane].view
        key = getattr(view, "pending_key", None)
        if ok and key is not None:
            self.loaded[pane] = key
            self.win.timings[f"mapload:{pane}"] = time.perf_counter() - self._t0.get(pane, 0.0)
        self._check_ready()

    def _check_ready(self) -> None:
        if not self.win.session.results:
            return  # a cached page opened before the results (see _open_cached_pages)
        if self.wanted and all(self.loaded.get(p) == k for p, k in self.wanted.items()):
            self.win.maps_ready.emit()

    def after_page_loads(self, fn: Callable[[], None], *, timeout_ms: int = 4000) -> None:
        """Call ``fn`` once no pane is loading a page (at once when none is).

        Chromium loads and draws a page on the same cores as the workers: a long task
        started at the same moment (the first equity tables) made the first map about
        0.5 s slower, so it waits for the page. ``timeout_ms`` bounds the wait.
        """
        views = [p.view for p in self.panes().values() if p.view.loading]
        if not views:
            fn()
            return
        state = {"done": False}

        def go(*_args: Any, timed_out: bool = False) -> None:
            if state["done"] or (not timed_out and any(v.loading for v in views)):
                return
            state["done"] = True
            for v in views:
                try:
                    v.map_loaded.disconnect(go)
                except (RuntimeError, TypeError):
                    pass
            if not self.win.closing:
                fn()

        for v in views:
            v.map_loaded.connect(go)
        QTimer.singleShot(timeout_ms, lambda: go(timed_out=True))

    def current_main_key(self) -> tuple[Any, ...] | None:
        """Return the key of the main map as shown (or as wanted, if not drawn yet)."""
        return self.loaded.get("main") or self.wanted.get("main")

    def stop(self) -> None:
        """Stop every page (the window is closing)."""
        for pane in self.panes().values():
            pane.view.stop()
