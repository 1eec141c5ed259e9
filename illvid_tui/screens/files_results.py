"""The Files screen's results: rows, totals, the view (filter, search, sort), copy, export.

`FilesScreen` builds on this: it adds the input and the work (checks, renewals)
that fill `_run` and `_renew`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from textual import on, work
from textual.widgets import Static

from illvid_tui.core.export import write_csv, write_lines
from illvid_tui.core.filecheck import CheckRun
from illvid_tui.gcpause import building_big_data
from illvid_tui.screens._actions import copy_text, export_from_thread
from illvid_tui.screens.files_cells import (
    FILTERS,
    SORTABLE,
    RenewState,
    export_cell,
    file_row,
    totals_text,
    view_filter,
    view_label,
)
from illvid_tui.screens.host import AppHost, host
from illvid_tui.screens.table_screen import TableScreen
from illvid_tui.widgets.table import FastTable
from illvid_tui.widgets.worker_errors import ForwardsWorkerErrors


class FileResultsScreen(ForwardsWorkerErrors, TableScreen):
    """The results half of the Files screen (a base class; see the module docstring)."""

    SORT_COLUMNS = SORTABLE
    DEFAULT_SORT = "code"

    def __init__(self) -> None:
        super().__init__()
        self._run: CheckRun | None = None
        #: Per code: a renewal in flight, or how it ended.
        self._renew: dict[str, RenewState] = {}
        #: True while a check is waiting for answers (rows say "waiting", not "not checked").
        self._checking = False
        self._filter = "all"

    @property
    def _illvid(self) -> AppHost:
        """What the screen asks of the app."""
        return host(self)

    @property
    def table(self) -> FastTable:
        return self.query_one("#files-table", FastTable)

    # -- rows and totals ---------------------------------------------------------

    def _rows_for(self, codes: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
        with building_big_data():
            return [(code, self._row(code)) for code in codes]

    def _row(self, code: str) -> dict[str, Any]:
        return file_row(code, self._run, self._renew, self._checking)

    @on(FastTable.ViewChanged, "#files-table")
    def _view_changed(self) -> None:
        # Big tables filter in a thread: the "showing N" count follows the view.
        self._show_totals()

    def _show_totals(self) -> None:
        text = totals_text(self._run, self._checking)
        if self._run is not None and (self._filter != "all" or self.search_text):
            label = view_label(self._filter, self.search_text)
            text.append(f"  [showing {self.table.row_count:,}: {label}]")
        self.query_one("#files-totals", Static).update(text)

    def _update_known(self, codes: Sequence[str]) -> None:
        table = self.table
        table.update_rows((c, self._row(c)) for c in codes if table.get_row(c) is not None)

    # -- view: filter, search, sort -----------------------------------------------

    def _apply_view(self, *, to_top: bool = False) -> None:
        predicate = view_filter(self._filter, self.search_text, self._run, self._renew)
        self.table.set_filter(predicate, to_top=to_top)
        self._show_totals()

    def action_cycle_filter(self) -> None:
        """Show all, missing only, found only, changed only, renew failures only."""
        self._filter = FILTERS[(FILTERS.index(self._filter) + 1) % len(FILTERS)]
        self._apply_view(to_top=True)
        label = view_label(self._filter, self.search_text)
        self.notify(f"Showing {label or 'all codes'}", timeout=2, markup=False)

    # -- getting results out ----------------------------------------------------------

    def action_copy_code(self) -> None:
        """Copy the code under the cursor."""
        if self.table.cursor_key:
            copy_text(self, self.table.cursor_key, self.table.cursor_key)

    def action_copy_link(self) -> None:
        """Copy the link of the file under the cursor."""
        code = self.table.cursor_key
        if code:
            link = self._illvid.file_link(code)
            copy_text(self, link, link)

    def _codes_where(self, missing: bool) -> list[str]:
        run = self._run
        return [c for c in run.codes if run.results.get(c) is missing] if run else []

    def action_copy_missing(self) -> None:
        """Copy the missing codes, one a line."""
        self._copy_codes(self._codes_where(True), "missing")

    def action_copy_found(self) -> None:
        """Copy the found codes, one a line."""
        self._copy_codes(self._codes_where(False), "found")

    def _copy_codes(self, codes: list[str], what: str) -> None:
        if codes:
            copy_text(self, "\n".join(codes), f"{len(codes):,} {what} codes")
        else:
            self.notify(f"No {what} codes to copy.", severity="warning", markup=False)

    def action_export(self) -> None:
        """Write the rows shown to a CSV file or a plain list (by the file name)."""
        if not self.table.row_count:
            self.notify("Nothing to export: check some codes first.", severity="warning")
            return
        from illvid_tui.screens.dialogs.path import PathDialog

        dialog = PathDialog(
            "Export the rows shown",
            default="~/illvid-files.csv",
            help_text="A name ending in .csv writes the table; any other, one code a line.",
        )
        self.app.push_screen(dialog, self._export_to)

    def _export_to(self, path: Path | None) -> None:
        if path is not None:
            self._export(path)

    @work(group="files.export", exit_on_error=False)
    async def _export(self, path: Path) -> None:
        await self.table.view_ready()  # a big table may still be filtering: export what shows
        rows = [(key, self.table.get_row(key) or {}) for key in self.table.visible_keys()]
        await asyncio.to_thread(self._write_export, path, rows)

    def _write_export(self, path: Path, rows: list[tuple[str, Mapping[str, Any]]]) -> None:
        def write() -> Path:
            if path.suffix.lower() == ".csv":
                cells = ([export_cell(row.get(c)) for c in SORTABLE] for _, row in rows)
                return write_csv(path, list(SORTABLE), cells)
            return write_lines(path, (code for code, _ in rows))

        count = f"{len(rows):,} row{'s' if len(rows) != 1 else ''}"
        export_from_thread(self, write, lambda written: f"Wrote {count} to {written}")


__all__ = ["FileResultsScreen"]
