"""``python -m illvid_tui.emulator``: serve the emulator on loopback with uvicorn.

uvicorn is a test extra, imported only here. Only loopback hosts are accepted:
the emulator answers anyone who knows the demo key.
"""

from __future__ import annotations

import argparse
import socket
import sys
from collections.abc import Sequence

from illvid_tui.api.baseurl import is_loopback
from illvid_tui.emulator.app import Emulator
from illvid_tui.emulator.upload import ANSWER_FORMS


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m illvid_tui.emulator",
        description="Run the illvid API emulator (demo data, fault knobs) on loopback.",
    )
    p.add_argument("--host", default="127.0.0.1", help="loopback address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="TCP port (default 8765)")
    p.add_argument("--seed", type=int, default=1, help="seed of the demo data and faults")
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    for status in (509, 500, 502, 503):
        p.add_argument(
            f"--rate{status}",
            type=float,
            default=0.0,
            metavar="P",
            help=f"share of requests answered with status {status} (0..1)",
        )
    p.add_argument("--upload-seconds", type=float, default=6.0, help="remote upload duration")
    p.add_argument(
        "--queue-ttl",
        type=float,
        default=None,
        metavar="S",
        help="seconds after queueing when a remote upload's queue id is forgotten (404)",
    )
    p.add_argument("--html-errors", action="store_true", help="injected failures as HTML pages")
    p.add_argument("--always-200", action="store_true", help="HTTP 200 for every envelope")
    p.add_argument("--ints", action="store_true", help="numbers as JSON numbers, not strings")
    p.add_argument(
        "--upload-bandwidth",
        type=float,
        default=0.0,
        metavar="BYTES_PER_S",
        help="the upload server reads at most this many bytes a second (0: no cap)",
    )
    p.add_argument(
        "--upload-answer",
        choices=ANSWER_FORMS,
        default="json",
        help="the form of the upload server's answer",
    )
    p.add_argument(
        "--upload-server-object",
        action="store_true",
        help="get_upload_server answers an object with url and sess_id, not a URL string",
    )
    p.add_argument("--no-demo-data", action="store_true", help="start with an empty account")
    p.add_argument(
        "--accounts",
        type=int,
        default=1,
        metavar="N",
        help="accounts on the server (demo, demo2, ...: each its own key and data)",
    )
    return p


def make_emulator(args: argparse.Namespace) -> Emulator:
    emu = Emulator(seed=args.seed, demo_data=not args.no_demo_data)
    emu.upload_seconds = args.upload_seconds
    f = emu.faults
    f.latency = args.latency
    f.rates = {s: r for s in (509, 500, 502, 503) if (r := getattr(args, f"rate{s}")) > 0}
    f.html_errors = args.html_errors
    f.queue_ttl = args.queue_ttl
    f.mirror_http_status = not args.always_200
    f.numbers_as_strings = not args.ints
    emu.upload.bandwidth = args.upload_bandwidth or None
    emu.upload.answer = args.upload_answer
    emu.upload.server_object = args.upload_server_object
    for n in range(2, args.accounts + 1):
        emu.add_account(f"demo{n}", f"demo{n}-key-not-secret", demo_data=not args.no_demo_data)
    return emu


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not is_loopback(args.host):
        parser.error(f"refusing non-loopback host {args.host!r}: the emulator is for local use")
    if sum(getattr(args, f"rate{s}") for s in (509, 500, 502, 503)) > 1:
        parser.error("the failure rates add up to more than 1")
    try:
        import uvicorn
    except ImportError:
        print("uvicorn is missing: pip install 'illvid-tui[test]'", file=sys.stderr)
        return 2
    emu = make_emulator(args)
    # Bind here, so --port 0 prints the port the system chose (scripts read it).
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(128)  # connections wait in the backlog until uvicorn serves them
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"illvid emulator: http://{host}:{port}/api", flush=True)
    print(f"login: {emu.login}  key: {emu.key}", flush=True)
    for key, state in emu.accounts.items():
        print(f"login: {state.account['login']}  key: {key}", flush=True)
    # access_log off: uvicorn would print every URL, key included.
    config = uvicorn.Config(emu, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
