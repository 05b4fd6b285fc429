"""The osmnx download path against a local Overpass stand-in on 127.0.0.1 (no internet)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from shapely.geometry import box

from access_app.core import network
from access_app.core.errors import NetworkError
from access_app.core.network import pbf as osm

# a box around the whole Rutland extract (its nodes span -0.845..-0.395 E, 52.52..52.77 N)
RUTLAND_BBOX = (-0.86, 52.51, -0.38, 52.78)


class _Overpass(ThreadingHTTPServer):
    """Answers POST /api/interpreter with the Rutland roads; records every request."""

    daemon_threads = True

    def __init__(self, payload: bytes) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.payload = payload
        self.requests: list[tuple[str, str, str]] = []
        self.timeout = 5


class _Handler(BaseHTTPRequestHandler):
    server: _Overpass

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _reply(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.server.requests.append(("GET", self.path, ""))
        self._reply(404, b"{}")

    def do_POST(self) -> None:  # noqa: N802 - http.server API
        size = int(self.headers.get("Content-Length", 0))
        query = parse_qs(self.rfile.read(size).decode())["data"][0]
        self.server.requests.append(("POST", self.path, query))
        if self.path != "/api/interpreter":
            self._reply(404, b"{}")
            return
        self._reply(200, self.server.payload)


@pytest.fixture
def overpass(shared_geodata, tmp_path, monkeypatch):
    """Run the stand-in server and point osmnx at it; restore osmnx settings afterwards."""
    pbf = shared_geodata / "roads" / "rutland-2018-02-27.osm.pbf"
    payload = json.dumps(osm.read_pbf_elements(pbf, classes=osm.REGIONAL_CLASSES)).encode()
    server = _Overpass(payload)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    previous = network.configure_osmnx(
        network.OsmnxSettings(
            overpass_url=f"http://127.0.0.1:{server.server_address[1]}/api",
            use_cache=False,
            cache_folder=str(tmp_path / "osmnx-cache"),
            requests_timeout=10,
            overpass_rate_limit=False,
            doh_url_template=None,
        )
    )
    try:
        yield server
    finally:
        network.configure_osmnx(previous)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert network.current_osmnx_settings() == previous


def test_download_by_bbox_matches_local_extract(overpass, shared_geodata):
    G = network.graph_from_download(RUTLAND_BBOX).graph
    # exactly one request, to the interpreter, asking for the regional classes
    assert [(m, p) for m, p, _ in overpass.requests] == [("POST", "/api/interpreter")]
    query = overpass.requests[0][2]
    assert "[out:json]" in query and '["highway"~"^(motorway|motorway_link|' in query
    assert "residential" not in query
    local = network.graph_from_osm_file(
        shared_geodata / "roads" / "rutland-2018-02-27.osm.pbf", classes=osm.REGIONAL_CLASSES
    ).graph
    assert sorted(G.nodes) == sorted(local.nodes)
    got = sorted((u, v, round(d["travel_time"], 9)) for u, v, d in G.edges(data=True))
    want = sorted((u, v, round(d["travel_time"], 9)) for u, v, d in local.edges(data=True))
    assert got == want
    assert G.graph["crs"] == "EPSG:27700"


def test_download_by_polygon(overpass):
    G = network.graph_from_download(box(*RUTLAND_BBOX), classes=("trunk", "trunk_link")).graph
    assert len(overpass.requests) == 1 and '"^(trunk|trunk_link)$"' in overpass.requests[0][2]
    # the server answered with every regional class; osmnx kept what it was given and we
    # filtered to the requested classes
    classes = set()
    for _, _, d in G.edges(data=True):
        hw = d["highway"]
        classes.update(hw if isinstance(hw, list) else [hw])
    assert classes == {"trunk", "trunk_link"}


def test_download_failure_is_a_network_error(tmp_path):
    previous = network.configure_osmnx(
        network.OsmnxSettings(
            overpass_url="http://127.0.0.1:9/api",  # discard port: connection refused
            use_cache=False,
            cache_folder=str(tmp_path),
            requests_timeout=5,
            overpass_rate_limit=False,
            doh_url_template=None,
        )
    )
    try:
        with pytest.raises(NetworkError, match="downloading the road network failed"):
            network.graph_from_download(RUTLAND_BBOX)
        with pytest.raises(NetworkError, match="place name, a polygon"):
            network.graph_from_download([1, 2])  # type: ignore[arg-type]
    finally:
        network.configure_osmnx(previous)
