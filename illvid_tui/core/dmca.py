"""DMCA notices without widgets: the date filter, days left, totals, export rows.

Pure functions, cheap per call: the DMCA screen runs them over 50,000
notices in one pass (in a thread), so nothing here parses a date per row
more than once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

#: Notices expiring within this many days (today included) count as "soon".
SOON_DAYS = 3

Urgency = Literal["expired", "soon", "ok", "unknown"]

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateFilterError(ValueError):
    """The date filter is not a real YYYY-MM-DD date; the text says what to type."""


def parse_date_filter(text: str) -> str | None:
    """The `date` parameter for `files_dmca`: None when empty, else a checked YYYY-MM-DD.

    Raises:
        DateFilterError: for anything but an existing calendar date written
            YYYY-MM-DD ("2026-2-1", "01.02.2026", "2026-02-30" are refused).
    """
    value = text.strip()
    if not value:
        return None
    if not _DATE_RE.match(value):
        raise DateFilterError(f"date must be YYYY-MM-DD, e.g. 2026-11-01 (got {value!r})")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise DateFilterError(f"{value} is not a calendar date") from None
    return value


def days_left(expires: dt.date | None, today: dt.date) -> int | None:
    """Whole days from `today` to `expires`: 0 on the day, negative once past."""
    return None if expires is None else (expires - today).days


def urgency(days: int | None) -> Urgency:
    """How urgent a notice is: expired (past), soon (0..SOON_DAYS days), ok, or unknown."""
    if days is None:
        return "unknown"
    if days < 0:
        return "expired"
    return "soon" if days <= SOON_DAYS else "ok"


#: Text markers, so urgency reads without colour (NO_COLOR=1).
MARKERS: dict[Urgency, str] = {"expired": "✗", "soon": "!", "ok": " ", "unknown": "?"}


def format_days(days: int | None) -> str:
    """The days-left cell: "✗ 3d ago", "! today", "! 1 day", "  12 days", "? unknown"."""
    mark = MARKERS[urgency(days)]
    if days is None:
        return f"{mark} unknown"
    if days < 0:
        return f"{mark} {-days}d ago"
    if days == 0:
        return f"{mark} today"
    return f"{mark} {days} day" + ("" if days == 1 else "s")


@dataclass(frozen=True)
class Totals:
    """Counts for the status line."""

    notices: int = 0
    soon: int = 0
    expired: int = 0

    def describe(self) -> str:
        """ "1,204 notices · 37 expiring soon · 12 expired"."""
        word = "notice" if self.notices == 1 else "notices"
        return (
            f"{self.notices:,} {word} · {self.soon:,} expiring soon (≤{SOON_DAYS}d)"
            f" · {self.expired:,} expired"
        )


def totals(urgencies: Iterable[Urgency]) -> Totals:
    """Totals from one urgency per notice."""
    notices = soon = expired = 0
    for level in urgencies:
        notices += 1
        if level == "soon":
            soon += 1
        elif level == "expired":
            expired += 1
    return Totals(notices, soon, expired)


CSV_HEADER = ("file_code", "notice_date", "expiry_date", "days_left", "renew_result")


__all__ = [
    "CSV_HEADER",
    "MARKERS",
    "SOON_DAYS",
    "DateFilterError",
    "Totals",
    "Urgency",
    "days_left",
    "format_days",
    "parse_date_filter",
    "totals",
    "urgency",
]
