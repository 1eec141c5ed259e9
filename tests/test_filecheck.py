"""core/filecheck.py: a run fed by batches, the last result per code, what changed."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from illvid_tui.api import IllvidClient
from illvid_tui.api.client import BatchDone
from illvid_tui.core.db import Database
from illvid_tui.core.filecheck import Change, CheckRun, FileCheckStore, change_of, found_and_missing
from illvid_tui.emulator import DEMO_KEY, Emulator


@pytest.fixture
def emu() -> Emulator:
    return Emulator(seed=5, today=dt.date(2026, 11, 27), clock=lambda: 1000.0)


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[IllvidClient]:
    async with IllvidClient(
        DEMO_KEY, base_url="http://127.0.0.1/api", transport=emu.transport(), batch_size=50
    ) as c:
        yield c


def test_change_of() -> None:
    assert change_of(None, True) is Change.FIRST
    assert change_of(False, False) is Change.SAME
    assert change_of(False, True) is Change.NEWLY_MISSING
    assert change_of(True, False) is Change.BACK


def test_store_round_trip_per_account(tmp_path: Path) -> None:
    db = Database(tmp_path / "state.sqlite3")
    store = FileCheckStore(db)
    store.save("a", {"aaaaaa": True, "bbbbbb": False}, "2026-11-27T10:00:00")
    store.save("b", {"aaaaaa": False}, "2026-11-27T10:00:00")
    store.save("a", {"bbbbbb": True}, "2026-11-27T11:00:00")
    assert store.load("a", ["aaaaaa", "bbbbbb", "cccccc"]) == {"aaaaaa": True, "bbbbbb": True}
    assert store.load("b", ["aaaaaa", "bbbbbb"]) == {"aaaaaa": False}
    codes = [f"c{i:08d}" for i in range(2500)]  # more than one IN (...) chunk
    store.save("a", dict.fromkeys(codes, False), "2026-11-27T12:00:00")
    assert len(store.load("a", codes)) == 2500
    # A second store on the same file migrates nothing and sees the same rows.
    assert FileCheckStore(Database(tmp_path / "state.sqlite3")).load("b", ["aaaaaa"]) == {
        "aaaaaa": False
    }


def test_store_in_memory() -> None:
    store = FileCheckStore(Database(":memory:"))
    store.save("a", {"x00000": True}, "t")
    assert store.load("a", ["x00000"]) == {"x00000": True}


async def test_run_against_emulator_with_diff(emu: Emulator, client: IllvidClient) -> None:
    codes = emu.add_files(300)
    gone = codes[::37]
    for code in gone:
        emu.delete_file(code)
    run = CheckRun.for_client(client, codes, {codes[0]: False, codes[1]: True, codes[2]: False})
    seen: list[tuple[str, bool, Change]] = []
    await client.check_files(run.codes, on_batch=lambda b: seen.extend(run.add(b)))
    assert run.complete and run.batches == 6 and run.batches_done == 6
    assert run.missing == len(gone)
    found, missing = found_and_missing(run.results, codes)
    assert missing == gone and len(found) == 300 - len(gone)
    changes = {code: change for code, _, change in seen}
    assert changes[codes[0]] is Change.NEWLY_MISSING  # codes[0] is in `gone`
    assert changes[codes[1]] is Change.BACK
    assert changes[codes[2]] is Change.SAME
    assert run.changes()[Change.FIRST] == 297
    assert run.progress.describe() == (f"300/300 · {len(gone)} missing · batches 6/6, 0 in flight")


async def test_cancelled_run_keeps_landed_batches(emu: Emulator, client: IllvidClient) -> None:
    codes = emu.add_files(1000)  # 20 batches, 4 in flight
    emu.faults.latency = 0.01
    run = CheckRun.for_client(client, codes, {})
    landed = asyncio.Event()

    def on_batch(batch: BatchDone) -> None:
        run.add(batch)
        if run.batches_done >= 4:
            landed.set()

    task = asyncio.create_task(client.check_files(codes, on_batch=on_batch))
    await landed.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert 4 <= run.batches_done < 20
    assert len(run.results) == run.batches_done * 50 and not run.complete


def test_changes_are_counted_as_batches_land_not_recounted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    previous = {"a": False, "b": True, "c": False}
    run = CheckRun(["a", "b", "c", "d"], previous, batch_size=2, max_in_flight=1)
    run.add(BatchDone(codes=("a", "b"), missing=("a",)))
    run.add(BatchDone(codes=("c", "d"), missing=()))
    run.add(BatchDone(codes=("a",), missing=()))  # answered again: now found
    expected = dict.fromkeys(Change, 0)
    for code, missing in run.results.items():
        expected[change_of(previous.get(code), missing)] += 1
    calls: list[object] = []
    monkeypatch.setattr(
        "illvid_tui.core.filecheck.change_of", lambda *a: calls.append(a) or Change.SAME
    )
    counts = run.changes()
    assert counts == expected
    assert counts[Change.SAME] == 2 and counts[Change.BACK] == 1 and counts[Change.FIRST] == 1
    assert calls == []  # nothing recounted: one batch costs O(batch), not O(results)
    counts[Change.SAME] = 99
    assert run.changes() == expected  # a copy
