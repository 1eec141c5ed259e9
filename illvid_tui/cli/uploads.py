"""`illvid-tui uploads`: not built yet (it needs the queue's Textual-free core API)."""

from __future__ import annotations

from illvid_tui.cli.context import Context
from illvid_tui.cli.output import CliError, Exit


def run(ctx: Context) -> Exit:
    raise CliError(Exit.USAGE, "`illvid-tui uploads` is not available yet in this version")
