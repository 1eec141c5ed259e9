"""Leases: one poller per account, handed over when its holder stops renewing (fake clock)."""

from __future__ import annotations

from pathlib import Path

from illvid_tui.core.db import Database
from illvid_tui.core.lease import TTL, Presence, live_processes, poll_lease
from illvid_tui.core.uploads import JobState, UploadStore

ACCOUNT = "http://127.0.0.1/api|demo"


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def two_processes(tmp_path: Path) -> tuple[Database, Database]:
    path = tmp_path / "state.sqlite3"
    return Database(path), Database(path)


def test_one_holder_at_a_time_and_a_renewal_keeps_it(tmp_path: Path) -> None:
    clock = Clock()
    db_a, db_b = two_processes(tmp_path)
    a = poll_lease(db_a, ACCOUNT, "a", clock=clock)
    b = poll_lease(db_b, ACCOUNT, "b", clock=clock)
    assert a.acquire() and not b.acquire()
    for _ in range(10):  # heartbeats well inside the TTL: b never gets it
        clock.now += TTL / 2
        assert a.acquire() and not b.acquire()
    holder = b.holder()
    assert holder is not None and holder.token == "a" and holder.since == 1000.0
    assert a.held() and not b.held()


def test_an_expired_lease_goes_to_the_next_asker(tmp_path: Path) -> None:
    clock = Clock()
    db_a, db_b = two_processes(tmp_path)
    a = poll_lease(db_a, ACCOUNT, "a", clock=clock)
    b = poll_lease(db_b, ACCOUNT, "b", clock=clock)
    assert a.acquire()
    clock.now += TTL - 0.1
    assert not b.acquire()
    clock.now += 0.2  # a stopped renewing (killed): the lease has run out
    assert b.holder() is None
    assert b.acquire() and b.held()
    assert not a.acquire() and not a.held()  # a, back to life, does not steal it


def test_release_hands_over_at_once_and_accounts_are_separate(tmp_path: Path) -> None:
    clock = Clock()
    db_a, db_b = two_processes(tmp_path)
    a = poll_lease(db_a, ACCOUNT, "a", clock=clock)
    b = poll_lease(db_b, ACCOUNT, "b", clock=clock)
    other_account = poll_lease(db_b, "https://illvid.com/api|smith", "b", clock=clock)
    assert a.acquire() and other_account.acquire()
    assert not b.acquire()
    a.release()
    assert b.acquire()
    b.release()
    b.release()  # twice is harmless
    assert a.holder() is None


def test_sends_of_a_live_process_are_not_recovered_those_of_a_dead_one_are(
    tmp_path: Path,
) -> None:
    clock = Clock()
    db_a, db_b = two_processes(tmp_path)
    alive = Presence(db_a, "alive", clock=clock)
    dead = Presence(db_a, "dead", clock=clock)
    alive.beat()
    dead.beat()
    sending = UploadStore(db_a, ACCOUNT, sender="alive").begin_send("https://e.com/1", None, 1)
    lost = UploadStore(db_a, ACCOUNT, sender="dead").begin_send("https://e.com/2", None, 1)
    old = UploadStore(db_a, ACCOUNT).begin_send("https://e.com/3", None, 1)  # no sender
    clock.now += TTL / 2
    alive.beat()
    clock.now += TTL / 2 + 0.1  # "dead" stopped beating
    live = live_processes(db_b, clock.now)
    assert live == {"alive"}
    starting = UploadStore(db_b, ACCOUNT, sender="new")
    recovered = starting.recover_interrupted(live)
    assert {j.id for j in recovered} == {lost.id, old.id}
    assert starting.get(sending.id).state is JobState.SENDING  # type: ignore[union-attr]


def test_a_presence_gone_for_an_hour_is_deleted(tmp_path: Path) -> None:
    clock = Clock()
    db, _ = two_processes(tmp_path)
    Presence(db, "gone", clock=clock).beat()
    clock.now += 3600 + TTL + 1
    Presence(db, "here", clock=clock).beat()
    names = {r[0] for r in db.conn.execute("SELECT name FROM leases")}
    assert names == {"process:here"}
