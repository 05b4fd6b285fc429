"""Find the run-time resources in the repository's top-level ``resources/`` folder.

``resources/`` holds files read at run time: the map page's stylesheet and JavaScript
(``maps/runtime.css``, ``maps/runtime.js``) and the application icon (``icons/``). Like
``geodata/``, it sits beside the package, so the app is installed from its source folder
(``pip install -e .``); set ``ACCESS_APP_RESOURCES`` to use a copy elsewhere.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path


def resources_dir() -> Path:
    """Return the resources folder (``ACCESS_APP_RESOURCES`` overrides it)."""
    env = os.environ.get("ACCESS_APP_RESOURCES")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "resources"


def resource_path(*parts: str) -> Path:
    """Return the path of a resource, raising ``FileNotFoundError`` with the fix if absent."""
    path = resources_dir().joinpath(*parts)
    if not path.is_file():
        raise FileNotFoundError(
            f"Resource {path} is missing: install the app from its source folder "
            "(pip install -e .) or set ACCESS_APP_RESOURCES to its resources folder."
        )
    return path


@cache
def resource_text(*parts: str) -> str:
    """Return a text resource (read once, then kept)."""
    return resource_path(*parts).read_text(encoding="utf-8")
