"""Monitoring cost: the app polling 1,000 unfinished remote uploads.

The emulator (50 ms latency) serves on loopback from this process (uvicorn in a
thread); the app runs as a child process under a pseudo-terminal with the real
terminal driver, so every byte it would send over SSH is counted here. The
store is filled beforehand: 1,000 running jobs (50 of them moving, at the top
of the table, so their rows are on screen) and 100 finished ones that must
never be polled.

Two windows are measured, the app's CPU time is read from /proc, and each
window is scaled to a minute (it says so):
  1. idle: 950 jobs sit still and the 50 movers are frozen (an emulator knob);
  2. changing: the 50 movers advance.

Prints requests per poll cycle, CPU seconds per minute of monitoring, bytes
written to the terminal per second, and last `ratio=<requests per cycle /
unfinished jobs>` (goal: <= 1: requests only for unfinished jobs).

    python benchmarks/poll.py [--jobs 1000] [--moving 50] [--latency 0.05] [--window 20]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from illvid_tui.core.db import Database
from illvid_tui.core.poller import DEFAULT_INTERVAL
from illvid_tui.core.uploads import UploadStore
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator

TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


class Terminal:
    """A pty whose output is counted (and thrown away) by a thread."""

    def __init__(self, argv: list[str], env: dict[str, str], cols: int, rows: int) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.master = master
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.bytes = 0
        self.tail = b""
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while self.proc.poll() is None:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            self.bytes += len(data)
            self.tail = (self.tail + data)[-4096:]

    def stop(self) -> None:
        os.write(self.master, b"q")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        os.close(self.master)


def frozen(phase: Callable[[float], tuple[str, int]], at: float) -> Callable[[float], Any]:
    """A job's phase function stopped at clock time `at`."""

    def stopped(_now: float) -> tuple[str, int]:
        return phase(at)

    return stopped


def fill(emu: Emulator, db_path: Path, account: str, jobs: int, moving: int) -> set[str]:
    """Create the jobs on the emulator and in the store; return the finished queue ids."""
    store = UploadStore(Database(db_path), account)
    now = time.time()
    # Movers first (top of the table): ~5 minutes from queued to done, so their
    # progress moves by about a percent every 3 s.
    for i in range(jobs + 100):
        emu.upload_seconds = 300.0 if i < moving else (1e-6 if i >= jobs else 1e7)
        url = f"https://cdn{i % 7}.example.com/videos/clip-{i:05d}.mp4"
        job = emu.create_job(url, None)
        row = store.begin_send(url, None, now)
        store.mark_queued(row.id, job.queue_id, now)
    emu.advance(3.0)  # past the waiting phase: the stored words are the ones polls will see
    done: set[str] = set()
    conn = store.db.conn
    phase_now = emu.now()
    for job in emu.jobs.values():
        word, progress = job.phase(phase_now)
        state = "done" if word == "done" else "running"
        conn.execute(
            "UPDATE uploads SET status = ?, progress = ?, state = ?, file_code = ?"
            " WHERE account_id = ? AND queue_id = ?",
            (word, str(progress), state, job.file_code if state == "done" else None,
             account, job.queue_id),
        )  # fmt: skip
        if state == "done":
            done.add(job.queue_id)
    store.db.close()
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--moving", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--window", type=float, default=30.0, help="seconds of the idle window")
    parser.add_argument(
        "--changing-window",
        type=float,
        default=60.0,
        help="seconds of the changing window (longer than one pass over every job)",
    )
    parser.add_argument("--warmup", type=float, default=8.0)
    args = parser.parse_args()

    import uvicorn

    port = free_port()
    base_url = f"http://127.0.0.1:{port}/api"
    emu = Emulator(seed=1, demo_data=False)
    emu.faults.latency = args.latency
    tmp = Path(tempfile.mkdtemp(prefix="illvid-poll-bench-"))
    db_path = tmp / "state" / "illvid-tui" / "state.sqlite3"
    finished = fill(emu, db_path, f"{base_url}|{DEMO_LOGIN}", args.jobs, args.moving)
    movers = {q for i, q in enumerate(emu.jobs) if i < args.moving}
    # Freeze the movers for the idle window: their clock stands still until phase 2.
    frozen_at = emu.now()
    for q in movers:
        job = emu.jobs[q]
        setattr(job, "phase", frozen(job.phase, frozen_at))  # noqa: B010 - instance override

    config = uvicorn.Config(emu, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)

    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "ILLVID_BASE_URL": base_url,
        "ILLVID_API_KEY": DEMO_KEY,
        "ILLVID_API_LOGIN": DEMO_LOGIN,
        "XDG_STATE_HOME": str(tmp / "state"),
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "XDG_DATA_HOME": str(tmp / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    argv = [sys.executable, "-m", "illvid_tui", "--screen", "uploads"]
    term = Terminal(argv, env, cols=100, rows=30)
    print(f"jobs: {args.jobs} unfinished ({args.moving} moving), {len(finished)} finished")
    print(f"emulator latency {args.latency * 1000:.0f} ms; terminal 100x30 under a pty")
    time.sleep(args.warmup)  # start-up and the first full pass

    def window(label: str, seconds: float) -> tuple[int, float, float]:
        start_req = len(emu.requests)
        start_cpu, start_bytes, t0 = cpu_seconds(term.proc.pid), term.bytes, time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - t0
        cpu = cpu_seconds(term.proc.pid) - start_cpu
        sent = term.bytes - start_bytes
        polls = [r for r in emu.requests[start_req:] if r.op == "check_upload_url"]
        polled_done = sum(1 for r in polls if r.params.get("id") in finished)
        cycles = elapsed / DEFAULT_INTERVAL
        print(
            f"{label}: {len(polls)} check_upload_url in {elapsed:.1f} s "
            f"({len(polls) / cycles:.1f} per {DEFAULT_INTERVAL:g} s cycle, "
            f"{len({r.params.get('id') for r in polls})} distinct jobs, "
            f"{polled_done} for finished jobs)"
        )
        print(
            f"{label}: CPU {cpu:.2f} s in {elapsed:.1f} s -> {cpu * 60 / elapsed:.2f} s per "
            f"minute ({cpu / elapsed * 100:.1f} % of a core; measured {elapsed:.0f} s, scaled)"
        )
        changed = sum(1 for r in polls if r.params.get("id") in movers)
        print(
            f"{label}: terminal {sent / elapsed / 1024:.2f} KB/s ({sent} bytes; "
            f"{changed} polls of moving jobs)"
        )
        return len(polls), elapsed, cpu

    try:
        polls, elapsed, _ = window("idle", args.window)
        for q in movers:
            del emu.jobs[q].phase  # back to the class method: the clock moves again
        window("changing", args.changing_window)
    finally:
        if os.environ.get("POLL_BENCH_DEBUG"):
            print("app exit:", term.proc.poll(), term.tail[-1500:].decode(errors="replace"))
        term.stop()
        server.should_exit = True
    per_cycle = polls / (elapsed / DEFAULT_INTERVAL)
    print(f"ratio={per_cycle / args.jobs:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
