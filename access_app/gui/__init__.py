"""The PySide6 desktop application: a thin window over :mod:`access_app.core`.

- :mod:`~access_app.gui.app`: the ``access-app`` entry point (and ``--screenshot``).
- :mod:`~access_app.gui.main_window`: the window (wiring only) over the Qt-free
  :class:`access_app.app.session.Session`; :mod:`~access_app.gui.layout` its widgets,
  :mod:`~access_app.gui.actions` its menus, and the controllers :mod:`~access_app.gui.loading`,
  :mod:`~access_app.gui.map_controller`, :mod:`~access_app.gui.export_controller`,
  :mod:`~access_app.gui.scenario_files`.
- :mod:`~access_app.gui.workers`: worker threads with progress, cancel and errors.
- :mod:`~access_app.gui.settings`: remembered settings (JSON with a schema version).
"""
