"""The shared queue's cost: what a running app pays to follow other processes' writes.

A writer process (as a second TUI or a cron `illvid-tui upload` would) changes
a queue of N jobs in the state database; this process follows it with the
change feed (core/changes.py), as every running app does once a second.

Measured (medians over --runs):
  1. a look when nothing changed (``PRAGMA data_version`` only, no table read);
  2. a look after the writer changed K of the N jobs (reads those K rows);
  3. the baseline: reloading the whole queue, what following by "reload the
     table each tick" would cost;
  4. a heartbeat: presence and poll lease renewed (short write transactions);
  5. end to end, with the app's one-second looks: from the writer's commit of
     a new job to the follower holding it.

The last line is `ratio=<look after K changes / full reload>` (it grows with
K, not with N: goal well under 1).

    python benchmarks/shared_queue.py [--jobs 10000] [--changed 100] [--runs 20] [--trials 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from illvid_tui.core.changes import ChangeFeed
from illvid_tui.core.db import Database
from illvid_tui.core.poller_share import SYNC_EVERY, Sharing
from illvid_tui.core.uploads import UploadStore

ACCOUNT = "http://127.0.0.1/api|demo"

#: The writer: another process, driven one command a line on stdin.
WRITER = """
import sys, time
from illvid_tui.core.db import Database
from illvid_tui.core.uploads import UploadStore
store = UploadStore(Database(sys.argv[1]), sys.argv[2])
for line in sys.stdin:
    command, _, arg = line.strip().partition(" ")
    if command == "fill":
        for i in range(int(arg)):
            job = store.begin_send(f"https://cdn.example.com/v/{i}.mp4", None, time.time())
            store.mark_queued(job.id, str(100000 + i), time.time())
    elif command == "touch":
        ids = [j.id for j in store.jobs()][: int(arg)]
        with store.db.transaction() as conn:
            conn.executemany(
                "UPDATE uploads SET status = ?, progress = ? WHERE id = ?",
                [("working", f"{time.time_ns() % 100}%", i) for i in ids],
            )
    elif command == "add":
        store.begin_send(f"https://cdn.example.com/v/new-{arg}.mp4", None, time.time())
    print("ok", flush=True)
"""


class Writer:
    def __init__(self, db: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), ACCOUNT],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def do(self, command: str) -> None:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "ok"

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=100)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.sqlite3"
        store = UploadStore(Database(path), ACCOUNT)
        writer = Writer(path)
        try:
            writer.do(f"fill {args.jobs}")
            feed = ChangeFeed(store)
            feed.snapshot()

            idle = [timed(feed.poll) for _ in range(args.runs)]

            changed: list[float] = []
            seen = 0
            for _ in range(args.runs):
                writer.do(f"touch {args.changed}")
                start = time.perf_counter()
                changes = feed.poll()
                changed.append(time.perf_counter() - start)
                seen = len(changes.jobs) if changes else 0
            assert seen == args.changed, f"the look saw {seen} changed jobs"

            reload = [timed(store.jobs) for _ in range(args.runs)]

            sharing = Sharing(store.db)
            beats = [
                timed(lambda: sharing.beat(ACCOUNT, want_lease=True)) for _ in range(args.runs)
            ]
            sharing.close()

            # End to end, as the app follows: a look every SYNC_EVERY seconds.
            # The looks keep their own schedule; each commit lands at a random point of it.
            latencies: list[float] = []
            phase = random.Random(1)
            ticks = time.monotonic()
            for trial in range(args.trials):
                time.sleep(phase.random() * SYNC_EVERY)
                writer.do(f"add {trial}")
                committed = time.monotonic()
                while True:
                    late = (time.monotonic() - ticks) % SYNC_EVERY
                    time.sleep(SYNC_EVERY - late)
                    changes = feed.poll()
                    if changes and changes.jobs:
                        break
                latencies.append(time.monotonic() - committed)
        finally:
            writer.close()
            store.db.close()

    print(f"queue: {args.jobs:,} jobs; {args.changed:,} changed per look; {args.runs} runs")
    print(f"look, nothing changed:          {median_ms(idle):8.3f} ms")
    print(f"look, {args.changed:,} jobs changed:      {median_ms(changed):8.3f} ms")
    print(f"full reload of the queue:       {median_ms(reload):8.3f} ms")
    print(f"heartbeat (presence + lease):   {median_ms(beats):8.3f} ms")
    print(
        f"commit to seen, 1 s looks:      {statistics.median(latencies):8.3f} s median, "
        f"{max(latencies):.3f} s max ({len(latencies)} trials)"
    )
    print(f"ratio={statistics.median(changed) / statistics.median(reload):.4f}")


if __name__ == "__main__":
    main()
