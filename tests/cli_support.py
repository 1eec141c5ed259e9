"""Helpers of the CLI tests: the emulator served over loopback, and runs of the CLI.

`LoopbackEmulator` serves an `Emulator` with uvicorn on 127.0.0.1, a free
port, in a thread: the CLI talks to it over a real socket, as it would to
the API. `run_in_process` runs a subcommand in this process with captured
streams; `run_process` runs the real program in a child process.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from illvid_tui.cli.context import Runtime
from illvid_tui.cli.output import Streams
from illvid_tui.emulator import Emulator


class LoopbackEmulator:
    """An emulator on http://127.0.0.1:<free port>/api, in a thread, until `stop()`."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        config = uvicorn.Config(
            emulator,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self.server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self._thread.start()
        ready = threading.Event()
        # uvicorn sets `started` at the end of its start-up; wait for it without
        # sleeping: poll with a short timeout on an event nobody sets.
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the loopback emulator did not start")
            ready.wait(0.005)
        sock = self.server.servers[0].sockets[0]
        self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}/api"

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=10)


def dead_url() -> str:
    """A loopback URL where nothing listens (a server that is down)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/api"


class TtyStringIO(io.StringIO):
    """A captured stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@dataclass
class Result:
    code: int
    out: str
    err: str
    argv: list[str] = field(default_factory=list)


def run_in_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    stdin: str = "",
    tty: bool = False,
    **runtime: Any,
) -> Result:
    """Run `illvid-tui argv` here, with captured streams; `tty` makes them terminals."""
    from illvid_tui.cli.run import run
    from illvid_tui.main import parse_args

    make = TtyStringIO if tty else io.StringIO
    out, err = make(), make()
    streams = Streams(stdout=out, stderr=err, stdin=make(stdin), environ=dict(env or {}))
    try:
        args, settings = parse_args(list(argv))
    except SystemExit as done:
        return Result(int(done.code or 0), "", "", list(argv))
    code = run(args, settings, Runtime(streams=streams, **runtime))
    return Result(code, out.getvalue(), err.getvalue(), list(argv))


def run_process(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    stdin: str | None = None,
    timeout: float = 120,
) -> Result:
    """Run `python -m illvid_tui argv` in a child with exactly `env` (plus PATH)."""
    py_opts = [a for a in argv if a in ("-X", "importtime")]
    rest = [a for a in argv if a not in py_opts]
    full = [sys.executable, *py_opts, "-m", "illvid_tui", *rest]
    child_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env}
    done = subprocess.run(
        full,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=child_env,
        timeout=timeout,
    )
    return Result(done.returncode, done.stdout, done.stderr, full)
