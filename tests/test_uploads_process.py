"""The real thing: the app as a process on the emulator over loopback, killed with -9.

Both run as subprocesses; the app under a pseudo-terminal with the real
terminal driver. Credentials and the base URL go through the environment
(never argv), state into a temporary XDG_STATE_HOME. Every wait has a timeout.
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
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


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


@pytest.fixture
def emulator_url() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "illvid_tui.emulator", "--port", str(port), "--upload-seconds", "6"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def listening() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    try:
        wait_until("the emulator to listen", listening, 20)
        yield f"http://127.0.0.1:{port}/api"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


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


def test_kill_9_while_polling_loses_nothing_and_polling_resumes(
    tmp_path: Path, emulator_url: str
) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "ILLVID_BASE_URL": emulator_url,
        "ILLVID_API_KEY": DEMO_KEY,
        "ILLVID_API_LOGIN": DEMO_LOGIN,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    db = tmp_path / "state" / "illvid-tui" / "state.sqlite3"
    urls = [f"https://cdn.example.com/v/clip-{i}.mp4" for i in range(5)]

    app = PtyApp(env)
    try:
        wait_until("the Uploads screen", lambda: app.seen("Press a to add"), 30)
        app.send("a")
        wait_until("the add dialog", lambda: app.seen("Add remote uploads"), 15)
        app.send("\x1b[200~" + "\n".join(urls) + "\x1b[201~")  # a bracketed paste
        time.sleep(0.5)
        app.send("\x13")  # ctrl+s
        wait_until(
            "5 queued jobs in the store",
            lambda: sum(1 for r in rows(db) if r["queue_id"]) == 5,
            20,
        )
        # Polling has begun once a status word from the server replaced "queued".
        wait_until("a first poll", lambda: any(r["status"] != "queued" for r in rows(db)), 20)
        app.kill9()
    except BaseException:
        app.quit()
        raise

    before = rows(db)
    assert sorted(r["url"] for r in before) == urls
    assert any(r["state"] == "running" for r in before), "all done before the kill: retry"
    queue_ids = {r["queue_id"] for r in before}
    assert DEMO_KEY.encode() not in db.read_bytes()

    restarted_at = time.time()
    app = PtyApp(env)
    try:
        wait_until(
            "every job done after the restart",
            lambda: [r["state"] for r in rows(db)] == ["done"] * 5,
            40,
        )
        after = rows(db)
        assert {r["queue_id"] for r in after} == queue_ids  # nothing lost, nothing re-sent
        assert all(r["file_code"] for r in after)
        assert max(r["checked_at"] for r in after) >= restarted_at - 1
    finally:
        app.quit()
