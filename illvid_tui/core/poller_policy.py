"""The poller's policy: intervals, how often a job is checked, backoff, what an error means."""

from __future__ import annotations

from illvid_tui.api.errors import (
    BandwidthExceededError,
    IllvidError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
)
from illvid_tui.api.models import UploadStatus
from illvid_tui.core.uploads import Job

#: The intervals `+` and `-` step through, in seconds.
INTERVALS: tuple[float, ...] = (2, 3, 5, 10, 15, 30, 60, 120, 300)
DEFAULT_INTERVAL = 5.0
#: A newly queued job is first checked this many seconds after its queue id came.
NEW_JOB_DELAY = 2.0
#: Shortest gap between two cycles (a cycle for new jobs may come before the interval).
MIN_GAP = 1.0
#: Wait after a 509 when the server announces none.
DEFAULT_509_WAIT = 60.0
#: Longest wait between two checks of one job (error backoff included).
MAX_JOB_DELAY = 600.0
#: Requests a second the poller allows itself on average (1,000 jobs: each every 50 s).
DEFAULT_MAX_RATE = 20.0
#: Checks in a row answered 404 after which a job counts as forgotten by the server
#: (queues expire; one 404 may be a hiccup of a server behind a balancer).
FORGOTTEN_AFTER = 2
#: The status word and the error a forgotten job is marked failed with.
FORGOTTEN_STATUS = "not found"
FORGOTTEN_TEXT = "the server no longer knows this upload"


def age_factor(age: float) -> float:
    """How much less often a job is checked as it grows older (`age` in seconds)."""
    if age < 120:
        return 1.0
    if age < 900:
        return 2.0
    if age < 3600:
        return 4.0
    return 8.0


def job_delay(age: float, pending: int, interval: float, max_rate: float) -> float:
    """Seconds to a job's next check: slower as it ages, never above `max_rate` overall."""
    spread = pending / max_rate if max_rate > 0 else 0.0
    return min(MAX_JOB_DELAY, max(interval * age_factor(age), spread))


def backoff_delay(fails: int, interval: float) -> float:
    """Seconds to the next check of a job whose last `fails` checks failed."""
    return min(MAX_JOB_DELAY, interval * 2.0**fails)


def wait_after_509(retry_after: float | None) -> float:
    """How long a 509 stops all polling: the announced wait, else `DEFAULT_509_WAIT`."""
    return retry_after if retry_after and retry_after > 0 else DEFAULT_509_WAIT


def next_cycle_at(
    due: dict[str, float], fresh: set[str], last_start: float | None, interval: float
) -> float | None:
    """When the next cycle is due: one an interval, or sooner (`MIN_GAP`) for new jobs."""
    if not due:
        return None
    last = last_start if last_start is not None else float("-inf")
    at = max(min(due.values()), last + interval)
    new = [due[k] for k in fresh if k in due]
    if new:
        at = min(at, max(min(new), last + MIN_GAP))
    return at


def pick_due(
    due: dict[str, float], fresh: set[str], now: float, interval: float, max_rate: float
) -> list[str]:
    """The jobs one cycle at `now` checks: new ones first, then the longest waiting."""
    # Gather jobs due within half an interval too, so checks land in fewer cycles.
    horizon = now + interval / 2
    ready = [(t, k) for k, t in due.items() if t <= horizon]
    if not ready or min(ready)[0] > now:
        return []
    # At most `max_rate` a second on average.
    ready.sort(key=lambda item: (item[1] not in fresh, item[0]))
    budget = max(1, int(max_rate * interval))
    return [k for _, k in ready[:budget]]


def short_url(url: str, width: int = 60) -> str:
    """`url` cut in the middle to `width` characters."""
    if len(url) <= width:
        return url
    head = width // 2
    return f"{url[:head]}…{url[len(url) - (width - head - 1) :]}"


def differs(job: Job, status: UploadStatus) -> bool:
    return (
        status.status != job.status
        or (status.progress is not None and status.progress != job.progress)
        or (status.file_code or job.file_code) != job.file_code
        or (status.error is not None and status.error != job.error)
        or status.state.value != job.state.value
    )


def says_forgotten(exc: IllvidError) -> bool:
    """A check answered the API's own 404: the server does not know the queue id.

    A proxy's bare 404 page is not the API speaking, so it counts as any error.
    """
    return isinstance(exc, NotFoundError) and exc.from_envelope


def stops_all(exc: IllvidError) -> bool:
    """Errors that would refuse every other URL too: stop sending instead."""
    if isinstance(exc, NetworkError):
        return True
    return isinstance(exc, PermissionDeniedError | BandwidthExceededError)


def describe(exc: IllvidError) -> str:
    code = f" ({exc.status})" if exc.status else ""
    return f"{exc.title}{code}: {exc.msg}" if exc.msg else f"{exc.title}{code}"


__all__ = [
    "DEFAULT_509_WAIT",
    "DEFAULT_INTERVAL",
    "DEFAULT_MAX_RATE",
    "FORGOTTEN_AFTER",
    "FORGOTTEN_STATUS",
    "FORGOTTEN_TEXT",
    "INTERVALS",
    "MAX_JOB_DELAY",
    "MIN_GAP",
    "NEW_JOB_DELAY",
    "age_factor",
    "backoff_delay",
    "describe",
    "differs",
    "job_delay",
    "next_cycle_at",
    "pick_due",
    "says_forgotten",
    "short_url",
    "stops_all",
    "wait_after_509",
]
