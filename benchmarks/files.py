"""The Files screen, end to end: 10,000 codes pasted and checked in the running app.

Headless (`run_test`) demo app on the in-process emulator, each request
costing `--latency` seconds (default 50 ms). Measures, from the key that
starts the check to the full result table (every row has its status and the
totals are final): the wall time, the floor a perfect client would need
(ceil(batches / concurrency) x latency) and the longest event-loop stall
(a task that wakes every 5 ms records the largest gap). Goals: <= 1.5 x
floor, no stall > 50 ms. The last line is `ratio=<time/floor>`.

    python benchmarks/files.py [--codes 10000] [--latency 0.05] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import gc
import math
import statistics
import tempfile
import time
from pathlib import Path

from stall import StallMonitor
from textual import events

from illvid_tui.app.demo import create_demo_app
from illvid_tui.core.settings import Settings
from illvid_tui.emulator import Emulator
from illvid_tui.screens.files import FilesScreen


async def one_run(
    n_codes: int, latency: float, state: Path, freeze: bool
) -> tuple[float, float, int, int]:
    """(seconds to the full table, longest stall, batch size, concurrency)."""
    today = dt.date(2026, 11, 27)
    emu = Emulator(seed=1, today=today, demo_data=False)
    existing = emu.add_files(n_codes - n_codes // 100)
    codes = existing + [f"missing{i:05d}" for i in range(n_codes // 100)]
    emu.faults.latency = latency
    settings = Settings.in_dir(state, base_url="http://127.0.0.1/api", start_screen="files")
    app = create_demo_app(settings, emulator=emu, today=today)
    monitor = StallMonitor()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        if freeze:
            gc.freeze()  # what an app-level gc.freeze() after start-up would do
        screen = app.screen
        assert isinstance(screen, FilesScreen)
        # A terminal's bracketed paste reaches the app, which hands it to the box.
        app.post_message(events.Paste("\n".join(codes)))
        while screen.codes.parsed is None or len(screen.codes.parsed.codes) != n_codes:
            await pilot.pause(0.01)
        client = app.client
        assert client is not None
        monitor.start()
        started = time.perf_counter()
        await pilot.press("ctrl+r")
        while screen._job is None or not screen._job.is_finished:
            await asyncio.sleep(0.002)
        wall = time.perf_counter() - started
        monitor.stop()
        run = screen._run
        assert run is not None and run.complete, "the check did not finish"
        assert run.missing == n_codes // 100, "wrong answer"
        assert screen.table.total_count == n_codes
        result = wall, monitor.longest, client.batch_size, client.max_in_flight
    gc.unfreeze()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() once the app is up (Python 3.11's full collections walk the whole "
        "heap: 35-50 ms here, the longest stalls without it)",
    )
    args = parser.parse_args()

    walls: list[float] = []
    stalls: list[float] = []
    batch = concurrency = 1
    with tempfile.TemporaryDirectory() as state:
        for _ in range(args.runs):
            wall, stall, batch, concurrency = asyncio.run(
                one_run(args.codes, args.latency, Path(state), args.gc_freeze)
            )
            walls.append(wall)
            stalls.append(stall)
    batches = math.ceil(args.codes / batch)
    floor = math.ceil(batches / concurrency) * args.latency
    wall = statistics.median(walls)
    print(f"codes={args.codes} batches={batches} concurrency={concurrency}")
    print(f"latency={args.latency * 1000:.0f} ms per request")
    print("runs=" + ", ".join(f"{w:.3f}s" for w in walls))
    print(f"time to full table={wall:.3f}s (median of {args.runs})")
    print(f"floor={floor:.3f}s")
    print(f"gc.freeze after start-up: {'yes' if args.gc_freeze else 'no'}")
    print(f"longest stall={max(stalls) * 1000:.0f} ms (goal <= 50 ms)")
    print(f"ratio={wall / floor:.2f}")


if __name__ == "__main__":
    main()
