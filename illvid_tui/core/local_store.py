"""Local-upload jobs in the state database: rows of the one ``uploads`` table, kind ``local``.

A file is queued as a ``waiting`` row (path, size, mtime) before the screen
says so; a row turns ``uploading`` before its first byte leaves, and its
``body_sent`` flag is committed *before* the last bytes of the body are handed
over. So after a crash or ``kill -9`` the row tells what may have reached the
server: ``uploading`` without ``body_sent`` was cut mid-body (the server kept
nothing: ``interrupted``), with it the outcome is ``unknown``. Neither is sent
again unless the user asks (`restart`).

Every method is one short statement or transaction, fit for the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from illvid_tui.core.uploads import KIND_LOCAL, Job, JobState, UploadStore

#: Why a recovered row stopped (the row's error text).
INTERRUPTED_TEXT = "the app stopped mid-upload; the server kept nothing. Restart it to send again"
UNKNOWN_TEXT = (
    "the app stopped after the whole file was sent; the server may or may not have kept it"
)
CANCELLED_TEXT = "cancelled"


@dataclass(frozen=True)
class QueuedFile:
    """A file as it was when the user queued it."""

    path: Path
    size: int
    mtime_ns: int


class LocalStore:
    """The local-upload side of an account's queue (`UploadStore` owns the table)."""

    def __init__(self, store: UploadStore) -> None:
        self.store = store

    @property
    def sender(self) -> str | None:
        """This process's presence token (`core.lease`), written on the rows it sends."""
        return self.store.sender

    def _sql(self, sql: str, params: Sequence[object]) -> None:
        self.store.db.conn.execute(sql, tuple(params))

    def _get(self, job_id: int) -> Job:
        job = self.store.get(job_id)
        if job is None:
            raise KeyError(job_id)
        return job

    # -- reading ---------------------------------------------------------------------
    def jobs(self, states: Collection[JobState] = ()) -> list[Job]:
        """The account's local jobs (in `states`, when given), oldest first."""
        sql = "SELECT * FROM uploads WHERE account_id = ? AND kind = ?"
        params: list[object] = [self.store.account_id, KIND_LOCAL]
        if states:
            sql += f" AND state IN ({', '.join('?' * len(states))})"
            params += [s.value for s in states]
        rows = self.store.db.conn.execute(sql + " ORDER BY id", params).fetchall()
        return [Job.from_row(r) for r in rows]

    # -- writing ---------------------------------------------------------------------
    def queue(self, files: Sequence[QueuedFile], folder: str | None, now: float) -> list[Job]:
        """Write `files` as waiting jobs, in one transaction; return them."""
        conn = self.store.db.conn
        ids: list[int] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            for f in files:
                cur = conn.execute(
                    "INSERT INTO uploads (account_id, kind, url, path, size, mtime_ns, folder,"
                    " added_at, state, status, bytes_sent, body_sent, sender)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, '', 0, 0, ?)",
                    (self.store.account_id, KIND_LOCAL, str(f.path), str(f.path), f.size,
                     f.mtime_ns, folder or None, now, JobState.WAITING.value, self.sender),
                )  # fmt: skip
                ids.append(int(cur.lastrowid or 0))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return [self._get(i) for i in ids]

    def start(self, job_id: int, now: float) -> Job | None:
        """Claim a waiting job for this process: ``uploading``, from zero.

        None when it is no longer waiting (another process took it, the user
        cancelled it): the claim is one conditional UPDATE, so two never both win.
        """
        cur = self.store.db.conn.execute(
            "UPDATE uploads SET state = ?, bytes_sent = 0, body_sent = 0, error = NULL,"
            " status = 'starting', started_at = ?, sender = ? WHERE account_id = ? AND id = ?"
            " AND state = ?",
            (JobState.UPLOADING.value, now, self.sender, self.store.account_id, job_id,
             JobState.WAITING.value),
        )  # fmt: skip
        return self._get(job_id) if cur.rowcount == 1 else None

    def progress(self, updates: Iterable[tuple[int, int, str]]) -> None:
        """Record bytes sent (and a status word) of running jobs, in one transaction."""
        params = [(sent, status, self.store.account_id, i) for i, sent, status in updates]
        if not params:
            return
        conn = self.store.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany(
                "UPDATE uploads SET bytes_sent = ?, status = ? WHERE account_id = ? AND id = ?",
                params,
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def retrying(self, job_id: int, status: str) -> None:
        """An attempt broke before its whole body left; the next starts from zero."""
        self._sql(
            "UPDATE uploads SET body_sent = 0, bytes_sent = 0, status = ?"
            " WHERE account_id = ? AND id = ?",
            (status, self.store.account_id, job_id),
        )

    def body_complete(self, job_id: int, size: int) -> None:
        """Committed before the body's last bytes leave: from now on the outcome may be
        "stored", so a crash leaves ``unknown``, never ``interrupted``."""
        self._sql(
            "UPDATE uploads SET body_sent = 1, bytes_sent = ? WHERE account_id = ? AND id = ?",
            (size, self.store.account_id, job_id),
        )

    def done(self, job_id: int, file_code: str, now: float) -> Job:
        self._sql(
            "UPDATE uploads SET state = ?, file_code = ?, status = 'OK', error = NULL,"
            " bytes_sent = size, finished_at = ? WHERE account_id = ? AND id = ?",
            (JobState.DONE.value, file_code, now, self.store.account_id, job_id),
        )
        return self._get(job_id)

    def stop(self, job_id: int, state: JobState, error: str, now: float) -> Job:
        """End a job as failed, interrupted or unknown, with why."""
        finished = now if state.finished else None
        self._sql(
            "UPDATE uploads SET state = ?, error = ?, status = ?, finished_at = ?"
            " WHERE account_id = ? AND id = ?",
            (state.value, error, state.value, finished, self.store.account_id, job_id),
        )
        return self._get(job_id)

    def restart(self, job_id: int, file: QueuedFile, now: float) -> Job:
        """The user's deliberate new send: waiting again, from zero, the file as it is now."""
        self._sql(
            "UPDATE uploads SET state = ?, size = ?, mtime_ns = ?, bytes_sent = 0,"
            " body_sent = 0, file_code = NULL, error = NULL, status = '', finished_at = NULL,"
            " started_at = NULL, added_at = ?, sender = ? WHERE account_id = ? AND id = ?",
            (JobState.WAITING.value, file.size, file.mtime_ns, now, self.sender,
             self.store.account_id, job_id),
        )  # fmt: skip
        return self._get(job_id)

    def recover(
        self,
        now: float,
        live: Collection[str] | Callable[[], Collection[str]] = (),
        running: Collection[str] = (),
    ) -> list[Job]:
        """Rows left ``uploading`` by a process that is gone: interrupted or unknown.

        `live` names the processes still running (`core.lease.live_processes`):
        their uploads are in flight. Our own sender counts as live, and the keys
        in `running` (what this process is sending) are never touched. Pass the
        function that reads them: asked after the rows are read, it sees a
        process that started meanwhile (its presence is written before its rows).
        """
        uploading = [j for j in self.jobs([JobState.UPLOADING]) if j.key not in running]
        if not uploading:
            return []
        alive = set(live() if callable(live) else live)
        alive |= {self.sender} if self.sender else set()
        found = [j for j in uploading if j.sender is None or j.sender not in alive]
        out: list[Job] = []
        for job in found:
            if job.body_sent:
                out.append(self.stop(job.id, JobState.UNKNOWN, UNKNOWN_TEXT, now))
            else:
                out.append(self.stop(job.id, JobState.INTERRUPTED, INTERRUPTED_TEXT, now))
        return out


__all__ = [
    "CANCELLED_TEXT",
    "INTERRUPTED_TEXT",
    "UNKNOWN_TEXT",
    "LocalStore",
    "QueuedFile",
]
