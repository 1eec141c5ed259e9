"""What the Uploads screen shows: a job's cells, the columns, the status and detail lines."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text

from illvid_tui.core.local_uploads import Live
from illvid_tui.core.uploads import Job, JobState
from illvid_tui.screens.uploads_local import (
    local_detail_text,
    local_progress_cell,
    local_size_cell,
    local_status_cell,
)
from illvid_tui.widgets.table import Column

#: The state filter `f` cycles through (None: all).
FILTERS: tuple[JobState | None, ...] = (
    None,
    JobState.RUNNING,
    JobState.DONE,
    JobState.FAILED,
    JobState.UNKNOWN,
)
#: Local-upload states each filter also shows: in flight is "running", stopped
#: with nothing kept (R restarts it) is "failed".
_ALSO = {
    JobState.RUNNING: {JobState.UPLOADING, JobState.WAITING},
    JobState.FAILED: {JobState.INTERRUPTED},
}
SORTABLE = ("age", "url", "folder", "status", "progress", "code", "size")
#: The marker in front of a local file's path (remote jobs show their URL).
LOCAL_MARK = "⇡"
EMPTY_TEXT = "No uploads yet. Press a to add URLs (one a line), u to upload files."


@dataclass(frozen=True)
class Age:
    """An age cell: shows `text`, sorts by when the job was added."""

    text: str
    added: float

    def __str__(self) -> str:
        return self.text


def age_text(seconds: float) -> str:
    """A coarse age ("<1m", "5m", "3h", "2d"): it changes at most once a minute."""
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"


def status_cell(job: Job) -> Text:
    """The status word as the server wrote it, with a marker that reads without colour."""
    word = job.status
    if job.state is JobState.SENDING:
        return Text("… sending", style="dim")
    if job.state is JobState.UNKNOWN:
        return Text("? unknown", style="bold yellow")
    if job.state is JobState.DONE:
        return Text(f"✓ {word or 'done'}", style="green")
    if job.state is JobState.FAILED:
        return Text(f"✗ {word or 'failed'}", style="bold red")
    if job.poll_error:
        return Text(f"⚠ {word or 'queued'}", style="yellow")
    return Text(f"◌ {word or 'queued'}")


def progress_cell(job: Job) -> str:
    value = (job.progress or "").strip()
    if job.state is JobState.DONE:
        return "100%"
    if not value:
        return ""
    try:
        return f"{float(value):.0f}%"
    except ValueError:
        return value


def _progress_key(value: Any) -> float:
    try:
        return float(str(value).rstrip("%"))
    except ValueError:
        return -1.0


def job_row(job: Job, now: float, live: Live | None = None) -> dict[str, Any]:
    """The table cells of one job (`live`: this process's progress of a local upload)."""
    if job.is_local:
        return {
            # The kind marker: a file sent from this machine reads "⇡ /path".
            "url": f"{LOCAL_MARK} {job.path or job.url}",
            "folder": job.folder or "",
            "size": local_size_cell(job, live),
            "status": local_status_cell(job, live),
            "progress": local_progress_cell(job, live),
            "age": Age(age_text(max(0.0, now - job.added_at)), job.added_at),
            "code": job.file_code or "",
        }
    return {
        "size": "",
        "url": job.url,
        "folder": job.folder or "",
        "status": status_cell(job),
        "progress": progress_cell(job),
        "age": Age(age_text(max(0.0, now - job.added_at)), job.added_at),
        "code": job.file_code or "",
    }


def _sort_age(value: Any) -> float:
    return -value.added if isinstance(value, Age) else 0.0


def _size_key(value: Any) -> float:
    from illvid_tui.screens.uploads_local import parse_short_size

    return parse_short_size(str(value).rpartition("/")[2])


COLUMNS = (
    Column("url", "URL, or ⇡ file", shorten="middle"),
    Column("folder", "Folder", width=10),
    Column("size", "Sent/Size", width=11, justify="right", sort_key=_size_key),
    Column("status", "Status", width=16),
    Column("progress", "Prog", width=5, justify="right", sort_key=_progress_key),
    Column("age", "Age", width=4, justify="right", sort_key=_sort_age),
    Column("code", "File code", width=12),
)


def job_filter(
    jobs: Callable[[], Mapping[str, Job]] | None, state: JobState | None, search: str
) -> Callable[[str, Any], bool] | None:
    """The table filter for jobs in `state` (None: any) matching `search` (None: show all).

    `jobs` returns the poller's jobs at call time: `Poller.load()` (an account
    switch) rebinds its dict, and a filter holding the old one hid every row.
    """
    needle = search.casefold()
    if jobs is None or (state is None and not needle):
        return None

    def keep(key: str, row: Any) -> bool:
        job = jobs().get(key)
        if job is None:
            return False
        if state is not None and job.state is not state and job.state not in _ALSO.get(state, ()):
            return False
        if needle:
            hay = (
                f"{job.url} {job.folder or ''} {job.status} {job.file_code or ''} {key} {job.kind}"
            )
            return needle in hay.casefold()
        return True

    return keep


def status_line(
    jobs: Iterable[Job], state: str, state_filter: JobState | None, search: str, shown: int
) -> str:
    """The counts per state after `state` (polling, paused, 509), and the view."""
    counts = {s: 0 for s in JobState}
    for job in jobs:
        counts[job.state] += 1
    parts = [
        f"{counts[JobState.RUNNING]} running",
        f"{counts[JobState.DONE]} done",
        f"{counts[JobState.FAILED]} failed",
    ]
    if counts[JobState.UNKNOWN]:
        parts.append(f"{counts[JobState.UNKNOWN]} unknown")
    if counts[JobState.SENDING]:
        parts.append(f"{counts[JobState.SENDING]} sending")
    for local in (JobState.UPLOADING, JobState.WAITING, JobState.INTERRUPTED):
        if counts[local]:
            parts.append(f"{counts[local]} {local.value}")
    view = []
    if state_filter is not None:
        view.append(f"showing {state_filter.value}")
    if search:
        view.append(f"search {search!r}")
    narrowed = f" · {', '.join(view)} ({shown})" if view else ""
    return f"{state} · {', '.join(parts)}{narrowed}"


def blocked_until_text(wall: float) -> str:
    """A 509 wait's end as a local clock time."""
    return time.strftime("%H:%M:%S", time.localtime(wall))


def detail_text(job: Job, file_link: Callable[[str], str], live: Live | None = None) -> str:
    """Two lines about one job: its URL and folder, then its queue id and outcome."""
    if job.is_local:
        return local_detail_text(job, live, file_link)
    first = job.url + (f"  → folder {job.folder}" if job.folder else "")
    second = f"queue id {job.queue_id}" if job.queue_id else "no queue id"
    # The next step before the server's text, which may be long: a narrow
    # terminal cuts the end of the line, never the hint.
    if job.state is JobState.UNKNOWN:
        second = f"R sends it again on purpose · {second} · {job.error or 'outcome unknown'}"
    elif job.state is JobState.FAILED:
        second = f"R queues the URL again · {second} · {job.error or job.status}"
    elif job.file_code:
        second += f" · file {file_link(job.file_code)}"
    if job.poll_error:
        second += f" · last check failed: {job.poll_error}"
    return f"{first}\n{second}"


__all__ = [
    "COLUMNS",
    "EMPTY_TEXT",
    "FILTERS",
    "SORTABLE",
    "Age",
    "age_text",
    "blocked_until_text",
    "detail_text",
    "job_filter",
    "job_row",
    "progress_cell",
    "status_cell",
    "status_line",
]
