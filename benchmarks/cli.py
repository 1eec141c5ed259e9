"""`illvid-tui account --json` against a plain `python -c` that imports httpx and asks the same.

Both run as fresh processes against the emulator served over loopback
(`python -m illvid_tui.emulator`), alternating, in the same run: (cli) the
subcommand, which asks `account_info` and `get_upload_server` and prints
one JSON document; (plain) `python -c` importing httpx and making the same
two requests, printing the same two answers as JSON. Wall time from spawn to
exit, medians. Also prints where the CLI's start-up goes (`-X importtime`:
its top imports). Last line: ``ratio=<cli/plain>`` (goal: at most 1.3).

    .venv/bin/python benchmarks/cli.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time

PY = sys.executable
KEY = "demo-key-not-secret"

#: (plain): python -c importing httpx and making the same two requests.
PLAIN = """
import json, os, sys
import httpx
url, key = sys.argv[1], os.environ["ILLVID_API_KEY"]
with httpx.Client() as client:
    info = client.get(url, params={"op": "account_info", "key": key}).json()
    server = client.get(url, params={"op": "get_upload_server", "key": key}).json()
print(json.dumps({"account": info["result"], "upload_server": server["result"]}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - started
    if done.returncode != 0 or not done.stdout.strip().endswith("}"):
        raise SystemExit(f"{argv[:4]} failed ({done.returncode}): {done.stderr[-500:]}")
    return elapsed


def top_imports(argv: list[str], env: dict[str, str], n: int = 6) -> list[str]:
    done = subprocess.run(
        [PY, "-X", "importtime", *argv[1:]], env=env, capture_output=True, text=True, timeout=60
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit() and not parts[2].startswith("  "):
            rows.append((int(parts[1]), parts[2].strip()))
    return [f"{name} {us / 1000:.0f} ms" for us, name in sorted(rows, reverse=True)[:n]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each (medians)")
    args = parser.parse_args()
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    emulator = subprocess.Popen(
        [PY, "-m", "illvid_tui.emulator", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert emulator.stdout is not None
        emulator.stdout.readline()  # "illvid emulator: http://..."
        deadline = time.monotonic() + 30
        while True:  # until uvicorn accepts connections
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the emulator did not start") from None
                time.sleep(0.05)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "ILLVID_API_KEY": KEY,
            "XDG_STATE_HOME": os.environ.get("XDG_STATE_HOME", "/tmp/illvid-bench-state"),
            "XDG_CONFIG_HOME": os.environ.get("XDG_CONFIG_HOME", "/tmp/illvid-bench-config"),
        }
        cli = [PY, "-m", "illvid_tui", "account", "--json", "--base-url", url]
        plain = [PY, "-c", PLAIN, url]
        timed(cli, env)  # warm the OS caches for both
        timed(plain, env)
        cli_times: list[float] = []
        plain_times: list[float] = []
        for _ in range(args.runs):
            cli_times.append(timed(cli, env))
            plain_times.append(timed(plain, env))
    finally:
        emulator.terminate()
        emulator.wait(timeout=10)
    c, p = statistics.median(cli_times), statistics.median(plain_times)
    print(f"runs: {args.runs} of each, alternating")
    for name, times in (("cli   illvid-tui account --json", cli_times), ("plain", plain_times)):
        ms = statistics.median(times) * 1000
        print(f"{name}: median {ms:.0f} ms, min {min(times) * 1000:.0f} ms")
    print("cli's biggest top-level imports: " + ", ".join(top_imports(cli, env)))
    print(f"ratio={c / p:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
