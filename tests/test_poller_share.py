"""Two pollers on one database file, as two processes: who polls, what the other sees.

Driven step by step (heartbeats and feed looks called directly, the lease
clock injected), so nothing sleeps.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from illvid_tui.api.client import IllvidClient
from illvid_tui.core.db import Database
from illvid_tui.core.events import CoreEvent, UploadsChanged
from illvid_tui.core.lease import TTL
from illvid_tui.core.poller import Poller
from illvid_tui.core.poller_share import Sharing
from illvid_tui.core.uploads import Job, JobState
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator

ACCOUNT = "http://127.0.0.1/api|demo"


class Clock:
    def __init__(self) -> None:
        self.t = 1_000_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[IllvidClient]:
    async with IllvidClient(
        DEMO_KEY, DEMO_LOGIN, "http://127.0.0.1/api", transport=emulator.transport()
    ) as c:
        yield c


class App:
    """One "process": its own connection, sharing, poller, and what it was told."""

    def __init__(self, path: Path, client: IllvidClient, clock: Clock, token: str) -> None:
        self.sharing = Sharing(Database(path), token=token, clock=clock)
        self.finished: list[Job] = []
        self.events: list[CoreEvent] = []
        self.poller = Poller(
            self.sharing.store(ACCOUNT),
            client,
            wall=clock,
            on_finished=self.finished.extend,
            sharing=self.sharing,
        )
        self.poller.subscribe(self.events.append)
        self.poller.load()
        self.poller._polls = True  # as while run() goes on

    def told(self) -> dict[str, Job]:
        """The jobs the events carried, newest last."""
        out: dict[str, Job] = {}
        for event in self.events:
            if isinstance(event, UploadsChanged):
                out.update(event.jobs)
                for key in event.removed:
                    out.pop(key, None)
        return out


async def test_one_polls_the_other_follows_and_takes_over_when_it_stops(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    path = tmp_path / "state.sqlite3"
    a = App(path, client, clock, "a")
    b = App(path, client, clock, "b")
    await a.poller.beat()
    await b.poller.beat()
    assert a.poller.leading and not b.poller.leading
    assert b.poller.polled_by is not None and b.poller.polled_by.token == "a"

    # A job sent by one shows in the other, as stored, and is scheduled there too.
    await a.poller.send(["https://e.com/a.mp4"])
    [key] = a.poller.jobs
    assert b.poller.sync() == [key]
    assert b.poller.jobs[key] == a.poller.jobs[key] and b.told()[key].queue_id
    assert key in b.poller._due

    # The poller's results reach the other, finished ones announced there too.
    emulator.advance(60)
    await a.poller.cycle(force=True)
    assert a.poller.jobs[key].state is JobState.DONE
    assert b.poller.sync() == [key]
    assert b.poller.jobs[key].state is JobState.DONE and key not in b.poller._due
    assert [j.key for j in b.finished] == [key]
    assert b.poller.sync() == []  # nothing new: nothing read again

    # A removal too.
    a.poller.remove([key])
    b.poller.sync()
    assert key not in b.poller.jobs and key not in b.told()

    # a stops renewing (killed): once the lease has run out, b polls.
    clock.t += TTL + 0.1
    await b.poller.beat()
    assert b.poller.leading and b.poller.polled_by is None
    await a.poller.beat()  # back to life, it does not steal it
    assert not a.poller.leading and a.poller.polled_by is not None


async def test_a_paused_or_sending_only_process_never_holds_the_lease(
    tmp_path: Path, client: IllvidClient
) -> None:
    clock = Clock()
    path = tmp_path / "state.sqlite3"
    tui = App(path, client, clock, "tui")
    await tui.poller.beat()
    assert tui.poller.leading
    tui.poller.pause()
    await tui.poller.beat()
    assert not tui.poller.leading  # given up: another app may poll meanwhile

    script = App(path, client, clock, "script")
    script.poller._polls = False  # a script that only sends
    async with script.poller.shared():
        await script.poller.send(["https://e.com/from-cron.mp4"])
        assert not script.poller.leading
    tui.poller.resume()
    await tui.poller.beat()
    assert tui.poller.leading
    assert [j.url for j in tui.poller.jobs.values()] == []  # not synced yet
    tui.poller.sync()
    assert [j.url for j in tui.poller.jobs.values()] == ["https://e.com/from-cron.mp4"]


async def test_the_poller_recovers_only_the_sends_of_processes_that_are_gone(
    tmp_path: Path, client: IllvidClient
) -> None:
    clock = Clock()
    path = tmp_path / "state.sqlite3"
    tui = App(path, client, clock, "tui")
    alive = Sharing(Database(path), token="alive", clock=clock)
    gone = Sharing(Database(path), token="gone", clock=clock)
    alive.beat(ACCOUNT, want_lease=False)
    gone.beat(ACCOUNT, want_lease=False)
    in_flight = alive.store(ACCOUNT).begin_send("https://e.com/in-flight.mp4", None, clock())
    lost = gone.store(ACCOUNT).begin_send("https://e.com/lost.mp4", None, clock())
    clock.t += TTL / 2
    alive.beat(ACCOUNT, want_lease=False)
    clock.t += TTL / 2 + 0.1  # "gone" has stopped beating
    tui.poller.sync()
    await tui.poller.beat()
    jobs = tui.poller.jobs
    assert jobs[lost.key].state is JobState.UNKNOWN
    assert jobs[in_flight.key].state is JobState.SENDING
    assert tui.told()[lost.key].state is JobState.UNKNOWN


async def test_a_clean_quit_hands_the_lease_over_at_once(
    tmp_path: Path, client: IllvidClient
) -> None:
    clock = Clock()
    path = tmp_path / "state.sqlite3"
    a = App(path, client, clock, "a")
    b = App(path, client, clock, "b")
    await a.poller.beat()
    await b.poller.beat()
    assert a.poller.leading and not b.poller.leading
    a.poller.close()
    await b.poller.beat()  # no waiting for the lease to run out
    assert b.poller.leading


async def test_an_answer_about_an_old_queue_id_never_overwrites_a_send_made_meanwhile(
    tmp_path: Path, client: IllvidClient, emulator: Emulator
) -> None:
    clock = Clock()
    path = tmp_path / "state.sqlite3"
    a = App(path, client, clock, "a")
    b = App(path, client, clock, "b")
    await a.poller.send(["https://e.com/a.mp4"])
    [key] = a.poller.jobs
    b.poller.sync()
    # b sends the job again (R) while a's check of the old queue id is on its way.
    again = b.poller.store.resend(int(key), clock())
    emulator.advance(60)
    await a.poller.cycle(force=True)
    assert b.poller.store.get(int(key)) == again  # still b's send, not a's stale "done"
    assert a.poller.jobs[key] == again and a.finished == []  # and no "Upload done" toast


async def test_a_process_that_starts_sending_during_a_heartbeat_is_not_taken_for_gone(
    tmp_path: Path, client: IllvidClient
) -> None:
    # The heartbeat runs in a thread; the loop recovers rows afterwards. A cron
    # `upload` that announces itself and writes its first `sending` row in
    # between must not find its send turned "unknown" by the polling app.
    clock = Clock()
    path = tmp_path / "state.sqlite3"
    tui = App(path, client, clock, "tui")
    await tui.poller.beat()
    assert tui.poller.leading
    real = tui.sharing.beat
    started: list[Job] = []

    def beat_then_a_newcomer_sends(account_id: str, *, want_lease: bool) -> object:
        found = real(account_id, want_lease=want_lease)
        late = Sharing(Database(path), token="late", clock=clock)
        late.beat(ACCOUNT, want_lease=False)
        started.append(late.store(ACCOUNT).begin_send("https://e.com/late.mp4", None, clock()))
        return found

    tui.sharing.beat = beat_then_a_newcomer_sends  # type: ignore[method-assign]
    await tui.poller.beat()
    [job] = started
    row = tui.sharing.store(ACCOUNT).get(job.id)
    assert row is not None and row.state is JobState.SENDING
