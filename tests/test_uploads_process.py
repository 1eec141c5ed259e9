"""The real thing: the app as a process on the emulator over loopback, killed with -9.

Both run as subprocesses; the app under a pseudo-terminal with the real
terminal driver. Credentials and the base URL go through the environment
(never argv), state into a temporary XDG_STATE_HOME. Every wait has a timeout.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ptyapp import PtyApp, free_port, rows, wait_until

from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")


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
