"""A 1 GiB local upload to the emulator's upload server over a real loopback socket.

The emulator runs under uvicorn in a process of its own (it counts and hashes
every byte, as a server would, without holding the benchmark's GIL). The same
file, in a temporary folder, is sent twice in one run:

(a) through the app's upload path (`IllvidClient.get_upload_server` and
    `FileUploader.send`: chunks read in a thread, Content-Length, progress);
(b) the baseline: a plain httpx POST of the same file with ``files=`` (no
    timeout), which reads 64 KiB chunks synchronously on the event loop.

Printed: MB/s of both, the peak RSS growth of (a) (VmHWM over the RSS before
it), the longest event-loop stall during (a) (a task that wakes every 5 ms),
and last ``ratio=<(a) MB/s / (b) MB/s>``. Goals: ratio >= 0.9, RSS growth
<= 30 MB, stall <= 50 ms.

    python benchmarks/upload.py [--mib 1024]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from stall import StallMonitor

from illvid_tui.api.client import IllvidClient
from illvid_tui.api.upload import LocalFile
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN

GOALS = {"ratio": 0.9, "rss": 30.0, "stall": 0.05}

_SERVER = """
import socket, sys, uvicorn
from illvid_tui.emulator import Emulator
emulator = Emulator(seed=1, demo_data=False)
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
print(sock.getsockname()[1], flush=True)
config = uvicorn.Config(emulator, log_level="warning", access_log=False, lifespan="off")
uvicorn.Server(config).run(sockets=[sock])
"""


def serve() -> tuple[str, subprocess.Popen[str]]:
    """The emulator on a free loopback port (bound by the server: port 0)."""
    process = subprocess.Popen([sys.executable, "-c", _SERVER], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.isdigit():
        process.kill()
        raise RuntimeError("the emulator did not start")
    return f"http://127.0.0.1:{line}/api", process


def kib(field: str) -> int:
    """A VmRSS / VmHWM figure of this process, in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def make_file(folder: Path, mib: int) -> Path:
    path = folder / "big-video.mp4"
    block = os.urandom(1 << 20)
    with path.open("wb") as f:
        for _ in range(mib):
            f.write(block)
    return path


async def ours(base: str, path: Path) -> tuple[float, float, float]:
    """(seconds, peak RSS growth in MB, longest stall in s) of the app's path."""
    async with IllvidClient(key=DEMO_KEY, login=DEMO_LOGIN, base_url=base) as client:
        server = await client.get_upload_server()
        uploader = client.uploader()
        rss_before = kib("VmRSS")
        monitor = StallMonitor()
        monitor.start()
        started = time.perf_counter()
        await uploader.send(server, LocalFile.stat(path), on_progress=lambda s, t: None)
        took = time.perf_counter() - started
        monitor.stop()
        await uploader.aclose()
        growth = max(0, kib("VmHWM") - rss_before) / 1024
    return took, growth, monitor.longest


async def baseline(base: str, path: Path) -> float:
    async with IllvidClient(key=DEMO_KEY, base_url=base) as client:
        url = (await client.get_upload_server()).url
    async with httpx.AsyncClient(timeout=None) as http:
        started = time.perf_counter()
        with path.open("rb") as f:
            response = await http.post(url, data={"key": DEMO_KEY}, files={"file": (path.name, f)})
        took = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"baseline upload failed: {response.status_code} {response.text[:200]}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mib", type=int, default=1024, help="file size in MiB (default 1024)")
    args = parser.parse_args()
    base, process = serve()
    try:
        with tempfile.TemporaryDirectory() as folder:
            path = make_file(Path(folder), args.mib)
            size_mb = path.stat().st_size / 1e6
            took_a, growth, stall = asyncio.run(ours(base, path))
            took_b = asyncio.run(baseline(base, path))
    finally:
        process.terminate()
        process.wait(10)
    a, b = size_mb / took_a, size_mb / took_b
    print(f"file: {args.mib} MiB over loopback to the emulator's upload server")
    print(f"(a) app upload path:   {a:8.1f} MB/s  ({took_a:.2f} s)")
    print(f"(b) httpx files= POST: {b:8.1f} MB/s  ({took_b:.2f} s)")
    print(f"peak RSS growth (a):   {growth:8.1f} MB  (goal <= {GOALS['rss']:.0f})")
    print(f"longest stall (a):     {stall * 1000:8.1f} ms  (goal <= {GOALS['stall'] * 1000:.0f})")
    print(f"ratio={a / b:.3f}")


if __name__ == "__main__":
    main()
