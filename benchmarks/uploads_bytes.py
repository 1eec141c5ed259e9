"""Bytes the Uploads screen writes to a terminal: sending 500 URLs, and a dialog over 500 jobs.

The emulator serves on a random loopback port from this process (uvicorn in a
thread); the app runs in a private tmux server (`tmux -L uploads-bench`) and
`pipe-pane` copies every byte it writes into a file, which is what an SSH
session would carry. Three measurements, in one run of the app:

  1. send: 500 URLs pasted into the add dialog (a bracketed paste) and queued
     with ctrl+s; bytes from ctrl+s until the dialog has closed (goal < 200 KB);
  2. table: the 500 jobs, running, polled every 5 s, nothing visible changing,
     no dialog: the baseline, in B/s;
  3. dialog: the same with a dialog over the table (the remove confirmation,
     then the add dialog), in B/s (goal < 2 KB/s, i.e. as the baseline).

The last line is `ratio=<confirmation dialog B/s / baseline B/s>`.

    python benchmarks/uploads_bytes.py [--urls 500] [--window 20] [--no-low-bandwidth]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator

SESSION = "bench"
#: The private tmux socket (`--socket`); one per run unless given.
SOCKET = f"illvid-uploads-bytes-{os.getpid()}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tmux(*args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["tmux", "-L", SOCKET, *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def screen_text() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(what: Callable[[], bool], timeout: float, label: str) -> None:
    deadline = time.monotonic() + timeout
    while not what():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {label}:\n{screen_text()}")
        time.sleep(0.1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=500)
    parser.add_argument("--window", type=float, default=20.0, help="seconds per B/s window")
    parser.add_argument("--latency", type=float, default=0.02, help="emulator latency (s)")
    parser.add_argument("--no-low-bandwidth", action="store_true")
    parser.add_argument("--socket", default=SOCKET, help="tmux socket name (-L), killed at the end")
    args = parser.parse_args()
    globals()["SOCKET"] = args.socket
    if shutil.which("tmux") is None:
        print("tmux is required", file=sys.stderr)
        return 2

    import uvicorn

    port = free_port()
    base_url = f"http://127.0.0.1:{port}/api"
    emu = Emulator(seed=1, demo_data=False)
    emu.upload_seconds = 1e7  # every job keeps running, at 0 %: nothing visible changes
    emu.faults.latency = args.latency
    config = uvicorn.Config(emu, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)

    tmp = Path(tempfile.mkdtemp(prefix="illvid-uploads-bytes-"))
    out = tmp / "pane.bytes"
    out.touch()
    urls = tmp / "urls.txt"
    lines = [f"https://cdn{i % 7}.example.com/v/clip-{i:05d}.mp4" for i in range(args.urls)]
    urls.write_text("\r".join(lines))
    # The tmux server inherits this environment: the (demo) key never is an argument.
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
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
    }
    low = [] if args.no_low_bandwidth else ["--low-bandwidth"]
    command = " ".join([sys.executable, "-m", "illvid_tui", "--screen", "uploads", *low])
    # Started in the temporary folder: `python -m` puts the working directory first on
    # sys.path, and PYTHONPATH must choose the code measured (a baseline checkout).
    tmux("new-session", "-d", "-s", SESSION, "-c", str(tmp), "-x", "120", "-y", "40", command,
         env=env)  # fmt: skip
    try:
        tmux("pipe-pane", "-t", SESSION, "-o", f"cat >> {out}")
        wait_for(lambda: "Polling every" in screen_text(), 30, "the Uploads screen")
        time.sleep(1.0)
        print(
            f"terminal 120x40 in tmux, emulator latency {args.latency * 1000:.0f} ms, "
            f"{'no ' if not low else ''}--low-bandwidth"
        )

        # 1. send
        tmux("send-keys", "-t", SESSION, "a")
        wait_for(lambda: "Add remote uploads" in screen_text(), 20, "the add dialog")
        tmux("load-buffer", "-b", "urls", str(urls))
        tmux("paste-buffer", "-p", "-b", "urls", "-t", SESSION)
        wait_for(lambda: f"{args.urls} URLs to queue" in screen_text(), 20, "the pasted URLs")
        time.sleep(1.0)
        start, t0 = out.stat().st_size, time.monotonic()
        tmux("send-keys", "-t", SESSION, "C-s")
        sent = lambda: sum(1 for r in emu.requests if r.op == "upload_url")  # noqa: E731
        wait_for(lambda: sent() >= args.urls, 300, "every upload_url")
        wait_for(lambda: "Add remote uploads" not in screen_text(), 30, "the dialog to close")
        elapsed = time.monotonic() - t0
        time.sleep(1.0)  # the last frame
        send_bytes = out.stat().st_size - start
        print(
            f"send: {args.urls} URLs in {elapsed:.1f} s, {send_bytes / 1024:.1f} KB to the "
            f"terminal ({send_bytes / args.urls:.0f} B a URL; goal < 200 KB)"
        )
        time.sleep(3.0)  # first checks of the new jobs

        def window(label: str) -> float:
            start, t0 = out.stat().st_size, time.monotonic()
            time.sleep(args.window)
            rate = (out.stat().st_size - start) / (time.monotonic() - t0)
            print(f"{label}: {rate:.0f} B/s over {args.window:.0f} s")
            return rate

        # 2. the table alone, 3. a dialog over it
        base = window(f"table, {args.urls} running jobs, no dialog")
        tmux("send-keys", "-t", SESSION, "x")
        wait_for(lambda: "Remove" in screen_text() and "(y)" in screen_text(), 20, "confirm")
        time.sleep(0.5)
        confirm = window("remove confirmation over the table")
        tmux("send-keys", "-t", SESSION, "n")
        time.sleep(1.0)
        tmux("send-keys", "-t", SESSION, "a")
        wait_for(lambda: "Add remote uploads" in screen_text(), 20, "the add dialog")
        time.sleep(0.5)
        window("add dialog over the table")
        tmux("send-keys", "-t", SESSION, "Escape")
        time.sleep(0.5)
        tmux("send-keys", "-t", SESSION, "q")
        time.sleep(1.0)
    finally:
        subprocess.run(["tmux", "-L", args.socket, "kill-server"], capture_output=True)
        server.should_exit = True
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"ratio={confirm / base if base else float('inf'):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
