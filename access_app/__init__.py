"""Access App: car travel time and equity of access to radiotherapy services in England.

The package is split so that the analysis never depends on Qt:

- :mod:`access_app.core` holds data loading, road networks, routing, scenarios,
  equity measures and exports (geopandas, networkx, numpy, scipy).
- :mod:`access_app.maps` builds folium maps with Leaflet served from an installed package.
- :mod:`access_app.gui` is the PySide6 desktop application.
- :mod:`access_app.cli` is the headless command line.
"""

__version__ = "0.1.0"
