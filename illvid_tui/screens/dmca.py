"""The DMCA screen: notices against the account's files, in a table that stays instant.

`files_dmca` takes two filters, `date` and `order`; changing one asks the
server again. Each request gets a generation number: a newer request cancels
the older worker (one exclusive group) and an answer whose generation is no
longer current is dropped, so a slow old answer never overwrites a new one.
The raw answer is parsed and turned into rows in a thread (one pass, the
days-left cells shared per expiry date), then handed to the table whole.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Mapping
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, Label, Static

from illvid_tui.api.errors import IllvidError
from illvid_tui.api.models import DmcaNotice
from illvid_tui.core import dmca
from illvid_tui.core.dmca_cache import DmcaCache, describe_age
from illvid_tui.screens.dmca_actions import DmcaRowActions
from illvid_tui.screens.dmca_rows import (
    COLUMNS,
    SORT_NAMES,
    Prepared,
    prepare_rows,
)
from illvid_tui.widgets.footer import AppFooter
from illvid_tui.widgets.header import AppHeader
from illvid_tui.widgets.table import FastTable
from illvid_tui.widgets.table.position import TablePosition
from illvid_tui.widgets.worker_errors import ForwardsWorkerErrors


class DmcaScreen(ForwardsWorkerErrors, DmcaRowActions):
    """DMCA notices: filters, a fast table, renew / copy / export on rows."""

    SORT_COLUMNS = tuple(c.key for c in COLUMNS)
    DEFAULT_SORT = "expires"
    SORT_NAMES = SORT_NAMES
    SEARCH_HIDES = False
    DEFAULT_CSS = """
    DmcaScreen #dmca-bar { height: 1; padding: 0 1; background: $panel; }
    DmcaScreen #dmca-bar Label { padding: 0 1 0 0; }
    DmcaScreen #dmca-bar Input {
        border: none; height: 1; padding: 0 1; background: $boost;
    }
    DmcaScreen #dmca-bar Input:focus { background: $accent 30%; }
    DmcaScreen #dmca-bar Input:nocolor { text-style: underline; }
    DmcaScreen #dmca-bar Input.-invalid { background: $error 40%; }
    DmcaScreen #dmca-date { width: 14; }
    DmcaScreen #dmca-search { width: 1fr; min-width: 10; }
    DmcaScreen #dmca-order { width: auto; padding: 0 2 0 1; }
    DmcaScreen #dmca-search-label { padding: 0 1 0 0; }
    DmcaScreen #dmca-status { height: 1; padding: 0 1; color: $text-muted; }
    DmcaScreen #dmca-status.-error { color: $error; text-style: bold; }
    DmcaScreen #dmca-table { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Footer order = what matters most first (80 columns show about seven).
        Binding("slash", "search", "Search", id="dmca.search"),
        Binding("d", "edit_date", "Date", id="dmca.date"),
        Binding("o", "toggle_order", "Order", id="dmca.order"),
        Binding("s", "cycle_sort", "Sort", id="dmca.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="dmca.sort_reverse"),
        Binding("n", "renew", "Renew", id="dmca.renew"),
        Binding("e", "export", "Export", id="dmca.export"),
        Binding("c", "copy_code", "Copy code", id="dmca.copy_code"),
        Binding("l", "copy_link", "Copy link", show=False, id="dmca.copy_link"),
        Binding("a", "mark_all", "Mark all shown", show=False, id="dmca.mark_all"),
        Binding("r", "refresh", "Refresh", id="dmca.refresh"),
        Binding("escape", "clear", "Clear search/marks", show=False, id="dmca.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.date_filter: str | None = None
        self.order = "down"
        self.totals = dmca.Totals()
        self._generation = 0
        self._loaded = False
        #: The date the days-left column was counted from.
        self._counted_from: dt.date | None = None
        self._loading = False
        #: Set once mounted: answers that arrive earlier wait for it (see compose).
        self._mounted = asyncio.Event()
        self._status: tuple[str, bool] = ("", False)
        #: A preview that arrived before the widgets were mounted.
        self._early: tuple[int, list[DmcaNotice]] | None = None
        #: When the list on screen was saved, while the saved one is shown.
        self._saved_at: dt.datetime | None = None
        #: Why the last request failed (None while it runs or once it answered).
        self._failure: IllvidError | None = None
        # The request goes out before the widgets are built: building and styling
        # them takes Textual 0.1-0.2 s, and the answer travels meanwhile.
        if self.illvid.account_id is not None:
            self.reload()

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Horizontal(id="dmca-bar"):
            yield Label("date", id="dmca-date-label")
            yield Input(placeholder="YYYY-MM-DD", max_length=10, id="dmca-date")
            yield Static(self._order_text(), id="dmca-order", markup=False)
            yield Label("search", id="dmca-search-label")
            yield Input(placeholder="file code  (/)", id="dmca-search", classes="table-search")
        yield Static("", id="dmca-status", markup=False)
        yield FastTable(COLUMNS, id="dmca-table", empty_text="No DMCA notices.")
        yield TablePosition(id="dmca-position")
        yield AppFooter()

    @property
    def table(self) -> FastTable:
        return self.query_one("#dmca-table", FastTable)

    def on_mount(self) -> None:
        self.table.focus()
        self._mounted.set()
        self._set_status(*self._status)
        if self._early is not None:
            self._show_first(*self._early)
        self.watch(self.app, "account_id", self._account_changed, init=False)
        if self._generation == 0:  # not signed in when composed
            self._account_changed(self.illvid.account_id)
        elif self.illvid.account_id is not None and not self.table.total_count:
            # Only when the answer's first rows are not in yet: reading 2.5 MB
            # would only slow a fast server's answer down.
            self._read_saved(self.illvid.account_id, self._generation)
        # Days left count from today: a screen left open overnight asks again.
        self.set_interval(60, self.roll_over_at_midnight)

    def roll_over_at_midnight(self) -> None:
        """Reload when the date the days left were counted from is no longer today."""
        if self._loaded and not self._loading and self.illvid.today() != self._counted_from:
            self.reload()

    def _account_changed(self, account_id: str | None) -> None:
        if account_id is not None:
            self._results.clear()
            # Another account's notices never stay on screen while its own load.
            self._loaded, self._saved_at = False, None
            self.table.clear()
            self.reload()
            self._read_saved(account_id, self._generation)
        else:
            self._set_status("Not signed in.")

    # -- loading ---------------------------------------------------------------

    def reload(self) -> None:
        """Ask the server again with the current filters (cancels a request in flight)."""
        self._counted_from = self.illvid.today()
        self._generation += 1
        self._loading = True
        self._failure = None
        parts = [f"date {self.date_filter}" if self.date_filter else "no date filter"]
        parts.append(f"order {self.order}")
        self._set_status(f"⟳ loading notices ({', '.join(parts)})…")
        self._fetch(self._generation, self.date_filter, self.order)

    @work(exclusive=True, group="dmca.load", exit_on_error=False)
    async def _fetch(self, generation: int, date: str | None, order: str) -> None:
        client = self.illvid.client
        account = self.illvid.account_id
        if client is None:
            return
        seen: dict[str, Text] = {}
        try:
            notices = await client.files_dmca(
                date=date, order=order, on_first=partial(self._show_first, generation)
            )
            seen = dict(self._results)
            prepared = await asyncio.to_thread(
                prepare_rows, notices, self._counted_from or self.illvid.today(), seen
            )
        except IllvidError as error:
            await self._mounted.wait()
            if generation == self._generation:
                self._loading = False
                self._failure = error
                self._show_error(error)
            return
        await self._mounted.wait()
        if self.apply(generation, prepared, seen) and date is None and account is not None:
            self._save(account, order, notices)

    # -- the last list, saved --------------------------------------------------------

    def _saved_lists(self) -> DmcaCache | None:
        settings = self.illvid.settings
        # --demo keeps its state in memory: nothing of it goes to disk.
        return None if settings.demo else DmcaCache(settings.state_dir / "cache")

    @work(group="dmca.saved", exit_on_error=False, description="read the last DMCA list")
    async def _read_saved(self, account: str, generation: int) -> None:
        """Show the list saved last time until the server answers (read in threads)."""
        cache = self._saved_lists()
        saved = None if cache is None else await asyncio.to_thread(cache.load, account)
        if saved is None or saved.order != self.order or self.date_filter:
            return
        today = self._counted_from or self.illvid.today()
        prepared = await asyncio.to_thread(prepare_rows, saved.notices, today, dict(self._results))
        await self._mounted.wait()
        if generation != self._generation or self._loaded or self.table.total_count:
            return  # the answer (or its first rows) came first
        self.totals = prepared.totals
        self._more_keys = prepared.more_keys
        self.table.set_rows(prepared.rows)
        self._saved_at = saved.saved_at
        if self._failure is not None:  # the server already said no
            self._show_error(self._failure)
            return
        age = describe_age(saved.saved_at, self.illvid.now())
        self._set_status(f"⟳ the list saved {age} ({len(saved.notices):,}); asking the server…")

    @work(group="dmca.save", exit_on_error=False, description="save the DMCA list")
    async def _save(self, account: str, order: str, notices: list[DmcaNotice]) -> None:
        cache = self._saved_lists()
        if cache is not None:
            await asyncio.to_thread(cache.save, account, order, notices, self.illvid.now())

    def apply(
        self, generation: int, prepared: Prepared, seen: Mapping[str, Text] | None = None
    ) -> bool:
        """Show an answer, unless a newer request was made since (then drop it).

        `seen` are the renew results the rows were built with (None: none):
        a renew answered while the rows were prepared is shown again here.
        """
        if generation != self._generation:
            return False
        self._loading = False
        self._loaded = True
        self._saved_at = None
        self.totals = prepared.totals
        self._more_keys = prepared.more_keys
        self.table.set_rows(prepared.rows)
        seen = seen or {}
        late: dict[int, tuple[Text, list[str]]] = {}
        for code, cell in self._results.items():
            if seen.get(code) is not cell:
                late.setdefault(id(cell), (cell, []))[1].append(code)
        for cell, codes in late.values():
            self._set_results(codes, cell)
        self._update_status()
        return True

    def _show_first(self, generation: int, notices: list[DmcaNotice]) -> None:
        """Show the first notices of a long answer while the rest is decoded.

        Only into an empty, unsorted, unsearched table: rows already shown stay
        until the whole answer replaces them, and a sort or search needs all rows.
        """
        if not self._mounted.is_set():
            self._early = (generation, notices)
            return
        self._early = None
        table = self.table
        if (
            generation != self._generation
            or self._loaded
            or table.total_count
            or table.sort_column is not None
            or self.search_text
        ):
            return
        prepared = prepare_rows(notices, self._counted_from or self.illvid.today(), self._results)
        table.set_rows(prepared.rows)
        word = "newest" if self.order == "down" else "oldest"
        self._set_status(f"⟳ the {len(notices):,} {word} notices shown, loading the rest…")

    def _show_error(self, error: IllvidError) -> None:
        text = f"✗ {error}"
        if error.hint:
            text += f"  {error.hint}"
        if self._saved_at is not None:
            text += f" · showing the list saved {describe_age(self._saved_at, self.illvid.now())}"
        self._set_status(text, error=True)

    # -- status line -------------------------------------------------------------

    def _set_status(self, text: str, error: bool = False) -> None:
        self._status = (text, error)
        if not self._mounted.is_set():
            return  # on_mount shows it
        status = self.query_one("#dmca-status", Static)
        status.update(text)
        status.set_class(error, "-error")

    def _update_status(self) -> None:
        if self._renew_progress is not None:
            self._set_status(self._renew_progress)
            return
        if self._loading or not self._loaded:
            return
        table = self.table
        text = self.totals.describe()
        if self.search_text:
            text += f" · {table.row_count:,} match {self.search_text.lower()!r}"
        if table.marked:
            text += f" · {len(table.marked):,} marked"
        self._set_status(text)

    def _order_text(self) -> str:
        arrow = "▼" if self.order == "down" else "▲"
        return f"order {arrow} {self.order} (o)"

    # -- filters -------------------------------------------------------------------

    def action_edit_date(self) -> None:
        """Focus the date filter."""
        self.query_one("#dmca-date", Input).focus()

    @on(Input.Submitted, "#dmca-date")
    def _date_submitted(self, event: Input.Submitted) -> None:
        field = event.input
        try:
            value = dmca.parse_date_filter(event.value)
        except dmca.DateFilterError as error:
            field.add_class("-invalid")
            self._set_status(f"✗ {error}", error=True)
            return
        field.remove_class("-invalid")
        self.table.focus()
        if value != self.date_filter or not self._loaded:
            self.date_filter = value
            self.reload()
        else:
            self._update_status()

    def action_toggle_order(self) -> None:
        """Switch between order=down and order=up, and reload."""
        self.order = "up" if self.order == "down" else "down"
        self.query_one("#dmca-order", Static).update(self._order_text())
        self.reload()

    def action_refresh(self) -> None:
        """Reload with the current filters."""
        self.reload()

    def _apply_view(self, *, to_top: bool = False) -> None:
        needle = self.search_text.lower()
        if needle:
            self.table.set_filter(lambda key, row: needle in row["code"].lower(), to_top=to_top)
        else:
            self.table.set_filter(None, to_top=to_top)
        self._update_status()

    def action_clear(self) -> None:
        """Esc: stop a renewal; the date field goes back to its filter; else as on every table."""
        if self.stop_renewing():
            return
        focused = self.focused
        if isinstance(focused, Input) and focused.id == "dmca-date":
            focused.remove_class("-invalid")
            focused.value = self.date_filter or ""
            self._update_status()
            self.table.focus()
            return
        self.escape_table()

    # -- marks -------------------------------------------------------------------------

    def action_mark_all(self) -> None:
        """Mark every row shown (after the search)."""
        self.table.mark_all_visible()

    @on(FastTable.MarksChanged, "#dmca-table")
    @on(FastTable.ViewChanged, "#dmca-table")
    def _marks_or_view_changed(self) -> None:
        # A big table sorts and searches in a thread: the match count follows the view.
        self._update_status()


__all__ = ["DmcaScreen"]
