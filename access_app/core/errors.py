"""Exceptions raised by the analysis core.

Every user mistake (bad file, missing column, unknown postcode, bad scenario) raises a
subclass of :class:`AccessAppError` with a message that names the file, column or value
and says what to do. The GUI shows the message in a dialog; the CLI prints it on one line
and exits with code 2.
"""

from __future__ import annotations


class AccessAppError(Exception):
    """Base class of every error the application reports to the user."""


class DataError(AccessAppError, ValueError):
    """Input data (areas, sites, look-up tables) cannot be used as given."""


class NetworkError(AccessAppError, RuntimeError):
    """A road network cannot be built, loaded, downloaded or searched."""


class ScenarioError(AccessAppError, ValueError):
    """A scenario definition is invalid or cannot be applied to the loaded data."""


class ExportError(AccessAppError, RuntimeError):
    """An export could not be written."""


class Cancelled(AccessAppError):
    """Long work stopped because the user asked for it."""
