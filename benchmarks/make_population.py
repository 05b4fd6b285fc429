"""Write a large synthetic population CSV for load benchmarks.

Run: ``.venv/bin/python benchmarks/make_population.py OUT.csv [rows]`` (default 1,000,000 rows).

The file looks like the census-style tables planners export: an LSOA-like code and name, a
population written with thousands separators (``"1,954"``, quoted), an IMD rank and decile,
a 2011 rural-urban class, a network (one of the 9 English regions) and longitude/latitude
inside England. Values are drawn from a seeded generator, so the same ``rows`` always gives
the same file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

RUC = np.array(["A1", "B1", "C1", "C2", "D1", "D2", "E1", "E2"])
REGIONS = np.array(["North East", "North West", "Yorkshire and The Humber", "East Midlands",
                    "West Midlands", "East of England", "London", "South East", "South West"])


def make_population(path: Path, rows: int = 1_000_000, *, seed: int = 9) -> Path:
    """Write ``rows`` synthetic areas to ``path`` as CSV and return it."""
    rng = np.random.default_rng(seed)
    pop = rng.integers(900, 3_000, rows)
    rank = rng.permutation(rows) + 1
    frame = pd.DataFrame({
        "LSOA11CD": [f"E{i:08d}" for i in range(rows)],
        "LSOA11NM": [f"Area {i:07d}" for i in range(rows)],
        "All Ages": [f"{v:,}" for v in pop],
        "IMD Rank": rank,
        "IMD Decile": np.ceil(rank / rows * 10).astype(int),
        "RUC11CD": RUC[rng.integers(0, len(RUC), rows)],
        "network": REGIONS[rng.integers(0, len(REGIONS), rows)],
        # England's interior, away from the coast: 2.5W-0.5E, 51.4N-53.8N
        "lon": np.round(rng.uniform(-2.5, 0.5, rows), 6),
        "lat": np.round(rng.uniform(51.4, 53.8, rows), 6),
    })
    frame.to_csv(path, index=False)
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    make_population(out, n)
    print(f"wrote {n:,} rows to {out} ({out.stat().st_size / 1e6:.0f} MB)")
