"""Remembered settings of the desktop application: a small typed schema saved as JSON.

The file lives in the user's config folder (``QStandardPaths.AppConfigLocation``) unless a
folder is given, which tests do with ``tmp_path``. Unknown keys are ignored and a file
written by a newer or broken version is replaced by the defaults, never a crash.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
FILE_NAME = "settings.json"
#: Environment variable that overrides the settings folder (useful for portable installs).
CONFIG_ENV = "ACCESS_APP_CONFIG_DIR"


@dataclass(frozen=True)
class Settings:
    """What the window remembers between sessions.

    Attributes
    ----------
    schema_version
        Version of this schema; files with another version are read field by field.
    window_geometry, window_state
        ``QMainWindow.saveGeometry()`` / ``saveState()`` as hex strings.
    last_scenario_file
        The scenario TOML file saved or opened last (reopened at start-up if it exists).
    last_dirs
        Last folder used per kind of file dialog ("areas", "sites", "network", "export"...).
    current_scenario, compare_scenario
        Names of the scenarios shown in the main and comparison panes.
    use_web_tiles
        Whether maps add OpenStreetMap tiles under the offline basemap (needs internet).
    postcodes_file
        The OS Code-Point Open zip used to place sites by postcode.
    map_layer
        Layer of the main map: "travel", "change", "catchment" or "drivetime".
    last_map_page
        The cached page of the main map shown last: opened at start-up while the data
        loads, and kept if the data and scenario turn out the same (it is keyed by them).
    """

    schema_version: int = SCHEMA_VERSION
    window_geometry: str = ""
    window_state: str = ""
    last_scenario_file: str = ""
    last_dirs: dict[str, str] = field(default_factory=dict)
    current_scenario: str = ""
    compare_scenario: str = ""
    use_web_tiles: bool = False
    postcodes_file: str = ""
    map_layer: str = "travel"
    last_map_page: str = ""

    def with_dir(self, kind: str, folder: str | Path) -> Settings:
        """Return a copy that remembers ``folder`` for file dialogs of ``kind``."""
        dirs = dict(self.last_dirs)
        dirs[kind] = str(folder)
        return replace(self, last_dirs=dirs)

    def dir_for(self, kind: str) -> str:
        """Return the last folder used for ``kind`` (or the home folder)."""
        folder = self.last_dirs.get(kind, "")
        return folder if folder and Path(folder).is_dir() else str(Path.home())


def default_config_dir() -> Path:
    """Return the folder that holds ``settings.json`` for this user."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    from PySide6.QtCore import QStandardPaths

    loc = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericConfigLocation)
    return Path(loc or Path.home() / ".config") / "access-app"


def load_settings(folder: Path | None = None) -> Settings:
    """Read the settings from ``folder`` (default: the user config folder).

    A missing, unreadable or malformed file gives the defaults; each field of the
    wrong type falls back to its default on its own.
    """
    path = (folder or default_config_dir()) / FILE_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable settings file %s: %s", path, exc)
        return Settings()
    if not isinstance(raw, dict):
        return Settings()
    defaults = Settings()
    values: dict[str, Any] = {}
    for f in fields(Settings):
        if f.name == "schema_version" or f.name not in raw:
            continue
        value, default = raw[f.name], getattr(defaults, f.name)
        if isinstance(default, dict):
            ok = isinstance(value, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            )
        else:
            ok = type(value) is type(default)
        if ok:
            values[f.name] = value
        else:
            log.warning("ignoring setting %s=%r of the wrong type", f.name, value)
    return replace(defaults, **values)


def save_settings(settings: Settings, folder: Path | None = None) -> Path:
    """Write ``settings`` as JSON (atomically) and return the file path."""
    folder = folder or default_config_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FILE_NAME
    tmp = path.with_suffix(".json.tmp")
    data = asdict(settings)
    data["schema_version"] = SCHEMA_VERSION
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)
    return path
