"""The file checker: one run's state, and the last result per code in the state DB.

A run is fed by `check_files`' per-batch callback, so a cancelled run keeps
what already came back. The store keeps, per account and code, whether the
file was missing at its last check; the next run of the same codes says what
changed ("newly missing", "back").
"""

from __future__ import annotations

import asyncio
import math
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from illvid_tui.api.errors import IllvidError
from illvid_tui.api.models import BatchDone
from illvid_tui.core.db import Database

PART = "filecheck"
MIGRATIONS = [
    """
    CREATE TABLE filecheck_last (
        account TEXT NOT NULL,
        code TEXT NOT NULL,
        missing INTEGER NOT NULL,
        checked_at TEXT NOT NULL,
        PRIMARY KEY (account, code)
    ) WITHOUT ROWID
    """
]
#: Codes per SELECT ... IN (...) (SQLite's default limit is 32,766 variables).
_CHUNK = 900
#: Rows written per transaction when the database can't be used from a thread.
SAVE_SLICE = 1000


class Change(StrEnum):
    """How a code's result compares with its last check."""

    FIRST = "first check"
    SAME = "same"
    NEWLY_MISSING = "newly missing"
    BACK = "back"


def change_of(previous: bool | None, missing: bool) -> Change:
    """`previous` is whether the code was missing last time (None: never checked)."""
    if previous is None:
        return Change.FIRST
    if previous == missing:
        return Change.SAME
    return Change.NEWLY_MISSING if missing else Change.BACK


