"""Upload jobs as `upload` and `uploads` print them: one record, one table row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from illvid_tui.cli.output import Output
from illvid_tui.core.uploads import Job, JobState

#: Row styles by state (used only when colour is on).
_STYLE = {
    JobState.DONE: "32",
    JobState.FAILED: "31",
    JobState.UNKNOWN: "33",
    JobState.INTERRUPTED: "33",
}


def record(job: Job) -> dict[str, Any]:
    """The documented JSON object of a job (README: `upload`, `uploads`)."""
    return {
        "id": job.key,
        "kind": job.kind,
        "url": None if job.is_local else job.url,
        "path": job.path if job.is_local else None,
        "folder": job.folder,
        "state": job.state.value,
        "status": job.status,
        "queue_id": job.queue_id,
        "file_code": job.file_code,
        "progress": job.progress,
        "error": job.error or job.poll_error,
        "added_at": _iso(job.added_at),
        "finished_at": _iso(job.finished_at),
    }


def _iso(stamp: float | None) -> str | None:
    if stamp is None:
        return None
    return dt.datetime.fromtimestamp(stamp).astimezone().isoformat(timespec="seconds")


def table(out: Output, jobs: Sequence[Job]) -> None:
    """The human table: id, state, file code or status, what (URL or path)."""
    rows = []
    for job in jobs:
        detail = job.file_code or job.error or job.poll_error or job.status or ""
        if job.progress and job.state is JobState.RUNNING:
            detail = f"{detail} {job.progress}".strip()
        what = job.path if job.is_local else job.url
        rows.append((job.key, job.state.value, detail, what))
    out.table(("ID", "STATE", "CODE / STATUS", "URL / PATH"), rows, styles=styles(jobs))


def styles(jobs: Iterable[Job]) -> list[str | None]:
    return [_STYLE.get(job.state) for job in jobs]


def counts(jobs: Iterable[Job]) -> str:
    """ "3 running, 2 done, 1 failed" (states in a fixed order, none that are 0)."""
    tally: dict[JobState, int] = {}
    for job in jobs:
        tally[job.state] = tally.get(job.state, 0) + 1
    return ", ".join(f"{tally[s]:,} {s.value}" for s in JobState if tally.get(s)) or "no jobs"


__all__ = ["counts", "record", "styles", "table"]
