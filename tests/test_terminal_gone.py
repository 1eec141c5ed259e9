"""The app ends when its terminal goes away, even when no SIGHUP comes.

The app runs on a pty in a session of its own, so closing the terminal sends
it no signal: only end-of-file on stdin, on which Textual's input thread
would otherwise spin on a full core forever (seen on a detached session).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def test_app_exits_when_its_terminal_hangs_up(tmp_path: Path) -> None:
    master, slave = os.openpty()
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    app = subprocess.Popen(
        [sys.executable, "-m", "illvid_tui", "--demo"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,  # no controlling terminal: no SIGHUP on close
    )
    os.close(slave)
    try:
        seen = b""
        deadline = time.monotonic() + 30
        while b"Balance" not in seen:  # the Account data is on screen
            assert time.monotonic() < deadline, "the app never drew its Account screen"
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
        os.close(master)  # the terminal goes away
        assert app.wait(timeout=20) == 129
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