class FileCheckStore:
    """The last result per (account, code). Thread-safe: each call opens its own
    connection to the database file (WAL lets it run beside the app's), so it
    can run in a thread worker without joining another part's transaction.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        db.migrate(PART, MIGRATIONS)

    @property
    def threaded(self) -> bool:
        """Whether calls may run in a thread (False for an in-memory database)."""
        return self._db.path is not None

    async def load_async(self, account: str, codes: Sequence[str]) -> dict[str, bool]:
        """`load` off the event loop when the database allows it."""
        if self.threaded:
            return await asyncio.to_thread(self.load, account, codes)
        return self.load(account, codes)

    async def save_async(self, account: str, results: Mapping[str, bool], stamp: str) -> None:
        """`save` off the event loop; in memory (--demo), a slice at a time on it."""
        if self.threaded:
            await asyncio.to_thread(self.save, account, results, stamp)
            return
        # The in-memory database has only the app's connection: a big check is
        # written in slices so the loop is not stalled.
        items = list(results.items())
        for start in range(0, len(items), SAVE_SLICE):
            self.save(account, dict(items[start : start + SAVE_SLICE]), stamp)
            await asyncio.sleep(0)

    def _connect(self) -> sqlite3.Connection:
        if self._db.path is None:  # an in-memory database has only the one connection
            return self._db.conn
        return self._db.connect()

    def _close(self, conn: sqlite3.Connection) -> None:
        if conn is not self._db.conn:
            conn.close()

    def load(self, account: str, codes: Sequence[str]) -> dict[str, bool]:
        """{code: missing at its last check} for the codes checked before."""
        out: dict[str, bool] = {}
        conn = self._connect()
        try:
            for start in range(0, len(codes), _CHUNK):
                chunk = codes[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                with closing(
                    conn.execute(
                        f"SELECT code, missing FROM filecheck_last"
                        f" WHERE account = ? AND code IN ({marks})",
                        (account, *chunk),
                    )
                ) as cursor:
                    out.update((str(code), bool(missing)) for code, missing in cursor)
        finally:
            self._close(conn)
        return out

    def save(self, account: str, results: Mapping[str, bool], checked_at: str) -> None:
        """Record `results` ({code: missing}) as the last check, in one transaction."""
        if not results:
            return
        conn = self._connect()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany(
                    "INSERT INTO filecheck_last(account, code, missing, checked_at)"
                    " VALUES (?, ?, ?, ?) ON CONFLICT(account, code) DO UPDATE SET"
                    " missing = excluded.missing, checked_at = excluded.checked_at",
                    ((account, code, int(m), checked_at) for code, m in results.items()),
                )
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            self._close(conn)


@dataclass(frozen=True)
class BatchFailed:
    """One batch the server refused: its codes, and the error that says why."""

    codes: tuple[str, ...]
    error: IllvidError


@dataclass(frozen=True)
class CheckProgress:
    """Where a run stands: codes checked of total, batches done and in flight."""

    total: int
    checked: int
    missing: int
    batches: int
    batches_done: int
    in_flight: int
    #: Codes whose batch the server refused (counted in `checked`'s batches, not in it).
    refused: int = 0

    def describe(self) -> str:
        refused = f" · {self.refused:,} refused" if self.refused else ""
        return (
            f"{self.checked:,}/{self.total:,} · {self.missing:,} missing{refused}"
            f" · batches {self.batches_done}/{self.batches}, {self.in_flight} in flight"
        )


class _BatchClient(Protocol):
    batch_size: int
    max_in_flight: int


class CheckRun:
    """One check of `codes`: results as batches land, compared with `previous`."""

    def __init__(
        self,
        codes: Sequence[str],
        previous: Mapping[str, bool],
        *,
        batch_size: int,
        max_in_flight: int,
    ) -> None:
        self.codes = list(codes)
        self.previous = dict(previous)
        self.results: dict[str, bool] = {}
        #: Codes whose batch the server refused, with the error (451, 403...).
        self.failed: dict[str, IllvidError] = {}
        self.batches = math.ceil(len(self.codes) / batch_size) if self.codes else 0
        self.batch_size = batch_size
        self.max_in_flight = max_in_flight
        self.batches_done = 0
        self.missing = 0
        # Kept as results land, so changes() costs nothing per batch.
        self._changes = dict.fromkeys(Change, 0)

    @classmethod
    def for_client(
        cls, client: _BatchClient, codes: Sequence[str], previous: Mapping[str, bool]
    ) -> CheckRun:
        return cls(
            codes, previous, batch_size=client.batch_size, max_in_flight=client.max_in_flight
        )

    def add(self, batch: BatchDone) -> list[tuple[str, bool, Change]]:
        """Take one batch's answer; return (code, missing, change) per code in it."""
        gone = set(batch.missing)
        out = []
        counts = self._changes
        for code in batch.codes:
            missing = code in gone
            before = self.previous.get(code)
            earlier = self.results.get(code)
            if earlier is None:
                self.missing += missing
            else:
                counts[change_of(before, earlier)] -= 1
            self.results[code] = missing
            self.failed.pop(code, None)
            change = change_of(before, missing)
            counts[change] += 1
            out.append((code, missing, change))
        self.batches_done += 1
        return out

    def add_failure(self, batch: BatchFailed) -> None:
        """Take one refused batch: its codes keep no result, only the error."""
        for code in batch.codes:
            if code not in self.results:
                self.failed[code] = batch.error
        self.batches_done += 1

    @property
    def progress(self) -> CheckProgress:
        # The client sends batches under its in-flight bound; the ones not
        # answered yet fill it (other calls may share the bound: an estimate).
        in_flight = min(self.max_in_flight, self.batches - self.batches_done)
        return CheckProgress(
            len(self.codes),
            len(self.results),
            self.missing,
            self.batches,
            self.batches_done,
            in_flight,
            len(self.failed),
        )

    @property
    def complete(self) -> bool:
        """Every code has an answer: a result, or its batch's refusal."""
        return len(self.results) + len(self.failed) == len(self.codes)

    @property
    def unanswered(self) -> int:
        """Codes neither answered nor refused (not sent yet, or the check stopped)."""
        return len(self.codes) - len(self.results) - len(self.failed)

    def last_known(self, code: str) -> bool | None:
        """This run's result for `code`, else its result at the check before."""
        missing = self.results.get(code)
        return self.previous.get(code) if missing is None else missing

    def changes(self) -> dict[Change, int]:
        """How many results fall under each change (a copy: the caller may keep it)."""
        return dict(self._changes)


def codes_with_change(run: CheckRun, change: Change) -> list[str]:
    """The codes of `run` whose result is `change` against the last check, in order."""
    previous = run.previous
    results = run.results
    return [
        c for c in run.codes if c in results and change_of(previous.get(c), results[c]) is change
    ]


def found_and_missing(
    results: Mapping[str, bool], order: Iterable[str]
) -> tuple[list[str], list[str]]:
    """(found codes, missing codes) among `results`, in `order`."""
    found: list[str] = []
    missing: list[str] = []
    for code in order:
        if code in results:
            (missing if results[code] else found).append(code)
    return found, missing


__all__ = [
    "BatchFailed",
    "Change",
    "CheckProgress",
    "CheckRun",
    "FileCheckStore",
    "change_of",
    "codes_with_change",
    "found_and_missing",
]
