"""The add dialog of the Uploads screen.

Lines are checked as they are typed or pasted (http/https, a host, not in the
queue, not repeated); the refused ones are listed with why. Sending runs in a
worker through the poller, `client.max_in_flight` at a time, and each job is
committed to the store as its queue id arrives, so 1,000 lines never freeze
the screen and a crash loses nothing already shown.
"""

from __future__ import annotations

import asyncio
import time
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Input, Label, ProgressBar, Static, TextArea

from illvid_tui.core.poller import Poller, SendReport
from illvid_tui.core.uploads import normalize_url
from illvid_tui.core.urls import CheckedLines, check_lines
from illvid_tui.widgets.worker_errors import ForwardsWorkerErrors

#: Refused lines listed in the dialog (the count says how many more).
MAX_LISTED = 200
#: Seconds between two repaints of the progress line while sending: every
#: answer repainting it cost ~100 B each, 500 URLs 50 KB for a figure nobody
#: reads that fast.
PROGRESS_EVERY = 0.5


def refused_text(checked: CheckedLines) -> str:
    """The refused lines, one a line: "line 4: ftp://… — reason"."""
    lines = [f"line {r.line}: {r.text} — {r.reason}" for r in checked.refused[:MAX_LISTED]]
    more = len(checked.refused) - MAX_LISTED
    if more > 0:
        lines.append(f"… and {more:,} more")
    return "\n".join(lines)


def progress_text(
    report: SendReport, elapsed: float, *, stopping: bool = False, over: bool = False
) -> str:
    """The line beside the bar: "Sending… 11/50 sent, 10 queued · 4 s · esc stops"."""
    counts = f"{report.done:,}/{report.total:,} sent, {report.queued:,} queued · {int(elapsed)} s"
    if over:
        return counts
    tail = "stopping after the ones in flight…" if stopping else "esc stops"
    return f"Sending… {counts} · {tail}"


def report_text(report: SendReport) -> str:
    """What a send did, in one or two lines."""
    parts = [f"Queued {report.queued:,} of {report.total:,}."]
    if report.unknown:
        parts.append(
            f"{report.unknown:,} with an unknown outcome (marked so in the list: check before "
            "sending again)."
        )
    if report.refused:
        parts.append(f"{len(report.refused):,} refused by the server (listed above, with why).")
    if report.stopped_by is not None:
        err = report.stopped_by
        parts.append(f"Stopped: {err.title.lower()} ({err.status}). {err.hint}".strip())
    if report.not_sent:
        parts.append(f"{len(report.not_sent):,} not sent (left in the box).")
    return " ".join(parts)


