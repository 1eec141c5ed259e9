"""The Files screen: check which files still exist, see what changed, renew them.

Input comes from the `CodeInput` panel (pasted, typed or loaded): codes or
links, any mix, any separators. The check goes through `client.check_files`
batch by batch, so the table fills as answers land and Esc keeps what came
back. What is shown and how it leaves (view, copy, export) is in
`files_results`; cells, totals and the view filter in `files_cells`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input, ProgressBar, Static, TextArea
from textual.worker import Worker

from illvid_tui.api.errors import IllvidError
from illvid_tui.api.models import BatchDone
from illvid_tui.core.checking import check_codes, describe_end
from illvid_tui.core.filecheck import BatchFailed, CheckRun, FileCheckStore
from illvid_tui.core.renew import (
    RenewOutcome,
    RenewSummary,
    confirm_question,
    needs_confirmation,
    renew_codes,
)
from illvid_tui.screens.files_cells import (
    COLUMNS,
    RENEWING,
)
from illvid_tui.screens.files_input import CodeInput, PasteArea, parse_big
from illvid_tui.screens.files_results import FileResultsScreen
from illvid_tui.widgets.footer import AppFooter
from illvid_tui.widgets.header import AppHeader
from illvid_tui.widgets.table import FastTable
from illvid_tui.widgets.table.position import TablePosition

if TYPE_CHECKING:
    # Only named in annotations: importing the client would import httpx
    # on the event loop before the screen's first frame.
    from illvid_tui.api.client import IllvidClient


class FilesScreen(FileResultsScreen):
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
        self._renew_done = 0
        self._renew_total = 0
        self._job: Worker[None] | None = None
        self._store: FileCheckStore | None = None

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield CodeInput(id="files-input")
        yield Static("", id="files-totals", markup=False)
        yield Static("", id="files-report", markup=False, classes="hidden")
        with Horizontal(id="files-progress", classes="hidden"):
            yield ProgressBar(id="files-bar", show_eta=False)
            yield Static("", id="files-progress-label", markup=False)
        yield Input(
            placeholder="search codes (Enter keeps, Esc clears)",
            id="files-search",
            classes="table-search",
        )
        yield FastTable(
            list(COLUMNS),
            empty_text="No codes checked yet: paste codes or links (or press i to type), then r.",
            id="files-table",
        )
        yield TablePosition(id="files-position")
        yield AppFooter()

    def on_mount(self) -> None:
        self._show_totals()
        # Not the paste box: it would swallow the section keys (1-4, ?, q).
        self.table.focus()
        self.watch(self.app, "account_id", self._account_changed, init=False)

    def on_screen_resume(self) -> None:
        # Coming back to the section lands on the table too, never in a text box.
        if isinstance(self.focused, Input | TextArea):
            self.table.focus()

    @property
    def codes(self) -> CodeInput:
        """The input panel: paste box, file field, what was parsed."""
        return self.query_one(CodeInput)

    def _account_changed(self, account: str | None) -> None:
        # Results belong to an account: another account's check is not shown.
        if self._job is not None:
            self._job.cancel()
        self._run = None
        self._renew.clear()
        self.table.clear()
        self._show_totals()

    # -- input -------------------------------------------------------------------

    def on_paste(self, event: events.Paste) -> None:
        """A paste while the table has focus still lands in the list."""
        if not isinstance(self.focused, Input | TextArea):
            event.stop()
            self.codes.paste(event.text)

    def action_edit(self) -> None:
        """Go to the paste box."""
        self.codes.edit()

    def action_open_file(self) -> None:
        """Go to the file path field."""
        self.codes.open_file()

    def action_clear_input(self) -> None:
        """Empty the paste box and drop text held aside."""
        self.codes.clear()

    # -- checking ---------------------------------------------------------------

    def _client_and_account(self) -> tuple[IllvidClient, str] | None:
        app = self._illvid
        client, account = app.client, app.account_id
        if client is None or account is None:
            self.notify("Not connected yet: no account to check against.", severity="warning")
            return None
        return client, account

    def _store_for(self) -> FileCheckStore:
        if self._store is None:
            self._store = FileCheckStore(self._illvid.db)
        return self._store

    def action_check(self) -> None:
        """Check the codes in the box (and held aside) now."""
        if self._busy():
            return
        connected = self._client_and_account()
        if connected is not None:
            self._job = self._check(*connected)

    def _busy(self) -> bool:
        if self._job is not None and not self._job.is_finished:
            self.notify("Busy: Esc cancels the running check or renewal.", severity="warning")
            return True
        return False

    @work(exclusive=True, group="files.check", exit_on_error=False, description="check files")
    async def _check(self, client: IllvidClient, account: str) -> None:
        text = self.codes.source_text()
        # The box's own debounced parse usually has this text parsed already.
        parsed = self.codes.parsed_for(text)
        if parsed is None:
            parsed = await asyncio.to_thread(parse_big, text)
            self.codes.show_parsed(parsed, text)
        if not parsed.codes:
            self.notify("No codes to check: paste codes or links first.", severity="warning")
            return
        store = self._store_for()
        previous = await store.load_async(account, parsed.codes)
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
            await check_codes(
                client,
                run,
                on_batch=partial(self._batch_landed, run),
                on_failed=partial(self._batch_landed, run),
            )
        except IllvidError as error:
            failure = error
        finally:
            self._check_ended(run, account, store, failure)

    def _batch_landed(self, run: CheckRun, batch: BatchDone | BatchFailed) -> None:
        # `check_codes` has put the batch into `run` already.
        if run is not self._run or not self._checking:
            return
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
        left = run.unanswered
        if left or run.failed:
            self.table.update_rows(
                (code, self._row(code)) for code in run.codes if code not in run.results
            )
        self._report(describe_end(run, failure), error=failure is not None or bool(run.failed))
        self._show_totals()
        self._apply_view()
        if run.results:
            stamp = self._illvid.now().isoformat(timespec="seconds")
            self.run_worker(
                store.save_async(account, dict(run.results), stamp),
                group="files.save",
                description="save the check results",
                exit_on_error=False,
            )

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
        """Cancel the running check or renewal; else Esc as on every table, or leave the box."""
        if self._job is not None and not self._job.is_finished:
            self._job.cancel()
            return
        if self.focused is self.search_box or self.focused is self.table:
            self.escape_table()  # as on every table: the search, then the marks
        else:
            self.table.focus()  # from the paste box or the file field

    # -- renewing -----------------------------------------------------------------

    def action_renew(self) -> None:
        """Renew the marked files, or the one under the cursor."""
        codes = sorted(self.table.marked) or (
            [self.table.cursor_key] if self.table.cursor_key else []
        )
        self._start_renew(codes, "selected")

    def action_renew_all(self) -> None:
        """Renew every file found by the last check."""
        self._start_renew(self._codes_where(False), "found")

    def _start_renew(self, codes: Sequence[str], what: str) -> None:
        if self._busy():
            return
        if not codes:
            self.notify(f"No {what} files to renew.", severity="warning", markup=False)
            return
        if not needs_confirmation(len(codes)):
            self._renew_now(list(codes))
            return
        from illvid_tui.screens.dialogs.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes and not self._busy():
                self._renew_now(list(codes))

        self.app.push_screen(ConfirmScreen(confirm_question(len(codes)), "Renew"), answered)

    def _renew_now(self, codes: list[str]) -> None:
        connected = self._client_and_account()
        if connected is not None:
            self._job = self._renew_files(connected[0], codes)

    @work(exclusive=True, group="files.renew", exit_on_error=False, description="renew files")
    async def _renew_files(self, client: IllvidClient, codes: list[str]) -> None:
        self._renew_done, self._renew_total = 0, len(codes)
        for code in codes:
            self._renew[code] = RENEWING
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
                if self._renew.get(code) == RENEWING:
                    del self._renew[code]
            self._update_known(codes)
            text = ("Renew cancelled: " if cancelled else "Renew: ") + summary.describe()
            self._report(text, error=bool(summary.failed))
            self.notify(
                text,
                title="Renew",
                severity="warning" if summary.failed or cancelled else "information",
                markup=False,
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


__all__ = ["FilesScreen", "PasteArea"]
