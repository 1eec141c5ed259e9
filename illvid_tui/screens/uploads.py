"""The Uploads screen: the remote-upload queue, kept fresh by the app's poller.

The screen only shows and steers: the poller (the app's, not the screen's)
polls and stores. Each poll cycle announces one `UploadsChanged`, posted to the
screen as a Textual message (bursts merge); the screen turns
the changed jobs into rows and hands them to `FastTable.update_rows`, which
repaints only the changed rows on screen and keeps the cursor on its key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from illvid_tui.core import events
from illvid_tui.core.uploads import Job, JobState
from illvid_tui.screens.uploads_actions import UploadJobActions
from illvid_tui.screens.uploads_hold import HeldChanges
from illvid_tui.screens.uploads_local_actions import BINDINGS as LOCAL_BINDINGS
from illvid_tui.screens.uploads_local_actions import LocalUploadActions
from illvid_tui.screens.uploads_rows import (
    COLUMNS,
    EMPTY_TEXT,
    FILTERS,
    SORTABLE,
    Age,
    age_text,
    blocked_until_text,
    detail_text,
    job_filter,
    job_row,
    status_cell,
    status_line,
)
from illvid_tui.widgets.core_messages import PollerStateChanged, UploadsChanged, message_of
from illvid_tui.widgets.footer import AppFooter
from illvid_tui.widgets.header import AppHeader
from illvid_tui.widgets.table import FastTable
from illvid_tui.widgets.table.position import TablePosition
from illvid_tui.widgets.worker_errors import ForwardsWorkerErrors

if TYPE_CHECKING:
    from illvid_tui.core.poller import Poller


class UploadsScreen(ForwardsWorkerErrors, LocalUploadActions, UploadJobActions):
    """The remote-upload queue: add, watch, copy, retry, remove."""

    TITLE = "Uploads"
    SORT_COLUMNS = SORTABLE
    DEFAULT_SORT = "age"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="uploads.add"),
        Binding("r", "poll_now", "Poll now", id="uploads.poll_now"),
        Binding("p", "toggle_pause", "Pause", id="uploads.pause"),
        Binding("plus,equals_sign", "faster", "Faster", show=False, id="uploads.faster"),
        Binding("minus", "slower", "Slower", show=False, id="uploads.slower"),
        Binding("slash", "search", "Search", id="uploads.search"),
        Binding("f", "cycle_filter", "Filter", id="uploads.filter"),
        Binding("s", "cycle_sort", "Sort", show=False, id="uploads.sort"),
        Binding("S", "reverse_sort", "Reverse sort", show=False, id="uploads.sort_reverse"),
        Binding("c", "copy_code", "Copy code", id="uploads.copy_code"),
        Binding("l", "copy_link", "Copy link", show=False, id="uploads.copy_link"),
        Binding("R", "retry", "Retry", id="uploads.retry"),
        *LOCAL_BINDINGS,
        Binding("x,delete", "remove", "Remove", show=False, id="uploads.remove"),
        Binding("C", "clear_finished", "Clear finished", show=False, id="uploads.clear"),
        Binding("escape", "escape", "Clear search/marks", show=False, id="uploads.escape"),
    ]

    DEFAULT_CSS = """
    UploadsScreen { layout: vertical; }
    UploadsScreen #uploads-status { height: 1; padding: 0 1; background: $boost; }
    UploadsScreen #uploads-status.warn { color: $warning; text-style: bold; }
    UploadsScreen #uploads-search { border: none; height: 1; padding: 0 1; }
    UploadsScreen #uploads-table { height: 1fr; }
    UploadsScreen #uploads-detail { height: 2; padding: 0 1; color: $text-muted; }
    UploadsScreen .hidden { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._poller: Poller | None = None
        #: Posts the poller's events to this screen as Textual messages (bursts merge),
        #: or holds them while another screen is on top.
        self._forward = self._core_event
        #: `a` pressed before the account answered: open the dialog once it has.
        self._add_when_connected = False
        self._filter: JobState | None = None
        #: Changes that came while another screen was on top (see `uploads_hold`).
        self._held = HeldChanges()

    # -- layout and wiring ---------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Static("", id="uploads-status", markup=False)
        yield Input(
            placeholder="search URL, folder, status, code (Esc clears)",
            id="uploads-search",
            classes="table-search",
        )
        yield FastTable(COLUMNS, empty_text=EMPTY_TEXT, id="uploads-table")
        yield TablePosition(id="uploads-position")
        yield Static("", id="uploads-detail", markup=False)
        yield AppFooter()

    def on_mount(self) -> None:
        self.table.focus()
        self.watch(self.app, "account_id", self._account_changed, init=False)
        self._attach_poller()
        # Ages move by the minute: one pass a minute repaints only rows whose age text changed.
        self.set_interval(60, self._refresh_ages)

    def on_unmount(self) -> None:
        if self._poller is not None:
            self._poller.unsubscribe(self._forward)

    @property
    def table(self) -> FastTable:
        return self.query_one("#uploads-table", FastTable)

    def _now(self) -> float:
        return self._illvid.now().timestamp()

    def _account_changed(self, account: str | None) -> None:
        # The poller is created right after account_id is set: attach once it exists.
        self.call_later(self._attach_poller)

    def _attach_poller(self) -> None:
        poller = self._illvid.poller
        if poller is None or poller is self._poller:
            self._show_status()
            return
        if self._poller is not None:
            self._poller.unsubscribe(self._forward)
        self._poller = poller
        poller.subscribe(self._forward)
        now = self._now()
        live = self.live_map()
        self.table.set_rows(
            (job.key, job_row(job, now, live.get(job.key))) for job in poller.jobs.values()
        )
        self._apply_view()
        self._show_status()
        self._show_detail()
        if self._add_when_connected and self.is_current:
            self._open_add_dialog(poller)

    # -- updates from the poller ---------------------------------------------------

    def _covered(self) -> bool:
        """Another screen (a dialog, another section) is shown instead of this one."""
        try:
            return self.app.screen is not self
        except Exception:  # noqa: BLE001 - no screen at all (closing): nothing to show
            return True

    def _core_event(self, event: events.CoreEvent) -> None:
        # Not even a message while covered: under a dialog, any message this screen
        # handles makes Textual repaint the whole terminal, though nothing changed.
        if not self._covered():
            self.post_message(message_of(event))
        elif isinstance(event, events.UploadsChanged):
            self._held.hold(event.jobs, event.removed)
        else:
            self._held.status = True

    def on_uploads_changed(self, message: UploadsChanged) -> None:
        if self._covered():
            self._held.hold(message.jobs, message.removed)
            return
        self._apply_changes(message.jobs, message.removed)

    def _apply_changes(self, jobs: Mapping[str, Job], removed: set[str]) -> None:
        poller = self._poller
        if poller is None:
            return
        table = self.table
        if removed:
            table.remove_rows(removed)
        now = self._now()
        # The jobs as stored, carried by the message. New rows go to the end in
        # the order they were added.
        rows = sorted(jobs.values(), key=lambda job: job.id)
        live = self.live_map()
        table.update_rows((job.key, job_row(job, now, live.get(job.key))) for job in rows)
        self._show_status()
        self._show_detail()

    def on_poller_state_changed(self, message: PollerStateChanged) -> None:
        if self._covered():
            self._held.status = True
            return
        self._show_status()

    def on_screen_resume(self) -> None:
        held = self._held.take()
        if held.jobs or held.removed:
            self._apply_changes(held.jobs, held.removed)
        elif held.status:
            self._show_status()
        if held.ages:
            self._refresh_ages()

    def _refresh_ages(self) -> None:
        if self._poller is None:
            return
        if self._covered():
            self._held.ages = True
            return
        now = self._now()
        table = self.table
        rows = []
        for key, job in self._poller.jobs.items():
            row = table.get_row(key)
            text = age_text(max(0.0, now - job.added_at))
            if row is not None and str(row.get("age")) != text:
                rows.append((key, {"age": Age(text, job.added_at)}))
        if rows:
            table.update_rows(rows)

    def _show_status(self) -> None:
        status = self.query_one("#uploads-status", Static)
        poller = self._poller
        if poller is None:
            status.update("Connecting… the queue shows once the account is known.")
            return
        warn = True
        if poller.blocked and poller.blocked_until_wall is not None:
            until = blocked_until_text(poller.blocked_until_wall)
            state = f"Server busy (509): all polling waits until {until}"
        elif poller.paused:
            state = "PAUSED (p resumes)"
        elif poller.polled_by is not None:
            # Another app (a second SSH session) polls; this one shows what it writes.
            state = f"Polled by another app ({poller.polled_by.describe()})"
            warn = False
        else:
            state = f"Polling every {poller.interval:g} s (+/- to change)"
            warn = False
        shown = self.table.row_count
        status.update(
            status_line(poller.jobs.values(), state, self._filter, self.search_text, shown)
        )
        status.set_class(warn, "warn")

    @on(FastTable.ViewChanged, "#uploads-table")
    def _view_changed(self) -> None:
        # A big queue filters in a thread: the counts follow the view it installs.
        self._show_status()

    @on(FastTable.CursorMoved, "#uploads-table")
    def _cursor_moved(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#uploads-detail", Static)
        job = self._cursor_job()
        if job is None:
            detail.update("")
            return
        detail.update(detail_text(job, self._illvid.file_link, self.live_of(job.key)))

    # -- actions -------------------------------------------------------------------

    def action_add(self) -> None:
        """Add URLs to the queue."""
        if self._poller is None:
            # Right after start the account may still be on its way: keep the
            # request rather than drop the key.
            self._add_when_connected = True
            self.notify("Connecting: the add dialog opens as soon as the account answers.")
            return
        self._open_add_dialog(self._poller)

    def _open_add_dialog(self, poller: Poller) -> None:
        from illvid_tui.screens.add_urls import AddUrlsScreen

        self._add_when_connected = False
        self.app.push_screen(AddUrlsScreen(poller))

    def action_poll_now(self) -> None:
        """Check every running job now, once; paused polling stays paused."""
        poller = self._need_poller()
        if poller is None:
            return
        if poller.poll_now():
            once = " once; polling stays paused (p resumes)" if poller.paused else " now"
            self.notify(f"Checking {poller.unfinished} running job(s){once}.", timeout=2)
        else:
            self.notify("The server asked to wait (509); polling resumes by itself.")

    def action_toggle_pause(self) -> None:
        """Pause or resume polling."""
        poller = self._need_poller()
        if poller is not None:
            paused = poller.toggle_pause()
            self.notify("Polling paused." if paused else "Polling resumed.", timeout=2)

    def action_faster(self) -> None:
        """Poll more often."""
        if (poller := self._need_poller()) is not None:
            poller.faster()
            self._show_status()

    def action_slower(self) -> None:
        """Poll less often."""
        if (poller := self._need_poller()) is not None:
            poller.slower()
            self._show_status()

    def action_escape(self) -> None:
        """Esc: leave and clear the search, else clear the marks (TableScreen)."""
        self.escape_table()

    def action_cycle_filter(self) -> None:
        """Show all, running, done, failed or unknown jobs."""
        index = FILTERS.index(self._filter)
        self._filter = FILTERS[(index + 1) % len(FILTERS)]
        self._apply_view(to_top=True)

    def _current_jobs(self) -> Mapping[str, Job]:
        # Read at each call, never kept: the poller rebinds `jobs` when it loads.
        return self._poller.jobs if self._poller is not None else {}

    def _apply_view(self, *, to_top: bool = False) -> None:
        jobs = None if self._poller is None else self._current_jobs
        self.table.set_filter(job_filter(jobs, self._filter, self.search_text), to_top=to_top)
        self._show_status()
        self._show_detail()


__all__ = ["UploadsScreen", "age_text", "job_row", "status_cell"]
