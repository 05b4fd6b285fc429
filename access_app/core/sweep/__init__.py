"""Test whether conclusions hold under other assumptions: sensitivity and uncertainty sweeps.

- :mod:`.spec`: the TOML sweep definition (parameters, distributions, scenarios, seed).
- :mod:`.draws`: deterministic parameter values per draw (seeded per draw index).
- :mod:`.tasks`: pure task functions of (arrays, parameter values) -> headline measures.
- :mod:`.run`: execution in this process or on ``dask.distributed``.
- :mod:`.results`: intervals, conclusion shares, tornado data, charts and files.
- :mod:`.conclusions`: the small expression language of conclusions.

The format and the method are described in ``docs/sweeps.md``.
"""

from . import conclusions as conclusions
from . import draws as draws
from . import results as results
from . import run as run
from . import spec as spec
from . import tasks as tasks

__all__ = ["conclusions", "draws", "results", "run", "spec", "tasks"]
