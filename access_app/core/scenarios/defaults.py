"""The built-in scenarios and the hub choice they use (one hub per network)."""

from __future__ import annotations

import logging

import pandas as pd

from .. import schema
from ..errors import ScenarioError
from .model import COMMON_SERVICE, Scenario, _as_id_tuple

log = logging.getLogger(__name__)


def main_sites(sites: pd.DataFrame) -> pd.DataFrame:
    """Return the main centres: rows whose ``site_type`` is "main" in any case.

    This is the one definition of a main centre (the default scenarios, ``open_sites =
    "all main"`` in TOML files and :func:`~access_app.core.scenarios.editing.open_all`);
    without a ``site_type`` column every site counts as main.
    """
    if schema.SITE_TYPE not in sites.columns:
        return sites
    return sites[sites[schema.SITE_TYPE].astype(str).str.lower() == "main"]


def main_site_ids(sites: pd.DataFrame) -> tuple[str, ...]:
    """Return the ``site_id`` of every main centre, in table order (see :func:`main_sites`)."""
    return _as_id_tuple(main_sites(sites)[schema.SITE_ID])


def centralised_hubs(sites: pd.DataFrame) -> dict[str, tuple[str, ...]]:
    """Return one hub per network: its main centre with the most linacs.

    Ties in linac count go to the smallest ``site_id``; sites without a network are ignored.
    """
    for col in (schema.NETWORK, schema.LINACS):
        if col not in sites.columns:
            raise ScenarioError(f"Choosing hubs needs a {col!r} column in the sites table.")
    mains = main_sites(sites)
    table = pd.DataFrame(
        {
            "site_id": mains[schema.SITE_ID].astype(str).to_numpy(),
            "network": mains[schema.NETWORK].to_numpy(),
            "linacs": pd.to_numeric(mains[schema.LINACS], errors="coerce").fillna(0).to_numpy(),
        }
    ).dropna(subset=["network"])
    table = table.sort_values(["network", "linacs", "site_id"], ascending=[True, False, True])
    first = table.groupby("network", sort=True).head(1)
    return {str(n): (s,) for n, s in zip(first["network"], first["site_id"], strict=True)}


def default_scenarios(sites: pd.DataFrame) -> list[Scenario]:
    """Return the built-in scenarios for a less common cancer on the given sites.

    - *Status quo*: every main centre open, nearest site.
    - *Status quo (all sites)*: main centres and satellites, nearest site (common cancers).
    - *Networked*: every main centre open, nearest site within the area's network.
    - *Centralised*: one hub per network (its main centre with most linacs, ties to the
      smallest ``site_id``); areas go to the hub of their own network.
    """
    if schema.SITE_ID not in sites.columns or sites.empty:
        raise ScenarioError("Default scenarios need a sites table with a 'site_id' column.")
    all_ids = _as_id_tuple(sites[schema.SITE_ID])
    main_ids = main_site_ids(sites)
    if not main_ids:
        raise ScenarioError("No site has site_type 'main'; cannot build the default scenarios.")
    hubs = centralised_hubs(sites)
    return [
        Scenario(
            name="Status quo",
            open_sites=main_ids,
            rule="nearest",
            description="Every main centre treats the service; each area uses its nearest.",
        ),
        Scenario(
            name="Status quo (all sites)",
            service=COMMON_SERVICE,
            open_sites=all_ids,
            rule="nearest",
            description="Main centres and satellite units; each area uses its nearest.",
        ),
        Scenario(
            name="Networked",
            open_sites=main_ids,
            rule="within_network",
            description="Every main centre; each area uses the nearest in its own network.",
        ),
        Scenario(
            name="Centralised",
            open_sites=tuple(h for ids in hubs.values() for h in ids),
            rule="hub_per_network",
            hubs=hubs,
            description=(
                "One hub per network (its main centre with the most linacs); each area "
                "goes to the hub of its own network."
            ),
        ),
    ]
