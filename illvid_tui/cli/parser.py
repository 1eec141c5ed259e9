"""The whole command line: the app's options and the subcommands, one argparse parser.

The global options (--demo, --base-url, --profile, --screen, --low-bandwidth,
-q, --debug) may come before or after a subcommand: each subcommand repeats
them with a suppressed default, so a value given after the subcommand wins
and none given leaves the top-level one alone. Importing this module imports argparse only.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from illvid_tui import __version__
from illvid_tui.core.settings import SCREENS

#: Subcommand name -> the module that runs it (imported only when chosen).
COMMANDS = {
    "account": "illvid_tui.cli.account",
    "upload": "illvid_tui.cli.upload",
    "uploads": "illvid_tui.cli.uploads",
    "check": "illvid_tui.cli.check",
    "renew": "illvid_tui.cli.renew",
    "dmca": "illvid_tui.cli.dmca",
    "login": "illvid_tui.cli.login",
    "logout": "illvid_tui.cli.login",
    "profiles": "illvid_tui.cli.profiles",
}

#: Job states `uploads --state` takes (core.uploads.JobState's values, without importing it).
STATES = (
    "running", "done", "failed", "unknown", "sending", "waiting", "uploading", "interrupted",
)  # fmt: skip
#: Options people try for the key; refused with the way that works.
KEY_OPTIONS = ("--key", "--api-key", "--apikey")

EPILOG = (
    "Credentials: ILLVID_API_LOGIN and ILLVID_API_KEY from the environment, else the "
    "profile's (--profile, $ILLVID_PROFILE, else the last used) key in the system keyring, "
    "else its opted-in plain file, else a login screen (the app) or `illvid-tui --profile "
    "NAME login` (scripts). The key is never an option (it would show in ps). "
    "Exit statuses of subcommands: 0 done, 1 failed (network, server, unknown outcome), "
    "2 bad usage or input, 3 done but needs attention, 4 credentials missing or refused."
)


class Parser(argparse.ArgumentParser):
    """argparse, with errors on one line (no usage block above them)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        argv = list(sys.argv[1:] if args is None else args)
        _refuse_key_options(self, argv)
        return super().parse_args(argv, namespace)


