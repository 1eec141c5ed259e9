"""The DMCA screen with 50,000 notices in the running app (headless), against DataTable.

The emulator (`set_dmca(50000)`) is served by uvicorn on loopback from a
process of its own, so its work (sorting and encoding 4.5 MB of JSON) does
not run on the app's event loop or hold its GIL, as a real server's would
not. The app is the real one (`create_app`, headless `run_test`, 120x40) on
the DMCA screen. Measured:

- answer -> first rows: from the client having the decoded answer (its
  `CallFinished` event) to the first table line painted with a notice; this
  includes turning the raw answer into rows (in a thread) and `set_rows`;
- sort by expiry and a code search: from the call to the repaint;
- the longest event-loop stall from the refresh key to the end (a task that
  wakes every 5 ms records the largest gap);
- Textual's built-in DataTable in the same run: the same 50,000 rows, already
  as strings, `add_rows` to the first painted line (so it is spared the
  parsing ours includes).

Goals: first rows <= 0.25 s, sort <= 0.1 s, search <= 0.1 s, no stall > 50 ms.
The last line is `ratio=<ours/built-in first rows>`.

    python benchmarks/dmca.py [--notices 50000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stall import StallMonitor
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import DataTable

from illvid_tui.api.client import CallFinished, ClientEvent
from illvid_tui.app import IllvidApp, create_app
from illvid_tui.core.credentials import Credentials
from illvid_tui.core.db import Database
from illvid_tui.core.settings import Settings
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN
from illvid_tui.screens.dmca import DmcaScreen
from illvid_tui.screens.dmca_rows import COLUMNS
from illvid_tui.widgets.table import FastTable

TODAY = dt.date(2026, 11, 27)
GOALS = {"first rows": 0.25, "sort by expiry": 0.1, "search": 0.1, "stall": 0.05}


class Paint:
    """Records when a widget last painted a body line with text (wraps `render_line`)."""

    def __init__(self, widget: Any, body_from: int = 1) -> None:
        self.at: float | None = None
        original: Callable[[int], Strip] = widget.render_line

        def render_line(y: int) -> Strip:
            strip = original(y)
            # A FastTable computing its new view in a thread still paints the old one.
            pending = getattr(widget, "view_pending", False)
            if y >= body_from and self.at is None and widget.row_count and strip.text.strip():
                if pending:
                    return strip
                self.at = time.perf_counter()
            return strip

        widget.render_line = render_line

    async def wait(self, pilot: Pilot[None], since: float, limit: float = 60.0) -> float:
        while self.at is None:
            if time.perf_counter() - since > limit:
                raise TimeoutError("never painted")
            await pilot.pause()
        return self.at - since


_SERVER = """
import datetime as dt, sys, uvicorn
from illvid_tui.emulator import Emulator
emulator = Emulator(seed=1, today=dt.date.fromisoformat(sys.argv[3]))
emulator.set_dmca(int(sys.argv[2]))
uvicorn.run(emulator, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning",
            access_log=False)
"""


def serve(notices: int) -> tuple[str, Callable[[], None]]:
    """Serve an emulator with `notices` notices on a free loopback port, in another process.

    Another process, not a thread: encoding 4.5 MB of JSON holds the GIL and
    would show up as stalls of the app's loop that a real server never causes.
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(port), str(notices), TODAY.isoformat()]
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the emulator did not start") from None
            time.sleep(0.05)

    def stop() -> None:
        process.terminate()
        process.wait(5)

    return f"http://127.0.0.1:{port}/api", stop


class DataTableScreen(Screen[None]):
    def compose(self) -> ComposeResult:
        table: DataTable[str] = DataTable(id="builtin")
        for column in COLUMNS:
            table.add_column(column.label, key=column.key, width=column.width)
        yield table


async def wait_idle(pilot: Pilot[None], screen: DmcaScreen) -> None:
    """Until the screen's load worker is done."""
    while any(w.node is screen and not w.is_finished for w in pilot.app.workers):
        await pilot.pause()
    await pilot.pause()


