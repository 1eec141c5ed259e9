"""Helpers for tests that run the app as a real process under a pseudo-terminal.

The app runs with the real terminal driver; credentials and the base URL go
through the environment (never argv), state into a temporary XDG_STATE_HOME.
Every wait has a timeout.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path

from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(what: str, check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class PtyApp:
    """The app in a pseudo-terminal; output is drained by a thread and kept."""

    def __init__(self, env: dict[str, str], cols: int = 100, rows: int = 30) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.master = master
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "illvid_tui", "--screen", "uploads"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if not ready:
                    if self.proc.poll() is not None:
                        return
                    continue
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.output += data

    def seen(self, text: str) -> bool:
        with self._lock:
            return text.encode() in self.output

    def send(self, data: str) -> None:
        os.write(self.master, data.encode())

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self._reader.join(timeout=5)
        os.close(self.master)

    def quit(self) -> None:
        if self.proc.poll() is None:
            self.send("q")
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._reader.join(timeout=5)
        try:
            os.close(self.master)
        except OSError:
            pass


def rows(db: Path) -> list[sqlite3.Row]:
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute("SELECT * FROM uploads ORDER BY id").fetchall()
    except sqlite3.OperationalError:  # not created yet
        return []
    finally:
        conn.close()


def app_env(tmp_path: Path, base_url: str) -> dict[str, str]:
    """The environment of an app process: the demo account on `base_url`, state in tmp_path."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "ILLVID_BASE_URL": base_url,
        "ILLVID_API_KEY": DEMO_KEY,
        "ILLVID_API_LOGIN": DEMO_LOGIN,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }


def state_db(tmp_path: Path) -> Path:
    """Where an app with `app_env(tmp_path, ...)` keeps its state database."""
    return tmp_path / "state" / "illvid-tui" / "state.sqlite3"
