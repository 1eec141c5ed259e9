"""The upload queue store and the URL line checks."""

from __future__ import annotations

from pathlib import Path

from illvid_tui.api.models import UploadStatus
from illvid_tui.core.db import Database
from illvid_tui.core.uploads import JobState, UploadStore, normalize_url
from illvid_tui.core.urls import check_lines, url_problem

ACCOUNT = "http://127.0.0.1/api|demo"


def make_store(path: Path, account: str = ACCOUNT) -> UploadStore:
    return UploadStore(Database(path / "state.sqlite3"), account)


def test_send_is_committed_before_queued_and_survives_reopen(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    job = store.begin_send("https://example.com/a.mp4", "travel", 100.0)
    assert job.state is JobState.SENDING and job.key == str(job.id)
    queued = store.mark_queued(job.id, "121212", 101.0)
    # The key stays the row id whatever the server calls the job.
    assert queued.state is JobState.RUNNING and queued.key == job.key
    # A second connection (another process) sees it at once: it is committed.
    other = make_store(tmp_path)
    [seen] = other.jobs()
    assert (seen.queue_id, seen.url, seen.folder, seen.status) == (
        "121212",
        "https://example.com/a.mp4",
        "travel",
        "queued",
    )
    assert other.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_accounts_never_mix(tmp_path: Path) -> None:
    a = make_store(tmp_path)
    b = make_store(tmp_path, "https://illvid.com/api|smith")
    a.mark_queued(a.begin_send("https://x.org/1", None, 1.0).id, "1", 1.0)
    b.mark_queued(b.begin_send("https://x.org/2", None, 1.0).id, "1", 1.0)
    assert [j.url for j in a.jobs()] == ["https://x.org/1"]
    assert [j.url for j in b.jobs()] == ["https://x.org/2"]


def test_interrupted_send_becomes_unknown_and_can_be_resent(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    job = store.begin_send("https://example.com/a.mp4", None, 5.0)
    [recovered] = make_store(tmp_path).recover_interrupted()
    assert recovered.id == job.id and recovered.state is JobState.UNKNOWN
    assert "may or may not" in (recovered.error or "")
    again = store.resend(job.id, 9.0)
    assert again.state is JobState.SENDING and again.error is None


def test_statuses_done_failed_and_history_until_cleared(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    a = store.mark_queued(store.begin_send("https://e.com/a", None, 1.0).id, "10", 1.0)
    b = store.mark_queued(store.begin_send("https://e.com/b", None, 1.0).id, "11", 1.0)
    c = store.mark_queued(store.begin_send("https://e.com/c", None, 1.0).id, "12", 1.0)
    new = store.record_statuses(
        [
            (a, UploadStatus("10", "done", file_code="abcdefabcdef")),
            (b, UploadStatus("11", "Error", error="404 at source")),
            (c, UploadStatus("12", "working", progress="40")),
        ],
        now=50.0,
    )
    assert [j.state for j in new] == [JobState.DONE, JobState.FAILED, JobState.RUNNING]
    assert new[0].finished_at == 50.0 and new[2].finished_at is None
    assert [j.queue_id for j in store.unfinished()] == ["12"]
    stored = {j.queue_id: j for j in make_store(tmp_path).jobs()}
    assert stored["11"].status == "Error" and stored["11"].error == "404 at source"
    assert stored["12"].progress == "40"
    errs = store.record_poll_errors([(new[2], "Server error (500)")], now=60.0)
    assert errs[0].poll_error == "Server error (500)"
    assert len(store.clear_finished()) == 2
    assert [j.queue_id for j in store.jobs()] == ["12"]


def test_url_problems() -> None:
    assert url_problem("https://example.com/a.mp4") is None
    assert url_problem("http://127.0.0.1:8080/x") is None
    assert "http or https" in (url_problem("ftp://example.com/a") or "")
    assert "must start" in (url_problem("example.com/a.mp4") or "")
    assert url_problem("https:///path") == "no host name"
    assert "spaces" in (url_problem("https://e.com/a b") or "")
    assert "port" in (url_problem("https://e.com:99999/") or "")
    assert "too long" in (url_problem("https://e.com/" + "a" * 3000) or "")


def test_check_lines_reasons_and_duplicates() -> None:
    text = "\n".join(
        [
            "https://e.com/a.mp4",
            "",
            "# a comment",
            "ftp://e.com/b",
            "https://E.COM/a.mp4",
            "https://e.com/queued.mp4",
            "  https://e.com/c.mp4  ",
        ]
    )
    out = check_lines(text, {normalize_url("https://e.com/queued.mp4"): "running"})
    assert out.accepted == ["https://e.com/a.mp4", "https://e.com/c.mp4"]
    reasons = {r.line: r.reason for r in out.refused}
    assert set(reasons) == {4, 5, 6}
    assert reasons[5] == "repeats line 1"
    assert reasons[6] == "already in the queue (running)"
    assert out.summary() == "2 URLs to queue, 3 refused"


def test_check_lines_thousand() -> None:
    text = "\n".join(f"https://cdn{i % 7}.example.com/v/{i}.mp4" for i in range(1000))
    out = check_lines(text + "\nnot a url\n", {})
    assert len(out.accepted) == 1000 and len(out.refused) == 1
