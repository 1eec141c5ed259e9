"""What the DMCA screen does with its rows: copy, renew, export (a base of `DmcaScreen`).

Renewing many files (a mark-all on 50,000 notices, then `n`) asks first above
`core.renew.CONFIRM_ABOVE` files, shows its progress in the status line and
stops on Esc: what was renewed by then stays renewed and shown; the codes not
answered get back the result they had.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual import work
from textual.timer import Timer
from textual.worker import Worker

from illvid_tui.core import dmca
from illvid_tui.core.export import ExportError, write_csv
from illvid_tui.core.renew import (
    RenewOutcome,
    RenewSummary,
    confirm_question,
    needs_confirmation,
    renew_codes,
)
from illvid_tui.screens._actions import copy_text
from illvid_tui.screens.dmca_rows import RENEWING, export_rows, result_cell
from illvid_tui.screens.host import AppHost, host
from illvid_tui.screens.table_screen import TableScreen

#: Seconds between two repaints of the renew progress (not one per answer).
PROGRESS_EVERY = 0.2


class DmcaRowActions(TableScreen):
    """Copy, renew and export the selected DMCA rows (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        #: Renew results shown per file code (kept across reloads).
        self._results: dict[str, Text] = {}
        #: Keys of second and later notices on one file, by code ({"abc": ["abc#2"]}).
        self._more_keys: dict[str, list[str]] = {}
        #: The renew progress line while a renewal runs (the status line shows it).
        self._renew_progress: str | None = None
        self._renew_job: Worker[None] | None = None

    @property
    def illvid(self) -> AppHost:
        """What the screen asks of the app."""
        return host(self)

    def _set_status(self, text: str, error: bool = False) -> None:
        raise NotImplementedError

    def _update_status(self) -> None:
        raise NotImplementedError

    # -- the rows acted on -------------------------------------------------------------

    def selected_codes(self) -> list[str]:
        """Codes of the marked rows (in view order), else of the cursor row."""
        table = self.table
        marked = table.marked
        if marked:
            keys = [k for k in table.visible_keys() if k in marked]
            keys += sorted(marked.difference(keys))
        else:
            keys = [table.cursor_key] if table.cursor_key is not None else []
        codes: list[str] = []
        for key in keys:
            row = table.get_row(key)
            if row is not None:
                codes.append(row["code"])
        return list(dict.fromkeys(codes))

    def action_copy_code(self) -> None:
        """Copy the selected file code(s), one a line."""
        codes = self.selected_codes()
        if codes:
            copy_text(
                self, "\n".join(codes), codes[0] if len(codes) == 1 else f"{len(codes):,} codes"
            )

    def action_copy_link(self) -> None:
        """Copy the selected file link(s), one a line."""
        codes = self.selected_codes()
        if codes:
            links = [self.illvid.file_link(code) for code in codes]
            copy_text(
                self, "\n".join(links), links[0] if len(links) == 1 else f"{len(links):,} links"
            )

    # -- renewing ----------------------------------------------------------------------

    @property
    def renewing(self) -> bool:
        """True while a renewal runs."""
        return self._renew_job is not None and not self._renew_job.is_finished

    def action_renew(self) -> None:
        """Renew the marked files, or the file under the cursor (asking first above a few)."""
        if self.renewing:
            self.notify("A renewal is running: Esc stops it.", severity="warning")
            return
        codes = self.selected_codes()
        if not codes or self.illvid.client is None:
            return
        if not needs_confirmation(len(codes)):
            self._start_renew(codes)
            return
        from illvid_tui.screens.dialogs.confirm import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes and not self.renewing:
                self._start_renew(codes)

        self.app.push_screen(ConfirmScreen(confirm_question(len(codes)), "Renew"), answered)

    def stop_renewing(self) -> bool:
        """Stop a running renewal (Esc); False when none runs."""
        if self._renew_job is None or self._renew_job.is_finished:
            return False
        self._renew_job.cancel()
        return True

    def _start_renew(self, codes: list[str]) -> None:
        before = {code: self._results.get(code) for code in codes}
        self._set_results(codes, RENEWING)
        self._renew_job = self._renew(codes, before)

    def _set_results(self, codes: Sequence[str], cell: Text | None) -> None:
        """Show `cell` as the renew result of `codes` (None: no result)."""
        wanted = set(codes)
        for code in wanted:
            if cell is None:
                self._results.pop(code, None)
            else:
                self._results[code] = cell
        table = self.table
        # Keys are codes, plus "code#2"... for further notices on one file.
        keys = [code for code in wanted if table.get_row(code) is not None]
        for code in wanted & self._more_keys.keys():
            keys.extend(self._more_keys[code])
        table.update_rows([(key, {"result": cell}) for key in keys])

    @work(group="dmca.renew", exit_on_error=False, description="renew DMCA files")
    async def _renew(self, codes: list[str], before: dict[str, Text | None]) -> None:
        client = self.illvid.client
        if client is None:
            return
        heard = RenewSummary()

        def on_result(code: str, outcome: RenewOutcome) -> None:
            heard.add(code, outcome)
            self._set_results([code], result_cell(outcome))

        def show_progress() -> None:
            self._renew_progress = heard.progress(len(codes))
            self._update_status()

        show_progress()
        timer: Timer = self.set_interval(PROGRESS_EVERY, show_progress)
        try:
            await renew_codes(client, codes, on_result)
        finally:
            timer.stop()
            self._renew_ended(codes, before, heard)

    def _renew_ended(
        self, codes: list[str], before: dict[str, Text | None], heard: RenewSummary
    ) -> None:
        # Codes not answered (not sent yet, or in flight when stopped) get their old result.
        back: dict[int, tuple[Text | None, list[str]]] = {}
        for code in codes:
            if self._results.get(code) is RENEWING:
                cell = before.get(code)
                back.setdefault(id(cell), (cell, []))[1].append(code)
        for cell, left in back.values():
            self._set_results(left, cell)
        self._renew_progress = None
        self._update_status()
        stopped = heard.total < len(codes)
        self.notify(
            heard.describe_end(len(codes)),
            title="Renew",
            markup=False,
            severity="warning" if heard.failed or stopped else "information",
        )

    # -- export ------------------------------------------------------------------------

    def action_export(self) -> None:
        """Export the rows shown (search and sort applied) to a CSV file."""
        if not self.table.row_count:
            self.notify("Nothing to export.", severity="warning")
            return
        from illvid_tui.screens.dialogs.path import PathDialog

        default = f"~/illvid-dmca-{self.illvid.today().isoformat()}.csv"
        self.app.push_screen(PathDialog("Export DMCA notices as CSV", default), self._export_to)

    def _export_to(self, path: Path | None) -> None:
        if path is not None:
            self._export(path)

    @work(group="dmca.export", exit_on_error=False)
    async def _export(self, path: Path) -> None:
        table = self.table
        await table.view_ready()  # a big table may still be sorting: export what will show
        found = [table.get_row(key) for key in table.visible_keys()]
        rows = [row for row in found if row is not None]
        try:
            written = await asyncio.to_thread(write_csv, path, dmca.CSV_HEADER, export_rows(rows))
        except ExportError as error:
            self.notify(str(error), title="Export", severity="error", markup=False)
            return
        self.notify(f"{len(rows):,} notices written to {written}", title="Export", markup=False)


__all__ = ["DmcaRowActions"]
