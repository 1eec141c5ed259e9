"""The emulator's data: account, files, remote-upload jobs, DMCA notices.

Remote uploads move on the emulator's clock (`now()`), which tests push with
`advance()` instead of sleeping.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import string
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

CODE_ALPHABET = string.ascii_lowercase + string.digits

#: Phases of a remote upload, with the words the emulator writes for them.
PENDING, WORKING, DONE, FAILED = "pending", "working", "done", "error"


def failing_url(url: str) -> bool:
    """URLs that the emulator's remote side cannot fetch."""
    low = url.lower()
    host = (urlsplit(url).hostname or "").lower()
    return "fail" in low or "broken" in low or host == "bad.example"


@dataclass
class Job:
    """One queued remote upload. Its phase follows from the clock, not from polling."""

    queue_id: str
    url: str
    folder: str | None
    created: float
    wait: float  # seconds in the waiting phase
    duration: float  # seconds from queueing to done (or to failure)
    fails: bool
    file_code: str
    size: int
    error: str = ""
    finished: bool = False  # the file was added to the account (done jobs only)
    extra: dict[str, Any] = field(default_factory=dict)

    def phase(self, now: float) -> tuple[str, int]:
        """(phase word, progress percent) at clock time `now`."""
        elapsed = now - self.created
        if self.fails and elapsed >= self.duration:
            return FAILED, 0
        if elapsed >= self.duration:
            return DONE, 100
        if elapsed < self.wait:
            return PENDING, 0
        span = max(self.duration - self.wait, 1e-9)
        return WORKING, min(99, int((elapsed - self.wait) / span * 100))


class EmulatorState:
    """Account, files, jobs and notices, plus the clock they live on."""

    def __init__(
        self,
        *,
        login: str,
        seed: int = 1,
        today: dt.date | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.seed = seed
        self.today = today or dt.date.today()
        self._clock = clock or time.monotonic
        self._offset = 0.0
        self._rng = random.Random(seed)
        #: Seconds a remote upload takes (each job gets a seeded +-20 % jitter).
        self.upload_seconds = 6.0
        self.account: dict[str, Any] = {"login": login, "money": "0.00"}
        self.files: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, Job] = {}
        self.dmca: list[dict[str, str]] = []
        #: Queue ids are server-wide: other accounts of one emulator share this counter.
        self.queue_ids = itertools.count(121212 + self._rng.randrange(0, 800000))

    # -- clock -------------------------------------------------------------
    def now(self) -> float:
        return self._clock() + self._offset

    def advance(self, seconds: float) -> None:
        """Move the clock forward; finished uploads land in `files`."""
        self._offset += seconds
        self.settle()

    # -- files ---------------------------------------------------------------
    def new_code(self) -> str:
        while True:
            code = "".join(self._rng.choices(CODE_ALPHABET, k=12))
            if code not in self.files:
                return code

    def add_file(self, name: str, size: int, uploaded: str, **extra: Any) -> str:
        code = self.new_code()
        self.files[code] = {"name": name, "size": size, "uploaded": uploaded, **extra}
        return code

    def add_files(self, n: int) -> list[str]:
        """Create `n` more files with plain names; return their codes."""
        stamp = f"{self.today.isoformat()} 12:00:00"
        start = len(self.files)
        return [
            self.add_file(f"clip-{start + i:05d}.mp4", self._rng.randrange(10**6, 2 * 10**9), stamp)
            for i in range(n)
        ]

    def delete_file(self, code: str) -> None:
        """Remove a file: it then shows as not found (its notices go too)."""
        self.files.pop(code, None)
        self.dmca = [n for n in self.dmca if n["file_code"] != code]

    # -- DMCA ----------------------------------------------------------------
    def set_dmca(self, n: int, today: dt.date | None = None) -> None:
        """Replace the notices with `n` generated ones (fast: 50k in well under 1 s).

        Created within the 30 days before `today`; expiring from 5 days ago to
        14 days ahead (never before creation). Notices point at existing files
        first, then at codes of files the account no longer lists.
        """
        day = today or self.today
        rng = self._rng
        codes = list(self.files)[:n]
        codes += ["".join(rng.choices(CODE_ALPHABET, k=12)) for _ in range(n - len(codes))]
        rng.shuffle(codes)
        notices: list[dict[str, str]] = []
        for code in codes:
            created = day - dt.timedelta(days=rng.randrange(0, 31))
            expire = max(created, day + dt.timedelta(days=rng.randrange(-5, 15)))
            notices.append(
                {
                    "file_code": code,
                    "dmca_created": created.isoformat(),
                    "dmca_expire": expire.isoformat(),
                }
            )
        self.dmca = notices

    def dmca_expired(self, code: str) -> bool:
        """Whether `code` has a DMCA notice whose expiry date is before today."""
        today = self.today.isoformat()
        return any(n["file_code"] == code and n["dmca_expire"] < today for n in self.dmca)

    # -- remote uploads --------------------------------------------------------
    def create_job(self, url: str, folder: str | None) -> Job:
        """Queue a remote upload. Every call makes a new job (upload_url is not idempotent)."""
        queue_id = str(next(self.queue_ids))
        jitter = random.Random(f"{self.seed}:{queue_id}")
        duration = max(0.0, self.upload_seconds * jitter.uniform(0.8, 1.2))
        wait = min(duration, jitter.uniform(1.0, 2.0))
        fails = failing_url(url)
        if fails:  # a source that cannot be fetched fails part-way through
            duration = wait + (duration - wait) * 0.4
        job = Job(
            queue_id=queue_id,
            url=url,
            folder=folder,
            created=self.now(),
            wait=wait,
            duration=duration,
            fails=fails,
            file_code=self.new_code(),
            size=jitter.randrange(5 * 10**6, 3 * 10**9),
            error="404 Not Found at source" if fails else "",
        )
        self.jobs[queue_id] = job
        return job

    def settle(self) -> None:
        """Add the files of uploads that are done by now (once each)."""
        now = self.now()
        for job in self.jobs.values():
            if job.finished or job.fails or job.phase(now)[0] != DONE:
                continue
            name = PurePosixPath(urlsplit(job.url).path).name or "remote-upload.mp4"
            stamp = (dt.datetime.combine(self.today, dt.time(12))).isoformat(sep=" ")
            self.files[job.file_code] = {
                "name": name,
                "size": job.size,
                "uploaded": stamp,
                "folder": job.folder or "",
            }
            job.finished = True
