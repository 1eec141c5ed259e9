"""What the user does to the upload queue: send URLs (again), remove jobs, clear finished.

Mixed into `Poller`, because a send must outlive the dialog that asked for it and every
change goes through the poller's store, job map and subscribers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from illvid_tui.api.errors import IllvidError, UnknownOutcomeError
from illvid_tui.core.poller_policy import describe, stops_all
from illvid_tui.core.uploads import Job, JobState

if TYPE_CHECKING:
    from illvid_tui.api.client import IllvidClient
    from illvid_tui.core.uploads import UploadStore


@dataclass
class SendReport:
    """The outcome of sending pasted URLs."""

    total: int
    queued: int = 0
    unknown: int = 0
    #: URLs the server refused, with why (not queued, not kept).
    refused: list[tuple[str, str]] = field(default_factory=list)
    #: URLs not sent because sending stopped (asked to, or an error that stops all).
    not_sent: list[str] = field(default_factory=list)
    #: The error that stopped sending, if one did.
    stopped_by: IllvidError | None = None

    @property
    def done(self) -> int:
        return self.queued + self.unknown + len(self.refused) + len(self.not_sent)


class QueueEdits:
    """Sending and local edits of the queue; `Poller` provides the state declared here."""

    if TYPE_CHECKING:  # provided by Poller
        store: UploadStore
        jobs: dict[str, Job]
        _wall: Callable[[], float]

        @property
        def client(self) -> IllvidClient: ...
        def _put(self, job: Job) -> None: ...
        def _changed(self, keys: Iterable[str] = (), removed: Iterable[str] = ()) -> None: ...
        def _state_changed(self) -> None: ...
        def _check_soon(self, key: str) -> None: ...
        def _unschedule(self, key: str) -> None: ...

    # -- sending -------------------------------------------------------------------------

    async def send(
        self,
        urls: Sequence[str],
        folder: str | None = None,
        *,
        on_progress: Callable[[SendReport], None] | None = None,
        stop: asyncio.Event | None = None,
        resend_ids: Sequence[int] | None = None,
    ) -> SendReport:
        """Queue `urls` with `upload_url`, `client.max_in_flight` at a time.

        Each job is committed as ``sending`` before its request and as
        ``running`` with its queue id as soon as the answer comes, before it is
        shown as queued. An unknown outcome becomes an ``unknown`` entry, never
        re-sent by itself. `resend_ids` (same length as `urls`) reuses entries
        the user chose to send again.
        """
        report = SendReport(total=len(urls))
        work = iter(enumerate(urls))
        # The account's store when the send began: an account switch meanwhile
        # must not record its answers in the new account's queue.
        store = self.store

        def put(job: Job) -> None:
            if store is self.store:
                self._put(job)

        def progress() -> None:
            if on_progress is not None:
                on_progress(report)

        async def lane() -> None:
            for index, url in work:
                switched = store is not self.store
                if switched or report.stopped_by is not None or (stop and stop.is_set()):
                    report.not_sent.append(url)
                    progress()
                    continue
                old: Job | None = None
                if resend_ids is not None:
                    old = store.get(resend_ids[index])
                    if old is None:  # removed meanwhile
                        report.not_sent.append(url)
                        continue
                    job = store.resend(old.id, self._wall())
                    put(job)
                else:
                    job = store.begin_send(url, folder, self._wall())
                    put(job)
                try:
                    queue_id = await self.client.upload_url(url, job.folder)
                except asyncio.CancelledError:
                    put(store.mark_unknown(job.id, "sending was interrupted"))
                    raise
                except UnknownOutcomeError as exc:
                    put(store.mark_unknown(job.id, describe(exc)))
                    report.unknown += 1
                except IllvidError as exc:
                    if old is not None:
                        # A refused resend keeps the entry as it was (an unknown one
                        # may be queued already), with why this send was refused.
                        put(store.restore(old, describe(exc)))
                    else:
                        store.forget([job.id])
                        if store is self.store:
                            self.jobs.pop(job.key, None)
                            self._changed(removed=[job.key])
                    if stops_all(exc):
                        report.stopped_by = exc
                        report.not_sent.append(url)
                    else:
                        report.refused.append((url, describe(exc)))
                else:
                    queued = store.mark_queued(job.id, queue_id, self._wall())
                    put(queued)
                    if store is self.store:
                        self._check_soon(queued.key)
                    report.queued += 1
                progress()

        try:
            lanes = min(self.client.max_in_flight, len(urls))
            await asyncio.gather(*(lane() for _ in range(lanes)))
        finally:
            self._state_changed()
        return report

    def resendable(self, keys: Iterable[str]) -> list[Job]:
        """The failed or unknown jobs among `keys` that may be sent again."""
        return [
            self.jobs[k]
            for k in keys
            if k in self.jobs
            and self.jobs[k].state in (JobState.FAILED, JobState.UNKNOWN)
            and not self.jobs[k].is_local  # local files restart through core.local_uploads
        ]

    # -- local edits -------------------------------------------------------------------

    def remove(self, keys: Iterable[str]) -> int:
        """Forget jobs locally (nothing is sent); jobs being sent are kept."""
        gone = [
            self.jobs[k]
            for k in keys
            if k in self.jobs and self.jobs[k].state not in (JobState.SENDING, JobState.UPLOADING)
        ]
        self.store.forget(j.id for j in gone)
        for job in gone:
            self.jobs.pop(job.key, None)
            self._unschedule(job.key)
        if gone:
            self._changed(removed=[j.key for j in gone])
        return len(gone)

    def clear_finished(self) -> int:
        """Forget every done and failed job; returns how many."""
        ids = set(self.store.clear_finished())
        gone = [k for k, j in self.jobs.items() if j.id in ids]
        for key in gone:
            del self.jobs[key]
        if gone:
            self._changed(removed=gone)
        return len(gone)
