"""`upload` and `uploads` against the emulator over loopback: the queue the app shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_support import LoopbackEmulator, Result, run_in_process
from conftest import TODAY

from illvid_tui.core.account import partition
from illvid_tui.core.db import Database
from illvid_tui.core.settings import Settings
from illvid_tui.core.uploads import JobState, UploadStore
from illvid_tui.emulator import DEMO_KEY

ENV = {"ILLVID_API_KEY": DEMO_KEY, "ILLVID_API_LOGIN": "demo"}


def cli(served: LoopbackEmulator, *argv: str, **kw: Any) -> Result:
    kw.setdefault("env", ENV)
    kw.setdefault("today", TODAY)
    return run_in_process([*argv, "--base-url", served.url], **kw)


def queue(served: LoopbackEmulator) -> UploadStore:
    """The queue in the state database the CLI wrote (the one the app reads)."""
    settings = Settings.from_env(base_url=served.url)
    return UploadStore(Database(settings.db_path), partition(served.url, "demo"))


def test_upload_urls_are_queued_in_the_shared_queue(served: LoopbackEmulator) -> None:
    urls = ["https://example.com/a.mp4", "https://example.com/b.mp4"]
    done = cli(served, "upload", "--json", "--folder", "films", *urls)
    assert done.code == 0, done.err
    records = json.loads(done.out)
    assert [r["url"] for r in records] == urls
    assert all(r["state"] == "running" and r["queue_id"] for r in records)
    assert all(r["folder"] == "films" and r["kind"] == "remote" for r in records)
    stored = {j.key: j for j in queue(served).jobs()}
    assert {r["id"] for r in records} == set(stored)
    assert {j.queue_id for j in stored.values()} == {r["queue_id"] for r in records}
    sent = [r.params for r in served.emulator.requests if r.op == "upload_url"]
    assert [p["url"] for p in sent] == urls and all(p["folder"] == "films" for p in sent)

    # The same URL again is refused, as the add dialog refuses it.
    again = cli(served, "upload", "--json", urls[0])
    assert again.code == 2
    assert "already in the queue" in again.err
    assert len(queue(served).jobs()) == 2


def test_upload_reads_targets_from_stdin_and_prints_a_table(served: LoopbackEmulator) -> None:
    done = cli(
        served, "upload", "-", stdin="https://example.com/c.mp4\n\nhttps://example.com/d.mp4\n"
    )
    assert done.code == 0, done.err
    rows = [line.split() for line in done.out.splitlines()]
    assert rows[0] == ["ID", "STATE", "CODE", "/", "STATUS", "URL", "/", "PATH"]
    assert [r[-1] for r in rows[1:]] == ["https://example.com/c.mp4", "https://example.com/d.mp4"]
    assert "2 running" in done.err


def test_upload_a_refused_target_is_named_and_the_rest_sent(served: LoopbackEmulator) -> None:
    done = cli(served, "upload", "--ndjson", "https://example.com/e.mp4", "ftp://x/y")
    assert done.code == 3
    lines = [json.loads(line) for line in done.out.splitlines()]
    assert [(r["url"], r["state"]) for r in lines] == [
        ("https://example.com/e.mp4", "running"),
        ("ftp://x/y", "refused"),
    ]
    assert "ftp:// is not supported" in done.err


def test_upload_an_unknown_outcome_is_kept_and_exits_1(served: LoopbackEmulator) -> None:
    served.emulator.fail_next("upload_url", 0)  # the connection drops after sending
    done = cli(served, "upload", "--json", "https://example.com/f.mp4")
    assert done.code == 1
    (record,) = json.loads(done.out)
    assert record["state"] == "unknown"
    (job,) = queue(served).jobs()
    assert job.state is JobState.UNKNOWN
    assert len([r for r in served.emulator.requests if r.op == "upload_url"]) == 1  # never resent


def test_upload_refused_credentials_are_4(served: LoopbackEmulator) -> None:
    done = cli(served, "upload", "https://example.com/g.mp4", env={"ILLVID_API_KEY": "bad-key-99"})
    assert done.code == 4
    assert queue(served).jobs() == []


def test_upload_wait_polls_until_done(served: LoopbackEmulator) -> None:
    served.emulator.upload_seconds = 0.1
    done = cli(served, "upload", "--wait", "--json", "https://example.com/h.mp4")
    assert done.code == 0, done.err
    (record,) = json.loads(done.out)
    assert record["state"] == "done" and record["file_code"]
    assert queue(served).jobs()[0].file_code == record["file_code"]


def test_upload_local_file_is_sent_before_it_ends(served: LoopbackEmulator, tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"x" * 100_000)
    done = cli(served, "upload", "--json", str(path))
    assert done.code == 0, done.err
    (record,) = json.loads(done.out)
    assert record["kind"] == "local" and record["path"] == str(path.resolve())
    assert record["state"] == "done" and record["file_code"]
    nope = tmp_path / "nope.mp4"
    missing = cli(served, "upload", str(nope))
    assert missing.code == 2
    # The path once, then why: not "not queued: P: P: no such file".
    assert missing.err.splitlines()[0] == f"illvid-tui: not queued: {nope}: no such file"


def test_uploads_polls_unfinished_jobs_once_then_lists_them(served: LoopbackEmulator) -> None:
    urls = ["https://example.com/i.mp4", "https://fail.example/j.mp4"]
    assert cli(served, "upload", *urls).code == 0
    served.emulator.advance(3600)  # both finished on the server's side
    before = len([r for r in served.emulator.requests if r.op == "check_upload_url"])
    done = cli(served, "uploads", "--json")
    polls = [r for r in served.emulator.requests if r.op == "check_upload_url"]
    assert len(polls) - before == 2  # each unfinished job once
    records = json.loads(done.out)
    assert [(r["url"], r["state"]) for r in records] == [(urls[0], "done"), (urls[1], "failed")]
    assert records[0]["file_code"] and records[1]["error"]
    assert done.code == 3  # a job failed
    assert "1 done, 1 failed" in done.err

    human = cli(served, "uploads", "--state", "done")
    rows = [line.split() for line in human.out.splitlines()]
    assert rows[0][:2] == ["ID", "STATE"] and len(rows) == 2 and rows[1][1] == "done"
    assert human.code == 0
    ndjson = cli(served, "uploads", "--ndjson", "--no-poll")
    assert [json.loads(line)["state"] for line in ndjson.out.splitlines()] == ["done", "failed"]


def test_uploads_no_poll_sends_nothing(served: LoopbackEmulator) -> None:
    assert cli(served, "upload", "https://example.com/k.mp4").code == 0
    before = len(served.emulator.requests)
    done = cli(served, "uploads", "--no-poll", "--json")
    assert json.loads(done.out)[0]["state"] == "running"
    assert len(served.emulator.requests) == before


def test_uploads_leaves_polling_to_the_process_holding_the_lease(
    served: LoopbackEmulator,
) -> None:
    from illvid_tui.core.lease import poll_lease

    assert cli(served, "upload", "https://example.com/l.mp4").code == 0
    store = queue(served)
    lease = poll_lease(store.db, store.account_id, "another-app:1:abcd", ttl=600)
    assert lease.acquire()
    before = len(served.emulator.requests)
    done = cli(served, "uploads", "--json")
    assert done.code == 0
    assert len(served.emulator.requests) == before  # the other process polls, not us
    assert "polls this account" in done.err
    assert json.loads(done.out)[0]["state"] == "running"


def test_uploads_watch_prints_each_change_until_all_finished(served: LoopbackEmulator) -> None:
    served.emulator.upload_seconds = 0.0
    assert cli(served, "upload", "https://example.com/m.mp4").code == 0
    done = cli(served, "uploads", "--watch", "--ndjson", "--no-poll")
    assert done.code == 0, done.err
    states = [json.loads(line)["state"] for line in done.out.splitlines()]
    assert states == ["running", "done"]


def test_uploads_a_509_that_persists_is_1_and_shows_the_last_states(
    served: LoopbackEmulator,
) -> None:
    assert cli(served, "upload", "https://example.com/n.mp4").code == 0
    served.emulator.fail_next("check_upload_url", 509, count=20)
    done = cli(served, "uploads", "--json")
    assert done.code == 1
    assert json.loads(done.out)[0]["state"] == "running"
    (line,) = done.err.strip().splitlines()[:1]
    assert "Bandwidth exceeded (509)" in line and "try again later" in line


def test_uploads_server_down_is_1(served: LoopbackEmulator) -> None:
    from cli_support import dead_url

    assert cli(served, "upload", "https://example.com/o.mp4").code == 0
    # The same account (base URL and login) whose server is now down.
    store = queue(served)
    job = store.jobs()[0]
    down = dead_url()
    moved = UploadStore(store.db, partition(down, "demo"))
    moved_job = moved.begin_send(job.url, None, 0.0)
    moved.mark_queued(moved_job.id, job.queue_id or "1", 0.0)
    done = run_in_process(["uploads", "--base-url", down], env=ENV, today=TODAY)
    assert done.code == 1
    assert "Network error" in done.err and "not polled" in done.err


def test_upload_wait_stops_when_no_poll_is_answered(
    served: LoopbackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("illvid_tui.cli.upload.NO_ANSWER_LIMIT", 0.0)
    served.emulator.fail_next("check_upload_url", 0, count=100)  # every poll: no answer
    done = cli(served, "upload", "--wait", "--json", "https://example.com/p.mp4")
    assert done.code == 1
    (record,) = json.loads(done.out)
    assert record["state"] == "running" and record["error"]  # kept, with why it is not known
    assert "stopped waiting" in done.err and "uploads --watch" in done.err
    assert queue(served).jobs()[0].state is JobState.RUNNING
