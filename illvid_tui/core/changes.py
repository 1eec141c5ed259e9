"""The change feed: what changed in an account's upload queue since a reader last looked.

Any process may write the queue (a TUI's poller, another TUI's send, a cron
``illvid-tui upload``). Triggers (the uploads part's migration v2) give every
inserted or updated row the next revision of one counter and leave a
tombstone with one for every deleted row, so a reader never reloads the table:

    feed = ChangeFeed(store)
    jobs = feed.snapshot()          # every job now; later reads start after it
    ...
    changes = feed.poll()           # cheap: None unless another connection committed
    if changes is not None:
        changes.jobs                # {key: Job} added or changed since the last look
        changes.removed             # keys deleted since then

`poll()` first asks SQLite's ``PRAGMA data_version`` (no table read), which
moves only when *another* connection commits: a process sees its own writes
through its own code, and calling `changes()` reads regardless. Tombstones are
pruned to the newest `KEEP_TOMBSTONES` (`prune`); a reader left behind the
pruned ones gets the whole queue again (`Changes.full`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from illvid_tui.core.uploads import Job, UploadStore

#: Tombstones kept after `prune` (a reader further behind reloads the queue).
KEEP_TOMBSTONES = 10_000


@dataclass(frozen=True)
class Changes:
    """What one look found."""

    #: Jobs added or changed since the last look, by key (row id as text), oldest first.
    jobs: dict[str, Job] = field(default_factory=dict)
    #: Keys of jobs deleted since the last look.
    removed: frozenset[str] = frozenset()
    #: `jobs` is the whole queue: the reader was too far behind (or had never looked);
    #: anything it holds that is not in `jobs` is gone.
    full: bool = False

    def __bool__(self) -> bool:
        return bool(self.jobs or self.removed or self.full)


class ChangeFeed:
    """One reader's position in the change feed of `store`'s account."""

    def __init__(self, store: UploadStore) -> None:
        self.store = store
        #: The last revision read; -1: never looked (the first look is full).
        self.rev = -1
        self._data_version: int | None = None

    def snapshot(self) -> list[Job]:
        """Every job of the account, oldest first; later looks report changes after it."""
        return list(self._read(full=True).jobs.values())

    def poll(self) -> Changes | None:
        """The changes since the last look, or None when no other connection committed."""
        if self.rev >= 0 and self.store.db.data_version() == self._data_version:
            return None
        return self.changes()

    def changes(self) -> Changes:
        """The changes since the last look, read now (one consistent snapshot)."""
        return self._read(full=False)

    def _read(self, *, full: bool) -> Changes:
        db = self.store.db
        conn = db.conn
        account = self.store.account_id
        # Before the read: a commit landing between the two is read again next time.
        self._data_version = db.data_version()
        conn.execute("BEGIN")  # one read snapshot: the counter and the rows agree
        try:
            rev, floor = conn.execute("SELECT rev, floor FROM uploads_rev").fetchone()
            full = full or self.rev < 0 or self.rev < int(floor)
            since = -1 if full else self.rev
            rows = conn.execute(
                "SELECT * FROM uploads WHERE account_id = ? AND rev > ? ORDER BY id",
                (account, since),
            ).fetchall()
            gone: list[str] = []
            if not full:
                gone = [
                    str(r[0])
                    for r in conn.execute(
                        "SELECT id FROM uploads_gone WHERE account_id = ? AND rev > ?",
                        (account, since),
                    )
                ]
        finally:
            conn.execute("COMMIT")
        self.rev = int(rev)
        jobs = {job.key: job for job in map(Job.from_row, rows)}
        return Changes(jobs, frozenset(gone) - jobs.keys(), full)


def prune(store: UploadStore, keep: int = KEEP_TOMBSTONES) -> int:
    """Delete all but the newest `keep` tombstones (every account); returns how many went."""
    with store.db.transaction() as conn:
        row = conn.execute(
            "SELECT rev FROM uploads_gone ORDER BY rev DESC LIMIT 1 OFFSET ?", (keep,)
        ).fetchone()
        if row is None:
            return 0
        cut = int(row[0])
        deleted = conn.execute("DELETE FROM uploads_gone WHERE rev <= ?", (cut,)).rowcount
        conn.execute("UPDATE uploads_rev SET floor = MAX(floor, ?)", (cut,))
    return int(deleted)


__all__ = ["KEEP_TOMBSTONES", "ChangeFeed", "Changes", "prune"]
