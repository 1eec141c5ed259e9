"""The poller's part in a queue that several processes share (two TUIs, a cron job).

Every running app keeps a `Poller`, but only the holder of the account's poll
lease (core/lease.py) polls the server; the others show what it writes. Each
second every poller looks at the change feed (core/changes.py) and applies
what other processes wrote: jobs they added (scheduled, so whoever polls
checks them soon), states the polling process stored, deletions. Every
`HEARTBEAT` seconds it renews its presence and takes, keeps or (paused) gives
up the poll lease; a lease its holder stopped renewing (``kill -9``) is taken
within `TTL` + one heartbeat. The lease holder also marks ``unknown`` the
``sending`` rows of processes that are gone.

Heartbeats write, and a write may wait for another process's transaction, so
they run in a thread on their own connection: the event loop never waits on
another process. Feed reads never wait in WAL mode and run on the loop.

For a script or the CLI, the same queue the TUIs show::

    db = Database(settings.db_path)
    sharing = Sharing(db)                    # our presence; leases on their own connection
    poller = Poller(sharing.store(account_id), client, sharing=sharing)
    poller.load()                            # the queue (dead senders' rows: unknown)
    async with poller.shared():              # present while sending; no poll lease taken
        report = await poller.send(urls)     # each row on disk before its request
    # --wait / --watch: poller.subscribe(listener), then run() as a task: it
    # polls only while no other process does, else it follows what that one writes.
    poller.close()                           # leave: leases and presence released
    db.close()                               # checkpoint and truncate the WAL
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING

from illvid_tui.core.changes import ChangeFeed, Changes
from illvid_tui.core.db import Database
from illvid_tui.core.lease import HEARTBEAT, TTL, Holder, Lease, Presence, live_processes
from illvid_tui.core.uploads import Job, JobState, UploadStore

log = logging.getLogger("illvid_tui.poller")

#: Seconds between two looks at the change feed (another process's job shows within this).
SYNC_EVERY = 1.0


@dataclass(frozen=True)
class Beat:
    """What one heartbeat found out."""

    leading: bool
    #: Who polls instead of us (None: we do, or nobody).
    holder: Holder | None


class Sharing:
    """This process in the shared state database: its presence and its poll leases.

    `db` must be a file (an in-memory database is never shared). Leases are
    written through a second connection of their own, from a thread.
    """

    def __init__(
        self,
        db: Database,
        *,
        token: str | None = None,
        ttl: float = TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if db.path is None:
            raise ValueError("only a database file is shared between processes")
        self.db = db
        #: The leases' own connection: heartbeats may wait for a busy database.
        self._lease_db = Database(db.path, busy_timeout=db.busy_timeout)
        self.presence = Presence(self._lease_db, token, ttl=ttl, clock=clock)
        self._ttl = ttl
        self._clock = clock
        self._leases: dict[str, Lease] = {}
        # A heartbeat runs in a thread; closing must not interleave with it.
        self._lock = threading.Lock()

    @property
    def token(self) -> str:
        return self.presence.token

    def store(self, account_id: str) -> UploadStore:
        """The account's queue, with our token on the rows we send."""
        return UploadStore(self.db, account_id, sender=self.token)

    def live(self) -> set[str]:
        """The tokens of every process present now (ours included)."""
        return live_processes(self.db, self._clock()) | {self.token}

    def lease(self, account_id: str) -> Lease:
        if account_id not in self._leases:
            self._leases[account_id] = Lease(
                self._lease_db, f"poll:{account_id}", self.token, ttl=self._ttl, clock=self._clock
            )
        return self._leases[account_id]

    def beat(self, account_id: str, *, want_lease: bool) -> Beat:
        """Renew our presence; take or keep (`want_lease`) or give up the poll lease."""
        with self._lock:
            now = self._clock()
            self.presence.beat(now)
            for other in [a for a in self._leases if a != account_id]:
                self._leases.pop(other).release()  # an account we left
            lease = self.lease(account_id)
            if want_lease:
                leading = lease.acquire(now)
            else:
                lease.release()
                leading = False
            holder = lease.holder(now)
            if holder is not None and holder.token == self.token:
                holder = None
            return Beat(leading, holder)

    def close(self) -> None:
        """Give up every lease and our presence (a clean quit: others take over at once)."""
        with self._lock:
            try:
                for lease in self._leases.values():
                    lease.release()
                self.presence.release()
            except sqlite3.Error as exc:
                log.warning("could not release the leases on quitting: %s", exc)
            self._lease_db.close()