class AddUrlsScreen(ForwardsWorkerErrors, ModalScreen[SendReport | None]):
    """Paste one URL or many (one a line), pick a folder, queue them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "queue", "Queue", id="add_urls.queue", priority=True),
        Binding("escape", "close", "Close / stop", id="add_urls.close"),
    ]

    DEFAULT_CSS = """
    AddUrlsScreen { align: center middle; }
    AddUrlsScreen #add-box {
        width: 90%; max-width: 120; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    AddUrlsScreen #add-urls { height: 7; border: round $panel-lighten-2; }
    AddUrlsScreen #add-urls:focus { border: round $accent; }
    AddUrlsScreen #add-folder-row { height: 1; }
    AddUrlsScreen #add-folder-row Label { width: auto; padding-right: 1; }
    AddUrlsScreen #add-folder { border: none; height: 1; padding: 0; width: 1fr; }
    AddUrlsScreen #add-summary { height: 1; margin-top: 1; text-style: bold; }
    AddUrlsScreen #add-refused {
        height: auto; max-height: 6; color: $warning; overflow-y: auto;
    }
    AddUrlsScreen #add-progress-row { height: 1; }
    AddUrlsScreen #add-progress-row ProgressBar { width: 34; }
    AddUrlsScreen #add-progress-label { width: 1fr; padding-left: 1; }
    AddUrlsScreen #add-report { height: auto; }
    AddUrlsScreen #add-buttons { height: 1; margin-top: 1; align-horizontal: right; }
    AddUrlsScreen #add-buttons Button { margin-left: 1; }
    AddUrlsScreen .hidden { display: none; }
    """

    def __init__(self, poller: Poller) -> None:
        super().__init__()
        self.poller = poller
        self._checked = CheckedLines()
        self._check_timer: Timer | None = None
        self._stop: asyncio.Event | None = None
        self.report: SendReport | None = None
        #: Normalized URL -> why the server refused it in this dialog.
        self._server_refused: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="add-box"):
            yield Label("Add remote uploads: one URL a line (http or https)")
            area = TextArea(id="add-urls", soft_wrap=False)
            area.border_title = "URLs"
            yield area
            with Horizontal(id="add-folder-row"):
                yield Label("Folder (optional):")
                yield Input(placeholder="save into this folder", id="add-folder")
            yield Static("", id="add-summary", markup=False)
            yield Static("", id="add-refused", markup=False, classes="hidden")
            with Horizontal(id="add-progress-row", classes="hidden"):
                # The label says how far: the bar's own percentage ran into it.
                yield ProgressBar(id="add-bar", show_eta=False, show_percentage=False)
                yield Static("", id="add-progress-label", markup=False)
            yield Static("", id="add-report", markup=False, classes="hidden")
            with Horizontal(id="add-buttons"):
                yield Button("Queue (ctrl+s)", id="add-queue", variant="primary", compact=True)
                yield Button("Close (esc)", id="add-close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#add-urls", TextArea).focus()
        self._recheck()

    # -- checking --------------------------------------------------------------

    def _queued(self) -> dict[str, str]:
        return {normalize_url(j.url): j.state.value for j in self.poller.jobs.values()}

    @on(TextArea.Changed, "#add-urls")
    def _text_changed(self) -> None:
        # Check after typing pauses: 1,000 lines take milliseconds, but not every keystroke.
        if self._check_timer is not None:
            self._check_timer.stop()
        self._check_timer = self.set_timer(0.25, self._recheck)

    def _recheck(self) -> None:
        text = self.query_one("#add-urls", TextArea).text
        self._checked = check_lines(text, self._queued(), self._server_refused)
        summary = self.query_one("#add-summary", Static)
        if not self._checked.accepted and not self._checked.refused:
            summary.update("Paste or type URLs above, then ctrl+s.")
        else:
            summary.update(self._checked.summary())
        refused = self.query_one("#add-refused", Static)
        refused.update(refused_text(self._checked))
        refused.set_class(not self._checked.refused, "hidden")

    # -- sending ---------------------------------------------------------------

    @on(Input.Changed, "#add-folder")
    def _folder_changed(self) -> None:
        # The server may refuse a URL for its folder: another folder is another try.
        if self._server_refused:
            self._server_refused.clear()
            self._recheck()

    @on(Button.Pressed, "#add-queue")
    def action_queue(self) -> None:
        """Queue the accepted lines."""
        if self._stop is not None:
            return
        self._recheck()
        if not self._checked.accepted:
            self.notify("Nothing to queue: every line was refused or blank.", severity="warning")
            return
        folder = self.query_one("#add-folder", Input).value.strip() or None
        self._send(list(self._checked.accepted), folder)

    @work(exclusive=True, group="add_urls.send", exit_on_error=False, description="queue uploads")
    async def _send(self, urls: list[str], folder: str | None) -> None:
        self._stop = stop = asyncio.Event()
        area = self.query_one("#add-urls", TextArea)
        area.read_only = True
        bar = self.query_one("#add-bar", ProgressBar)
        bar.update(total=len(urls), progress=0)
        label = self.query_one("#add-progress-label", Static)
        self.query_one("#add-progress-row").remove_class("hidden")
        button = self.query_one("#add-queue", Button)
        button.disabled = True
        button.label = "Sending…"
        started = time.monotonic()
        latest = SendReport(total=len(urls))

        def progress(report: SendReport) -> None:
            nonlocal latest
            latest = report  # painted by the timer, not at every answer

        def paint() -> None:
            bar.update(progress=latest.done)
            elapsed = time.monotonic() - started
            label.update(progress_text(latest, elapsed, stopping=stop.is_set()))

        paint()
        timer = self.set_interval(PROGRESS_EVERY, paint)
        try:
            report = await self.poller.send(urls, folder, on_progress=progress, stop=stop)
        finally:
            timer.stop()
            bar.update(progress=latest.done)
            label.update(progress_text(latest, time.monotonic() - started, over=True))
            self._stop = None
            area.read_only = False
            button.disabled = False
            button.label = "Queue (ctrl+s)"
        self.report = report
        self._finished(report)

    def _finished(self, report: SendReport) -> None:
        clean = not (report.unknown or report.refused or report.not_sent or report.stopped_by)
        if clean:
            self.app.notify(f"Queued {report.queued:,} upload(s).", title="Uploads")
            self.dismiss(report)
            return
        # Leave what was not queued in the box, so it can be fixed and sent again;
        # the lines the server refused are listed with its reason until changed.
        for url, why in report.refused:
            self._server_refused[normalize_url(url)] = why
        left = [u for u, _ in report.refused] + report.not_sent
        self.query_one("#add-urls", TextArea).load_text("\n".join(left))
        self._recheck()
        shown = self.query_one("#add-report", Static)
        shown.update(report_text(report))
        shown.remove_class("hidden")

    @on(Button.Pressed, "#add-close")
    def action_close(self) -> None:
        """Close; while sending, stop after the requests in flight."""
        if self._stop is not None:
            self._stop.set()  # the progress line says so at its next paint
            return
        self.dismiss(self.report)


__all__ = ["AddUrlsScreen", "progress_text", "refused_text", "report_text"]
