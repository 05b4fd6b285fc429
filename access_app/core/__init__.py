"""The analysis core: data, road networks, routing, scenarios, equity, exports.

Nothing here imports Qt (``tests/core/test_no_qt.py`` checks it), so the CLI, the GUI and
the tests all call the same functions. One module per concern:

- :mod:`~access_app.core.schema`: canonical column names.
- :mod:`~access_app.core.errors`: the exceptions shown to users.
- :mod:`~access_app.core.progress`: progress and cancel hooks for long work.
- :mod:`~access_app.core.filetypes`: the one registry of input file types, by kind.
- :mod:`~access_app.core.io`: loading and checking areas, sites and network tables (a package:
  tables, columns, values, points, areas, sites, extent, networks).
- :mod:`~access_app.core.postcodes`: geocoding with OS Code-Point Open.
- :mod:`~access_app.core.defaults`: the embedded England data in ``geodata/``.
- :mod:`~access_app.core.speeds`: the UK speed model.
- :mod:`~access_app.core.network`: :class:`~access_app.core.network.RoadNetwork` (graph +
  routing arrays) from lines, OSM extracts, downloads, saved files (a package: road_network,
  arrays, lines, urban, osm, pbf, components, travel_times, store, npz).
- :mod:`~access_app.core.routing`: snapping, access legs, the travel-time matrix engine.
- :mod:`~access_app.core.matrix`: the areas x sites travel-time matrix.
- :mod:`~access_app.core.scenarios`: scenario definitions, assignment rules, TOML files (a
  package: model, rules, assignment, defaults, toml).
- :mod:`~access_app.core.equity`: inequality measures on arrays.
- :mod:`~access_app.core.tables`: the equity impact tables (a package: report, options, groups,
  stats, sites, changes, areas).
- :mod:`~access_app.core.export`: Excel, CSV and GeoPackage exports, written atomically.
- :mod:`~access_app.core.pipeline`: the whole analysis as the CLI and GUI run it.
"""
