"""The Files screen: check which files still exist, see what changed, renew them.

Input is pasted into the box (or loaded from a file): codes or links, any
mix, any separators. Big pastes (thousands of lines) are held aside rather
than put into the editor, which would stall on them; parsing runs in a
thread. The check goes through `client.check_files` batch by batch, so the
table fills as answers land and Esc keeps what came back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, ProgressBar, Static, TextArea
from textual.worker import Worker, WorkerState

from illvid_tui.api.client import BatchDone, IllvidClient
from illvid_tui.api.errors import IllvidError
from illvid_tui.core.codes import ParsedCodes, parse_codes
from illvid_tui.core.export import ExportError, write_csv, write_lines
from illvid_tui.core.filecheck import Change, CheckRun, FileCheckStore, change_of
from illvid_tui.core.renew import RenewOutcome, RenewSummary, describe_failure, renew_codes
from illvid_tui.gcpause import building_big_data
from illvid_tui.widgets.header import AppHeader
from illvid_tui.widgets.path_input import PathInput
from illvid_tui.widgets.table import Column, FastTable

if TYPE_CHECKING:
    from illvid_tui.app import IllvidApp

T = TypeVar("T")

#: A paste or file with this many lines or more is held aside, not edited in the box.
BIG_TEXT_LINES = 2000
#: Largest file loaded (a list of codes is a few MB at most).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: (id, label, predicate on (missing, change, renew outcome)) of the state filter.
FILTERS: tuple[str, ...] = ("all", "missing", "found", "changed", "renew failed")
SORTABLE = ("code", "status", "change", "renew")
#: Rows written per transaction when the database can't be used from a thread.
SAVE_SLICE = 1000

_RENEWING = "renewing"


class PasteArea(TextArea):
    """The paste box; a big paste is handed to the screen instead of the editor."""

    @dataclass
    class BigText(Message):
        """Text too big to edit in the box, with where it came from."""

        text: str
        origin: str

    def on_paste(self, event: events.Paste) -> None:
        if event.text.count("\n") + 1 >= BIG_TEXT_LINES:
            event.prevent_default()  # the editor would stall on it
            event.stop()
            self.post_message(self.BigText(event.text, "pasted"))


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
_RENEWING_CELL = Text("… renewing", style="dim")
_RENEWED_CELL = Text("✓ renewed", style="green")


def _status_cell(missing: bool | None, running: bool) -> Text:
    if missing is None:
        return _WAITING if running else _NOT_CHECKED
    return _MISSING if missing else _FOUND


def _change_cell(change: Change | None) -> Text:
    return _EMPTY if change is None else _CHANGES[change]


def _renew_cell(outcome: RenewOutcome | str | None) -> Text:
    if outcome is None:
        return _EMPTY
    if outcome == _RENEWING:
        return _RENEWING_CELL
    if outcome is True:
        return _RENEWED_CELL
    if isinstance(outcome, IllvidError):
        return Text(f"✗ {describe_failure(outcome)}", style="bold red")
    return Text(str(outcome))


class FilesScreen(Screen[None]):
    """Check file codes, compare with the last check, renew, copy and export."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "check", "Check", id="files.check"),
        Binding("ctrl+r", "check", "Check", show=False, id="files.check_anywhere"),
        Binding("escape", "cancel", "Cancel", id="files.cancel"),
        Binding("i", "edit", "Edit", id="files.edit"),
        Binding("o", "open_file", "Load", id="files.open"),
        Binding("ctrl+l", "clear_input", "Clear list", show=False, id="files.clear"),
        Binding("n", "renew", "Renew", id="files.renew"),
        Binding("N", "renew_all", "Renew all found", show=False, id="files.renew_all"),
        Binding("f", "cycle_filter", "Filter", id="files.filter"),
        Binding("slash", "search", "Search", id="files.search"),
        Binding("s", "cycle_sort", "Sort", show=False, id="files.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="files.sort_reverse"),
        Binding("c", "copy_code", "Copy code", show=False, id="files.copy_code"),
        Binding("l", "copy_link", "Copy link", show=False, id="files.copy_link"),
        Binding("y", "copy_missing", "Copy missing", show=False, id="files.copy_missing"),
        Binding("Y", "copy_found", "Copy found", show=False, id="files.copy_found"),
        Binding("e", "export", "Export", id="files.export"),
    ]

    DEFAULT_CSS = """
    FilesScreen { layout: vertical; }
    FilesScreen #files-input { height: auto; }
    FilesScreen #files-paste { height: 5; border: round $panel-lighten-2; padding: 0; }
    FilesScreen #files-paste:focus { border: round $accent; }
    FilesScreen #files-load { height: 1; }
    FilesScreen #files-load Label { width: auto; padding: 0 1; }
    FilesScreen #files-path { border: none; height: 1; padding: 0; }
    FilesScreen #files-parsed { height: 1; padding: 0 1; color: $text-muted; }
    FilesScreen #files-rejected {
        height: auto; max-height: 3; padding: 0 1; color: $warning; overflow-y: auto;
    }
    FilesScreen #files-totals { height: 1; padding: 0 1; text-style: bold; }
    FilesScreen #files-report { height: auto; max-height: 2; padding: 0 1; }
    FilesScreen #files-progress { height: 1; padding: 0 1; }
    FilesScreen #files-progress ProgressBar { width: 20; }
    FilesScreen #files-progress-label { width: 1fr; padding: 0 1; }
    FilesScreen #files-search { border: none; height: 1; padding: 0 1; }
    FilesScreen #files-table { height: 1fr; }
    FilesScreen .hidden { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        #: Text held aside (a big paste or a loaded file), and where it came from.
        self._bulk = ""
        self._bulk_origin = ""
        self._parsed: ParsedCodes | None = None
        self._run: CheckRun | None = None
        self._renew: dict[str, RenewOutcome | str] = {}
        self._renew_done = 0
        self._renew_total = 0
        self._job: Worker[None] | None = None
        self._filter = "all"
        self._search = ""
        self._store: FileCheckStore | None = None
        self._parse_timer: Timer | None = None
        #: True while a check is waiting for answers (rows say "waiting", not "not checked").
        self._checking = False

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with Vertical(id="files-input"):
            paste = PasteArea(id="files-paste", soft_wrap=False, show_line_numbers=False)
            paste.border_title = "Codes or links: paste anywhere · i types here · Esc leaves"
            yield paste
            with Horizontal(id="files-load"):
                yield Label("File:")
                yield PathInput(
                    placeholder="path to a list of codes or links (Tab completes, Enter loads)",
                    id="files-path",
                )
            yield Static("", id="files-parsed", markup=False)
            yield Static("", id="files-rejected", markup=False, classes="hidden")
        yield Static("", id="files-totals", markup=False)
        yield Static("", id="files-report", markup=False, classes="hidden")
        with Horizontal(id="files-progress", classes="hidden"):
            yield ProgressBar(id="files-bar", show_eta=False)
            yield Static("", id="files-progress-label", markup=False)
        yield Input(placeholder="search codes (Enter keeps, Esc clears)", id="files-search")
        yield FastTable(
            [
                Column("code", "Code", width=16, shorten="middle"),
                Column("status", "Status", width=13),
                Column("change", "Change", width=16),
                Column("renew", "Renew"),
            ],
            empty_text="No codes checked yet: paste codes or links (or press i to type), then r.",
            id="files-table",
        )
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#files-search").add_class("hidden")
        self._show_parsed(None)
        self._show_totals()
        # Not the paste box: it would swallow the section keys (1-4, ?, q).
        self.table.focus()
        if hasattr(self.app, "account_id"):
            self.watch(self.app, "account_id", self._account_changed, init=False)

    def on_screen_resume(self) -> None:
        # Coming back to the section lands on the table too, never in a text box.
        if isinstance(self.focused, Input | TextArea):
            self.table.focus()

    @property
    def _illvid(self) -> IllvidApp:
        return cast("IllvidApp", self.app)

    @property
    def table(self) -> FastTable:
        return self.query_one("#files-table", FastTable)

    def _account_changed(self, account: str | None) -> None:
        # Results belong to an account: another account's check is not shown.
        if self._job is not None:
            self._job.cancel()
        self._run = None
        self._renew.clear()
        self.table.clear()
        self._show_totals()

    # -- input -------------------------------------------------------------------

    def _source_text(self) -> str:
        box = self.query_one(PasteArea).text
        return f"{self._bulk}\n{box}" if self._bulk else box

    @on(TextArea.Changed, "#files-paste")
    def _text_changed(self) -> None:
        self._parse_soon()

    def on_paste(self, event: events.Paste) -> None:
        """A paste while the table has focus still lands in the list."""
        if not isinstance(self.focused, Input | TextArea):
            event.stop()
            self._take_text(self._merge_with_box(event.text), "pasted")

    def _merge_with_box(self, text: str) -> str:
        box = self.query_one(PasteArea).text
        return f"{box.rstrip()}\n{text}" if box.strip() else text

    @on(PasteArea.BigText)
    def _big_text(self, event: PasteArea.BigText) -> None:
        self._take_text(event.text, event.origin)

    def _take_text(self, text: str, origin: str) -> None:
        """Small texts go into the box to edit; big ones are held aside."""
        lines = text.count("\n") + 1
        if lines >= BIG_TEXT_LINES:
            self._bulk, self._bulk_origin = text, f"{lines:,} lines {origin}"
            self.query_one(PasteArea).clear()
        else:
            self._bulk, self._bulk_origin = "", ""
            box = self.query_one(PasteArea)
            box.load_text(text)
            box.move_cursor(box.document.end)  # as if typed: the end of the text in view
        self._parse_soon()

    def _parse_soon(self) -> None:
        # Debounced: a burst of keystrokes parses once, in a thread.
        if self._parse_timer is not None:
            self._parse_timer.stop()
        self._parse_timer = self.set_timer(0.25, self._start_parse, name="files.parse")

    def _start_parse(self) -> None:
        text = self._source_text()
        self.run_worker(
            partial(parse_codes, text),
            thread=True,
            exclusive=True,
            group="files.parse",
            description="parse the pasted codes",
            exit_on_error=False,
        )

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "files.parse" and event.state == WorkerState.SUCCESS:
            result = worker.result
            if isinstance(result, ParsedCodes):
                self._show_parsed(result)

    def _show_parsed(self, parsed: ParsedCodes | None) -> None:
        self._parsed = parsed
        line = self.query_one("#files-parsed", Static)
        rejected = self.query_one("#files-rejected", Static)
        prefix = f"{self._bulk_origin} held aside (ctrl+l clears) · " if self._bulk else ""
        if parsed is None or (not parsed.codes and not parsed.rejected_count):
            line.update(prefix + "Nothing to check yet.")
            rejected.add_class("hidden")
            return
        line.update(prefix + parsed.summary())
        if not parsed.rejected_count:
            rejected.add_class("hidden")
            return
        text = Text()
        for item in parsed.rejected:
            text.append(f"✗ line {item.line}: {item.token!r}: {item.reason}\n")
        more = parsed.rejected_count - len(parsed.rejected)
        if more:
            text.append(f"... and {more:,} more left out\n")
        text.rstrip()
        rejected.update(Text(f"Left out ({parsed.rejected_count:,}): ", style="bold") + text)
        rejected.remove_class("hidden")

    def action_edit(self) -> None:
        """Go to the paste box."""
        self.query_one(PasteArea).focus()

    def action_open_file(self) -> None:
        """Go to the file path field."""
        self.query_one("#files-path", PathInput).focus()

    def action_clear_input(self) -> None:
        """Empty the paste box and drop text held aside."""
        self._bulk, self._bulk_origin = "", ""
        self.query_one(PasteArea).clear()
        self._show_parsed(None)

    @on(Input.Submitted, "#files-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self._load_file(event.value.strip())

    @work(thread=True, exclusive=True, group="files.load", exit_on_error=False)
    def _load_file(self, value: str) -> None:
        path = Path(value).expanduser()
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise OSError(f"larger than {MAX_FILE_BYTES // 2**20} MB")
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            reason = error.strerror or str(error)
            self.app.call_from_thread(
                self.notify, f"Could not read {path}: {reason}", severity="error"
            )
            return
        self.app.call_from_thread(self._take_text, text, f"from {path.name}")
        self.app.call_from_thread(self.notify, f"Loaded {path}")

    # -- checking ---------------------------------------------------------------

    def _connected(self) -> tuple[IllvidClient, str] | None:
        app = self._illvid
        client = getattr(app, "client", None)
        account = getattr(app, "account_id", None)
        if client is None or account is None:
            self.notify("Not connected yet: no account to check against.", severity="warning")
            return None
        return client, account

    def _store_for(self) -> FileCheckStore:
        if self._store is None:
            self._store = FileCheckStore(self._illvid.db)
        return self._store

    async def _store_call(self, fn: Callable[..., T], *args: Any) -> T:
        # A file database is used from a thread (its own connection); the
        # in-memory one of --demo has only the app's connection.
        if self._store_for().threaded:
            return await asyncio.to_thread(fn, *args)
        return fn(*args)

    def action_check(self) -> None:
        """Check the codes in the box (and held aside) now."""
        if self._busy():
            return
        connected = self._connected()
        if connected is not None:
            self._job = self._check(*connected)

    def _busy(self) -> bool:
        if self._job is not None and not self._job.is_finished:
            self.notify("Busy: Esc cancels the running check or renewal.", severity="warning")
            return True
        return False

    @work(exclusive=True, group="files.check", exit_on_error=False)
    async def _check(self, client: IllvidClient, account: str) -> None:
        parsed = await asyncio.to_thread(_parse_big, self._source_text())
        self._show_parsed(parsed)
        if not parsed.codes:
            self.notify("No codes to check: paste codes or links first.", severity="warning")
            return
        store = self._store_for()
        previous = await self._store_call(store.load, account, parsed.codes)
        run = CheckRun.for_client(client, parsed.codes, previous)
        self._run = run
        self._renew.clear()
        self._checking = True
        # Built in a thread: 10,000 row dicts take ~20 ms, a visible stall.
        rows = await asyncio.to_thread(self._rows_for, run.codes)
        self.table.set_rows(rows)
        self.table.focus()
        self._progress_start(run.progress.total)
        self._progress_show(run.progress.checked, run.progress.describe())
        self._show_totals()
        failure: IllvidError | None = None
        try:
            await client.check_files(run.codes, on_batch=partial(self._batch_landed, run))
        except IllvidError as error:
            failure = error
        finally:
            self._check_ended(run, account, store, failure)

    def _batch_landed(self, run: CheckRun, batch: BatchDone) -> None:
        # After a failure the client's other batches may still land: the run has
        # ended (and its report is written), so they are ignored.
        if run is not self._run or not self._checking:
            return
        run.add(batch)
        self.table.update_rows((code, self._row(code)) for code in batch.codes)
        progress = run.progress
        self._progress_show(progress.checked, progress.describe())
        self._show_totals()

    def _check_ended(
        self, run: CheckRun, account: str, store: FileCheckStore, failure: IllvidError | None
    ) -> None:
        self._checking = False
        self._progress_hide()
        if run is not self._run:
            return
        left = len(run.codes) - len(run.results)
        if left:
            self.table.update_rows(
                (code, self._row(code)) for code in run.codes if code not in run.results
            )
        kept = f"{left:,} codes not checked; results so far kept."
        if failure is not None:
            hint = f" {failure.hint}" if failure.hint else ""
            self._report(f"Check stopped: {failure}.{hint} {kept}", error=True)
        elif left:
            self._report(f"Check cancelled: {kept}")
        else:
            self._report("")
        self._show_totals()
        self._apply_view()
        if run.results:
            stamp = self._illvid.now().isoformat(timespec="seconds")
            self.run_worker(
                self._save(store, account, dict(run.results), stamp),
                group="files.save",
                description="save the check results",
                exit_on_error=False,
            )

    async def _save(
        self, store: FileCheckStore, account: str, results: dict[str, bool], stamp: str
    ) -> None:
        if store.threaded:
            await asyncio.to_thread(store.save, account, results, stamp)
            return
        # The in-memory database (--demo) has only the app's connection: write
        # on the loop, a slice at a time, so a big check does not stall it.
        items = list(results.items())
        for start in range(0, len(items), SAVE_SLICE):
            store.save(account, dict(items[start : start + SAVE_SLICE]), stamp)
            await asyncio.sleep(0)

    def _rows_for(self, codes: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
        with building_big_data():
            return [(code, self._row(code)) for code in codes]

    def _row(self, code: str) -> dict[str, Any]:
        run = self._run
        missing = run.results.get(code) if run is not None else None
        change = (
            change_of(run.previous.get(code), missing)
            if run is not None and missing is not None
            else None
        )
        return {
            "code": code,
            "status": _status_cell(missing, self._checking),
            "change": _change_cell(change),
            "renew": _renew_cell(self._renew.get(code)),
        }

    def _show_totals(self) -> None:
        totals = self.query_one("#files-totals", Static)
        run = self._run
        if run is None:
            totals.update("No check yet.")
            return
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
        if run.previous and not (counts[Change.NEWLY_MISSING] or counts[Change.BACK]):
            text.append(" · no change since the last check")
        unchecked = len(run.codes) - len(run.results)
        if unchecked:
            text.append(f" · {unchecked:,} {'to go' if self._checking else 'not checked'}")
        if self._filter != "all" or self._search:
            text.append(f"  [showing {self.table.row_count:,}: {self._view_label()}]")
        totals.update(text)

    # -- progress and reports ----------------------------------------------------------

    def _progress_start(self, total: int) -> None:
        self.query_one("#files-progress").remove_class("hidden")
        self.query_one("#files-bar", ProgressBar).update(total=max(total, 1), progress=0)

    def _progress_show(self, done: int, label: str) -> None:
        self.query_one("#files-bar", ProgressBar).update(progress=done)
        self.query_one("#files-progress-label", Static).update(label)

    def _progress_hide(self) -> None:
        self.query_one("#files-progress").add_class("hidden")

    def _report(self, text: str, *, error: bool = False) -> None:
        report = self.query_one("#files-report", Static)
        report.update(Text(text, style="bold red" if error else ""))
        report.set_class(not text, "hidden")

    def action_cancel(self) -> None:
        """Cancel the running check or renewal; else leave the search or the input."""
        if self._job is not None and not self._job.is_finished:
            self._job.cancel()
            return
        focused = self.focused
        search = self.query_one("#files-search", Input)
        if focused is search:
            search.value = ""
            search.add_class("hidden")
        self.table.focus()

    # -- view: filter, search, sort -----------------------------------------------

    def _view_label(self) -> str:
        parts = [] if self._filter == "all" else [f"{self._filter} only"]
        if self._search:
            parts.append(f"matching {self._search!r}")
        return ", ".join(parts)

    def _predicate(self) -> Callable[[str, Mapping[str, Any]], bool] | None:
        state = self._filter
        needle = self._search.casefold()
        run = self._run
        if state == "all" and not needle:
            return None
        results = run.results if run is not None else {}
        previous = run.previous if run is not None else {}
        renew = self._renew

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

    def _apply_view(self) -> None:
        self.table.set_filter(self._predicate())
        self._show_totals()

    def action_cycle_filter(self) -> None:
        """Show all, missing only, found only, changed only, renew failures only."""
        self._filter = FILTERS[(FILTERS.index(self._filter) + 1) % len(FILTERS)]
        self._apply_view()
        self.notify(f"Showing {self._view_label() or 'all codes'}", timeout=2)

    def action_search(self) -> None:
        """Filter the codes by text."""
        search = self.query_one("#files-search", Input)
        search.remove_class("hidden")
        search.focus()

    @on(Input.Changed, "#files-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._search = event.value.strip()
        self._apply_view()

    @on(Input.Submitted, "#files-search")
    def _search_submitted(self) -> None:
        self.table.focus()

    def action_cycle_sort(self) -> None:
        """Sort by the next column."""
        current = self.table.sort_column
        index = SORTABLE.index(current) + 1 if current in SORTABLE else 0
        self.table.sort_by(SORTABLE[index % len(SORTABLE)], self.table.sort_reverse)

    def action_reverse_sort(self) -> None:
        """Reverse the sort order."""
        self.table.sort_by(self.table.sort_column or "code", not self.table.sort_reverse)

    # -- renewing -----------------------------------------------------------------

    def action_renew(self) -> None:
        """Renew the marked files, or the one under the cursor."""
        codes = sorted(self.table.marked) or (
            [self.table.cursor_key] if self.table.cursor_key else []
        )
        self._start_renew(codes, "selected")

    def action_renew_all(self) -> None:
        """Renew every file found by the last check."""
        run = self._run
        codes = [c for c in run.codes if run.results.get(c) is False] if run else []
        self._start_renew(codes, "found")

    def _start_renew(self, codes: Sequence[str], what: str) -> None:
        if self._busy():
            return
        if not codes:
            self.notify(f"No {what} files to renew.", severity="warning")
            return
        connected = self._connected()
        if connected is not None:
            self._job = self._renew_files(connected[0], list(codes))

    @work(exclusive=True, group="files.renew", exit_on_error=False)
    async def _renew_files(self, client: IllvidClient, codes: list[str]) -> None:
        self._renew_done, self._renew_total = 0, len(codes)
        for code in codes:
            self._renew[code] = _RENEWING
        self._update_known(codes)
        self._progress_start(len(codes))
        self._progress_show(0, f"Renewing 0 / {len(codes):,}")
        summary = RenewSummary()
        try:
            summary = await renew_codes(
                client, codes, on_result=lambda c, o: self._renewed(summary, c, o)
            )
        finally:
            self._progress_hide()
            cancelled = summary.total < len(codes)
            for code in codes:
                if self._renew.get(code) == _RENEWING:
                    del self._renew[code]
            self._update_known(codes)
            text = ("Renew cancelled: " if cancelled else "Renew: ") + summary.describe()
            self._report(text, error=bool(summary.failed))
            self.notify(
                text,
                title="Renew",
                severity="warning" if summary.failed or cancelled else "information",
            )
            self.table.clear_marks()
            self._apply_view()

    def _renewed(self, summary: RenewSummary, code: str, outcome: RenewOutcome) -> None:
        summary.add(code, outcome)
        self._renew[code] = outcome
        self._renew_done += 1
        self._update_known([code])
        failed = len(summary.failed)
        self._progress_show(
            self._renew_done,
            f"Renewing {self._renew_done:,} / {self._renew_total:,}"
            f" · {len(summary.renewed):,} renewed, {failed:,} failed",
        )

    def _update_known(self, codes: Sequence[str]) -> None:
        table = self.table
        table.update_rows((c, self._row(c)) for c in codes if table.get_row(c) is not None)

    # -- getting results out ----------------------------------------------------------

    def _copy(self, text: str, what: str) -> None:
        try:
            self.app.copy_to_clipboard(text)
        except Exception:  # noqa: BLE001 - a terminal without OSC 52 must not break the app
            self.notify("Could not copy: the terminal refused the clipboard.", severity="error")
            return
        self.notify(f"Copied {what}", timeout=2)

    def action_copy_code(self) -> None:
        """Copy the code under the cursor."""
        if self.table.cursor_key:
            self._copy(self.table.cursor_key, self.table.cursor_key)

    def action_copy_link(self) -> None:
        """Copy the link of the file under the cursor."""
        code = self.table.cursor_key
        if code:
            link = self._illvid.file_link(code)
            self._copy(link, link)

    def _codes_where(self, missing: bool) -> list[str]:
        run = self._run
        return [c for c in run.codes if run.results.get(c) is missing] if run else []

    def action_copy_missing(self) -> None:
        """Copy the missing codes, one a line."""
        codes = self._codes_where(True)
        if codes:
            self._copy("\n".join(codes), f"{len(codes):,} missing codes")
        else:
            self.notify("No missing codes to copy.", severity="warning")

    def action_copy_found(self) -> None:
        """Copy the found codes, one a line."""
        codes = self._codes_where(False)
        if codes:
            self._copy("\n".join(codes), f"{len(codes):,} found codes")
        else:
            self.notify("No found codes to copy.", severity="warning")

    def action_export(self) -> None:
        """Write the rows shown to a CSV file or a plain list (by the file name)."""
        if not self.table.row_count:
            self.notify("Nothing to export: check some codes first.", severity="warning")
            return
        from illvid_tui.screens.path_dialog import PathDialog

        dialog = PathDialog(
            "Export the rows shown",
            default="~/illvid-files.csv",
            help_text="A name ending in .csv writes the table; any other, one code a line.",
        )
        self.app.push_screen(dialog, self._export_to)

    def _export_to(self, path: Path | None) -> None:
        if path is None:
            return
        rows = [(key, self.table.get_row(key) or {}) for key in self.table.visible_keys()]
        self._write_export(path, rows)

    @work(thread=True, group="files.export", exit_on_error=False)
    def _write_export(self, path: Path, rows: list[tuple[str, Mapping[str, Any]]]) -> None:
        def plain(value: Any) -> str:
            text = value.plain if isinstance(value, Text) else str(value or "")
            return text.lstrip("✓✗▼▲…- ").strip()

        try:
            if path.suffix.lower() == ".csv":
                written = write_csv(
                    path,
                    ["code", "status", "change", "renew"],
                    ([plain(row.get(c)) for c in SORTABLE] for _, row in rows),
                )
            else:
                written = write_lines(path, (code for code, _ in rows))
        except ExportError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(
            self.notify, f"Wrote {len(rows):,} row{'s' if len(rows) != 1 else ''} to {written}"
        )


def _parse_big(text: str) -> ParsedCodes:
    """`parse_codes` without collector pauses (100,000 lines make many strings)."""
    with building_big_data():
        return parse_codes(text)
