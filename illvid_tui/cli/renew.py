"""`illvid-tui renew CODE...|-`: renew files, each code once (core.renew does the fan-out).

A code the server refuses (404, 403, 451, or a false answer) is reported
with its status and the exit is 3; a network or server failure that outlived
the retries makes it 1.
"""

from __future__ import annotations

import asyncio
from typing import Any

from illvid_tui.api.errors import IllvidError
from illvid_tui.cli.context import Context
from illvid_tui.cli.inputs import args_or_stdin
from illvid_tui.cli.output import CliError, Exit
from illvid_tui.core.codes import parse_codes


def run(ctx: Context) -> Exit:
    parsed = parse_codes(args_or_stdin(ctx, ctx.args.codes))
    if parsed.rejected_count:
        bad = parsed.rejected[0]
        raise CliError(Exit.USAGE, f"{bad.token!r} is not a file code: {bad.reason}")
    if not parsed.codes:
        raise CliError(Exit.USAGE, "no file codes given")
    return asyncio.run(_run(ctx, parsed.codes))


async def _run(ctx: Context, codes: list[str]) -> Exit:
    from illvid_tui.core.renew import RenewOutcome, describe_failure, renew_codes

    out = ctx.out
    done = 0

    def landed(code: str, outcome: RenewOutcome) -> None:
        nonlocal done
        done += 1
        out.progress(f"renewing {done:,}/{len(codes):,}")

    async with ctx.client() as client:
        summary = await renew_codes(client, codes, on_result=landed)
    out.progress_done()
    results: list[dict[str, Any]] = []
    renewed = set(summary.renewed)
    for code in codes:
        error: IllvidError | None = summary.failed.get(code)
        results.append(
            {
                "file_code": code,
                "renewed": code in renewed,
                "status": 200 if error is None else error.status,
                "error": None if error is None else describe_failure(error),
            }
        )
    if out.fmt == "json":
        out.document(results)
    else:
        out.table(
            ("CODE", "RESULT"),
            [(r["file_code"], "renewed" if r["renewed"] else r["error"]) for r in results],
            styles=[None if r["renewed"] else "31" for r in results],
        )
    out.note(summary.describe())
    if any(e.retryable or e.status == 0 for e in summary.failed.values()):
        return Exit.FAILED
    return Exit.ATTENTION if summary.failed else Exit.OK
