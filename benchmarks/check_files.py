"""check_files throughput: 10,000 codes against the in-process emulator.

Each request costs `--latency` seconds (default 50 ms). The floor is what a
perfect client would take: ceil(batches / concurrency) x latency. Prints the
wall time, the floor and, last, `ratio=<wall/floor>` (goal: <= 1.3).

    python benchmarks/check_files.py [--codes 10000] [--latency 0.05] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import time

from illvid_tui.api import IllvidClient
from illvid_tui.emulator import DEMO_KEY, Emulator


async def one_run(n_codes: int, latency: float, concurrency: int, batch: int) -> float:
    emu = Emulator(seed=1, demo_data=False)
    existing = emu.add_files(n_codes - n_codes // 100)
    codes = existing + [f"missing{i:05d}" for i in range(n_codes // 100)]
    emu.faults.latency = latency
    async with IllvidClient(
        key=DEMO_KEY,
        base_url="http://127.0.0.1/api",
        transport=emu.transport(),
        max_in_flight=concurrency,
        batch_size=batch,
    ) as client:
        start = time.perf_counter()
        missing = await client.check_files(codes)
        wall = time.perf_counter() - start
    assert len(missing) == n_codes // 100, "wrong answer"
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--codes", type=int, default=10_000)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    batches = math.ceil(args.codes / args.batch)
    floor = math.ceil(batches / args.concurrency) * args.latency
    walls = [
        asyncio.run(one_run(args.codes, args.latency, args.concurrency, args.batch))
        for _ in range(args.runs)
    ]
    wall = statistics.median(walls)
    print(f"codes={args.codes} batches={batches} concurrency={args.concurrency}")
    print(f"latency={args.latency * 1000:.0f} ms per request")
    print("runs=" + ", ".join(f"{w:.3f}s" for w in walls))
    print(f"wall={wall:.3f}s (median of {args.runs})")
    print(f"floor={floor:.3f}s (ceil(batches/concurrency) x latency)")
    print(f"ratio={wall / floor:.3f}")


if __name__ == "__main__":
    main()
