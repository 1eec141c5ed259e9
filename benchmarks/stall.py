"""The longest event-loop stall during a benchmark, shared by the benchmark scripts."""

from __future__ import annotations

import asyncio
import time

#: How often the watcher asks to wake; a later wake-up is a stall of the difference.
TICK = 0.005


class StallMonitor:
    """Wakes every 5 ms; the largest gap beyond that is the longest stall."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _watch(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(TICK)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - TICK)
            last = now

    def start(self) -> None:
        self.longest = 0.0
        self._task = asyncio.create_task(self._watch())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
