"""Start-up time of illvid-tui against a bare Textual app, in real terminals (ptys).

From process start to (a) the first frame and (b) the Account data on
screen (warm: the state dir of a previous run, whose account cache paints
with the first frame; cold: an empty state dir, the data asked of the
server), for `illvid-tui` on the emulator served over loopback
(`python -m illvid_tui.emulator`), and (bare) the first frame of a bare
Textual app (Header, Static, Footer) measured the same way. Each child
writes a marker to a pipe given in ILLVID_TUI_BENCH_FD when the event has
been painted; the parent stamps the time it reads it. Also prints the idle
RSS of `illvid-tui --demo`. The package is byte-compiled first, as
`pip install .` does: an editable install run with PYTHONDONTWRITEBYTECODE
(as here) would otherwise compile every module of ours from source at each
start, ~40 ms no installed copy pays. Last line:
``ratio=<warm (b)/bare> cold=<cold (b)/bare>``, each the median of the runs'
ratios to the bare frame measured just before them (the medians' ratios are
printed too).

    .venv/bin/python benchmarks/startup.py [--runs 11]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

PY = sys.executable
BARE = """
import os
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    BINDINGS = [("q", "quit", "Quit")]
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()
    def on_mount(self):
        def mark():
            os.write(int(os.environ["ILLVID_TUI_BENCH_FD"]), b"frame\\n")
        self.call_after_refresh(mark)

Bare().run()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(
    argv: list[str], env: dict[str, str], size: tuple[int, int] = (120, 40)
) -> tuple[subprocess.Popen[bytes], int, float]:
    """Start `argv` on a fresh pty; return (process, marker read fd, start time)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    read_fd, write_fd = os.pipe()
    child_env = {**env, "ILLVID_TUI_BENCH_FD": str(write_fd), "TERM": "xterm-256color"}
    started = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=child_env,
        pass_fds=(write_fd,), start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    os.close(write_fd)

    # Drain the terminal so the child never blocks writing to it.
    def drain() -> None:
        while True:
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break

    threading.Thread(target=drain, daemon=True).start()
    proc._bench_master = master  # type: ignore[attr-defined]
    return proc, read_fd, started


def wait_marks(
    fd: int, started: float, wanted: set[str], timeout: float = 30.0
) -> dict[str, float]:
    """Seconds from `started` to the first line of each marker in `wanted`."""
    got: dict[str, float] = {}
    buffer = b""
    deadline = time.perf_counter() + timeout
    while wanted - got.keys() and time.perf_counter() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        chunk = os.read(fd, 4096)
        now = time.perf_counter()
        if not chunk:
            break
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            got.setdefault(line.decode(), now - started)
    missing = wanted - got.keys()
    if missing:
        raise RuntimeError(f"no marker {sorted(missing)} within {timeout} s")
    return got


def stop(proc: subprocess.Popen[bytes], fd: int) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    os.close(fd)
    os.close(proc._bench_master)  # type: ignore[attr-defined]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description="illvid-tui start-up benchmark")
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    import compileall

    import illvid_tui

    compileall.compile_dir(Path(illvid_tui.__file__).parent, quiet=1)
    port = free_port()
    emulator = subprocess.Popen(
        [PY, "-m", "illvid_tui.emulator", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        assert emulator.stdout is not None
        emulator.stdout.readline()  # "illvid emulator: http://..."
        with tempfile.TemporaryDirectory() as tmp:
            env = {
                **os.environ,
                "ILLVID_BASE_URL": f"http://127.0.0.1:{port}/api",
                "ILLVID_API_LOGIN": "demo",
                "ILLVID_API_KEY": "demo-key-not-secret",
                "XDG_STATE_HOME": f"{tmp}/state",
                "XDG_CONFIG_HOME": f"{tmp}/config",
            }
            env.pop("NO_COLOR", None)
            app_cmd = [PY, "-m", "illvid_tui"]
            # Warm: the state dir of a previous run (its account cache written).
            warm_env = {**env, "XDG_STATE_HOME": f"{tmp}/warm"}
            proc, fd, t0 = spawn(app_cmd, warm_env)
            wait_marks(fd, t0, {"account"})
            cache = Path(tmp, "warm", "illvid-tui", "account-cache.json")
            deadline = time.perf_counter() + 10
            while not cache.exists() and time.perf_counter() < deadline:
                time.sleep(0.05)
            stop(proc, fd)
            first, warm, cold, bare = [], [], [], []
            for run in range(args.runs):
                proc, fd, t0 = spawn([PY, "-c", BARE], env)
                bare.append(wait_marks(fd, t0, {"frame"})["frame"])
                stop(proc, fd)
                proc, fd, t0 = spawn(app_cmd, warm_env)
                marks = wait_marks(fd, t0, {"frame", "account"})
                first.append(marks["frame"])
                warm.append(marks["account"])
                stop(proc, fd)
                # Cold: an empty state dir, the account asked of the server.
                cold_env = {**env, "XDG_STATE_HOME": f"{tmp}/cold{run}"}
                proc, fd, t0 = spawn(app_cmd, cold_env)
                cold.append(wait_marks(fd, t0, {"account"})["account"])
                stop(proc, fd)
            demo_frames = []
            for _ in range(3):  # --demo builds its emulator after the first frame
                proc, fd, t0 = spawn([*app_cmd, "--demo"], env)
                demo_frames.append(wait_marks(fd, t0, {"frame"})["frame"])
                stop(proc, fd)
            proc, fd, t0 = spawn([*app_cmd, "--demo"], env)
            wait_marks(fd, t0, {"account"})
            time.sleep(3.0)  # idle: the poller and timers running, nothing to do
            rss = rss_mb(proc.pid)
            stop(proc, fd)
    finally:
        emulator.terminate()
        emulator.wait()
    b, a = statistics.median(bare), statistics.median(first)
    w, c = statistics.median(warm), statistics.median(cold)

    def paired(times: list[float]) -> float:
        # Each run's ratio to the bare frame measured just before it: the
        # machine's speed drifts between runs (2 shared cores), a pair's less.
        return statistics.median(t / bare_t for t, bare_t in zip(times, bare, strict=True))

    pa, pw, pc = paired(first), paired(warm), paired(cold)
    print(f"runs={args.runs} (medians, seconds from process start, 120x40 pty)")
    print("x bare: the median of each run's ratio to its own bare frame")
    print(f"bare textual first frame:   {b:.3f}")
    print(f"(a) illvid-tui first frame: {a:.3f}  ({pa:.2f} x bare, goal <= 1.10)")
    print(f"(b) account data, warm:     {w:.3f}  ({pw:.2f} x bare, goal <= 1.10)")
    print(f"(b) account data, cold:     {c:.3f}  ({pc:.2f} x bare, goal <= 1.60)")
    print(f"    (ratios of the medians: {a / b:.2f}, {w / b:.2f}, {c / b:.2f})")
    demo = statistics.median(demo_frames)
    print(f"--demo first frame (3 runs): {demo:.3f}  ({demo / b:.2f} x bare)")
    print(f"idle RSS of --demo: {rss:.1f} MB (goal <= 70)")
    print(f"ratio={pw:.2f} cold={pc:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
