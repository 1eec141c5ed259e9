"""The remote-upload queue store: one SQLite table, partitioned by account.

Every job the Uploads screen shows is a row here first. Sending a URL writes a
``sending`` row *before* the request goes out and turns it into ``running``
with its queue id as soon as the answer arrives, so a crash or ``kill -9`` at
any moment loses nothing: a row still ``sending`` at the next start is marked
``unknown`` (the server may or may not have queued it) and is never sent again
unless the user asks. Finished jobs stay as history until cleared.

Times are Unix seconds (REAL). The API key is never stored; the account id is
``"<base_url>|<login>"``.

A job itself (`Job`, `JobState`) is core/jobs.py; it is re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import replace

from illvid_tui.api.models import UploadState, UploadStatus
from illvid_tui.core.db import Database
from illvid_tui.core.jobs import KIND_LOCAL, KIND_REMOTE, Job, JobState, normalize_url

PART = "uploads"

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE uploads (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account_id TEXT NOT NULL,
        queue_id TEXT,
        url TEXT NOT NULL,
        folder TEXT,
        added_at REAL NOT NULL,
        state TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT '',
        progress TEXT,
        file_code TEXT,
        error TEXT,
        poll_error TEXT,
        checked_at REAL,
        finished_at REAL,
        UNIQUE (account_id, queue_id)
    );
    CREATE INDEX uploads_account_state ON uploads (account_id, state);
    """,
    # v2: the change feed (core/changes.py). Every insert or update gives the
    # row the next revision of one counter, every delete leaves a tombstone
    # with one: a reader asks for what changed since the revision it last saw.
    # Triggers, so every writer (the TUI, the CLI, an older path) keeps it right.
    # `sender`: the process (core/lease.py presence) sending a ``sending`` row,
    # so a start-up recovers only the sends of processes that are gone.
    """
    ALTER TABLE uploads ADD COLUMN rev INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE uploads ADD COLUMN sender TEXT;
    CREATE INDEX uploads_account_rev ON uploads (account_id, rev);
    CREATE TABLE uploads_rev (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        rev INTEGER NOT NULL,
        floor INTEGER NOT NULL
    );
    INSERT INTO uploads_rev (one, rev, floor) VALUES (1, 0, 0);
    CREATE TABLE uploads_gone (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL,
        rev INTEGER NOT NULL
    );
    CREATE INDEX uploads_gone_account_rev ON uploads_gone (account_id, rev);
    CREATE TRIGGER uploads_rev_on_insert AFTER INSERT ON uploads BEGIN
        UPDATE uploads_rev SET rev = rev + 1;
        UPDATE uploads SET rev = (SELECT rev FROM uploads_rev) WHERE id = NEW.id;
    END;
    CREATE TRIGGER uploads_rev_on_update AFTER UPDATE ON uploads WHEN NEW.rev = OLD.rev BEGIN
        UPDATE uploads_rev SET rev = rev + 1;
        UPDATE uploads SET rev = (SELECT rev FROM uploads_rev) WHERE id = NEW.id;
    END;
    CREATE TRIGGER uploads_rev_on_delete AFTER DELETE ON uploads BEGIN
        UPDATE uploads_rev SET rev = rev + 1;
        INSERT OR REPLACE INTO uploads_gone (id, account_id, rev)
            VALUES (OLD.id, OLD.account_id, (SELECT rev FROM uploads_rev));
    END;
    """,
    # Local file uploads (core/local_store.py) share the table: `kind` tells
    # them apart; `url` holds the path so older readers still show something.
    # `body_sent` is committed before a body's last bytes leave (see there).
    """
    ALTER TABLE uploads ADD COLUMN kind TEXT NOT NULL DEFAULT 'remote';
    ALTER TABLE uploads ADD COLUMN path TEXT;
    ALTER TABLE uploads ADD COLUMN size INTEGER;
    ALTER TABLE uploads ADD COLUMN mtime_ns INTEGER;
    ALTER TABLE uploads ADD COLUMN bytes_sent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE uploads ADD COLUMN body_sent INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE uploads ADD COLUMN started_at REAL;
    CREATE INDEX uploads_account_kind_state ON uploads (account_id, kind, state);
    """,
)

_FROM_API = {
    UploadState.RUNNING: JobState.RUNNING,
    UploadState.DONE: JobState.DONE,
    UploadState.FAILED: JobState.FAILED,
}


