"""The DMCA table's rows: columns, days-left cells, rows built from an answer, CSV rows.

No widgets here: `prepare_rows` runs in a thread over 50,000 notices, so it
parses each distinct date once and shares one days-left cell per expiry date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from illvid_tui.api.errors import IllvidError
from illvid_tui.api.models import DmcaNotice, parse_date
from illvid_tui.core import dmca
from illvid_tui.core.renew import RenewOutcome, describe_failure
from illvid_tui.gcpause import building_big_data
from illvid_tui.widgets.table import Column

_URGENCY_STYLE: dict[dmca.Urgency, str] = {
    "expired": "bold red",
    "soon": "bold yellow",
    "ok": "",
    "unknown": "dim",
}


class DaysCell(Text):
    """The days-left cell: styled text plus the number, for sorting.

    One instance per distinct expiry date, shared by every row with that date.
    """

    def __init__(self, days: int | None) -> None:
        level = dmca.urgency(days)
        super().__init__(dmca.format_days(days), style=_URGENCY_STYLE[level])
        self.days = days
        self.level = level


def _days_sort_key(cell: Any) -> int:
    # A plain int (not a tuple) keeps list.sort on its fast path; unknown sorts as far future.
    days = getattr(cell, "days", None)
    return _NEVER if days is None else int(days)


_NEVER = 10**9


class ResultCell(Text):
    """The renew-result cell: a marked, styled text, and plain words for a CSV file."""

    def __init__(self, text: str, word: str, style: str) -> None:
        super().__init__(text, style=style)
        self.word = word


RENEWING = ResultCell("… renewing", "renewing", "italic")
RENEWED = ResultCell("✓ renewed", "renewed", "green")


def result_cell(outcome: RenewOutcome) -> ResultCell:
    """The cell of one renew outcome: renewed, or why not ("✗ Not found (404)")."""
    if outcome is True:
        return RENEWED
    reason = describe_failure(outcome) if isinstance(outcome, IllvidError) else "refused"
    return ResultCell(f"✗ {reason}", f"failed: {reason}", "red")


COLUMNS = (
    Column("code", "file code", width=14, shorten="middle"),
    Column("created", "notice date", width=11),
    Column("expires", "expiry date", width=11),
    Column("days", "days left", width=11, sort_key=_days_sort_key),
    Column("result", "renew result"),
)
#: What `s` cycles through, and the readable name of each.
SORT_NAMES = {c.key: c.label for c in COLUMNS}


@dataclass(frozen=True)
class Prepared:
    """An answer turned into table rows (built in a thread)."""

    rows: list[tuple[str, dict[str, Any]]]
    totals: dmca.Totals
    #: Keys of second and later notices on one file, by code ({"abc": ["abc#2"]}).
    more_keys: dict[str, list[str]] = field(default_factory=dict)


def prepare_rows(
    notices: Sequence[DmcaNotice], today: dt.date, results: dict[str, Text]
) -> Prepared:
    """Turn notices into one table row each, in one pass.

    Keys are file codes; a code with several notices gets "code#2", "code#3".
    `results` are renew results kept from before, shown again. Each distinct
    date is formatted once and each distinct expiry date gets one shared
    days-left cell: 50,000 notices carry only a few hundred dates. Dates are
    kept as ISO text, which sorts like the date and several times faster.
    """
    with building_big_data():
        items = [(n.file_code, n.created, n.expires) for n in notices]
        return _prepare(items, today, results)


def _prepare(
    items: list[tuple[str, Any, Any]], today: dt.date, results: dict[str, Text]
) -> Prepared:
    dates: dict[Any, tuple[str | None, dt.date | None]] = {}
    cells: dict[dt.date | None, DaysCell] = {}
    per_cell: Counter[dt.date | None] = Counter()
    rows: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    more_keys: dict[str, list[str]] = {}
    for code, created_raw, expires_raw in items:
        created = dates.get(created_raw)
        if created is None:
            created = dates[created_raw] = _read_date(created_raw)
        expires = dates.get(expires_raw)
        if expires is None:
            expires = dates[expires_raw] = _read_date(expires_raw)
        expiry_date = expires[1]
        cell = cells.get(expiry_date)
        if cell is None:
            cell = cells[expiry_date] = DaysCell(dmca.days_left(expiry_date, today))
        per_cell[expiry_date] += 1
        key = code
        if key in seen:
            number = 2
            while f"{code}#{number}" in seen:
                number += 1
            key = f"{code}#{number}"
            more_keys.setdefault(code, []).append(key)
        seen.add(key)
        row = {
            "code": code,
            "created": created[0],
            "expires": expires[0],
            "days": cell,
            "result": results.get(code),
        }
        rows.append((key, row))
    levels: Counter[dmca.Urgency] = Counter()
    for expiry_date, count in per_cell.items():
        levels[cells[expiry_date].level] += count
    totals = dmca.Totals(len(rows), levels["soon"], levels["expired"])
    return Prepared(rows, totals, more_keys)


def _read_date(raw: Any) -> tuple[str | None, dt.date | None]:
    value = parse_date(raw)
    return (None if value is None else value.isoformat()), value


def export_rows(rows: Sequence[Any]) -> list[tuple[object, ...]]:
    """CSV rows (see `dmca.CSV_HEADER`) from table rows: plain words, no glyphs."""
    out: list[tuple[object, ...]] = []
    for row in rows:
        result = row.get("result")
        if isinstance(result, ResultCell):
            result = result.word
        out.append(
            (
                row["code"],
                row["created"] or "",
                row["expires"] or "",
                getattr(row["days"], "days", None),
                result.plain if isinstance(result, Text) else (result or ""),
            )
        )
    return out


__all__ = [
    "COLUMNS",
    "RENEWED",
    "RENEWING",
    "SORT_NAMES",
    "DaysCell",
    "Prepared",
    "ResultCell",
    "export_rows",
    "prepare_rows",
    "result_cell",
]
