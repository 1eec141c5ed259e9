"""The poller: keeps the remote-upload queue fresh, whatever screen is shown.

The app owns one `Poller` and runs `Poller.run()` as an app-level worker. It
polls only running jobs with `check_upload_url`, at most `client.max_in_flight`
at a time: a new job soon after it is queued, long-running ones less often,
finished ones never, and never more than `max_rate` requests a second on
average. A 509 pauses all polling for the announced wait (or
`DEFAULT_509_WAIT`); any other error backs off that job alone.

It also sends new URLs (`send`, from `poller_send`), because a send must outlive
the dialog that asked for it. Processes sharing the state database share the
queue: one polls, all show (core/poller_share.py, which also shows how a
script uses the same queue). Every change is written to the store first, then
announced as one `UploadsChanged` event (core/events.py) per cycle to each listener.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable

from illvid_tui.api.client import IllvidClient
from illvid_tui.core.changes import prune
from illvid_tui.core.events import (
    Announcer,
    CoreEvent,
    Listener,
    PollerStateChanged,
    UploadsChanged,
)
from illvid_tui.core.poller_cycle import CycleStats, PollCycle
from illvid_tui.core.poller_policy import (
    DEFAULT_509_WAIT,
    DEFAULT_INTERVAL,
    DEFAULT_MAX_RATE,
    INTERVALS,
    NEW_JOB_DELAY,
    age_factor,
    job_delay,
    next_cycle_at,
    pick_due,
    short_url,
)
from illvid_tui.core.poller_send import QueueEdits, SendReport
from illvid_tui.core.poller_share import SharedQueue, Sharing
from illvid_tui.core.uploads import Job, JobState, UploadStore

log = logging.getLogger("illvid_tui.poller")


class Poller(PollCycle, SharedQueue, QueueEdits):
    """Polls the unfinished jobs of one account; see the module docstring.

    With `sharing` (the state database is a file other processes may open),
    it polls only while it holds the account's poll lease and follows what
    other processes write (core/poller_share.py).
    """

    def __init__(
        self,
        store: UploadStore,
        client: IllvidClient | Callable[[], IllvidClient | None],
        *,
        interval: float = DEFAULT_INTERVAL,
        max_rate: float = DEFAULT_MAX_RATE,
        wall: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
        on_finished: Callable[[list[Job]], None] | None = None,
        on_block: Callable[[Poller], None] | None = None,
        sharing: Sharing | None = None,
    ) -> None:
        self.store = store
        #: Gives the client to use now: the app's changes with the credentials.
        self._current_client: Callable[[], IllvidClient | None] = (
            (lambda: client) if isinstance(client, IllvidClient) else client
        )
        self.interval = float(interval)
        self.max_rate = max_rate
        self._wall = wall
        self._clock = clock
        self.on_finished = on_finished
        #: Called when a 509 wait starts and when it ends (read `blocked_until_wall`).
        self.on_block = on_block
        #: Every job of the account by key, as last written to the store.
        self.jobs: dict[str, Job] = {}
        self.paused = False
        #: Monotonic time until which a 509 stops all polling (None: not blocked).
        self.blocked_until: float | None = None
        #: Wall time matching `blocked_until`, for showing.
        self.blocked_until_wall: float | None = None
        self._due: dict[str, float] = {}
        self._fails: dict[str, int] = {}
        #: Checks in a row the server answered 404 (it may have forgotten the job).
        self._missing: dict[str, int] = {}
        self._announcer = Announcer()
        self._wake = asyncio.Event()
        self._force = False
        #: Jobs queued but not checked yet: they may jump the interval.
        self._fresh: set[str] = set()
        self._last_start: float | None = None
        self._lock = asyncio.Lock()
        self._share(sharing)

    @property
    def client(self) -> IllvidClient:
        """The client to poll with now; RuntimeError while there is none (not connected)."""
        client = self._current_client()
        if client is None:
            raise RuntimeError("no client: not connected")
        return client

    # -- state ---------------------------------------------------------------------

    def load(self) -> list[Job]:
        """Read the queue (marking sends a crash interrupted as unknown); poll at once."""
        # Sends of other processes still running are in flight, not interrupted.
        recovered = self.store.recover_interrupted(self.sharing.live if self.sharing else ())
        if self.sharing is not None:
            prune(self.store)  # tombstones of deletions long seen by every reader
        now = self._clock()
        self.jobs = {job.key: job for job in self._snapshot()}
        self._due = {k: now for k, j in self.jobs.items() if j.state is JobState.RUNNING}
        self._post(UploadsChanged.of(self.jobs.values()))
        self._wake.set()
        return recovered

    def switch_account(self, store: UploadStore) -> list[Job]:
        """Follow new credentials to another account's queue; returns its recovered sends.

        The old account's jobs go, with all their scheduling: due times, error
        backoff, "new" marks, a 509 wait and a forced poll.
        """
        if store.account_id == self.store.account_id:
            return []
        old = list(self.jobs)
        self.store = store
        self.jobs = {}
        self._due.clear()
        self._fails.clear()
        self._missing.clear()
        self._fresh.clear()
        self._force = False
        self._last_start = None
        if self.sharing is not None:
            self.leading, self.polled_by = False, None  # the next heartbeat decides
        was_blocked = self.blocked_until is not None
        self.blocked_until = self.blocked_until_wall = None
        if was_blocked and self.on_block is not None:
            self.on_block(self)
        self._changed(removed=old)
        self._state_changed()
        return self.load()

    @property
    def unfinished(self) -> int:
        return len(self._due)

    @property
    def blocked(self) -> bool:
        return self.blocked_until is not None and self._clock() < self.blocked_until

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` with every `UploadsChanged` and `PollerStateChanged` from now on."""
        self._announcer.subscribe(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._announcer.unsubscribe(listener)

    def _post(self, event: CoreEvent) -> None:
        self._announcer.announce(event)

    def _changed(self, keys: Iterable[str] = (), removed: Iterable[str] = ()) -> None:
        jobs = self.jobs
        self._post(UploadsChanged.of((jobs[k] for k in keys if k in jobs), removed))

    def _state_changed(self) -> None:
        self._post(PollerStateChanged())

    def _check_soon(self, key: str) -> None:
        self._due[key] = self._clock() + NEW_JOB_DELAY
        self._fresh.add(key)
        self._wake.set()

    def _unschedule(self, key: str) -> None:
        self._due.pop(key, None)
        self._fails.pop(key, None)
        self._missing.pop(key, None)
        self._fresh.discard(key)

    def _put(self, job: Job) -> None:
        # A job's key is its row id for life: a queue id arriving changes no key.
        self.jobs[job.key] = job
        self._changed([job.key])

    def absorb(self, jobs: Iterable[Job]) -> None:
        """Show jobs another part of this process wrote (local uploads) in the one queue."""
        keys = []
        for job in jobs:
            if job.is_local:  # never polled: check_upload_url knows nothing of them
                self.jobs[job.key] = job
                keys.append(job.key)
        if keys:
            self._changed(keys)

    # -- controls --------------------------------------------------------------------

    def poll_now(self) -> bool:
        """Check every running job now, once (paused polling stays paused).

        False while a 509 wait is on.
        """
        if self.blocked:
            return False
        self._force = True
        self._wake.set()
        return True

    def pause(self) -> None:
        self.paused = True
        self._state_changed()

    def resume(self) -> None:
        self.paused = False
        self._wake.set()
        self._state_changed()

    def toggle_pause(self) -> bool:
        """Pause or resume; returns whether it is now paused."""
        self.resume() if self.paused else self.pause()
        return self.paused

    def faster(self) -> float:
        """Step the interval down; returns the new one."""
        smaller = [i for i in INTERVALS if i < self.interval]
        return self.set_interval(smaller[-1] if smaller else self.interval)

    def slower(self) -> float:
        """Step the interval up; returns the new one."""
        larger = [i for i in INTERVALS if i > self.interval]
        return self.set_interval(larger[0] if larger else self.interval)

    def set_interval(self, seconds: float) -> float:
        self.interval = float(seconds)
        now = self._clock()
        # Bring jobs planned further out than the new pace closer.
        for key, due in self._due.items():
            self._due[key] = min(due, now + self._job_delay(self.jobs[key], now))
        self._wake.set()
        self._state_changed()
        return self.interval

    # -- the loop --------------------------------------------------------------------

    async def run(self) -> None:
        """Poll until cancelled (the app runs this as a worker).

        Shared, it polls only while it holds the account's poll lease.
        """
        self._polls = True
        try:
            async with self.shared():
                await self._poll_loop()
        finally:
            self._polls = False

    async def _poll_loop(self) -> None:
        while True:
            timeout = self._seconds_to_next()
            if timeout is None or timeout > 0:
                try:
                    async with asyncio.timeout(timeout):
                        await self._wake.wait()
                except TimeoutError:
                    pass
            self._wake.clear()
            self._unblock_if_over()
            if self.blocked or (self.paused and not self._force):
                continue
            force, self._force = self._force, False
            if not force and not self.leading:
                continue  # another process polls: we show what it writes
            at = self._next_cycle_at()
            if force or (at is not None and at <= self._clock()):
                try:
                    await self.cycle(force=force)
                except Exception:  # noqa: BLE001 - monitoring must outlive one bad cycle
                    log.exception("poll cycle failed; trying again in %.0f s", self.interval)
                    await asyncio.sleep(self.interval)

    def _unblock_if_over(self) -> None:
        if self.blocked_until is not None and not self.blocked:
            self.blocked_until = self.blocked_until_wall = None
            if self.on_block is not None:
                self.on_block(self)
            self._state_changed()

    def _seconds_to_next(self) -> float | None:
        if self.paused:
            return 0.0 if self._force else None
        now = self._clock()
        if self.blocked_until is not None:
            return max(0.0, self.blocked_until - now)
        if self._force:
            return 0.0
        if not self.leading:
            return None  # woken when the lease comes to us
        at = self._next_cycle_at()
        return None if at is None else max(0.0, at - now)

    def _next_cycle_at(self) -> float | None:
        return next_cycle_at(self._due, self._fresh, self._last_start, self.interval)

    def _due_keys(self, now: float) -> list[str]:
        return pick_due(self._due, self._fresh, now, self.interval, self.max_rate)

    def _job_delay(self, job: Job, now: float) -> float:
        age = max(0.0, self._wall() - job.added_at)
        return job_delay(age, len(self._due), self.interval, self.max_rate)


__all__ = [
    "DEFAULT_509_WAIT",
    "DEFAULT_INTERVAL",
    "INTERVALS",
    "CycleStats",
    "Poller",
    "PollerStateChanged",
    "SendReport",
    "UploadsChanged",
    "age_factor",
    "short_url",
]
