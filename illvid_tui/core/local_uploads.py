"""The local-upload runner: sends queued files, at most `max_running` at once.

Plain asyncio, no Textual: the TUI runs `LocalUploads.run()` as an app worker
and the CLI (`illvid-tui upload PATH`) calls `send_now()`. Every change is
written to the store first (`core.local_store`), then handed to `publish`
(the TUI merges it into the poller's jobs and repaints) and, when a job ends,
to `on_finished` (a toast, a CLI line).

Rules (issue 10, docs/API.md "Local upload"): a job is ``uploading`` in the
database before its first byte leaves; the client retries only what the
protocol allows; an upload whose body may have reached the server is never
sent again by itself; cancelling one in flight makes it failed ("cancelled")
and, since its body never completes, the server keeps nothing.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from illvid_tui.api.errors import IllvidError, UnknownOutcomeError
from illvid_tui.core.local_progress import InFlight, Live
from illvid_tui.core.local_store import (
    CANCELLED_TEXT,
    INTERRUPTED_TEXT,
    LocalStore,
    QueuedFile,
)
from illvid_tui.core.uploads import Job, JobState, UploadStore

if TYPE_CHECKING:
    from illvid_tui.api.client import IllvidClient
    from illvid_tui.api.upload import FileUploader

log = logging.getLogger("illvid_tui.local_uploads")

DEFAULT_MAX_RUNNING = 2
#: Seconds between two progress writes to the database (other processes read them).
STORE_EVERY = 2.0
#: Seconds between two progress announcements (repaints) per job.
PUBLISH_EVERY = 0.5
#: Seconds between two looks for the uploads of processes that died (`run`).
LOOK_EVERY = 5.0


def queued_file(path: Path | str) -> QueuedFile:
    """`path` as a file to queue; ValueError saying why it cannot be uploaded.

    The reason does not name the file: the caller shows it beside its own
    name for it (the path as typed, the job), not twice.
    """
    p = Path(path).expanduser()
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ValueError("no such file") from None
    except OSError as exc:
        raise ValueError(exc.strerror or str(exc)) from None
    if not stat.S_ISREG(st.st_mode):
        raise ValueError("not a regular file")
    if not os.access(p, os.R_OK):
        raise ValueError("not readable")
    return QueuedFile(p.resolve(), st.st_size, st.st_mtime_ns)


class LocalUploads:
    """Runs an account's local-upload jobs; see the module docstring."""

    def __init__(
        self,
        store: UploadStore,
        client: Callable[[], IllvidClient | None],
        *,
        max_running: int = DEFAULT_MAX_RUNNING,
        stall_timeout: float | None = None,
        part_name: str | None = None,
        publish: Callable[[Sequence[Job]], None] | None = None,
        on_finished: Callable[[Job], None] | None = None,
        live_senders: Callable[[], Collection[str]] = frozenset,
        wall: Callable[[], float] = time.time,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_running < 1:
            raise ValueError("max_running must be at least 1")
        self.local = LocalStore(store)
        self._client = client
        self.max_running = max_running
        self.stall_timeout = stall_timeout
        self.part_name = part_name
        self.publish = publish
        self.on_finished = on_finished
        self.live_senders = live_senders
        self._wall, self._clock = wall, clock
        #: Jobs this process is sending, by key.
        self.live: dict[str, Live] = {}
        self._tasks: dict[str, asyncio.Task[Job]] = {}
        self._cancelled: set[str] = set()
        self._wake = asyncio.Event()
        self._uploader: tuple[object, FileUploader] | None = None

    # -- the client ------------------------------------------------------------------
    def _current_client(self) -> IllvidClient | None:
        return self._client()

    def _uploader_for(self, client: IllvidClient) -> FileUploader:
        if self._uploader is None or self._uploader[0] is not client:
            options: dict[str, object] = {}
            if self.stall_timeout is not None:
                options["stall_timeout"] = self.stall_timeout
            if self.part_name:
                options["part_name"] = self.part_name
            self._uploader = (client, client.uploader(**options))
        return self._uploader[1]

    async def aclose(self) -> None:
        """Stop every upload of this process (interrupted or unknown) and close."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        if self._uploader is not None:
            await self._uploader[1].aclose()
            self._uploader = None

    # -- what the user does ----------------------------------------------------------
    def queue(self, files: Sequence[QueuedFile], folder: str | None = None) -> list[Job]:
        """Write `files` as waiting jobs (committed before this returns) and wake the runner."""
        jobs = self.local.queue(files, folder, self._wall())
        self._publish(jobs)
        self._wake.set()
        return jobs

    def recover(self) -> list[Job]:
        """Jobs left uploading by a process that is gone: interrupted or unknown."""
        jobs = self.local.recover(self._wall(), self.live_senders, running=set(self._tasks))
        self._publish(jobs)
        return jobs

    def restart(self, jobs: Iterable[Job]) -> tuple[list[Job], list[tuple[Job, str]]]:
        """Send again, on purpose and from zero: (restarted, [(job, why not)])."""
        restarted: list[Job] = []
        refused: list[tuple[Job, str]] = []
        for job in jobs:
            if not job.is_local or job.key in self._tasks or job.state in (
                JobState.WAITING, JobState.UPLOADING, JobState.DONE
            ):  # fmt: skip
                continue
            try:
                file = queued_file(job.path or "")
            except ValueError as exc:
                refused.append((job, str(exc)))
                continue
            restarted.append(self.local.restart(job.id, file, self._wall()))
        self._publish(restarted)
        self._wake.set()
        return restarted, refused

    def cancel(self, job: Job) -> bool:
        """Cancel a waiting job or one this process is sending: failed ("cancelled")."""
        task = self._tasks.get(job.key)
        if task is not None:
            self._cancelled.add(job.key)
            task.cancel()
            return True
        if job.is_local and job.state is JobState.WAITING:
            new = self.local.stop(job.id, JobState.FAILED, CANCELLED_TEXT, self._wall())
            self._publish([new])
            self._finished(new)
            return True
        return False

    def in_flight(self) -> InFlight:
        lives = list(self.live.values())
        return InFlight(
            count=len(lives),
            sent=sum(x.sent for x in lives),
            total=sum(x.total for x in lives),
            speed=sum(x.speed or 0.0 for x in lives),
        )

    # -- running -------------------------------------------------------------------------
    async def run(self, look_every: float = LOOK_EVERY) -> None:
        """Start waiting jobs as slots free up, forever (the app's worker).

        Every `look_every` seconds it also looks for the work of processes that
        died meanwhile (another TUI killed): their uploads in flight become
        interrupted or unknown, their waiting jobs are started here.
        """
        try:
            while True:
                self._wake.clear()
                self.start_waiting()
                try:
                    # Not asyncio.wait_for: on 3.11 it swallows a cancel that
                    # comes as the event is set, and the worker never stops.
                    async with asyncio.timeout(look_every):
                        await self._wake.wait()
                except TimeoutError:
                    self.recover()
        finally:
            await self.aclose()

    def wake(self) -> None:
        """Look for waiting jobs again (another process queued some)."""
        self._wake.set()

    def start_waiting(self) -> list[str]:
        """Start as many waiting jobs as there are free slots; return their keys."""
        free = self.max_running - len(self._tasks)
        if free <= 0 or self._current_client() is None:
            return []
        live = set(self.live_senders())
        mine = self.local.sender
        started: list[str] = []
        for job in self.local.jobs([JobState.WAITING]):
            if len(started) >= free:
                break
            if job.key in self._tasks:
                continue
            # Another live process queued it: that one sends it.
            if job.sender and job.sender != mine and job.sender in live:
                continue
            self._spawn(job)
            started.append(job.key)
        return started

    async def send_now(self, jobs: Sequence[Job]) -> list[Job]:
        """Send `jobs` (already queued) and return them as they ended (the CLI)."""
        tasks = [self._spawn(job) for job in jobs if job.key not in self._tasks]
        return list(await asyncio.gather(*tasks))

    def _spawn(self, job: Job) -> asyncio.Task[Job]:
        task = asyncio.create_task(self._one(job), name=f"local-upload-{job.key}")
        self._tasks[job.key] = task
        return task

    async def _one(self, job: Job) -> Job:
        key = job.key
        try:
            return await self._send(job)
        finally:
            self._tasks.pop(key, None)
            self.live.pop(key, None)
            self._cancelled.discard(key)
            self._wake.set()

    async def _send(self, queued: Job) -> Job:
        from illvid_tui.api.upload import LocalFile

        started = self.local.start(queued.id, self._wall())
        if started is None:  # no longer waiting
            return self.local.store.get(queued.id) or queued
        self._publish([started])
        key, size = started.key, int(started.size or 0)
        live = self.live[key] = Live(total=size)
        marks = {"stored": self._clock(), "published": self._clock()}

        def on_progress(sent: int, total: int) -> None:
            now = self._clock()
            live.update(sent, total, now)
            if now - marks["published"] >= PUBLISH_EVERY or sent == total:
                marks["published"] = now
                self._publish([replace(started, bytes_sent=sent, status="uploading")])
            if now - marks["stored"] >= STORE_EVERY:
                marks["stored"] = now
                self.local.progress([(started.id, sent, "uploading")])

        def on_retry(error: IllvidError, delay: float) -> None:
            # A retried attempt never had its whole body out: nothing reached the server.
            self.local.retrying(started.id, f"retrying in {delay:.0f} s: {error.msg}")

        body_sent = False

        def on_body_complete() -> None:
            nonlocal body_sent
            body_sent = True
            self.local.body_complete(started.id, size)

        try:
            client = self._current_client()
            if client is None:
                raise IllvidError(0, "not signed in")
            server = await client.get_upload_server()
            file = LocalFile(Path(started.path or ""), size, int(started.mtime_ns or 0))
            result = await self._uploader_for(client).send(
                server,
                file,
                folder=started.folder,
                on_progress=on_progress,
                on_retry=on_retry,
                on_body_complete=on_body_complete,
            )
            end = self.local.done(started.id, result.file_code, self._wall())
        except asyncio.CancelledError:
            end = self._stopped(started, key in self._cancelled, body_sent)
            self._publish([end])
            self._finished(end)
            raise
        except UnknownOutcomeError as exc:
            end = self.local.stop(started.id, JobState.UNKNOWN, exc.msg, self._wall())
        except IllvidError as exc:
            end = self.local.stop(started.id, JobState.FAILED, _why(exc), self._wall())
        except Exception as exc:  # noqa: BLE001 - a job fails, the runner goes on
            log.exception("local upload %s failed unexpectedly", key)
            text = f"unexpected error: {type(exc).__name__}"
            end = self.local.stop(started.id, JobState.FAILED, text, self._wall())
        self._publish([end])
        self._finished(end)
        return end

    def _stopped(self, job: Job, by_user: bool, body_sent: bool) -> Job:
        now = self._wall()
        if body_sent:
            text = (
                "cancelled after the whole file was sent; the server may or may not have kept it"
                if by_user
                else "the app stopped after the whole file was sent; the server may have it"
            )
            return self.local.stop(job.id, JobState.UNKNOWN, text, now)
        if by_user:
            return self.local.stop(job.id, JobState.FAILED, CANCELLED_TEXT, now)
        return self.local.stop(job.id, JobState.INTERRUPTED, INTERRUPTED_TEXT, now)

    def _publish(self, jobs: Sequence[Job]) -> None:
        if jobs and self.publish is not None:
            try:
                self.publish(jobs)
            except Exception:  # a broken listener must not break an upload
                log.exception("local upload listener failed")

    def _finished(self, job: Job) -> None:
        if self.on_finished is not None:
            try:
                self.on_finished(job)
            except Exception:
                log.exception("local upload finish listener failed")


def _why(error: IllvidError) -> str:
    """A failed job's reason: the server's or our text, with its kind when it helps."""
    if error.msg and error.title.lower() in ("upload refused", "request failed"):
        return error.msg
    return f"{error.title.lower()}: {error.msg}" if error.msg else error.title.lower()


__all__ = [
    "DEFAULT_MAX_RUNNING",
    "InFlight",
    "Live",
    "LocalUploads",
    "queued_file",
]
