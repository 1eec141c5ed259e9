"""core/renew.py: many renewals, bounded, one result per code, failures with reasons."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest

from illvid_tui.api import IllvidClient, IllvidError
from illvid_tui.core.renew import RenewOutcome, RenewRefusedError, RenewSummary, renew_codes
from illvid_tui.emulator import DEMO_KEY, Emulator


@pytest.fixture
def emu() -> Emulator:
    return Emulator(seed=3, today=dt.date(2026, 11, 27), clock=lambda: 1000.0)


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[IllvidClient]:
    async with IllvidClient(
        DEMO_KEY, base_url="http://127.0.0.1/api", transport=emu.transport(), max_attempts=1
    ) as c:
        yield c


async def test_renews_all_and_reports_each(emu: Emulator, client: IllvidClient) -> None:
    codes = emu.add_files(20)
    emu.delete_file(codes[3])
    heard: dict[str, RenewOutcome] = {}
    summary = await renew_codes(client, codes + [codes[0]], heard.__setitem__)
    assert set(heard) == set(codes)
    assert len(summary.renewed) == 19 and list(summary.failed) == [codes[3]]
    error = heard[codes[3]]
    assert isinstance(error, IllvidError) and error.status == 404
    assert summary.describe() == "19 renewed, 1 failed: Not found (404)"
    renews = [r for r in emu.requests if r.op == "file_renew"]
    assert len(renews) == 20  # the duplicate was renewed once
    assert emu.files[codes[0]]["expire"] == "2027-01-26"


async def test_fan_out_is_bounded(emu: Emulator, client: IllvidClient) -> None:
    codes = emu.add_files(12)
    emu.faults.latency = 0.005  # so calls overlap
    in_flight = peak = 0

    class Counting:
        max_in_flight = 3

        async def file_renew(self, code: str) -> bool:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                return await client.file_renew(code)
            finally:
                in_flight -= 1

    summary = await renew_codes(Counting(), codes)
    assert summary.total == 12 and peak == 3


async def test_false_answer_is_a_refusal() -> None:
    class Refusing:
        max_in_flight = 2

        async def file_renew(self, code: str) -> bool:
            return code != "bbbbbbbbbbbb"

    summary = await renew_codes(Refusing(), ["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    assert summary.renewed == ["aaaaaaaaaaaa"]
    assert isinstance(summary.failed["bbbbbbbbbbbb"], RenewRefusedError)


async def test_cancel_stops_and_keeps_what_was_heard() -> None:
    release = asyncio.Event()

    class Slow:
        max_in_flight = 2

        async def file_renew(self, code: str) -> bool:
            if code.startswith("slow"):
                await release.wait()
            return True

    heard: list[str] = []
    codes = ["fast00000001", "fast00000002", "slow00000001", "slow00000002", "late00000001"]
    task = asyncio.create_task(renew_codes(Slow(), codes, lambda c, o: heard.append(c)))
    while len(heard) < 2:
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert heard == ["fast00000001", "fast00000002"]


async def test_empty_list_costs_nothing() -> None:
    assert await renew_codes(None, []) == RenewSummary()  # type: ignore[arg-type]


def test_many_files_are_confirmed_first_and_progress_reads_well() -> None:
    from illvid_tui.core.renew import confirm_question, needs_confirmation

    assert not needs_confirmation(1) and not needs_confirmation(3)
    assert needs_confirmation(4) and needs_confirmation(50_000)
    assert confirm_question(50_000).startswith("Renew 50,000 files? That is one request per file.")
    summary = RenewSummary()
    summary.add("a", True)
    summary.add("b", IllvidError(404, "no"))
    assert summary.progress(50_000) == "Renewing 2/50,000 · 1 renewed, 1 failed · Esc stops"
    assert summary.describe_end(50_000) == (
        "Renew stopped at 2 of 50,000: 1 renewed, 1 failed: Request failed (404)"
    )
    assert summary.describe_end(2).startswith("Renew: 1 renewed")
