"""Property tests: any saved-network file gives a network or a NetworkError, never another exception.

Random bytes named ``.npz`` or ``.graphml``, and ``.npz`` files holding the cache's array
names with random shapes and values, go through :func:`access_app.core.network.load_network`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from access_app.core import network
from access_app.core.errors import AccessAppError

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_FOLDER = tempfile.TemporaryDirectory(prefix="fuzz-networks-")
NAMES = ["graph_json", "node_ids", "x", "y", "u", "v", "k", "length", "travel_time", "dropped_xy",
         "dropped_gap_m", "geom_coords", "geom_offsets", "geom_mask", "ea:highway", "em:highway"]
ARRAYS = hnp.arrays(dtype=st.sampled_from([np.int64, np.float64, np.int32, np.bool_]),
                    shape=hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=4))


def _load(path: Path) -> None:
    try:
        net = network.load_network(path)
    except AccessAppError:
        return
    assert net.n_nodes == net.graph.number_of_nodes()


@SETTINGS
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".npz", ".graphml"]))
def test_random_bytes(data: bytes, suffix: str) -> None:
    path = Path(_FOLDER.name) / f"net{suffix}"
    path.write_bytes(data)
    _load(path)


@SETTINGS
@given(arrays=st.fixed_dictionaries({n: ARRAYS for n in NAMES[1:10]},
                                    optional={n: ARRAYS for n in NAMES[10:]}),
       graph_json=st.sampled_from(['{"crs": "EPSG:27700"}', "[]", "{", '"x"', "{}"]))
def test_random_cache_arrays(arrays: dict[str, np.ndarray], graph_json: str) -> None:
    path = Path(_FOLDER.name) / "cache.npz"
    arrays = dict(arrays, format=np.array("access-app-network/1"))
    arrays.setdefault("graph_json", np.array(graph_json))
    np.savez(path, **arrays)  # type: ignore[arg-type]
    _load(path)
