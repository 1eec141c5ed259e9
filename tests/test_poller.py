"""The poller against the in-process emulator: sends, polls, 509, backoff, coalescing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import illvid_tui.core.poller as poller_module
from illvid_tui.api.client import IllvidClient
from illvid_tui.core.db import Database
from illvid_tui.core.events import CoreEvent, PollerStateChanged, UploadsChanged
from illvid_tui.core.poller import DEFAULT_509_WAIT, Poller, age_factor
from illvid_tui.core.uploads import Job, JobState, UploadStore
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator

ACCOUNT = "http://127.0.0.1/api|demo"


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class Inbox:
    """A listener keeping every event the poller announces."""

    def __init__(self) -> None:
        self.messages: list[CoreEvent] = []

    def __call__(self, event: CoreEvent) -> None:
        self.messages.append(event)

    def changed(self) -> set[str]:
        out: set[str] = set()
        for m in self.messages:
            if isinstance(m, UploadsChanged):
                out |= m.keys
        return out

    def removed(self) -> set[str]:
        out: set[str] = set()
        for m in self.messages:
            if isinstance(m, UploadsChanged):
                out |= m.removed
        return out


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[IllvidClient]:
    async with IllvidClient(
        DEMO_KEY, DEMO_LOGIN, "http://127.0.0.1/api", transport=emulator.transport()
    ) as c:
        yield c


def make_poller(tmp_path: Path, client: IllvidClient, clock: Clock) -> tuple[Poller, list[Job]]:
    finished: list[Job] = []
    store = UploadStore(Database(tmp_path / "state.sqlite3"), ACCOUNT)
    poller = Poller(store, client, wall=clock, clock=clock, on_finished=finished.extend)
    poller.load()
    return poller, finished


def requests_of(emulator: Emulator, op: str) -> int:
    return sum(1 for r in emulator.requests if r.op == op)


async def test_send_then_poll_to_done_and_failed(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    poller, finished = make_poller(tmp_path, client, clock)
    inbox = Inbox()
    poller.subscribe(inbox)
    report = await poller.send(["https://cdn.example.com/a.mp4", "https://fail.example.com/b.mp4"])
    assert (report.queued, report.unknown, report.refused) == (2, 0, [])
    stored = poller.store.jobs()
    assert [j.state for j in stored] == [JobState.RUNNING, JobState.RUNNING]
    assert all(j.queue_id in emulator.jobs for j in stored)
    assert {j.key for j in stored} <= inbox.changed()

    emulator.advance(60)
    stats = await poller.cycle(force=True)
    assert stats.requests == 2 and stats.changed == 2
    by_url = {j.url: j for j in poller.jobs.values()}
    done = by_url["https://cdn.example.com/a.mp4"]
    failed = by_url["https://fail.example.com/b.mp4"]
    assert done.state is JobState.DONE and done.file_code in emulator.files
    assert failed.state is JobState.FAILED and failed.status == "error"
    assert failed.error == "404 Not Found at source"
    assert {j.key for j in finished} == {done.key, failed.key}
    # Finished jobs are never polled again.
    before = requests_of(emulator, "check_upload_url")
    stats = await poller.cycle(force=True)
    assert stats.requests == 0 and requests_of(emulator, "check_upload_url") == before


async def test_only_due_jobs_are_polled_and_old_ones_less_often(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    emulator.upload_seconds = 10_000
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    await poller.send([f"https://e.com/{i}.mp4" for i in range(3)])
    assert (await poller.cycle()).requests == 0  # new jobs wait NEW_JOB_DELAY
    clock.t += 2
    assert (await poller.cycle()).requests == 3
    assert (await poller.cycle()).requests == 0  # not due again yet
    clock.t += poller.interval
    stats = await poller.cycle()
    assert stats.requests == 3 and stats.changed == 0  # same answers: nothing to repaint
    # ...but "last checked" is kept, in the store too.
    assert {j.checked_at for j in poller.store.jobs()} == {clock.t}
    assert age_factor(0) < age_factor(1000) < age_factor(10_000)


async def test_509_pauses_everything_then_resumes(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    inbox = Inbox()
    poller.subscribe(inbox)
    await poller.send([f"https://e.com/{i}.mp4" for i in range(6)])
    emulator.fail_next("check_upload_url", 509)
    before = requests_of(emulator, "check_upload_url")
    stats = await poller.cycle(force=True)
    # Lanes stop after the 509: at most the ones already in flight went out.
    assert stats.requests <= client.max_in_flight
    assert poller.blocked and not poller.poll_now()
    assert any(isinstance(m, PollerStateChanged) for m in inbox.messages)
    sent = requests_of(emulator, "check_upload_url")
    assert (await poller.cycle(force=True)).requests == 0
    assert requests_of(emulator, "check_upload_url") == sent > before
    clock.t += DEFAULT_509_WAIT + 1
    assert not poller.blocked
    assert (await poller.cycle(force=True)).requests == 6


async def test_a_job_keeps_its_key_from_sending_to_done(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    inbox = Inbox()
    poller.subscribe(inbox)
    await poller.send(["https://e.com/a.mp4"])
    [key] = poller.jobs
    job = poller.jobs[key]
    assert key == str(job.id) and job.queue_id
    # Never announced under another name, never removed on the way.
    assert inbox.changed() == {key} and not inbox.removed()
    assert key in poller._due and key in poller._fresh


async def test_switching_account_resets_scheduling_and_the_509_wait(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    inbox = Inbox()
    poller.subscribe(inbox)
    await poller.send(["https://e.com/a.mp4", "https://e.com/b.mp4"])
    old_keys = set(poller.jobs)
    poller._fails[next(iter(old_keys))] = 3
    emulator.fail_next("check_upload_url", 509)
    await poller.cycle(force=True)
    assert poller.blocked
    other = UploadStore(Database(tmp_path / "state.sqlite3"), "http://127.0.0.1/api|other")
    mine = other.mark_queued(other.begin_send("https://e.com/c.mp4", None, clock()).id, "q1", 1.0)
    inbox.messages.clear()
    assert poller.switch_account(other) == []
    assert poller.store is other and poller.jobs == {mine.key: mine}
    assert set(poller._due) == {mine.key} and not poller._fails and not poller._fresh
    assert not poller.blocked and poller.blocked_until_wall is None and poller.poll_now()
    removed = {k for m in inbox.messages if isinstance(m, UploadsChanged) for k in m.removed}
    assert removed == old_keys
    # The same account again changes nothing.
    assert poller.switch_account(other) == [] and poller.jobs == {mine.key: mine}


async def test_a_job_the_server_forgot_is_marked_failed_after_two_404s(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    emulator.upload_seconds = 10_000
    clock = Clock()
    poller, finished = make_poller(tmp_path, client, clock)
    await poller.send(["https://e.com/a.mp4", "https://e.com/b.mp4"])
    gone, kept = sorted(poller.jobs.values(), key=lambda j: j.id)
    del emulator.jobs[gone.queue_id or ""]  # the server's queue lost it
    await poller.cycle(force=True)
    assert poller.jobs[gone.key].state is JobState.RUNNING  # one 404 may be a hiccup
    assert "404" in (poller.jobs[gone.key].poll_error or "")
    await poller.cycle(force=True)
    job = poller.jobs[gone.key]
    assert job.state is JobState.FAILED and job.status == "not found"
    assert "no longer knows this upload" in (job.error or "")
    assert job.poll_error is None
    assert poller.store.get(job.id) == job  # stored, not only shown
    assert [j.key for j in finished] == [gone.key]  # told like any failure (a toast)
    assert poller.jobs[kept.key].state is JobState.RUNNING
    # Never polled again, and it can be sent again like any failed job.
    before = requests_of(emulator, "check_upload_url")
    await poller.cycle(force=True)
    assert requests_of(emulator, "check_upload_url") == before + 1  # `kept` only
    assert [j.key for j in poller.resendable([gone.key])] == [gone.key]
    report = await poller.send([job.url], resend_ids=[job.id])
    assert report.queued == 1
    [again] = [j for j in poller.jobs.values() if j.id == job.id]
    assert again.state is JobState.RUNNING and again.queue_id in emulator.jobs


async def test_404s_not_in_a_row_and_proxy_404_pages_do_not_fail_a_job(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    emulator.upload_seconds = 10_000
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    await poller.send(["https://e.com/a.mp4"])
    [job] = poller.jobs.values()
    for status in (404, 500, 404, 200):
        if status != 200:
            emulator.fail_next("check_upload_url", status)
        await poller.cycle(force=True)
    emulator.faults.html_errors = True  # a proxy's 404 page says nothing of the queue
    emulator.fail_next("check_upload_url", 404, count=3)
    for _ in range(3):
        await poller.cycle(force=True)
    assert poller.jobs[job.key].state is JobState.RUNNING


async def test_other_errors_back_off_per_job(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    await poller.send(["https://e.com/a.mp4", "https://e.com/b.mp4"])
    emulator.fail_next("check_upload_url", 500)
    client.max_in_flight = 1  # deterministic order: the first job gets the 500
    stats = await poller.cycle(force=True)
    assert stats.errors == 1 and stats.requests == 2
    errored = [j for j in poller.jobs.values() if j.poll_error]
    assert len(errored) == 1 and "500" in (errored[0].poll_error or "")
    clock.t += poller.interval + 2.1
    # The healthy job is due again; the failed one waits twice as long.
    assert (await poller.cycle()).requests == 1
    clock.t += 2 * poller.interval
    await poller.cycle()
    assert not any(j.poll_error for j in poller.jobs.values())


async def test_unknown_outcome_is_kept_and_never_resent(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    emulator.fail_next("upload_url", 500)
    report = await poller.send(["https://e.com/a.mp4"])
    assert report.unknown == 1 and report.queued == 0
    [job] = poller.store.jobs()
    assert job.state is JobState.UNKNOWN and job.queue_id is None
    assert requests_of(emulator, "upload_url") == 1
    clock.t += 100
    await poller.cycle(force=True)
    assert requests_of(emulator, "upload_url") == 1
    # Sent again only on purpose, reusing the entry.
    again = await poller.send([job.url], resend_ids=[job.id])
    assert again.queued == 1
    [job2] = poller.store.jobs()
    assert job2.id == job.id and job2.state is JobState.RUNNING and job2.queue_id


async def test_refused_and_stopping_errors_when_sending(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    client.max_in_flight = 1
    emulator.fail_next("upload_url", 400)
    report = await poller.send(["https://e.com/a.mp4", "https://e.com/b.mp4"])
    assert [u for u, _ in report.refused] == ["https://e.com/a.mp4"] and report.queued == 1
    emulator.fail_next("upload_url", 403)
    report = await poller.send(["https://e.com/c.mp4", "https://e.com/d.mp4"])
    assert report.stopped_by is not None and report.stopped_by.status == 403
    assert report.not_sent == ["https://e.com/c.mp4", "https://e.com/d.mp4"]
    assert [j.url for j in poller.store.jobs()] == ["https://e.com/b.mp4"]


async def test_refused_resend_keeps_the_unknown_entry(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    emulator.fail_next("upload_url", 500)
    await poller.send(["https://e.com/a.mp4"])
    [job] = poller.store.jobs()
    assert job.state is JobState.UNKNOWN
    # The only record that the URL may be queued already must survive a refusal.
    for status in (403, 400):
        emulator.fail_next("upload_url", status)
        report = await poller.send([job.url], resend_ids=[job.id])
        assert report.queued == 0
        [kept] = poller.store.jobs()
        assert kept.id == job.id and kept.state is JobState.UNKNOWN
        assert kept.error and f"({status})" in kept.error
        assert poller.jobs == {kept.key: kept}


async def test_crash_while_sending_is_unknown_after_restart(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    emulator.faults.slow_ops["upload_url"] = 5.0
    task = asyncio.create_task(poller.send(["https://e.com/a.mp4"]))
    while not poller.store.jobs():
        await asyncio.sleep(0.01)
    # The row is committed before the answer: a second process sees it now.
    other = UploadStore(Database(tmp_path / "state.sqlite3"), ACCOUNT)
    assert [j.state for j in other.jobs()] == [JobState.SENDING]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert [j.state for j in other.jobs()] == [JobState.UNKNOWN]


async def test_a_send_in_flight_during_an_account_switch_stays_with_its_account(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    client.max_in_flight = 1
    emulator.faults.slow_ops["upload_url"] = 0.1
    task = asyncio.create_task(poller.send(["https://e.com/a.mp4", "https://e.com/b.mp4"]))
    while not poller.store.jobs():
        await asyncio.sleep(0.01)
    first = poller.store
    other = UploadStore(Database(tmp_path / "state.sqlite3"), "http://127.0.0.1/api|other")
    poller.switch_account(other)
    report = await task
    # The queue id lands in the account it was sent for; nothing more is sent.
    [job] = first.jobs()
    assert job.state is JobState.RUNNING and job.queue_id
    assert report.queued == 1 and report.not_sent == ["https://e.com/b.mp4"]
    assert poller.jobs == {} and other.jobs() == [] and not poller._due


async def test_remove_clear_and_messages_coalesce(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    await poller.send(["https://e.com/a.mp4", "https://e.com/b.mp4", "https://e.com/c.mp4"])
    keys = sorted(poller.jobs)
    emulator.advance(60)
    await poller.cycle(force=True)
    assert poller.remove([keys[0]]) == 1
    assert poller.clear_finished() == 2
    assert poller.jobs == {} and poller.store.jobs() == []
    # The screen's Textual messages made from these events merge a burst into one.
    from illvid_tui.widgets import core_messages as msg

    one, two = (Job(i, f"q{i}", f"https://e.com/{i}", None, 1.0, JobState.RUNNING) for i in (1, 2))
    a, b = msg.UploadsChanged({"1": one}), msg.UploadsChanged({"2": two}, removed=["3"])
    assert a.can_replace(b) and b.jobs == {"1": one, "2": two} and b.removed == {"3"}
    # A removal that comes after a change wins; a change after a removal brings it back.
    c, d = msg.UploadsChanged({"1": one}), msg.UploadsChanged(removed=["1"])
    assert c.can_replace(d) and d.jobs == {} and d.removed == {"1"}
    e, f = msg.UploadsChanged(removed=["2"]), msg.UploadsChanged({"2": two})
    assert e.can_replace(f) and f.jobs == {"2": two} and not f.removed
    assert not a.can_replace(msg.PollerStateChanged())


async def test_poll_now_while_paused_polls_once_and_stays_paused(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    emulator.upload_seconds = 10_000
    clock = Clock()
    poller, _ = make_poller(tmp_path, client, clock)
    await poller.send(["https://e.com/a.mp4", "https://e.com/b.mp4"])
    poller.pause()
    cycles: list[bool] = []
    done: list[int] = []
    cycle = poller.cycle

    async def counted(*, force: bool = False) -> Any:
        cycles.append(force)
        stats = await cycle(force=force)
        done.append(stats.requests)
        return stats

    poller.cycle = counted  # type: ignore[method-assign]
    task = asyncio.create_task(poller.run())
    try:
        assert poller.poll_now()
        async with asyncio.timeout(5):
            while not done:
                await asyncio.sleep(0.01)
        assert cycles == [True] and done == [2] and poller.paused
        clock.t += 3600  # every job long due: a paused loop still starts no cycle
        poller._wake.set()
        for _ in range(20):
            await asyncio.sleep(0)
        assert cycles == [True] and poller.paused
    finally:
        task.cancel()


async def test_run_loop_polls_new_jobs_by_itself(
    tmp_path: Path, client: IllvidClient, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator.upload_seconds = 0.0
    monkeypatch.setattr(poller_module, "NEW_JOB_DELAY", 0.05)
    store = UploadStore(Database(tmp_path / "state.sqlite3"), ACCOUNT)
    finished: list[Job] = []
    poller = Poller(store, client, on_finished=finished.extend)  # real clocks, short delays
    poller.load()
    task = asyncio.create_task(poller.run())
    try:
        await poller.send(["https://e.com/a.mp4"])
        async with asyncio.timeout(5):
            while not finished:
                await asyncio.sleep(0.02)
    finally:
        task.cancel()
    assert finished[0].state is JobState.DONE
