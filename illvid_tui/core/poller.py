"""The poller: keeps the remote-upload queue fresh, whatever screen is shown.

The app owns one `Poller` and runs `Poller.run()` as an app-level worker. It
polls only running jobs with `check_upload_url`, at most `client.max_in_flight`
at a time: a new job soon after it is queued, long-running ones less often,
finished ones never, and never more than `max_rate` requests a second on
average. A 509 pauses all polling for the announced wait (or
`DEFAULT_509_WAIT`); any other error backs off that job alone.

It also sends new URLs (`send`, from `poller_send`), because a send must outlive
the dialog that asked for it. Every change is written to the store first, then
announced as one `UploadsChanged` event (core/events.py) per cycle to each listener.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from illvid_tui.api.client import IllvidClient
from illvid_tui.api.errors import BandwidthExceededError, IllvidError
from illvid_tui.api.models import UploadStatus
from illvid_tui.core.events import (
    Announcer,
    CoreEvent,
    Listener,
    PollerStateChanged,
    UploadsChanged,
)
from illvid_tui.core.poller_policy import (
    DEFAULT_509_WAIT,
    DEFAULT_INTERVAL,
    DEFAULT_MAX_RATE,
    FORGOTTEN_AFTER,
    FORGOTTEN_STATUS,
    FORGOTTEN_TEXT,
    INTERVALS,
    NEW_JOB_DELAY,
    age_factor,
    backoff_delay,
    describe,
    differs,
    job_delay,
    next_cycle_at,
    pick_due,
    says_forgotten,
    short_url,
    wait_after_509,
)
from illvid_tui.core.poller_send import QueueEdits, SendReport
from illvid_tui.core.uploads import Job, JobState, UploadStore

log = logging.getLogger("illvid_tui.poller")


@dataclass(frozen=True)
class CycleStats:
    """What one poll cycle did."""

    requests: int
    changed: int
    errors: int
    unfinished: int
    elapsed: float


class Poller(QueueEdits):
    """Polls the unfinished jobs of one account; see the module docstring."""

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
        recovered = self.store.recover_interrupted()
        now = self._clock()
        self.jobs = {job.key: job for job in self.store.jobs()}
        self._due = {k: now for k, j in self.jobs.items() if j.state is JobState.RUNNING}
        self._post(UploadsChanged.of(self.jobs))
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
        self._post(UploadsChanged.of(keys, removed))

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
        """Poll until cancelled (the app runs this as a worker)."""
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
        at = self._next_cycle_at()
        return None if at is None else max(0.0, at - now)

    def _next_cycle_at(self) -> float | None:
        return next_cycle_at(self._due, self._fresh, self._last_start, self.interval)

    def _due_keys(self, now: float) -> list[str]:
        return pick_due(self._due, self._fresh, now, self.interval, self.max_rate)

    def _job_delay(self, job: Job, now: float) -> float:
        age = max(0.0, self._wall() - job.added_at)
        return job_delay(age, len(self._due), self.interval, self.max_rate)

    async def cycle(self, *, force: bool = False) -> CycleStats:
        """Check the jobs that are due (all running ones when `force`); store, then post."""
        async with self._lock:
            started = self._clock()
            self._last_start = started
            self._unblock_if_over()
            if self.blocked:
                return CycleStats(0, 0, 0, len(self._due), 0.0)
            if force:
                keys = sorted(self._due, key=self._due.__getitem__)
            else:
                keys = self._due_keys(started)
            jobs = [self.jobs[k] for k in keys if k in self.jobs]
            self._fresh.difference_update(keys)
            answers: list[tuple[Job, UploadStatus]] = []
            failures: list[tuple[Job, IllvidError]] = []
            pending = iter(jobs)
            requests = 0

            async def lane() -> None:
                nonlocal requests
                for job in pending:
                    if self.blocked_until is not None:
                        return
                    requests += 1
                    try:
                        status = await self.client.check_upload_url(
                            job.queue_id or "", max_attempts=1
                        )
                    except BandwidthExceededError as exc:
                        self._block(exc)
                        return
                    except IllvidError as exc:
                        failures.append((job, exc))
                    else:
                        answers.append((job, status))

            lanes = min(self.client.max_in_flight, len(jobs))
            await asyncio.gather(*(lane() for _ in range(lanes)))
            changed = self._apply(answers, failures)
            stats = CycleStats(
                requests=requests,
                changed=len(changed),
                errors=len(failures),
                unfinished=len(self._due),
                elapsed=self._clock() - started,
            )
            if changed:
                self._changed(changed)
            self._state_changed()
            return stats

    def _apply(
        self,
        answers: Sequence[tuple[Job, UploadStatus]],
        failures: Sequence[tuple[Job, IllvidError]],
    ) -> list[str]:
        now, wall = self._clock(), self._wall()
        # Every answer is written in one transaction (it sets "last checked");
        # only the jobs whose answer differs are posted as changed.
        moved = {j.key for j, s in answers if j.poll_error or differs(j, s)}
        changed: list[str] = []
        finished: list[Job] = []
        for job in self.store.record_statuses(answers, wall):
            # A job removed while its check was in flight stays removed.
            if job.key not in self.jobs:
                continue
            self.jobs[job.key] = job
            if job.key not in moved:
                continue
            changed.append(job.key)
            if job.state.finished:
                self._due.pop(job.key, None)
                self._fails.pop(job.key, None)
                finished.append(job)
        for job, _ in answers:
            self._missing.pop(job.key, None)
            if job.key in self._due:
                self._fails.pop(job.key, None)
                self._due[job.key] = now + self._job_delay(job, now)
        errs: list[tuple[Job, str]] = []
        forgotten: list[Job] = []
        for job, exc in failures:
            if self._count_missing(job.key, exc) >= FORGOTTEN_AFTER:
                forgotten.append(job)
                continue
            fails = self._fails.get(job.key, 0) + 1
            self._fails[job.key] = fails
            if job.key in self._due:
                self._due[job.key] = now + backoff_delay(fails, self.interval)
            errs.append((job, describe(exc)))
        for job in self.store.record_poll_errors(errs, wall):
            if job.key in self.jobs:
                self.jobs[job.key] = job
                changed.append(job.key)
        for job in self.store.mark_failed(forgotten, FORGOTTEN_STATUS, FORGOTTEN_TEXT, wall):
            if job.key in self.jobs:
                log.info("queue id %s: 404 %d times in a row, marked failed", job.queue_id,
                         FORGOTTEN_AFTER)  # fmt: skip
                self.jobs[job.key] = job
                self._unschedule(job.key)
                changed.append(job.key)
                finished.append(job)
        if finished and self.on_finished is not None:
            self.on_finished(finished)
        return changed

    def _count_missing(self, key: str, exc: IllvidError) -> int:
        """The 404s in a row for `key`, this one included (0 after any other error)."""
        if not says_forgotten(exc):
            self._missing.pop(key, None)
            return 0
        self._missing[key] = self._missing.get(key, 0) + 1
        return self._missing[key]

    def _block(self, exc: BandwidthExceededError) -> None:
        wait = wait_after_509(exc.retry_after)
        self.blocked_until = self._clock() + wait
        self.blocked_until_wall = self._wall() + wait
        log.info("509 from the server: polling paused for %.0f s", wait)
        if self.on_block is not None:
            self.on_block(self)
        self._state_changed()


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
