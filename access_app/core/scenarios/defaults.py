"""The built-in scenarios and the hub choice they use (one hub per network)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

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


def centralised_hubs(
    sites: pd.DataFrame,
    *,
    unreachable: Mapping[str, str] | None = None,
) -> dict[str, tuple[str, ...]]:
    """Return one hub per network: its main centre with the most linacs.

    Ties in linac count go to the smallest ``site_id``; sites without a network are ignored.
    Sites in ``unreachable`` (``site_id -> why``, e.g. too far from any road) are skipped,
    and each one that would have been a hub is logged with its reason.
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
    skip = dict(unreachable or {})
    if skip:
        would_be = table.groupby("network", sort=True).head(1)
        table = table[~table["site_id"].isin(list(skip))]
        chosen = table.groupby("network", sort=True).head(1).set_index("network")["site_id"]
        for net, site in zip(would_be["network"], would_be["site_id"], strict=True):
            if site in skip:
                instead = f"its hub is {chosen[net]}" if net in chosen.index else "it has no hub"
                log.warning("Site %s is %s: not chosen as a hub of network %s (%s).", site, skip[site],
                            net, instead)
    first = table.groupby("network", sort=True).head(1)
    return {str(n): (s,) for n, s in zip(first["network"], first["site_id"], strict=True)}


def default_scenarios(
    sites: pd.DataFrame,
    *,
    unreachable: Mapping[str, str] | None = None,
) -> list[Scenario]:
    """Return the built-in scenarios for a less common cancer on the given sites.

    - *Status quo*: every main centre open, nearest site.
    - *Status quo (all sites)*: main centres and satellites, nearest site (common cancers).
    - *Networked*: every main centre open, nearest site within the area's network.
    - *Centralised*: one hub per network (its main centre with most linacs, ties to the
      smallest ``site_id``); areas go to the hub of their own network.

    Parameters
    ----------
    sites
        Canonical sites table.
    unreachable
        ``site_id -> why`` of sites no road reaches; they are never chosen as hubs.

    Raises
    ------
    ScenarioError
        If there is no main site, or no site has a network (the network scenarios need one).
    """
    if schema.SITE_ID not in sites.columns or sites.empty:
        raise ScenarioError("Default scenarios need a sites table with a 'site_id' column.")
    source = sites.attrs.get("source", "the sites table")
    all_ids = _as_id_tuple(sites[schema.SITE_ID])
    main_ids = main_site_ids(sites)
    if not main_ids:
        raise ScenarioError(f"{source}: no site has site_type 'main'; cannot build the default scenarios.")
    networks = sites[schema.NETWORK] if schema.NETWORK in sites.columns else pd.Series(dtype=object)
    if not networks.notna().any():
        raise ScenarioError(
            f"{source}: no site has a network (column 'network' is missing or empty), so the default "
            "'Networked' and 'Centralised' scenarios cannot be built. Add a network column, load a "
            "site-to-network table (--site-networks), or give your own scenarios (--scenarios)."
        )
    hubs = centralised_hubs(sites, unreachable=unreachable)
    if not hubs:
        raise ScenarioError(
            f"{source}: no main site with a network can be a hub (every one is unreachable by road "
            "or has no network), so the default 'Centralised' scenario cannot be built."
        )
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
