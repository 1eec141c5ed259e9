"""core/checking.py: a check that marks refused batches, goes on, and stops on a dead server."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from illvid_tui.api import IllvidClient
from illvid_tui.api.errors import LegalError, NetworkError
from illvid_tui.api.models import BatchDone
from illvid_tui.core.checking import check_codes, describe_end
from illvid_tui.core.filecheck import BatchFailed, CheckRun
from illvid_tui.emulator import DEMO_KEY, Emulator


@pytest.fixture
def emu() -> Emulator:
    return Emulator(seed=5, today=dt.date(2026, 11, 27), clock=lambda: 1000.0)


def client_of(emu: Emulator, **options: Any) -> IllvidClient:
    """A client of `emu` in batches of 50; `options` go to IllvidClient."""
    url = "http://127.0.0.1/api"
    return IllvidClient(DEMO_KEY, base_url=url, transport=emu.transport(), batch_size=50, **options)


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[IllvidClient]:
    async with client_of(emu, max_attempts=2, backoff_base=0.001) as c:
        yield c


async def test_a_refused_batch_is_marked_and_the_rest_are_checked(
    emu: Emulator, client: IllvidClient
) -> None:
    codes = emu.add_files(300)
    gone = codes[::41]
    for code in gone:
        emu.delete_file(code)
    emu.fail_next("check_files", 451)  # the first batch asked: not retryable
    run = CheckRun.for_client(client, codes, {})
    landed: list[BatchDone] = []
    refused: list[BatchFailed] = []
    await check_codes(client, run, on_batch=landed.append, on_failed=refused.append)
    assert len(refused) == 1 and len(landed) == 5
    assert isinstance(refused[0].error, LegalError) and refused[0].error.status == 451
    assert set(run.failed) == set(refused[0].codes) and len(run.failed) == 50
    assert len(run.results) == 250 and run.complete and run.unanswered == 0
    assert run.missing == len([c for c in gone if c not in run.failed])
    assert run.progress.describe().startswith(f"250/300 · {run.missing} missing · 50 refused")
    assert describe_end(run, None) == (
        "Refused by the server, the rest checked: Unavailable for legal reasons (451): 50."
    )
    assert len([r for r in emu.requests if r.op == "check_files"]) == 6  # 451 is not retried


async def test_a_server_that_stays_down_stops_the_check(
    emu: Emulator, client: IllvidClient
) -> None:
    codes = emu.add_files(300)
    emu.fail_next("check_files", 0, count=1000)  # every connection dropped
    previous = dict.fromkeys(codes[:100], False)
    run = CheckRun.for_client(client, codes, previous)
    with pytest.raises(NetworkError) as caught:
        await check_codes(client, run)
    assert not run.results and not run.failed and run.unanswered == 300
    # The lanes stopped: no batch beyond the first ones in flight was sent.
    sent = len([r for r in emu.requests if r.op == "check_files"])
    assert sent <= client.max_in_flight * client.max_attempts
    text = describe_end(run, caught.value)
    assert text.startswith("Check failed: check_files: Network error")
    assert text.endswith("300 codes not re-checked: their last results are shown (dim).")


def test_describe_end_of_a_cancelled_first_check() -> None:
    run = CheckRun(["a", "b", "c"], {}, batch_size=2, max_in_flight=1)
    run.add(BatchDone(("a", "b"), ("b",)))
    assert describe_end(run, None) == "Check cancelled. 1 code not checked; results so far kept."
    run.add(BatchDone(("c",), ()))
    assert describe_end(run, None) == ""


async def test_check_and_record_diffs_with_the_last_check_and_saves_partial_results(
    tmp_path: Path,
) -> None:
    from illvid_tui.api.errors import ServerError
    from illvid_tui.core.checking import check_and_record
    from illvid_tui.core.db import Database
    from illvid_tui.core.filecheck import Change, FileCheckStore, codes_with_change

    emu = Emulator(seed=5)
    store = FileCheckStore(Database(tmp_path / "state.sqlite3"))
    codes = emu.add_files(120)
    async with client_of(emu) as client:
        heard: list[int] = []
        run, failure = await check_and_record(
            client, store, "acct", codes, "t1", on_batch=lambda r: heard.append(r.batches_done)
        )
        assert failure is None and sorted(heard) == [1, 2, 3]
        assert codes_with_change(run, Change.FIRST) == codes
        emu.delete_file(codes[3])
        run, failure = await check_and_record(client, store, "acct", codes, "t2")
        assert codes_with_change(run, Change.NEWLY_MISSING) == [codes[3]]
        assert store.load("acct", [codes[3]]) == {codes[3]: True}

    # A check stopped by a dead server: what landed before is saved.
    emu.delete_file(codes[3])
    async with client_of(emu, max_in_flight=1, max_attempts=1) as client:

        def server_dies(_: object) -> None:  # once the first batch has landed
            emu.fail_next("check_files", 502, count=1000)

        run, failure = await check_and_record(
            client, store, "other", codes, "t3", on_batch=server_dies
        )
    assert isinstance(failure, ServerError)
    assert len(run.results) == 50 and run.unanswered == 70 and run.results[codes[3]] is True
    assert store.load("other", codes) == run.results
