"""The ``access-app`` entry point on a machine with no screen."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="display detection is for X11/Wayland")
def test_no_display_says_so_and_exits_cleanly() -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}}
    code = "from access_app.gui.app import main; raise SystemExit(main([]))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "no display found" in proc.stderr and "access-app-cli run" in proc.stderr
    assert "Traceback" not in proc.stderr
