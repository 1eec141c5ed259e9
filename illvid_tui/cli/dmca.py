"""`illvid-tui dmca`: DMCA notices with the days left (core.dmca computes them).

`--expiring DAYS` keeps the notices that expire within DAYS days (today
counts as 0) and exits 3 when there is one: a cron line's signal.
"""

from __future__ import annotations

import asyncio
from typing import Any

from illvid_tui.cli.context import Context
from illvid_tui.cli.output import CliError, Exit
from illvid_tui.core.dmca import DateFilterError, days_left, format_days, parse_date_filter

HEADER = ("file_code", "dmca_created", "dmca_expire", "days_left")
_STYLE = {"expired": "31", "soon": "33"}


def run(ctx: Context) -> Exit:
    try:
        date = parse_date_filter(ctx.args.date or "")
    except DateFilterError as error:
        raise CliError(Exit.USAGE, f"--date: {error}") from None
    expiring = ctx.args.expiring
    if expiring is not None and expiring < 0:
        raise CliError(Exit.USAGE, "--expiring takes a number of days, 0 or more")
    return asyncio.run(_run(ctx, date, expiring))


async def _run(ctx: Context, date: str | None, expiring: int | None) -> Exit:
    from illvid_tui.core.dmca import totals, urgency

    async with ctx.client() as client:
        notices = await client.files_dmca(date=date, order=ctx.args.order)
    today = ctx.today()
    rows: list[dict[str, Any]] = []
    for notice in notices:
        days = days_left(notice.expires, today)
        if expiring is not None and (days is None or not 0 <= days <= expiring):
            continue
        rows.append(
            {
                "file_code": notice.file_code,
                "dmca_created": notice.created.isoformat() if notice.created else None,
                "dmca_expire": notice.expires.isoformat() if notice.expires else None,
                "days_left": days,
                "extra": dict(notice.extra),
            }
        )
    out = ctx.out
    if out.fmt == "json":
        out.document(rows)
    elif out.fmt == "csv":
        out.csv(HEADER, ([r[k] for k in HEADER] for r in rows))
    else:
        out.table(
            ("CODE", "NOTICE", "EXPIRES", "DAYS LEFT"),
            [
                (r["file_code"], r["dmca_created"], r["dmca_expire"], format_days(r["days_left"]))
                for r in rows
            ],
            styles=[_STYLE.get(urgency(r["days_left"])) for r in rows],
        )
    if expiring is None:
        out.note(totals(urgency(r["days_left"]) for r in rows).describe())
        return Exit.OK
    # The window the user asked for, not the screen's fixed "soon" (SOON_DAYS).
    unit = "day" if expiring == 1 else "days"
    out.note(f"{len(rows):,} of {len(notices):,} notices expire within {expiring} {unit}")
    return Exit.ATTENTION if rows else Exit.OK
