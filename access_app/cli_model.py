"""``access-app-cli model``: write the model settings (speeds, routing) to a TOML file to edit.

``access-app-cli run --model FILE`` reads such a file (see ``docs/model.md``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

COMMAND = "model"


def add_parser(subparsers: Any) -> None:
    """Add the ``model`` subcommand to ``subparsers``."""
    p = subparsers.add_parser(
        "model", help="write the model settings (speeds, routing) to a TOML file to edit",
        description="Write the car speeds per road class and the routing parameters as a TOML "
                    "file that 'run --model' reads; --from starts from another model or "
                    "scenarios file instead of the defaults. Every key: docs/model.md.")
    p.add_argument("--out", type=Path, required=True, metavar="TOML", help="file to write")
    p.add_argument("--from", dest="source", type=Path, metavar="TOML",
                   help="start from this model (or scenarios) file's [model] table")


def run(args: argparse.Namespace) -> int:
    """Write the model file; return the exit code."""
    from .core.model_settings import ModelSettings, load_model, save_model

    settings = load_model(args.source) if args.source else ModelSettings()
    path = save_model(settings, args.out)
    print(f"Wrote {path}")
    return 0


def load(path: Path | None) -> Any:
    """Return the :class:`~access_app.core.model_settings.ModelSettings` of ``--model`` (or None)."""
    if path is None:
        return None
    from .core.model_settings import load_model

    return load_model(path)
