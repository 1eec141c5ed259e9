"""Leases in the state database: who polls an account's queue, and which processes live.

A lease is a row naming its holder and when it expires. The holder renews it
(a heartbeat, every `HEARTBEAT` seconds) well before that; anyone may take a
lease whose time is up, so a holder that dies (``kill -9`` included) is
replaced within `TTL` + one heartbeat. Each take or renewal is one short
``IMMEDIATE`` transaction that reads the row again under the write lock, so
two processes never both believe they hold it.

Two kinds are used:

- ``poll:<account_id>``: one process at a time polls that account's queue
  (`poll_lease`). The others read what the poller writes.
- ``process:<token>``: a process's presence (`Presence`), renewed while it
  runs. A row left ``sending`` by a process whose presence has expired was
  interrupted (see `UploadStore.recover_interrupted`); one whose sender is
  present is still in flight.

Times are wall-clock Unix seconds (processes share them; monotonic clocks are
not comparable between machines). Every function takes `now`, so tests drive
expiry with a fake clock instead of sleeping.

For scripts (the CLI): hold a `Presence` while sending and beat it every
`HEARTBEAT` seconds (`keep_alive` does both as an asyncio task)::

    presence = Presence(db)
    store = UploadStore(db, account_id, sender=presence.token)
    async with keep_alive(presence):
        ...send...
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from illvid_tui.core.db import Database

PART = "leases"
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE leases (
        name TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        since REAL NOT NULL,
        expires_at REAL NOT NULL
    );
    CREATE INDEX leases_expires ON leases (expires_at);
    """,
)

#: Seconds between two renewals by the holder.
HEARTBEAT = 2.0
#: Seconds a lease lasts without renewal: three missed heartbeats.
TTL = 6.0
#: Expired rows older than this are deleted (presences of long-gone processes).
KEEP_EXPIRED = 3600.0


def new_token() -> str:
    """A holder name unique to this process run: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True)
class Holder:
    """Who holds a lease, as the row says."""

    token: str
    pid: int
    host: str
    since: float
    expires_at: float

    def describe(self) -> str:
        """How to name the holder to a user: its pid, and its host if not this one."""
        here = self.host == socket.gethostname()
        return f"pid {self.pid}" if here else f"pid {self.pid} on {self.host}"


class Lease:
    """One named lease, seen from one would-be holder (`token`)."""

    def __init__(
        self,
        db: Database,
        name: str,
        token: str,
        *,
        ttl: float = TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.name = name
        self.token = token
        self.ttl = ttl
        self._clock = clock
        db.migrate(PART, MIGRATIONS)

    def acquire(self, now: float | None = None) -> bool:
        """Take the lease if it is free or expired, renew it if ours; whether we hold it."""
        now = self._clock() if now is None else now
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT holder, expires_at FROM leases WHERE name = ?", (self.name,)
            ).fetchone()
            if row is not None and row[0] != self.token and float(row[1]) > now:
                return False
            ours = row is not None and row[0] == self.token
            conn.execute(
                "INSERT INTO leases (name, holder, pid, host, since, expires_at)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET holder = excluded.holder,"
                " pid = excluded.pid, host = excluded.host, expires_at = excluded.expires_at,"
                " since = CASE WHEN ? THEN leases.since ELSE excluded.since END",
                (self.name, self.token, os.getpid(), socket.gethostname(), now,
                 now + self.ttl, ours),
            )  # fmt: skip
        return True

    def release(self) -> None:
        """Give the lease up at once (a clean quit), if we hold it."""
        with self.db.transaction() as conn:
            conn.execute(
                "DELETE FROM leases WHERE name = ? AND holder = ?", (self.name, self.token)
            )

    def holder(self, now: float | None = None) -> Holder | None:
        """The live holder (us included), or None when the lease is free or expired."""
        now = self._clock() if now is None else now
        row = self.db.conn.execute(
            "SELECT holder, pid, host, since, expires_at FROM leases"
            " WHERE name = ? AND expires_at > ?",
            (self.name, now),
        ).fetchone()
        if row is None:
            return None
        return Holder(str(row[0]), int(row[1]), str(row[2]), float(row[3]), float(row[4]))

    def held(self, now: float | None = None) -> bool:
        """Whether we hold it now (read from the database, not remembered)."""
        holder = self.holder(now)
        return holder is not None and holder.token == self.token


def poll_lease(
    db: Database,
    account_id: str,
    token: str,
    *,
    ttl: float = TTL,
    clock: Callable[[], float] = time.time,
) -> Lease:
    """The lease that lets one process poll `account_id`'s queue."""
    return Lease(db, f"poll:{account_id}", token, ttl=ttl, clock=clock)


class Presence(Lease):
    """This process's "I am alive" row; its token is the `sender` of the rows it sends."""

    def __init__(
        self,
        db: Database,
        token: str | None = None,
        *,
        ttl: float = TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        token = token or new_token()
        super().__init__(db, f"process:{token}", token, ttl=ttl, clock=clock)

    def beat(self, now: float | None = None) -> None:
        """Renew the presence (and drop rows of processes gone for long)."""
        now = self._clock() if now is None else now
        self.acquire(now)
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM leases WHERE expires_at < ?", (now - KEEP_EXPIRED,))


def live_processes(db: Database, now: float) -> set[str]:
    """The tokens of every process whose presence has not expired."""
    db.migrate(PART, MIGRATIONS)
    rows = db.conn.execute(
        "SELECT holder FROM leases WHERE name LIKE 'process:%' AND expires_at > ?", (now,)
    ).fetchall()
    return {str(r[0]) for r in rows}


@asynccontextmanager
async def keep_alive(presence: Presence, every: float = HEARTBEAT) -> AsyncIterator[Presence]:
    """Beat `presence` now and every `every` seconds while the block runs; release after."""
    presence.beat()

    async def beat() -> None:
        while True:
            await asyncio.sleep(every)
            presence.beat()

    task = asyncio.create_task(beat(), name="presence heartbeat")
    try:
        yield presence
    finally:
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        presence.release()


__all__ = [
    "HEARTBEAT",
    "TTL",
    "Holder",
    "Lease",
    "Presence",
    "keep_alive",
    "live_processes",
    "new_token",
    "poll_lease",
]