class SharedQueue:
    """Following the change feed and the poll lease; mixed into `Poller`."""

    if TYPE_CHECKING:  # provided by Poller
        store: UploadStore
        jobs: dict[str, Job]
        paused: bool
        on_finished: Callable[[list[Job]], None] | None
        _due: dict[str, float]
        _clock: Callable[[], float]
        _wake: asyncio.Event

        def _changed(self, keys: Iterable[str] = (), removed: Iterable[str] = ()) -> None: ...
        def _state_changed(self) -> None: ...
        def _check_soon(self, key: str) -> None: ...
        def _unschedule(self, key: str) -> None: ...
        def _job_delay(self, job: Job, now: float) -> float: ...

    sharing: Sharing | None = None
    #: Whether this process polls the account (always, when the queue is not shared).
    leading: bool = True
    #: The other process that polls, when one does.
    polled_by: Holder | None = None
    _feed: ChangeFeed | None = None
    #: `run()` is polling: only then is the poll lease asked for.
    _polls: bool = False

    def _share(self, sharing: Sharing | None) -> None:
        self.sharing = sharing
        self.leading = sharing is None
        self.polled_by = None
        self._feed = ChangeFeed(self.store) if sharing is not None else None

    def _snapshot(self) -> list[Job]:
        """Every job of the account; the feed reports changes after these."""
        if self.sharing is None:
            return self.store.jobs()
        self._feed = ChangeFeed(self.store)
        return self._feed.snapshot()

    async def beat(self, *, take_lease: bool | None = None) -> None:
        """One heartbeat (in a thread); follow who polls, recover dead senders' rows.

        It takes (or keeps) the poll lease unless paused or `take_lease` is False:
        a one-off `beat()` then `cycle()` polls once, only if nobody else polls.
        """
        sharing = self.sharing
        if sharing is None:
            return
        store = self.store
        want = not self.paused and (take_lease is None or take_lease)
        beat = await asyncio.to_thread(sharing.beat, store.account_id, want_lease=want)
        if store is not self.store:  # the account changed meanwhile: the next beat decides
            return
        moved = beat.leading != self.leading or beat.holder != self.polled_by
        if beat.leading and not self.leading:
            log.info("this process now polls %s", store.account_id)
        self.leading, self.polled_by = beat.leading, beat.holder
        if self.leading:
            # Who is alive is read after the rows (not the beat's set, read in the
            # thread earlier): a process that began sending since is not 'gone'.
            for job in store.recover_interrupted(sharing.live):
                self.jobs[job.key] = job
                self._unschedule(job.key)
                self._changed([job.key])
        if moved:
            self._wake.set()
            self._state_changed()

    def sync(self) -> list[str]:
        """Apply what other processes wrote since the last look; returns the changed keys."""
        changes = self._feed.poll() if self._feed is not None else None
        return self._apply_changes(changes) if changes else []

    def _apply_changes(self, changes: Changes) -> list[str]:
        now = self._clock()
        changed: list[str] = []
        finished: list[Job] = []
        for key, job in changes.jobs.items():
            old = self.jobs.get(key)
            if old == job:  # our own write, read back
                continue
            self.jobs[key] = job
            changed.append(key)
            if job.state is JobState.RUNNING:
                if old is None or old.state is not JobState.RUNNING:
                    self._check_soon(key)  # newly queued: whoever polls checks it soon
                else:
                    self._due[key] = now + self._job_delay(job, now)  # the poller checked it
            else:
                self._unschedule(key)
                if job.state.finished and old is not None and not old.state.finished:
                    finished.append(job)
        removed = set(changes.removed)
        if changes.full:
            removed |= self.jobs.keys() - changes.jobs.keys()
        removed &= self.jobs.keys()
        for key in removed:
            del self.jobs[key]
            self._unschedule(key)
        if changed or removed:
            self._changed(changed, removed)
        if finished and self.on_finished is not None:
            self.on_finished(finished)
        return changed

    @asynccontextmanager
    async def shared(self) -> AsyncIterator[None]:
        """Be present in the shared queue while the block runs, then leave it.

        Our presence is renewed (rows we send stay ours, not "interrupted"),
        and what other processes write is applied each second. Without
        `run()` no poll lease is asked for: a script sending URLs never stops
        the TUI that polls. Nothing happens when the queue is not shared.
        """
        if self.sharing is None:
            yield
            return
        try:
            await self.beat(take_lease=self._polls)  # present before the first row
        except sqlite3.Error as exc:
            log.warning("the shared queue could not be renewed: %s", exc)
        task = asyncio.create_task(self._follow(beaten=True), name="shared queue")
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    async def _follow(self, *, beaten: bool = False) -> None:
        """Look at the feed every `SYNC_EVERY` s and beat every `HEARTBEAT` s, until cancelled."""
        last_beat = time.monotonic() if beaten else float("-inf")
        while True:
            try:
                if time.monotonic() - last_beat >= HEARTBEAT:
                    last_beat = time.monotonic()
                    await self.beat(take_lease=self._polls)
                self.sync()
            except sqlite3.Error as exc:  # a database busy for long: try again next time
                log.warning("the shared queue could not be read or renewed: %s", exc)
            await asyncio.sleep(SYNC_EVERY)

    def close(self) -> None:
        """Leave the shared queue: release the poll lease and our presence."""
        if self.sharing is not None:
            self.sharing.close()
            self.leading = False


__all__ = ["SYNC_EVERY", "Beat", "SharedQueue", "Sharing"]
