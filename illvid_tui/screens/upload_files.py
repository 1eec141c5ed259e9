"""The "upload files" dialog of the Uploads screen: local files to the account.

A path line (Tab completes, Enter adds it to the list), the list itself (one
path a line; paste many), an optional folder, and "sub-folders too". Lines
are checked in a thread as they change: the summary shows how many files and
how many bytes will go before anything is sent, and refused lines are listed
with the reason (no such file, not a regular file, not readable), like the
URL dialog does. ctrl+s queues the files: each is a waiting job in the state
database before the dialog says so; the app's runner sends them, two at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Button, Checkbox, Input, Label, Static, TextArea

from illvid_tui.core.local_paths import CheckedPaths, check_paths, size_text
from illvid_tui.widgets.path_input import PathInput
from illvid_tui.widgets.worker_errors import ForwardsWorkerErrors

if TYPE_CHECKING:
    from illvid_tui.core.local_uploads import LocalUploads

#: Refused lines listed (the count says how many more).
MAX_LISTED = 100


def summary_text(checked: CheckedPaths) -> str:
    n = len(checked.files)
    if not n and not checked.refused:
        return "Type a path above (Tab completes, Enter adds it) or paste paths below."
    parts = [f"{n:,} file{'s' if n != 1 else ''}, {size_text(checked.total)} to send"]
    if checked.refused:
        parts.append(f"{len(checked.refused):,} refused")
    return " · ".join(parts)


def refused_text(checked: CheckedPaths) -> str:
    lines = [f"line {r.line}: {r.text} — {r.reason}" for r in checked.refused[:MAX_LISTED]]
    more = len(checked.refused) - MAX_LISTED
    if more > 0:
        lines.append(f"… and {more:,} more")
    return "\n".join(lines)


class UploadFilesScreen(ForwardsWorkerErrors, ModalScreen[int | None]):
    """Pick local files (and folders) and queue them; dismisses with the count queued."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "queue", "Upload", id="upload_files.queue", priority=True),
        Binding("escape", "close", "Close", id="upload_files.close"),
    ]

    DEFAULT_CSS = """
    UploadFilesScreen { align: center middle; }
    UploadFilesScreen #files-box {
        width: 90%; max-width: 120; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    UploadFilesScreen #files-path-row, UploadFilesScreen #files-folder-row { height: 1; }
    UploadFilesScreen Label { width: auto; padding-right: 1; }
    UploadFilesScreen #files-path { border: none; height: 1; padding: 0; }
    UploadFilesScreen #files-folder { border: none; height: 1; padding: 0; width: 1fr; }
    UploadFilesScreen #files-list { height: 7; border: round $panel-lighten-2; }
    UploadFilesScreen #files-list:focus { border: round $accent; }
    UploadFilesScreen #files-recursive { border: none; height: 1; padding: 0; width: auto; }
    UploadFilesScreen #files-summary { height: 1; margin-top: 1; text-style: bold; }
    UploadFilesScreen #files-refused {
        height: auto; max-height: 6; color: $warning; overflow-y: auto;
    }
    UploadFilesScreen #files-buttons { height: 1; margin-top: 1; align-horizontal: right; }
    UploadFilesScreen #files-buttons Button { margin-left: 1; }
    UploadFilesScreen .hidden { display: none; }
    """

    def __init__(self, runner: LocalUploads) -> None:
        super().__init__()
        self.runner = runner
        self.checked = CheckedPaths()
        self._timer: Timer | None = None
        self._queue_after_check = False

    def compose(self) -> ComposeResult:
        with Vertical(id="files-box") as box:
            box.border_title = "Upload local files"
            with Horizontal(id="files-path-row"):
                yield Label("Path:")
                yield PathInput(placeholder="~/videos/clip.mp4 or a folder", id="files-path")
            area = TextArea(id="files-list", soft_wrap=False)
            area.border_title = "Files and folders, one a line"
            yield area
            with Horizontal(id="files-folder-row"):
                yield Label("Folder on the account (optional):")
                yield Input(placeholder="save into this folder", id="files-folder")
                yield Checkbox("sub-folders too", id="files-recursive", compact=True)
            yield Static("", id="files-summary", markup=False)
            yield Static("", id="files-refused", markup=False, classes="hidden")
            with Horizontal(id="files-buttons"):
                yield Button("Upload (ctrl+s)", id="files-queue", variant="primary", compact=True)
                yield Button("Close (esc)", id="files-close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#files-path", PathInput).focus()
        self._show()

    # -- the list ----------------------------------------------------------------------
    @on(Input.Submitted, "#files-path")
    def _add_path(self) -> None:
        field = self.query_one("#files-path", PathInput)
        value = field.value.strip()
        if not value:
            return
        area = self.query_one("#files-list", TextArea)
        text = area.text.rstrip("\n")
        area.load_text(f"{text}\n{value}" if text else value)
        field.value = ""
        self._check_soon(0.0)

    @on(TextArea.Changed, "#files-list")
    @on(Checkbox.Changed, "#files-recursive")
    def _changed(self) -> None:
        self._check_soon(0.25)

    def _check_soon(self, delay: float) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(delay, self._check) if delay else None
        if not delay:
            self._check()

    def _lines(self) -> list[str]:
        return self.query_one("#files-list", TextArea).text.splitlines()

    def _check(self) -> None:
        recursive = self.query_one("#files-recursive", Checkbox).value
        self._run_check(self._lines(), recursive)

    @work(thread=True, exclusive=True, group="upload_files.check", exit_on_error=False)
    def _run_check(self, lines: list[str], recursive: bool) -> None:
        # stat() and folder listings block: a thread, so a slow disk never freezes the screen.
        checked = check_paths(lines, recursive=recursive)
        self.app.call_from_thread(self._checked, checked)

    def _checked(self, checked: CheckedPaths) -> None:
        self.checked = checked
        self._show()
        if self._queue_after_check:
            self._queue_after_check = False
            self._queue_checked()

    def _show(self) -> None:
        self.query_one("#files-summary", Static).update(summary_text(self.checked))
        refused = self.query_one("#files-refused", Static)
        refused.update(refused_text(self.checked))
        refused.set_class(not self.checked.refused, "hidden")

    # -- queuing -------------------------------------------------------------------------
    @on(Button.Pressed, "#files-queue")
    def action_queue(self) -> None:
        """Check the list once more, then queue what it holds."""
        pending = self.query_one("#files-path", PathInput).value.strip()
        if pending:  # a path typed but not added yet counts too
            self._add_path()
        self._queue_after_check = True
        self._check_soon(0.0)

    def _queue_checked(self) -> None:
        checked = self.checked
        if not checked.files:
            self.notify("Nothing to upload: every line was refused or blank.", severity="warning")
            return
        folder = self.query_one("#files-folder", Input).value.strip() or None
        jobs = self.runner.queue(checked.files, folder)  # committed before we say so
        n = len(jobs)
        self.app.notify(
            f"Queued {n:,} file{'s' if n != 1 else ''} ({size_text(checked.total)}).",
            title="Uploads",
            markup=False,
        )
        if not checked.refused:
            self.dismiss(n)
            return
        # Leave the refused lines in the box to be fixed; the queued ones are gone from it.
        area = self.query_one("#files-list", TextArea)
        area.load_text("\n".join(r.text for r in checked.refused))

    @on(Button.Pressed, "#files-close")
    def action_close(self) -> None:
        """Close without queuing anything more."""
        self.dismiss(None)


__all__ = ["UploadFilesScreen", "refused_text", "summary_text"]
