"""`illvid-tui` and `python -m illvid_tui`: the command line, then a subcommand or the app.

The whole command line is read by the cli package's parser. A subcommand
runs without Textual; without one the app starts, and Textual is imported
only after the options are read, so `--help`, `--version` and option errors
answer at once, and `--low-bandwidth` can set Textual's frame rate through
its environment variable before Textual reads it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from illvid_tui.api.baseurl import base_url_problem
from illvid_tui.cli.parser import build_parser, parse_command_line
from illvid_tui.core.settings import Settings

#: Frames per second under --low-bandwidth (Textual's default is 60).
LOW_BANDWIDTH_FPS = "10"


def parse_args(argv: Sequence[str] | None = None) -> tuple[argparse.Namespace, Settings]:
    """The options and the settings they make; a bad option or URL exits with status 2."""
    args = parse_command_line(argv)
    settings = Settings.from_env(
        base_url=args.base_url,
        start_screen=args.screen,
        low_bandwidth=args.low_bandwidth,
        demo=args.demo,
        profile=args.profile,
    )
    # The same rule the client applies when built; this answers at once.
    problem = base_url_problem(settings.base_url)
    if problem:
        build_parser().error(f"bad base URL: {problem}")
    if settings.profile is not None:
        from illvid_tui.core.profiles import name_problem

        problem = name_problem(settings.profile)
        if problem:
            build_parser().error(problem)
    return args, settings


def parse(argv: Sequence[str] | None = None) -> Settings:
    """Settings from the command line (see `parse_args`)."""
    return parse_args(argv)[1]


def main(argv: Sequence[str] | None = None) -> None:
    args, settings = parse_args(argv)
    if args.command:
        from illvid_tui.cli.run import run

        sys.exit(run(args, settings))
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