class UploadStore:
    """The queue of one account in the state database.

    Each method is one short transaction (well under a millisecond in WAL
    mode), so callers on the event loop do not block it.
    """

    def __init__(self, db: Database, account_id: str, *, sender: str | None = None) -> None:
        self.db = db
        self.account_id = account_id
        #: This process's presence token (`core.lease.Presence.token`), written on sends.
        self.sender = sender
        db.migrate(PART, MIGRATIONS)

    # -- reading -----------------------------------------------------------------

    def jobs(self) -> list[Job]:
        """Every job of the account, oldest first."""
        rows = self.db.conn.execute(
            "SELECT * FROM uploads WHERE account_id = ? ORDER BY id", (self.account_id,)
        ).fetchall()
        return [Job.from_row(r) for r in rows]

    def get(self, job_id: int) -> Job | None:
        row = self.db.conn.execute(
            "SELECT * FROM uploads WHERE account_id = ? AND id = ?", (self.account_id, job_id)
        ).fetchone()
        return Job.from_row(row) if row else None

    def unfinished(self) -> list[Job]:
        """The jobs the poller checks: running ones with a queue id."""
        return [j for j in self.jobs() if j.state is JobState.RUNNING]

    # -- sending -------------------------------------------------------------------

    def begin_send(self, url: str, folder: str | None, now: float) -> Job:
        """Record that `url` is about to be sent (committed before the request)."""
        cur = self.db.conn.execute(
            "INSERT INTO uploads (account_id, url, folder, added_at, state, status, sender)"
            " VALUES (?, ?, ?, ?, ?, '', ?)",
            (self.account_id, url, folder or None, now, JobState.SENDING.value, self.sender),
        )
        job_id = int(cur.lastrowid or 0)
        return Job(job_id, None, url, folder or None, now, JobState.SENDING, sender=self.sender)

    def mark_queued(self, job_id: int, queue_id: str, now: float) -> Job:
        """The server answered with `queue_id`: the job is queued (and committed)."""
        self.db.conn.execute(
            "UPDATE uploads SET queue_id = ?, state = ?, status = ?, error = NULL,"
            " poll_error = NULL, checked_at = ? WHERE account_id = ? AND id = ?",
            (queue_id, JobState.RUNNING.value, "queued", now, self.account_id, job_id),
        )
        return self._must_get(job_id)

    def mark_unknown(self, job_id: int, reason: str) -> Job:
        """The send may or may not have been done; the user decides what next."""
        self.db.conn.execute(
            "UPDATE uploads SET state = ?, error = ? WHERE account_id = ? AND id = ?",
            (JobState.UNKNOWN.value, reason, self.account_id, job_id),
        )
        return self._must_get(job_id)

    def forget(self, job_ids: Iterable[int]) -> None:
        """Delete rows (a send refused outright, or the user removing entries)."""
        self._write(
            "DELETE FROM uploads WHERE account_id = ? AND id = ?",
            [(self.account_id, i) for i in job_ids],
        )

    def resend(self, job_id: int, now: float) -> Job:
        """Put an unknown or failed entry back to ``sending`` for a deliberate new send."""
        self.db.conn.execute(
            "UPDATE uploads SET state = ?, queue_id = NULL, status = '', progress = NULL,"
            " file_code = NULL, error = NULL, poll_error = NULL, checked_at = NULL,"
            " finished_at = NULL, added_at = ?, sender = ? WHERE account_id = ? AND id = ?",
            (JobState.SENDING.value, now, self.sender, self.account_id, job_id),
        )
        return self._must_get(job_id)

    def restore(self, job: Job, error: str) -> Job:
        """Write `job` back as it was before a resend the server refused, with `error`.

        A refused resend must not lose the entry: an ``unknown`` one is the only
        record that the URL may already be queued.
        """
        self.db.conn.execute(
            "UPDATE uploads SET state = ?, queue_id = ?, status = ?, progress = ?,"
            " file_code = ?, error = ?, poll_error = ?, checked_at = ?, finished_at = ?,"
            " added_at = ? WHERE account_id = ? AND id = ?",
            (job.state.value, job.queue_id, job.status, job.progress, job.file_code, error,
             job.poll_error, job.checked_at, job.finished_at, job.added_at,
             self.account_id, job.id),
        )  # fmt: skip
        return self._must_get(job.id)

    def recover_interrupted(
        self, live: Collection[str] | Callable[[], Collection[str]] = ()
    ) -> list[Job]:
        """Rows left ``sending`` by a process that is gone become ``unknown``; returns them.

        `live` names the senders still running (`core.lease.live_processes`):
        their sends are in flight, not interrupted. Our own sender counts as live.
        Pass the function that reads them: it is asked only after the rows are
        read, so a process that started meanwhile (its presence is written
        before its first row) is seen alive. A set read earlier misses it.
        """
        rows = self.db.conn.execute(
            "SELECT id, sender FROM uploads WHERE account_id = ? AND state = ?",
            (self.account_id, JobState.SENDING.value),
        ).fetchall()
        if not rows:
            return []
        alive = set(live() if callable(live) else live)
        alive |= {self.sender} if self.sender else set()
        reason = "the app stopped while sending; the server may or may not have queued it"
        return [self.mark_unknown(int(r["id"]), reason) for r in rows if r["sender"] not in alive]

    # -- polling ---------------------------------------------------------------------

    def record_statuses(self, updates: Sequence[tuple[Job, UploadStatus]], now: float) -> list[Job]:
        """Store the answers of one poll cycle in one transaction; return the new jobs."""
        out: list[Job] = []
        params: list[tuple[object, ...]] = []
        for job, status in updates:
            state = _FROM_API[status.state]
            new = replace(
                job,
                state=state,
                status=status.status,
                progress=status.progress if status.progress is not None else job.progress,
                file_code=status.file_code or job.file_code,
                error=status.error if status.error is not None else job.error,
                poll_error=None,
                checked_at=now,
                finished_at=now if state.finished else None,
            )
            out.append(new)
            params.append(
                (new.state.value, new.status, new.progress, new.file_code, new.error,
                 new.checked_at, new.finished_at, self.account_id, job.id, job.queue_id)
            )  # fmt: skip
        # `queue_id = ?`: another process may have sent the job again meanwhile
        # (a new queue id, or none yet): an answer about the old one is not its.
        self._write(
            "UPDATE uploads SET state = ?, status = ?, progress = ?, file_code = ?, error = ?,"
            " poll_error = NULL, checked_at = ?, finished_at = ?"
            " WHERE account_id = ? AND id = ? AND queue_id = ?",
            params,
        )
        return out

    def record_poll_errors(self, updates: Sequence[tuple[Job, str]], now: float) -> list[Job]:
        """Store why checking these jobs failed (the job itself is unchanged)."""
        out = [replace(job, poll_error=text, checked_at=now) for job, text in updates]
        self._write(
            "UPDATE uploads SET poll_error = ?, checked_at = ?"
            " WHERE account_id = ? AND id = ? AND queue_id = ?",
            [(j.poll_error, now, self.account_id, j.id, j.queue_id) for j in out],
        )
        return out

    def mark_failed(self, jobs: Sequence[Job], status: str, error: str, now: float) -> list[Job]:
        """Mark jobs failed by our own reading (the server forgot them); return the new jobs."""
        out = [
            replace(j, state=JobState.FAILED, status=status, error=error, poll_error=None,
                    checked_at=now, finished_at=now)
            for j in jobs
        ]  # fmt: skip
        self._write(
            "UPDATE uploads SET state = ?, status = ?, error = ?, poll_error = NULL,"
            " checked_at = ?, finished_at = ? WHERE account_id = ? AND id = ?",
            [(JobState.FAILED.value, status, error, now, now, self.account_id, j.id) for j in out],
        )
        return out

    def clear_finished(self) -> list[int]:
        """Delete done and failed jobs; return their ids."""
        rows = self.db.conn.execute(
            "SELECT id FROM uploads WHERE account_id = ? AND state IN (?, ?)",
            (self.account_id, JobState.DONE.value, JobState.FAILED.value),
        ).fetchall()
        ids = [int(r["id"]) for r in rows]
        self.forget(ids)
        return ids

    # -- helpers -------------------------------------------------------------------------

    def _write(self, sql: str, params: list[tuple[object, ...]]) -> None:
        if not params:
            return
        with self.db.transaction() as conn:
            conn.executemany(sql, params)

    def _must_get(self, job_id: int) -> Job:
        job = self.get(job_id)
        if job is None:
            raise KeyError(job_id)
        return job


__all__ = [
    "KIND_LOCAL",
    "KIND_REMOTE",
    "MIGRATIONS",
    "Job",
    "JobState",
    "UploadStore",
    "normalize_url",
]
