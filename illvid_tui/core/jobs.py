"""A job of the upload queue (remote URL or local file) and where it stands.

Plain data, shared by the store (core/uploads.py), the poller, the screens and the CLI.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from sqlite3 import Row

#: `Job.kind` of remote uploads (``upload_url``) and of local files.
KIND_REMOTE, KIND_LOCAL = "remote", "local"


class JobState(enum.Enum):
    """Where a job stands, from our side."""

    #: `upload_url` is on its way; no queue id yet.
    SENDING = "sending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    #: `upload_url` may or may not have been done (timeout, crash while sending);
    #: a local file's whole body left and no answer came.
    UNKNOWN = "unknown"
    #: Local files: queued, not started yet.
    WAITING = "waiting"
    #: Local files: the body is on its way.
    UPLOADING = "uploading"
    #: Local files: the app stopped mid-body; the server kept nothing.
    INTERRUPTED = "interrupted"

    @property
    def finished(self) -> bool:
        """Done or failed: never polled again."""
        return self in (JobState.DONE, JobState.FAILED)


@dataclass(frozen=True)
class Job:
    """One row of the queue."""

    id: int
    queue_id: str | None
    url: str
    folder: str | None
    added_at: float
    state: JobState
    status: str = ""
    progress: str | None = None
    file_code: str | None = None
    error: str | None = None
    poll_error: str | None = None
    checked_at: float | None = None
    finished_at: float | None = None
    #: The process sending it (while ``sending``); see `recover_interrupted`.
    sender: str | None = None
    #: `KIND_REMOTE` or `KIND_LOCAL`; the fields below are for local files.
    kind: str = KIND_REMOTE
    path: str | None = None
    size: int | None = None
    mtime_ns: int | None = None
    bytes_sent: int = 0
    #: The whole body may have reached the server (committed before its last bytes).
    body_sent: bool = False
    started_at: float | None = None

    @property
    def is_local(self) -> bool:
        return self.kind == KIND_LOCAL

    @property
    def key(self) -> str:
        """The job's one key for life (tables, messages, the store): its row id as text.

        It never changes, whatever the server later calls the job (a queue id,
        a file code), and every process sharing the database names it the same.
        """
        return str(self.id)

    @classmethod
    def from_row(cls, row: Row) -> Job:
        return cls(
            id=int(row["id"]),
            queue_id=row["queue_id"],
            url=row["url"],
            folder=row["folder"],
            added_at=float(row["added_at"]),
            state=JobState(row["state"]),
            status=row["status"] or "",
            progress=row["progress"],
            file_code=row["file_code"],
            error=row["error"],
            poll_error=row["poll_error"],
            checked_at=row["checked_at"],
            finished_at=row["finished_at"],
            sender=row["sender"],
            kind=row["kind"] or KIND_REMOTE,
            path=row["path"],
            size=row["size"],
            mtime_ns=row["mtime_ns"],
            bytes_sent=int(row["bytes_sent"] or 0),
            body_sent=bool(row["body_sent"]),
            started_at=row["started_at"],
        )


def normalize_url(url: str) -> str:
    """The form duplicates are compared in: trimmed, scheme and host lower-cased."""
    url = url.strip()
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


__all__ = ["KIND_LOCAL", "KIND_REMOTE", "Job", "JobState", "normalize_url"]
