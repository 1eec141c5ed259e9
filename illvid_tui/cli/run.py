"""Run one subcommand: dispatch, and every way it can end turned into an exit status."""

from __future__ import annotations

import argparse
import importlib

from illvid_tui.api.errors import IllvidError
from illvid_tui.cli.context import Context, Runtime
from illvid_tui.cli.failures import from_api
from illvid_tui.cli.output import CliError, Exit
from illvid_tui.cli.parser import COMMANDS
from illvid_tui.core.settings import Settings


def run(args: argparse.Namespace, settings: Settings, runtime: Runtime | None = None) -> int:
    """Run `args.command`; return its exit status (never raises but SystemExit)."""
    ctx = Context(args, settings, runtime or Runtime())
    try:
        if args.command != "logout":
            from illvid_tui.api.transport import import_httpx

            # Before any module imports httpx by itself: httpx's own command-line
            # client (click, rich) is never loaded, and Rich stays out of the CLI.
            import_httpx()
        module = importlib.import_module(COMMANDS[args.command])
        return int(module.run(ctx))
    except CliError as error:
        ctx.out.error(error.text)
        return int(error.status)
    except IllvidError as error:
        failure = from_api(error, ctx.source)
        ctx.out.error(failure.text)
        return int(failure.status)
    except KeyboardInterrupt:
        ctx.out.error("interrupted")
        return 130
    except BrokenPipeError:
        # `illvid-tui check ... | head`: the reader left; nothing more to say,
        # and nothing for the interpreter to flush into the closed pipe at exit.
        import os
        import sys

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(Exit.FAILED)
    except Exception as error:  # noqa: BLE001 - one line, never a traceback
        from illvid_tui.core import logs

        logs.setup(settings.log_path)
        logs.log_unexpected(error, f"illvid-tui {args.command}")
        ctx.out.error(
            f"unexpected error ({logs.short(error)}); the details are in {settings.log_path}"
        )
        return int(Exit.FAILED)
    finally:
        ctx.close()
        ctx.stop_debug()


__all__ = ["run"]
