"""The change feed: another process's inserts, updates and deletions, read by revision."""

from __future__ import annotations

from pathlib import Path

from illvid_tui.api.models import UploadStatus
from illvid_tui.core.changes import ChangeFeed, prune
from illvid_tui.core.db import Database
from illvid_tui.core.uploads import JobState, UploadStore

ACCOUNT = "http://127.0.0.1/api|demo"


def stores(tmp_path: Path, account: str = ACCOUNT) -> tuple[UploadStore, UploadStore]:
    path = tmp_path / "state.sqlite3"
    return UploadStore(Database(path), account), UploadStore(Database(path), account)


def test_another_connections_insert_update_and_delete_come_as_changes(tmp_path: Path) -> None:
    mine, theirs = stores(tmp_path)
    kept = theirs.begin_send("https://e.com/kept", None, 1.0)
    feed = ChangeFeed(mine)
    assert [j.key for j in feed.snapshot()] == [kept.key]
    assert feed.poll() is None  # nobody wrote since

    added = theirs.begin_send("https://e.com/new", "f", 2.0)
    changes = feed.poll()
    assert changes is not None and not changes.full
    assert list(changes.jobs) == [added.key] and changes.jobs[added.key].folder == "f"
    assert feed.poll() is None

    queued = theirs.mark_queued(added.id, "q1", 3.0)
    [running] = theirs.record_statuses(
        [(queued, UploadStatus("q1", "downloading", progress="40%"))], 4.0
    )
    theirs.forget([kept.id])
    changes = feed.poll()
    assert changes is not None
    assert changes.jobs == {added.key: running}  # the row as it is now, once
    assert changes.jobs[added.key].state is JobState.RUNNING
    assert changes.removed == {kept.key}
    assert feed.poll() is None


def test_the_key_is_the_row_id_from_the_first_write_on(tmp_path: Path) -> None:
    mine, theirs = stores(tmp_path)
    feed = ChangeFeed(mine)
    feed.snapshot()
    job = theirs.begin_send("https://e.com/a", None, 1.0)
    assert job.key == str(job.id)
    queued = theirs.mark_queued(job.id, "777", 2.0)
    assert queued.key == job.key
    changes = feed.poll()
    assert changes is not None and list(changes.jobs) == [job.key]


def test_other_accounts_and_own_commits_do_not_wake_the_feed(tmp_path: Path) -> None:
    mine, theirs = stores(tmp_path)
    elsewhere = UploadStore(theirs.db, "https://illvid.com/api|smith")
    feed = ChangeFeed(mine)
    feed.snapshot()
    own = mine.begin_send("https://e.com/mine", None, 1.0)
    assert feed.poll() is None  # our own commit: we know it already
    elsewhere.begin_send("https://e.com/other-account", None, 1.0)
    changes = feed.poll()
    # Another connection committed: the look reads what is new for this account
    # (our own row included, harmless), never the other account's.
    assert changes is not None and list(changes.jobs) == [own.key]


def test_a_reader_behind_pruned_tombstones_gets_the_whole_queue(tmp_path: Path) -> None:
    mine, theirs = stores(tmp_path)
    jobs = [theirs.begin_send(f"https://e.com/{i}", None, 1.0) for i in range(6)]
    feed = ChangeFeed(mine)
    feed.snapshot()
    theirs.forget(j.id for j in jobs[:4])
    assert prune(theirs, keep=2) == 2
    changes = feed.poll()
    assert changes is not None and changes.full
    assert set(changes.jobs) == {jobs[4].key, jobs[5].key}
    # Up to date again: the next look is incremental.
    theirs.forget([jobs[4].id])
    changes = feed.poll()
    assert changes is not None and not changes.full and changes.removed == {jobs[4].key}


def test_an_old_database_gets_revisions_and_keeps_its_rows(tmp_path: Path) -> None:
    import sqlite3

    from illvid_tui.core.uploads import MIGRATIONS

    path = tmp_path / "state.sqlite3"
    db = Database(path)
    db.migrate("uploads", MIGRATIONS[:1])  # what an older version left
    db.conn.execute(
        "INSERT INTO uploads (account_id, queue_id, url, added_at, state)"
        " VALUES (?, 'q', 'https://e.com/old', 1.0, 'running')",
        (ACCOUNT,),
    )
    db.close()
    store = UploadStore(Database(path), ACCOUNT)
    [job] = ChangeFeed(store).snapshot()
    assert (job.key, job.queue_id, job.url) == ("1", "q", "https://e.com/old")
    assert sqlite3.connect(path).execute("SELECT version FROM schema_versions").fetchone()
