"""One poll cycle: check the due jobs with `check_upload_url`, store the answers, announce.

Mixed into `Poller` (core/poller.py), which owns the schedule this reads and
updates: due times, error backoff, the 509 wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from illvid_tui.api.errors import BandwidthExceededError, IllvidError
from illvid_tui.api.models import UploadStatus
from illvid_tui.core.poller_policy import (
    FORGOTTEN_AFTER,
    FORGOTTEN_STATUS,
    FORGOTTEN_TEXT,
    backoff_delay,
    describe,
    differs,
    says_forgotten,
    wait_after_509,
)
from illvid_tui.core.uploads import Job, UploadStore

if TYPE_CHECKING:
    from illvid_tui.api.client import IllvidClient

log = logging.getLogger("illvid_tui.poller")


@dataclass(frozen=True)
class CycleStats:
    """What one poll cycle did."""

    requests: int
    changed: int
    errors: int
    unfinished: int
    elapsed: float


class PollCycle:
    """`cycle()` and what it writes; `Poller` provides the state declared here."""

    if TYPE_CHECKING:  # provided by Poller
        store: UploadStore
        jobs: dict[str, Job]
        interval: float
        blocked_until: float | None
        blocked_until_wall: float | None
        on_finished: Callable[[list[Job]], None] | None
        on_block: Callable[..., None] | None
        _due: dict[str, float]
        _fails: dict[str, int]
        _missing: dict[str, int]
        _fresh: set[str]
        _last_start: float | None
        _lock: asyncio.Lock
        _clock: Callable[[], float]
        _wall: Callable[[], float]

        @property
        def client(self) -> IllvidClient: ...
        @property
        def blocked(self) -> bool: ...
        def _unblock_if_over(self) -> None: ...
        def _due_keys(self, now: float) -> list[str]: ...
        def _job_delay(self, job: Job, now: float) -> float: ...
        def _changed(self, keys: Iterable[str] = (), removed: Iterable[str] = ()) -> None: ...
        def _state_changed(self) -> None: ...
        def _unschedule(self, key: str) -> None: ...
        def sync(self) -> list[str]: ...

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
        # Another process may have sent a job again or removed it while the
        # answers came: read what it wrote, and drop answers about what is gone.
        self.sync()
        answers = [(j, s) for j, s in answers if self._still_checked(j)]
        failures = [(j, e) for j, e in failures if self._still_checked(j)]
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

    def _still_checked(self, job: Job) -> bool:
        """Whether `job` is still the running job with the queue id that was checked."""
        now = self.jobs.get(job.key)
        return now is not None and now.queue_id == job.queue_id and now.state is job.state

    def _block(self, exc: BandwidthExceededError) -> None:
        wait = wait_after_509(exc.retry_after)
        self.blocked_until = self._clock() + wait
        self.blocked_until_wall = self._wall() + wait
        log.info("509 from the server: polling paused for %.0f s", wait)
        if self.on_block is not None:
            self.on_block(self)
        self._state_changed()


__all__ = ["CycleStats", "PollCycle"]
