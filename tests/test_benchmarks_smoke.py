"""Every benchmark script still runs, at a tiny size, and ends with its ratio line.

Benchmarks are not timed here (their figures go in notes, not assertions);
this only keeps them from rotting when the code they drive changes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SMOKE = {
    "check_files": ["--codes", "300", "--latency", "0.001", "--runs", "1"],
    "files": ["--codes", "300", "--latency", "0.001", "--runs", "1"],
    "dmca": ["--notices", "300", "--runs", "1"],
    "table_render": ["300"],
    "poll": [
        "--jobs",
        "20",
        "--moving",
        "5",
        "--latency",
        "0.001",
        "--window",
        "1",
        "--changing-window",
        "1",
        "--warmup",
        "1",
    ],  # fmt: skip
    "startup": ["--runs", "1"],
    "cli": ["--runs", "1"],
    "upload": ["--mib", "4"],
    "uploads_bytes": ["--urls", "20", "--window", "1"],
    "shared_queue": ["--jobs", "300", "--changed", "10", "--runs", "2", "--trials", "1"],
}


def test_every_benchmark_has_a_smoke_run() -> None:
    scripts = {p.stem for p in (ROOT / "benchmarks").glob("*.py") if p.stem != "stall"}
    assert scripts == set(SMOKE)


@pytest.mark.parametrize("name", sorted(SMOKE))
def test_benchmark_runs_and_prints_its_ratio(name: str, tmp_path: Path) -> None:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / f"{name}.py"), *SMOKE[name]],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("ratio="), done.stdout[-2000:]
    # "ratio=1.05", or with more figures after it: "ratio=1.05 cold=1.52".
    for part in last.split():
        float(part.split("=", 1)[1])
