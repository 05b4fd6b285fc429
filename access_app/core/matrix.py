"""The areas x sites travel-time matrix that routing produces and scenarios consume."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class TravelTimeMatrix:
    """Car travel time in minutes from every area to every site.

    Attributes
    ----------
    minutes
        ``float64`` array of shape ``(n_areas, n_sites)``: door-to-door minutes including
        the access legs at both ends; ``np.inf`` where the pair is unreachable.
    area_ids, site_ids
        Identifiers in row and column order (``area_id`` / ``site_id`` of the inputs).
    area_snap_m, site_snap_m
        Straight-line distance in metres from each point to the network node it joined.
    unreachable
        One row per area or site that cannot be reached, with columns ``id``, ``kind``
        (``"area"`` or ``"site"``) and ``reason`` (e.g. "island with no road link",
        "12.3 km from the nearest road, beyond the 5 km limit").
    key
        Hash of network, speed model and points that identifies the matrix in the cache.
    """

    minutes: np.ndarray
    area_ids: np.ndarray
    site_ids: np.ndarray
    area_snap_m: np.ndarray
    site_snap_m: np.ndarray
    unreachable: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=["id", "kind", "reason"])
    )
    key: str = ""

    def __post_init__(self) -> None:
        n_a, n_s = len(self.area_ids), len(self.site_ids)
        if self.minutes.shape != (n_a, n_s):
            raise ValueError(
                f"matrix shape {self.minutes.shape} does not match {n_a} areas x {n_s} sites"
            )

    def column(self, site_id: str) -> np.ndarray:
        """Return the minutes from every area to one site."""
        idx = np.flatnonzero(self.site_ids == site_id)
        if idx.size == 0:
            raise KeyError(f"site {site_id!r} is not in the travel-time matrix")
        return self.minutes[:, idx[0]]

    def site_index(self, site_ids: list[str] | np.ndarray) -> np.ndarray:
        """Return column positions of ``site_ids`` (raises ``KeyError`` for unknown ids)."""
        lookup = {s: i for i, s in enumerate(self.site_ids.tolist())}
        missing = [s for s in site_ids if s not in lookup]
        if missing:
            raise KeyError(f"sites not in the travel-time matrix: {', '.join(map(str, missing))}")
        return np.array([lookup[s] for s in site_ids], dtype=np.intp)