async def one_run(pilot: Pilot[None], notices: int) -> dict[str, float]:
    app = pilot.app
    screen = app.screen
    assert isinstance(screen, DmcaScreen)
    table = screen.table
    # Start from an empty table, so the figure is the first rows, not a swap.
    await wait_idle(pilot, screen)
    table.clear()
    await pilot.pause()

    answered: list[float] = []

    def listen(event: ClientEvent) -> None:
        if isinstance(event, CallFinished) and event.op == "files_dmca":
            answered.append(time.perf_counter())

    assert isinstance(app, IllvidApp) and app.client is not None
    app.client.listeners.append(listen)
    paint = Paint(table)
    monitor = StallMonitor()
    monitor.start()
    asked = time.perf_counter()
    await pilot.press("r")
    while not answered:
        await pilot.pause()
    stall_wait = monitor.longest
    monitor.longest = 0.0
    first = await paint.wait(pilot, answered[0])
    assert table.total_count == notices, table.total_count
    await wait_idle(pilot, screen)
    stall_rows = monitor.longest

    monitor.longest = 0.0
    paint.at = None
    start = time.perf_counter()
    table.sort_by("expires")
    sort = await paint.wait(pilot, start)

    paint.at = None
    # Three characters of a code from the middle of the list: a search that
    # matches a few rows at any size (a fixed one may match none in a small run).
    needle = table.visible_keys()[table.row_count // 2][3:6]
    start = time.perf_counter()
    screen.apply_search(needle)
    search = await paint.wait(pilot, start)
    shown = table.row_count
    await pilot.pause()
    monitor.stop()
    app.client.listeners.remove(listen)
    table.sort_by("created", reverse=True)
    screen.apply_search("")
    await table.view_ready()
    return {
        "request -> answer": answered[0] - asked,
        "first rows": first,
        "sort by expiry": sort,
        "search": search,
        "stall": max(stall_wait, stall_rows, monitor.longest),
        "stall until answer": stall_wait,
        "stall answer -> rows": stall_rows,
        "stall sort+search": monitor.longest,
        "shown": shown,
    }


async def builtin_first_rows(pilot: Pilot[None], rows: list[tuple[str, ...]]) -> dict[str, float]:
    await pilot.app.push_screen(DataTableScreen())
    await pilot.pause()
    table = pilot.app.screen.query_one("#builtin", DataTable)
    paint = Paint(table)
    monitor = StallMonitor()
    monitor.start()
    start = time.perf_counter()
    table.add_rows(rows)
    first = await paint.wait(pilot, start)
    await pilot.pause()
    monitor.stop()
    pilot.app.pop_screen()
    return {"first rows": first, "stall": monitor.longest}


def show(name: str, seconds: float) -> None:
    goal = GOALS.get(name)
    verdict = "" if goal is None else ("  ok" if seconds <= goal else f"  OVER goal {goal:g} s")
    print(f"  {name:<18} {seconds * 1000:9.1f} ms{verdict}")


async def main(notices: int, runs: int) -> None:
    base_url, stop = serve(notices)
    settings = Settings.in_dir(
        Path(tempfile.mkdtemp(prefix="illvid-bench-")), base_url=base_url, start_screen="dmca"
    )
    app = create_app(
        settings,
        credentials=Credentials(DEMO_LOGIN, DEMO_KEY, source="benchmark"),
        today=TODAY,
        db=Database(":memory:"),
    )
    print(f"notices={notices} runs={runs} terminal=120x40 (headless), emulator over loopback")
    results: list[dict[str, float]] = []
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            screen = app.screen
            assert isinstance(screen, DmcaScreen)
            await wait_idle(pilot, screen)
            for _ in range(runs):
                results.append(await one_run(pilot, notices))
            table = screen.query_one(FastTable)
            rows: list[tuple[str, ...]] = []
            for key in table.visible_keys():
                row = table.get_row(key)
                assert row is not None
                rows.append(
                    (
                        row["code"],
                        row["created"],
                        row["expires"],
                        row["days"].plain,
                        "",
                    )
                )
            builtin = await builtin_first_rows(pilot, rows)
    finally:
        stop()
    print(f"ours (FastTable, median of {runs}):")
    for name in ("request -> answer", "first rows", "sort by expiry", "search"):
        show(name, statistics.median(r[name] for r in results))
    show("stall", max(r["stall"] for r in results))
    for name in ("stall until answer", "stall answer -> rows", "stall sort+search"):
        print(f"    {name:<20} {max(r[name] for r in results) * 1000:7.1f} ms")
    print(f"  search (3 characters of a code) shows {int(results[-1]['shown']):,} rows")
    print("built-in DataTable (same rows as strings, add_rows):")
    show("first rows", builtin["first rows"])
    print(f"  {'stall':<18} {builtin['stall'] * 1000:9.1f} ms")
    ours = statistics.median(r["first rows"] for r in results)
    print(f"ratio={ours / builtin['first rows']:.4f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.notices, args.runs))
