"""The core never imports Qt: the CLI and tests must run without a GUI toolkit."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import access_app.core


def test_core_modules_do_not_import_qt() -> None:
    names = [f"access_app.core.{m.name}" for m in pkgutil.iter_modules(access_app.core.__path__)]
    names += ["access_app.cli"]
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'shiboken')))\n"
        "print(','.join(qt))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "", f"Qt imported by the core: {proc.stdout}"
    assert len(names) >= 10
