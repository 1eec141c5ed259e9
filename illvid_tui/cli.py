"""`illvid-tui` and `python -m illvid_tui`: options, then the app.

Textual is imported only after the options are read, so `--help`, `--version`
and option errors answer at once, and `--low-bandwidth` can set Textual's
frame rate through its environment variable before Textual reads it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from illvid_tui import __version__
from illvid_tui.api.baseurl import base_url_problem
from illvid_tui.core.settings import SCREENS, Settings

#: Frames per second under --low-bandwidth (Textual's default is 60).
LOW_BANDWIDTH_FPS = "10"


class _Parser(argparse.ArgumentParser):
    """argparse, with errors on one line (no usage block above them)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="illvid-tui",
        description="A keyboard-driven terminal app for an illvid account: remote uploads, "
        "file checks and renewals, DMCA notices.",
        epilog="Credentials: ILLVID_API_LOGIN and ILLVID_API_KEY from the environment, else "
        "the system keyring, else a login screen. The key is never an option (it would show "
        "in ps).",
    )
    parser.add_argument(
        "--demo", action="store_true", help="run on a built-in emulator with demo data"
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        help="API endpoint (default: $ILLVID_BASE_URL or https://illvid.com/api)",
    )
    parser.add_argument(
        "--screen", choices=SCREENS, default="account", help="section to open first"
    )
    parser.add_argument(
        "--low-bandwidth",
        action="store_true",
        help="for slow SSH links: low frame rate, no mouse tracking, no animations",
    )
    parser.add_argument("--version", action="version", version=f"illvid-tui {__version__}")
    return parser


def parse(argv: Sequence[str] | None = None) -> Settings:
    """Settings from the command line; a bad option or URL exits with status 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings.from_env(
        base_url=args.base_url,
        start_screen=args.screen,
        low_bandwidth=args.low_bandwidth,
        demo=args.demo,
    )
    # The same rule the client applies when built; this answers at once.
    problem = base_url_problem(settings.base_url)
    if problem:
        parser.error(f"bad base URL: {problem}")
    return settings


def main(argv: Sequence[str] | None = None) -> None:
    settings = parse(argv)
    if settings.low_bandwidth:
        os.environ.setdefault("TEXTUAL_FPS", LOW_BANDWIDTH_FPS)
        os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    if settings.demo:
        from illvid_tui.app.demo import create_demo_app

        app = create_demo_app(settings)
    else:
        from illvid_tui.app import create_app

        app = create_app(settings)
    app.run(mouse=not settings.low_bandwidth)
    sys.exit(app.return_code or 0)
