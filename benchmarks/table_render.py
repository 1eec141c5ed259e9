"""Benchmark: FastTable against Textual's DataTable with 50,000 rows, headless.

Run with `.venv/bin/python benchmarks/table_render.py [rows]`. For each widget it prints the
time from handing over the rows to the first body line being painted, the time for a sort and
for a filter (each until repainted; FastTable: until its view computed in a thread is shown),
for FastTable new rows into a sorted table, and the longest event-loop stall in each phase.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import DataTable

from illvid_tui.widgets.table import Column, FastTable

COLUMNS = [
    Column("code", "Code", width=12),
    Column("name", "Name"),
    Column("size", "Size", width=10, justify="right"),
    Column("added", "Added", width=10),
    Column("url", "URL", width=30, shorten="middle"),
]


def make_rows(count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """Rows with a mix of value types, sizes unsorted."""
    start = date(2025, 1, 1)
    for i in range(count):
        code = f"c{i:08d}"
        yield (
            code,
            {
                "code": code,
                "name": f"holiday video {i * 7919 % count}.mkv",
                "size": Decimal(i * 104_729 % 1_000_003) / 100,
                "added": start + timedelta(days=i % 400),
                "url": f"https://illvid.test/files/{code}/holiday-video.mkv",
            },
        )


class PaintProbe:
    """Mixin that records when the first body line was last rendered."""

    painted_at: float | None = None

    def render_line(self, y: int) -> Strip:
        strip: Strip = super().render_line(y)  # type: ignore[misc]
        # A FastTable still computing its new view in a thread paints the old one: not counted.
        if y == 1 and strip.text.strip() and not getattr(self, "view_pending", False):
            self.painted_at = time.perf_counter()
        return strip


class ProbedFastTable(PaintProbe, FastTable):
    pass


class ProbedDataTable(PaintProbe, DataTable[Any]):
    pass


class StallMonitor:
    """Wakes every 5 ms and keeps the longest gap beyond that: how long the loop froze."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def reset(self) -> None:
        self.worst = 0.0

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last - 0.005)
            last = now


async def until_painted(
    pilot: Pilot[None], probe: PaintProbe, action: Callable[[], object], limit: float = 120.0
) -> float:
    """Run `action` and return the seconds until the first body line is painted again."""
    probe.painted_at = None
    start = time.perf_counter()
    action()
    while probe.painted_at is None:
        if time.perf_counter() - start > limit:
            raise TimeoutError("never painted")
        await pilot.pause()
    return probe.painted_at - start


def report(name: str, phase: str, seconds: float, monitor: StallMonitor) -> None:
    stall = monitor.worst * 1000
    print(f"{name:<10} {phase:<16} {seconds * 1000:9.1f} ms   max stall {stall:7.1f} ms")


async def bench_fast(pilot: Pilot[None], rows: list[tuple[str, dict[str, Any]]]) -> float:
    monitor = StallMonitor()
    monitor.start()
    table = ProbedFastTable(COLUMNS)
    await pilot.app.mount(table)
    await pilot.pause()
    monitor.reset()
    first = await until_painted(pilot, table, lambda: table.set_rows(rows))
    report("FastTable", "first rows", first, monitor)
    monitor.reset()
    took = await until_painted(pilot, table, lambda: table.sort_by("size"))
    report("FastTable", "sort_by", took, monitor)
    monitor.reset()
    took = await until_painted(
        pilot, table, lambda: table.set_filter(lambda key, row: "7" in row["name"])
    )
    report("FastTable", "set_filter", took, monitor)
    print(f"FastTable  rows shown after filter: {table.row_count}")
    monitor.reset()
    table.set_filter(None)
    await table.view_ready()
    await pilot.pause()
    monitor.reset()
    # New rows for a table that is sorted: what a screen reloading its data does.
    took = await until_painted(pilot, table, lambda: table.set_rows(rows[::-1]))
    report("FastTable", "set_rows sorted", took, monitor)
    monitor.stop()
    await table.remove()
    return first


async def bench_datatable(pilot: Pilot[None], rows: list[tuple[str, dict[str, Any]]]) -> float:
    monitor = StallMonitor()
    monitor.start()
    table = ProbedDataTable()
    for column in COLUMNS:
        table.add_column(column.label, key=column.key, width=column.width)
    await pilot.app.mount(table)
    await pilot.pause()
    keys = [column.key for column in COLUMNS]

    def load(selected: list[tuple[str, dict[str, Any]]]) -> None:
        for key, row in selected:
            table.add_row(*(row[k] for k in keys), key=key)

    monitor.reset()
    first = await until_painted(pilot, table, lambda: load(rows))
    report("DataTable", "first rows", first, monitor)
    monitor.reset()
    took = await until_painted(pilot, table, lambda: table.sort("size"))
    report("DataTable", "sort", took, monitor)

    def refilter() -> None:
        # DataTable has no filter: screens would clear and re-add the matching rows.
        table.clear()
        load([(key, row) for key, row in rows if "7" in row["name"]])

    monitor.reset()
    took = await until_painted(pilot, table, refilter)
    report("DataTable", "filter (re-add)", took, monitor)
    print(f"DataTable  rows shown after filter: {table.row_count}")
    monitor.stop()
    await table.remove()
    return first


async def main(count: int) -> None:
    rows = list(make_rows(count))
    print(f"rows={count} columns={len(COLUMNS)} terminal=120x40 (headless)")
    app: App[None] = App()
    async with app.run_test(size=(120, 40)) as pilot:
        ours = await bench_fast(pilot, rows)
        theirs = await bench_datatable(pilot, rows)
    print(f"ratio={ours / theirs:.4f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000))
