"""The local-upload runner (core, no Textual) against the emulator's upload server."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from illvid_tui.api import IllvidClient
from illvid_tui.core.db import Database
from illvid_tui.core.local_uploads import LocalUploads, queued_file
from illvid_tui.core.uploads import KIND_LOCAL, Job, JobState, UploadStore
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator

ACCOUNT = "http://127.0.0.1/api|demo"
PAYLOAD = bytes(range(256)) * 2400  # 614,400 bytes


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[IllvidClient]:
    async with IllvidClient(
        key=DEMO_KEY,
        login=DEMO_LOGIN,
        base_url="http://127.0.0.1/api",
        transport=emulator.transport(),
    ) as c:
        yield c


def make(tmp_path: Path, client: IllvidClient | None, **options: object) -> LocalUploads:
    store = UploadStore(Database(tmp_path / "state.sqlite3"), ACCOUNT)
    return LocalUploads(store, lambda: client, **options)  # type: ignore[arg-type]


def files(tmp_path: Path, n: int, payload: bytes = PAYLOAD) -> list[Path]:
    out = []
    for i in range(n):
        p = tmp_path / f"clip-{i}.mp4"
        p.write_bytes(payload)
        out.append(p)
    return out


def rows(tmp_path: Path) -> list[Job]:
    """What another process reading the database sees."""
    return UploadStore(Database(tmp_path / "state.sqlite3"), ACCOUNT).jobs()


async def wait_for(check: object, what: str, limit: float = 20.0) -> None:
    assert callable(check)
    deadline = asyncio.get_running_loop().time() + limit
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def test_queue_is_committed_waiting_then_done(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    runner = make(tmp_path, client)
    [path] = files(tmp_path, 1)
    [job] = runner.queue([queued_file(path)], folder="raw")
    [seen] = rows(tmp_path)  # on disk before anything was sent
    assert seen.kind == KIND_LOCAL and seen.state is JobState.WAITING
    assert (seen.path, seen.size, seen.folder) == (str(path.resolve()), len(PAYLOAD), "raw")
    assert emulator.uploads == []
    [done] = await runner.send_now([job])
    assert done.state is JobState.DONE and done.key == job.key and done.file_code
    assert emulator.files[done.file_code]["sha256"] == hashlib.sha256(PAYLOAD).hexdigest()
    assert rows(tmp_path)[0].bytes_sent == len(PAYLOAD)
    await runner.aclose()


async def test_at_most_two_at_once_and_the_rest_wait(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    emulator.upload.bandwidth = 2_000_000.0  # keeps each in flight a little while
    finished: list[Job] = []
    runner = make(tmp_path, client, on_finished=finished.append)
    runner.queue([queued_file(p) for p in files(tmp_path, 5)])
    worker = asyncio.create_task(runner.run())
    most = 0

    def all_done() -> bool:
        nonlocal most
        states = [j.state for j in rows(tmp_path)]
        most = max(most, states.count(JobState.UPLOADING))
        return states == [JobState.DONE] * 5

    await wait_for(all_done, "five uploads done")
    worker.cancel()
    await asyncio.gather(worker, return_exceptions=True)
    assert most == 2 and len(finished) == 5
    assert sum(1 for r in emulator.uploads if r.outcome == "stored") == 5


async def test_changed_and_vanished_files_fail_saying_so(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    runner = make(tmp_path, client)
    a, b = files(tmp_path, 2)
    jobs = runner.queue([queued_file(a), queued_file(b)])
    a.write_bytes(PAYLOAD + b"!")
    b.unlink()
    ended = await runner.send_now(jobs)
    assert [j.state for j in ended] == [JobState.FAILED, JobState.FAILED]
    assert "changed size" in (ended[0].error or "") and "vanished" in (ended[1].error or "")
    assert emulator.uploads == []
    await runner.aclose()


async def test_cancel_in_flight_is_failed_and_the_server_keeps_nothing(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    emulator.upload.bandwidth = 200_000.0  # ~3 s for the file: cancelled well before
    runner = make(tmp_path, client)
    [job] = runner.queue([queued_file(files(tmp_path, 1)[0])])
    runner.start_waiting()
    await wait_for(lambda: runner.live.get(job.key, None) and runner.live[job.key].sent, "bytes")
    assert runner.cancel(job)
    await wait_for(lambda: not runner.live, "the cancel")
    [row] = rows(tmp_path)
    assert row.state is JobState.FAILED and row.error == "cancelled"
    assert not any(r.outcome in ("stored", "lost") for r in emulator.uploads)
    waiting = runner.queue([queued_file(files(tmp_path, 1)[0])])[0]
    assert runner.cancel(waiting) and rows(tmp_path)[-1].error == "cancelled"
    await runner.aclose()


async def test_lost_answer_is_unknown_and_sent_once(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    emulator.fail_next_upload("lose")
    runner = make(tmp_path, client)
    [end] = await runner.send_now(runner.queue([queued_file(files(tmp_path, 1)[0])]))
    assert end.state is JobState.UNKNOWN and "may or may not" in (end.error or "")
    assert len(emulator.uploads) == 1
    runner.start_waiting()  # nothing waiting: the unknown one is never sent again by itself
    assert runner.live == {} and len(emulator.uploads) == 1
    await runner.aclose()


async def test_refused_and_500_fail_with_the_servers_text(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    emulator.fail_next_upload("500")
    runner = make(tmp_path, client)
    [end] = await runner.send_now(runner.queue([queued_file(files(tmp_path, 1)[0])]))
    assert end.state is JobState.FAILED and end.error == "Internal error while saving the file"
    await runner.aclose()


async def test_stopping_mid_body_is_interrupted_and_a_restart_sends_once(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    emulator.upload.bandwidth = 200_000.0
    runner = make(tmp_path, client)
    [job] = runner.queue([queued_file(files(tmp_path, 1)[0])])
    runner.start_waiting()
    await wait_for(lambda: runner.live.get(job.key) and runner.live[job.key].sent, "bytes")
    await runner.aclose()  # the app quits mid-body
    [row] = rows(tmp_path)
    assert row.state is JobState.INTERRUPTED and "kept nothing" in (row.error or "")
    emulator.upload.bandwidth = None
    again = make(tmp_path, client)
    [restarted], refused = again.restart([row])
    assert restarted.state is JobState.WAITING and restarted.key == job.key and not refused
    again.start_waiting()
    await wait_for(lambda: rows(tmp_path)[0].state is JobState.DONE, "the restarted upload")
    assert sum(1 for r in emulator.uploads if r.outcome == "stored") == 1
    await again.aclose()


def test_a_crash_leaves_interrupted_or_unknown_after_recovery(tmp_path: Path) -> None:
    runner = make(tmp_path, None)
    a, b, c = (queued_file(p) for p in files(tmp_path, 3))
    ja, jb, jc = runner.queue([a, b, c])
    local = runner.local
    local.start(ja.id, 1.0)  # cut mid-body
    local.start(jb.id, 1.0)
    local.body_complete(jb.id, b.size)  # its last bytes were on their way
    # kill -9 here: a new process opens the same database.
    recovered = make(tmp_path, None).recover()
    by_key = {j.key: j for j in recovered}
    assert by_key[ja.key].state is JobState.INTERRUPTED
    assert by_key[jb.key].state is JobState.UNKNOWN
    assert jc.key not in by_key and rows(tmp_path)[2].state is JobState.WAITING


def test_queued_file_refuses_what_it_cannot_send(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file"):
        queued_file(tmp_path / "nope.mp4")
    with pytest.raises(ValueError, match="not a regular file"):
        queued_file(tmp_path)


def test_recovery_leaves_the_uploads_of_live_processes_alone(tmp_path: Path) -> None:
    db = Database(tmp_path / "state.sqlite3")
    other = LocalUploads(UploadStore(db, ACCOUNT, sender="other-process"), lambda: None)
    [job] = other.queue([queued_file(files(tmp_path, 1)[0])])
    other.local.start(job.id, 1.0)  # the other TUI is sending it right now
    me = LocalUploads(
        UploadStore(db, ACCOUNT, sender="me"),
        lambda: None,
        live_senders=lambda: frozenset({"other-process"}),
    )
    assert me.recover() == []  # it lives: in flight, not interrupted
    me.live_senders = frozenset
    [gone] = me.recover()  # its presence expired: it died mid-body
    assert gone.state is JobState.INTERRUPTED


async def test_a_look_for_dead_processes_never_touches_our_own_uploads(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    emulator.upload.bandwidth = 400_000.0
    runner = make(tmp_path, client)  # no sender token (--demo's in-memory queue has none)
    [job] = runner.queue([queued_file(files(tmp_path, 1)[0])])
    runner.start_waiting()
    await wait_for(lambda: runner.live.get(job.key) and runner.live[job.key].sent, "bytes")
    assert runner.recover() == []
    await wait_for(lambda: rows(tmp_path)[0].state is JobState.DONE, "the upload")
    await runner.aclose()


def test_recovery_sees_a_process_that_started_uploading_while_it_looked(tmp_path: Path) -> None:
    # Who is alive is read after the rows: a process that announced itself and
    # started an upload just after a liveness read is not taken for dead.
    db = Database(tmp_path / "state.sqlite3")
    first, second = files(tmp_path, 2)
    gone = LocalUploads(UploadStore(db, ACCOUNT, sender="gone"), lambda: None)
    [dead] = gone.queue([queued_file(first)])
    gone.local.start(dead.id, 1.0)  # its process died mid-upload
    present: set[str] = set()

    def live() -> frozenset[str]:
        seen = frozenset(present)
        if not present:  # the newcomer starts right after this read
            present.add("newcomer")
            late = LocalUploads(UploadStore(db, ACCOUNT, sender="newcomer"), lambda: None)
            [job] = late.queue([queued_file(second)])
            late.local.start(job.id, 1.0)
        return seen

    me = LocalUploads(UploadStore(db, ACCOUNT, sender="me"), lambda: None, live_senders=live)
    assert [j.id for j in me.recover()] == [dead.id]
    assert me.recover() == []  # the newcomer is alive at the next look too
    states = {j.path: j.state for j in rows(tmp_path)}
    assert states[str(second.resolve())] is JobState.UPLOADING


async def test_the_worker_stops_when_cancelled_as_it_is_woken(
    tmp_path: Path, client: IllvidClient
) -> None:
    # A job queued by another process (wake) in the same instant the app
    # stops the worker (cancel): the cancel must not be lost.
    runner = make(tmp_path, client)
    worker = asyncio.create_task(runner.run(look_every=30))
    await asyncio.sleep(0)  # the worker waits for a wake-up
    runner.wake()
    worker.cancel()
    async with asyncio.timeout(5):
        await asyncio.gather(worker, return_exceptions=True)
    assert worker.cancelled()
