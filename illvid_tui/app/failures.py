"""The app's one place for failures nobody caught: worker errors and crashes.

A worker's `IllvidError` becomes a note with its title and hint; anything else
is logged (redacted) with a short note saying where the details went. A crash
shows Textual a `CrashReport` instead of its traceback with local variables
(the key among them).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import App
from textual.worker import Worker, WorkerState

from illvid_tui.api.errors import IllvidError
from illvid_tui.core import logs
from illvid_tui.core.settings import Settings


class CrashReport(Exception):
    """What Textual shows instead of its traceback with local variables.

    Textual renders an exception with `__rich__` as is (no traceback, no
    locals): this one holds a redacted line and where the details went.
    """

    def __init__(self, line: str, log_path: str) -> None:
        super().__init__(line)
        self.line = line
        self.log_path = log_path

    def __rich__(self) -> Text:
        return Text.assemble(
            ("illvid-tui stopped on an unexpected error: ", "bold"),
            self.line,
            f"\nDetails (key redacted) are in {self.log_path}",
        )


class HandlesFailures(App[None]):
    """A base of `IllvidApp`: reports failed workers and turns a crash into a `CrashReport`."""

    settings: Settings

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.report_worker_error(event.worker)

    def report_worker_error(self, worker: Worker[Any]) -> None:
        """The one handler for errors no screen caught: short note, details to the log.

        The app's own workers come here directly; screens and widgets forward
        theirs (`widgets.worker_errors.ForwardsWorkerErrors`).
        """
        error = worker.error
        if error is None:
            return
        if isinstance(error, IllvidError):
            text = str(error) + (f"\n{error.hint}" if error.hint else "")
            self.notify(text, title=error.title, severity="error", markup=False)
            return
        logs.log_unexpected(error, f"worker {worker.group}")
        self.notify(
            f"{logs.short(error)}\nDetails: {self.settings.log_path}",
            title="Something went wrong",
            severity="error",
            markup=False,
        )

    def _handle_exception(self, error: Exception) -> None:
        # Textual's own crash screen prints local variables (the key among
        # them) and then run() returns: log the details, redacted, and show
        # Textual a report it renders as plain text. Textual still sets the
        # return code to 1, which the CLI turns into the exit status.
        if not isinstance(error, CrashReport):
            logs.log_unexpected(error, "the app")
            report = CrashReport(logs.short(error), str(self.settings.log_path))
            report.__cause__ = None
            error = report
        super()._handle_exception(error)


__all__ = ["CrashReport", "HandlesFailures"]
