"""The PySide6 desktop application: a thin window over :mod:`access_app.core`.

- :mod:`~access_app.gui.app`: the ``access-app`` entry point (and ``--screenshot``).
- :mod:`~access_app.gui.main_window`: the window, its docks, tabs and actions.
- :mod:`~access_app.gui.state`: the Qt-free state the widgets show.
- :mod:`~access_app.gui.workers`: worker threads with progress, cancel and errors.
- :mod:`~access_app.gui.settings`: remembered settings (JSON with a schema version).
"""
