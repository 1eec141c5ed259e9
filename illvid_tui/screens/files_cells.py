"""What the Files screen shows: cells and rows, the totals line, the view filter."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rich.text import Text

from illvid_tui.api.errors import IllvidError
from illvid_tui.core.filecheck import Change, CheckRun, change_of
from illvid_tui.core.renew import RenewOutcome, describe_failure
from illvid_tui.widgets.table import Column

#: The state filter `f` cycles through.
FILTERS: tuple[str, ...] = ("all", "missing", "found", "changed", "renew failed")
#: The columns, in order: `s` cycles through them, the CSV export writes them.
SORTABLE = ("code", "status", "change", "renew")
COLUMNS = (
    Column("code", "Code", width=16, shorten="middle"),
    Column("status", "Status", width=13),
    Column("change", "Change", width=16),
    Column("renew", "Renew"),
)
#: The renew state of a code while its renewal is in flight.
RENEWING = "renewing"

#: A file's renew state: in flight, or how its renewal ended.
RenewState = RenewOutcome | str

# Cells are shared, immutable values: building a `Text` per row would cost
# ~7 us each, 70 ms for a 10,000-code table (a visible stall).
_WAITING = Text("… waiting", style="dim")
_NOT_CHECKED = Text("- not checked", style="dim")
_MISSING = Text("✗ missing", style="bold red")
_FOUND = Text("✓ found", style="green")
_EMPTY = Text("")
_CHANGES = {
    Change.NEWLY_MISSING: Text("▼ newly missing", style="bold red"),
    Change.BACK: Text("▲ back", style="bold green"),
    Change.SAME: Text("same", style="dim"),
    Change.FIRST: _EMPTY,
}
#: Codes the check did not reach (stopped, cancelled): their result at the check before.
_LAST_MISSING = Text("✗ missing", style="dim red")
_LAST_FOUND = Text("✓ found", style="dim green")
_NOT_RECHECKED = Text("- not re-checked", style="dim")
_RENEWING_CELL = Text("… renewing", style="dim")
_RENEWED_CELL = Text("✓ renewed", style="green")


def status_cell(missing: bool | None, running: bool) -> Text:
    if missing is None:
        return _WAITING if running else _NOT_CHECKED
    return _MISSING if missing else _FOUND


def refused_cell(error: IllvidError) -> Text:
    """The status of a code whose batch the server refused: "! refused 451"."""
    return Text(f"! refused {error.status}" if error.status else "! refused", style="bold yellow")


def change_cell(change: Change | None) -> Text:
    return _EMPTY if change is None else _CHANGES[change]


def renew_cell(outcome: RenewState | None) -> Text:
    if outcome is None:
        return _EMPTY
    if outcome == RENEWING:
        return _RENEWING_CELL
    if outcome is True:
        return _RENEWED_CELL
    if isinstance(outcome, IllvidError):
        return Text(f"✗ {describe_failure(outcome)}", style="bold red")
    return Text(str(outcome))


def file_row(
    code: str, run: CheckRun | None, renew: Mapping[str, RenewState], checking: bool
) -> dict[str, Any]:
    """The cells of one code: its last result, how it changed, its renewal.

    A code this run did not reach (the check stopped or was cancelled) shows
    its result at the check before, dimmed, marked "not re-checked".
    """
    missing = run.results.get(code) if run is not None else None
    status = status_cell(missing, checking)
    change: Text = _EMPTY
    if run is not None and missing is not None:
        change = change_cell(change_of(run.previous.get(code), missing))
    elif run is not None and not checking:
        error = run.failed.get(code)
        before = run.previous.get(code)
        if error is not None:
            status = refused_cell(error)
        elif before is not None:
            status, change = (_LAST_MISSING if before else _LAST_FOUND), _NOT_RECHECKED
    return {
        "code": code,
        "status": status,
        "change": change,
        "renew": renew_cell(renew.get(code)),
    }


def export_cell(value: Any) -> str:
    """A cell as plain text for a CSV file, without its marker."""
    text = value.plain if isinstance(value, Text) else str(value or "")
    return text.lstrip("✓✗▼▲…!- ").strip()


def totals_text(run: CheckRun | None, checking: bool) -> Text:
    """The one-line summary of a check: found, missing, what changed, what is left.

    "No change since the last check" is said only of a check that answered
    every code: a stopped check knows nothing about the codes it did not reach.
    """
    if run is None:
        return Text("No check yet.")
    counts = run.changes()
    found = len(run.results) - run.missing
    text = Text()
    text.append(f"{len(run.codes):,} codes · ")
    text.append(f"✓ {found:,} found", style="green")
    text.append(" · ")
    text.append(f"✗ {run.missing:,} missing", style="red" if run.missing else "")
    if counts[Change.NEWLY_MISSING]:
        text.append(f" · ▼ {counts[Change.NEWLY_MISSING]:,} newly missing", style="red")
    if counts[Change.BACK]:
        text.append(f" · ▲ {counts[Change.BACK]:,} back", style="green")
    if run.failed:
        text.append(f" · ! {len(run.failed):,} refused", style="yellow")
    unchecked = run.unanswered
    if run.previous and not unchecked and not (counts[Change.NEWLY_MISSING] or counts[Change.BACK]):
        text.append(" · no change since the last check")
    if unchecked:
        text.append(f" · {unchecked:,} {'to go' if checking else 'not checked'}")
    return text


def view_label(state: str, search: str) -> str:
    """What the view is narrowed to, in words ("" when it shows everything)."""
    parts = [] if state == "all" else [f"{state} only"]
    if search:
        parts.append(f"matching {search!r}")
    return ", ".join(parts)


def view_filter(
    state: str, search: str, run: CheckRun | None, renew: Mapping[str, RenewState]
) -> Callable[[str, Mapping[str, Any]], bool] | None:
    """The table filter for state `state` (one of `FILTERS`) and text `search`."""
    needle = search.casefold()
    if state == "all" and not needle:
        return None
    results = run.results if run is not None else {}
    previous = run.previous if run is not None else {}

    def keep(code: str, row: Mapping[str, Any]) -> bool:
        if needle and needle not in code.casefold():
            return False
        if state == "all":
            return True
        missing = results.get(code)
        if state == "missing":
            return missing is True
        if state == "found":
            return missing is False
        if state == "changed":
            if missing is None:
                return False
            change = change_of(previous.get(code), missing)
            return change in (Change.NEWLY_MISSING, Change.BACK)
        return isinstance(renew.get(code), IllvidError)

    return keep


__all__ = [
    "COLUMNS",
    "FILTERS",
    "RENEWING",
    "SORTABLE",
    "RenewState",
    "export_cell",
    "file_row",
    "refused_cell",
    "totals_text",
    "view_filter",
    "view_label",
]