def _refuse_key_options(parser: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    for arg in argv:
        if arg == "--":
            break
        if arg.split("=", 1)[0] in KEY_OPTIONS:
            # Said before argparse reads the rest: the value after it would
            # otherwise be taken for a subcommand and the message mislead.
            parser.error(
                f"unrecognized arguments: {arg.split('=', 1)[0]} (the key is never an "
                "option, it would show in ps: use ILLVID_API_KEY or `illvid-tui login`)"
            )


def parse_command_line(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line read by `build_parser()`'s parser, built only when it is needed.

    Starting the app (only global options) is read by the top-level options
    alone: the nine subcommand parsers cost ~10 ms before the first frame.
    Anything else (a subcommand, -h, an unknown word) goes to the whole parser,
    so its help and its errors are the same as ever.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    quick = Parser(prog="illvid-tui", add_help=False)
    _global_options(quick, suppress=False)
    quick.add_argument("--version", action="version", version=f"illvid-tui {__version__}")
    _refuse_key_options(quick, argv)
    args, rest = quick.parse_known_args(argv)
    if not rest:
        args.command = None
        return args
    return build_parser().parse_args(argv)


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    def default(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    parser.add_argument(
        "--demo",
        action="store_true",
        default=default(False),
        help="run on a built-in emulator with demo data",
    )
    parser.add_argument(
        "--base-url",
        metavar="URL",
        default=default(None),
        help="API endpoint (default: $ILLVID_BASE_URL or https://illvid.com/api)",
    )
    parser.add_argument(
        "--profile",
        metavar="NAME",
        default=default(None),
        help="the profile (account) to use (default: $ILLVID_PROFILE, else the last used)",
    )
    parser.add_argument(
        "--screen",
        choices=SCREENS,
        default=default("account"),
        help="section to open first (the app)",
    )
    # Before or after the subcommand alike: `illvid-tui -q check ...` in a crontab.
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=default(False),
        help="print nothing but errors (subcommands)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=default(False),
        help="write each request (key redacted), its status, time and answer to stderr "
        "(subcommands)",
    )
    parser.add_argument(
        "--low-bandwidth",
        action="store_true",
        default=default(False),
        help="for slow SSH links: low frame rate, no mouse tracking, no animations (the app)",
    )


def _common(parser: argparse.ArgumentParser) -> None:
    _global_options(parser, suppress=True)


def _formats(parser: argparse.ArgumentParser, *names: str) -> None:
    group = parser.add_mutually_exclusive_group()
    helps = {
        "json": "one JSON document on stdout",
        "ndjson": "one JSON object a line",
        "csv": "CSV with a header line",
    }
    for name in names:
        group.add_argument(
            f"--{name}", dest="format", action="store_const", const=name, help=helps[name]
        )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="illvid-tui",
        description="A keyboard-driven terminal app for an illvid account: remote uploads, "
        "file checks and renewals, DMCA notices. Without a subcommand it runs the app.",
        epilog=EPILOG,
    )
    _global_options(parser, suppress=False)
    parser.add_argument("--version", action="version", version=f"illvid-tui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="subcommands")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=EPILOG)
        _common(p)
        return p

    p = command("account", "login, balance, every other field, the upload server")
    _formats(p, "json")

    p = command("upload", "queue remote uploads (URLs), send local files")
    p.add_argument("--folder", metavar="F", help="save into this folder (created if missing)")
    p.add_argument("--wait", action="store_true", help="poll until every job has finished")
    _formats(p, "json", "ndjson")
    p.add_argument(
        "targets", nargs="+", metavar="TARGET", help="a URL or a local file, or - for one a line"
    )

    p = command("uploads", "the upload queue (unfinished jobs are polled once first)")
    _formats(p, "json", "ndjson")
    p.add_argument(
        "--state",
        choices=STATES,
        help="only the jobs in this state (running, done, failed, unknown; local files also "
        "waiting, uploading, interrupted; sending: on its way)",
    )
    p.add_argument("--watch", action="store_true", help="keep polling, print each change")
    p.add_argument("--no-poll", action="store_true", help="show the queue as stored")

    p = command("check", "which files still exist; the change since the last check")
    _formats(p, "json")
    p.add_argument("--missing", action="store_true", help="list only the missing codes")
    p.add_argument(
        "source", nargs="?", metavar="FILE|-", help="codes or links, any separators (- : stdin)"
    )

    p = command("renew", "renew files")
    _formats(p, "json")
    p.add_argument("codes", nargs="+", metavar="CODE", help="file codes or links, or - for stdin")

    p = command("dmca", "DMCA notices and the days left")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the API's date filter")
    p.add_argument("--order", choices=("up", "down"), default="down")
    p.add_argument(
        "--expiring",
        metavar="DAYS",
        type=int,
        help="only notices expiring within DAYS days (exit 3 if any)",
    )
    _formats(p, "json", "csv")

    p = command("login", "check a login and key, then store them as the profile (--profile)")
    p.add_argument("--login", metavar="L", help="the API login (asked when not given)")
    p.add_argument("--key-stdin", action="store_true", help="read the key from stdin (for scripts)")
    p.add_argument(
        "--plain-file",
        action="store_true",
        help="where no keyring works: store in a 0600 plain file (not encrypted)",
    )
    _formats(p, "json")

    p = command("logout", "delete the profile's stored key (keyring and plain file)")
    _formats(p, "json")

    p = command("profiles", "the profiles: name, base URL, login, key stored or not")
    _formats(p, "json")
    return parser


__all__ = ["COMMANDS", "EPILOG", "Parser", "build_parser", "parse_command_line"]
