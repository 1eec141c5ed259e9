"""One queue, many processes: two real app processes (under ptys) on one state database.

The emulator is served over loopback from this process, so the test can see
which app process sent each poll: the client port of every request is mapped
to the process owning that socket (Linux's /proc).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import uvicorn
from ptyapp import PtyApp, app_env, rows, state_db, wait_until

from illvid_tui.core.db import Database
from illvid_tui.core.lease import HEARTBEAT, TTL
from illvid_tui.core.uploads import UploadStore
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def socket_owner(port: int, pids: list[int]) -> int | None:
    """The pid among `pids` owning the TCP socket whose local port is `port`."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return pid
            except OSError:
                continue
    return None


class Served:
    """The emulator on a loopback port, recording which app process sent each poll."""

    def __init__(self) -> None:
        self.emulator = Emulator(seed=1, demo_data=False)
        self.emulator.upload_seconds = 3600  # jobs stay running: polling goes on
        self.pids: list[int] = []
        #: (pid or None, time) of each check_upload_url request.
        self.polls: list[tuple[int | None, float]] = []
        self._lock = threading.Lock()
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
        config = uvicorn.Config(self, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self.thread.start()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            if query.get("op") == "check_upload_url":
                owner = socket_owner(scope["client"][1], list(self.pids))
                with self._lock:
                    self.polls.append((owner, time.monotonic()))
        await self.emulator(scope, receive, send)

    def pollers_since(self, start: float) -> list[int | None]:
        with self._lock:
            return [pid for pid, at in self.polls if at >= start]

    def queue_id(self, url: str) -> str:
        """Queue `url` as a script would (its own HTTP request)."""
        params = {"key": DEMO_KEY, "op": "upload_url", "url": url}
        answer = httpx.get(self.url, params=params, timeout=10).json()
        return str(answer["result"]["queue_id"])

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def served() -> Iterator[Served]:
    server = Served()
    try:
        wait_until("the emulator to listen", lambda: server.server.started, 20)
        yield server
    finally:
        server.stop()


def lease_holder_pid(db: Path) -> int | None:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute(
            "SELECT pid FROM leases WHERE name LIKE 'poll:%' AND expires_at > ?", (time.time(),)
        ).fetchone()
    finally:
        conn.close()
    return int(row[0]) if row else None


def polling_shown(app: PtyApp) -> bool:
    """The poller runs (the state database is migrated): its status line is up."""
    return app.seen("Polling every") or app.seen("Polled by another app")


def add_in_dialog(app: PtyApp, urls: list[str]) -> None:
    app.send("a")
    wait_until("the add dialog", lambda: app.seen("Add remote uploads"), 15)
    app.send("\x1b[200~" + "\n".join(urls) + "\x1b[201~")  # a bracketed paste
    time.sleep(0.5)  # the paste is parsed before ctrl+s sends
    app.send("\x13")  # ctrl+s


def test_a_lease_lost_to_kill_9_is_taken_within_10_s() -> None:
    # Renewed every HEARTBEAT, taken once TTL has passed without renewal; the
    # others try every HEARTBEAT: a takeover comes at most TTL + HEARTBEAT late.
    assert TTL + HEARTBEAT <= 10 and HEARTBEAT * 2 < TTL


def test_two_apps_share_one_queue_only_one_polls_and_kill_9_hands_over(
    tmp_path: Path, served: Served
) -> None:
    env = app_env(tmp_path, served.url)
    db = state_db(tmp_path)
    first = PtyApp(env)
    second = PtyApp(env)
    apps = {first.proc.pid: first, second.proc.pid: second}
    served.pids[:] = list(apps)
    try:
        for app in apps.values():
            wait_until("the poller's status", lambda app=app: polling_shown(app), 40)

        # A job added in one app shows in the other.
        urls = [f"https://e.com/shared-{i}.mp4" for i in range(3)]
        add_in_dialog(first, urls)
        wait_until("3 queued jobs", lambda: sum(1 for r in rows(db) if r["queue_id"]) == 3, 20)
        for url in urls:
            wait_until(f"{url} in the second app", lambda url=url: second.seen(url), 15)

        # A job a script writes (as `illvid-tui upload` does) shows in both.
        script_url = "https://e.com/from-a-script.mp4"
        store = UploadStore(Database(db), f"{served.url}|{DEMO_LOGIN}")
        job = store.begin_send(script_url, None, time.time())
        store.mark_queued(job.id, served.queue_id(script_url), time.time())
        store.db.close()
        for app in apps.values():
            wait_until("the script's job", lambda app=app: app.seen(script_url), 15)

        # Only the lease holder polls, and the other says who does.
        wait_until("a poll lease", lambda: lease_holder_pid(db) is not None, 15)
        holder = lease_holder_pid(db)
        assert holder in apps
        start = time.monotonic()
        wait_until("8 polls", lambda: len(served.pollers_since(start)) >= 8, 60)
        assert set(served.pollers_since(start)) == {holder}
        other_pid = next(pid for pid in apps if pid != holder)
        other = apps[other_pid]
        wait_until("'Polled by another app'", lambda: other.seen("Polled by another app"), 15)

        # kill -9 of the poller: the other takes over and polls.
        apps[holder].kill9()
        killed_at = time.monotonic()
        wait_until(
            "polls from the survivor",
            lambda: other_pid in served.pollers_since(killed_at),
            30,
        )
        assert lease_holder_pid(db) == other_pid
        since = time.monotonic()
        wait_until("4 more polls", lambda: len(served.pollers_since(since)) >= 4, 60)
        assert set(served.pollers_since(since)) == {other_pid}
        assert len(rows(db)) == 4  # nothing lost, nothing doubled
    finally:
        for app in apps.values():
            app.quit()
    # The survivor quit cleanly: its lease is gone, the WAL is not left large.
    assert lease_holder_pid(db) is None
    wal = db.with_name(db.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def test_two_apps_starting_at_once_on_an_empty_state_dir_both_start(
    tmp_path: Path, served: Served
) -> None:
    for round_ in range(4):
        env = app_env(tmp_path / f"round{round_}", served.url)
        apps = [PtyApp(env), PtyApp(env)]
        try:
            for app in apps:
                wait_until("the poller's status", lambda app=app: polling_shown(app), 40)
            assert all(app.proc.poll() is None for app in apps)
        finally:
            for app in apps:
                app.quit()
        assert [app.proc.returncode for app in apps] == [0, 0]
        for app in apps:
            assert b"OperationalError" not in bytes(app.output)
        conn = sqlite3.connect(state_db(tmp_path / f"round{round_}"))
        versions = dict(conn.execute("SELECT part, version FROM schema_versions").fetchall())
        conn.close()
        assert versions["uploads"] >= 2 and versions["leases"] == 1
