"""`upload` and `uploads` against the emulator over loopback: the queue the app shows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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
    missing = cli(served, "upload", str(tmp_path / "nope.mp4"))
    assert missing.code == 2 and "no such file" in missing.err
