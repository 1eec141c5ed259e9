"""`illvid-tui check [--missing] [FILE|-]`: which files still exist, and what changed.

Codes or links with any separators, read as the Files screen reads them;
the same batching and refusal rule (core.checking), the same diff with the
last check and the same store (core.filecheck). Exit 3 when a code is
missing or refused by the server.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from illvid_tui.cli.context import Context, account_partition
from illvid_tui.cli.failures import from_api
from illvid_tui.cli.inputs import read_text
from illvid_tui.cli.output import CliError, Exit
from illvid_tui.core.codes import ParsedCodes, parse_codes
from illvid_tui.core.renew import describe_failure

#: Rejected tokens named on stderr (the count covers the rest).
SHOWN_REJECTS = 5


def run(ctx: Context) -> Exit:
    text = read_text(ctx, ctx.args.source)
    parsed = parse_codes(text)
    _tell_rejects(ctx, parsed)
    if not parsed.codes:
        raise CliError(Exit.USAGE, "no file codes in the input (codes or links, any separators)")
    return asyncio.run(_run(ctx, parsed))


def _tell_rejects(ctx: Context, parsed: ParsedCodes) -> None:
    if not parsed.rejected_count:
        return
    shown = "; ".join(
        f"line {r.line} {r.token!r}: {r.reason}" for r in parsed.rejected[:SHOWN_REJECTS]
    )
    more = parsed.rejected_count - min(len(parsed.rejected), SHOWN_REJECTS)
    tail = f"; and {more:,} more" if more > 0 else ""
    n = parsed.rejected_count
    what = "token that is not a code" if n == 1 else "tokens that are not codes"
    ctx.out.note(f"left out {n:,} {what}: {shown}{tail}")


async def _run(ctx: Context, parsed: ParsedCodes) -> Exit:
    from illvid_tui.core.checking import check_and_record
    from illvid_tui.core.filecheck import (
        Change,
        CheckRun,
        FileCheckStore,
        change_of,
        codes_with_change,
        found_and_missing,
    )

    out = ctx.out

    def landed(run: CheckRun) -> None:
        out.progress(f"checking {run.progress.describe()}")

    async with ctx.client() as client:
        account = await account_partition(client, ctx.settings.base_url)
        store = FileCheckStore(ctx.database())
        stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        run, failure = await check_and_record(
            client, store, account, parsed.codes, stamp, on_batch=landed
        )
    out.progress_done()
    if failure is not None:
        left = run.unanswered
        kept = f" ({left:,} of {len(run.codes):,} codes not checked; the results so far are kept)"
        stopped = from_api(failure, ctx.source)
        raise CliError(stopped.status, stopped.text + kept)
    refused = run.failed
    if refused and not run.results and all(e.status == 403 for e in refused.values()):
        # Every batch refused with 403: the key, not the files.
        raise from_api(next(iter(refused.values())), ctx.source)
    found, missing = found_and_missing(run.results, run.codes)
    newly = codes_with_change(run, Change.NEWLY_MISSING)
    back = codes_with_change(run, Change.BACK)
    if out.fmt == "json":
        doc: dict[str, Any] = {
            "checked": len(run.results),
            "missing": missing,
            "found": found,
            "newly_missing": newly,
            "back": back,
            "refused": [
                {"file_code": code, "status": error.status, "error": describe_failure(error)}
                for code, error in refused.items()
            ],
            "left_out": parsed.rejected_count,
        }
        out.document(doc)
    elif ctx.args.missing:
        for code in missing:
            out.answer(code)  # the list asked for: a cron line's mail body, even under -q
    else:
        rows = []
        styles: list[str | None] = []
        for code in run.codes:
            error = refused.get(code)
            if error is not None:
                rows.append((code, "refused", describe_failure(error)))
                styles.append("33")
                continue
            gone = run.results[code]
            change = change_of(run.previous.get(code), gone)
            rows.append((code, "missing" if gone else "found", change.value))
            styles.append("31" if gone else None)
        out.table(("CODE", "RESULT", "CHANGE"), rows, styles=styles)
    summary = f"{len(run.results):,} checked: {len(missing):,} missing"
    if newly or back:
        summary += f" ({len(newly):,} newly missing, {len(back):,} back since the last check)"
    if refused:
        reasons = sorted({describe_failure(e) for e in refused.values()})
        summary += f"; {len(refused):,} refused by the server ({', '.join(reasons)})"
    out.note(summary)
    return Exit.ATTENTION if missing or refused else Exit.OK
