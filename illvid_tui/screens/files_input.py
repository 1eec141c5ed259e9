"""The Files screen's input panel: the paste box, the file field, what was parsed.

Big pastes (thousands of lines) are held aside rather than put into the
editor, which would stall on them; parsing runs in a thread, debounced.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Label, Static, TextArea
from textual.worker import Worker, WorkerState

from illvid_tui.core.codes import ParsedCodes, parse_codes
from illvid_tui.gcpause import building_big_data
from illvid_tui.widgets.path_input import PathInput
from illvid_tui.widgets.worker_errors import ForwardsWorkerErrors

#: A paste or file with this many lines or more is held aside, not edited in the box.
BIG_TEXT_LINES = 2000
#: Largest file loaded (a list of codes is a few MB at most).
MAX_FILE_BYTES = 64 * 1024 * 1024


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


def parse_big(text: str) -> ParsedCodes:
    """`parse_codes` without collector pauses (100,000 lines make many strings)."""
    with building_big_data():
        return parse_codes(text)


def _parse_source(text: str) -> tuple[str, ParsedCodes]:
    return text, parse_big(text)


class CodeInput(ForwardsWorkerErrors, Vertical):
    """Where the codes to check come from: typed, pasted or loaded from a file."""

    DEFAULT_CSS = """
    CodeInput { height: auto; }
    CodeInput #files-paste { height: 5; border: round $panel-lighten-2; padding: 0; }
    CodeInput #files-paste:focus { border: round $accent; }
    CodeInput #files-load { height: 1; }
    CodeInput #files-load Label { width: auto; padding: 0 1; }
    CodeInput #files-path { border: none; height: 1; padding: 0; }
    CodeInput #files-parsed { height: 1; padding: 0 1; color: $text-muted; }
    CodeInput #files-rejected {
        height: auto; max-height: 3; padding: 0 1; color: $warning; overflow-y: auto;
    }
    CodeInput .hidden { display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        #: Text held aside (a big paste or a loaded file), and where it came from.
        self._bulk = ""
        self._bulk_origin = ""
        #: What the last parse found (None: nothing parsed yet).
        self.parsed: ParsedCodes | None = None
        #: The text `parsed` was parsed from (None: unknown, parse again).
        self._parsed_source: str | None = None
        self._parse_timer: Timer | None = None

    def compose(self) -> ComposeResult:
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

    def on_mount(self) -> None:
        self.show_parsed(None)

    @property
    def box(self) -> PasteArea:
        return self.query_one(PasteArea)

    def source_text(self) -> str:
        """The box's text, after any text held aside."""
        box = self.box.text
        return f"{self._bulk}\n{box}" if self._bulk else box

    def edit(self) -> None:
        """Go to the paste box."""
        self.box.focus()

    def open_file(self) -> None:
        """Go to the file path field."""
        self.query_one("#files-path", PathInput).focus()

    def clear(self) -> None:
        """Empty the paste box and drop text held aside."""
        self._bulk, self._bulk_origin = "", ""
        self.box.clear()
        self.show_parsed(None)

    def paste(self, text: str) -> None:
        """A paste that reached the screen (not the box): added after the box's text."""
        box = self.box.text
        self.take_text(f"{box.rstrip()}\n{text}" if box.strip() else text, "pasted")

    @on(PasteArea.BigText)
    def _big_text(self, event: PasteArea.BigText) -> None:
        self.take_text(event.text, event.origin)

    def take_text(self, text: str, origin: str) -> None:
        """Small texts go into the box to edit; big ones are held aside."""
        lines = text.count("\n") + 1
        if lines >= BIG_TEXT_LINES:
            self._bulk, self._bulk_origin = text, f"{lines:,} lines {origin}"
            self.box.clear()
        else:
            self._bulk, self._bulk_origin = "", ""
            box = self.box
            box.load_text(text)
            box.move_cursor(box.document.end)  # as if typed: the end of the text in view
        self._parse_soon()

    # -- parsing -------------------------------------------------------------------

    @on(TextArea.Changed, "#files-paste")
    def _text_changed(self) -> None:
        self._parse_soon()

    def _parse_soon(self) -> None:
        # Debounced: a burst of keystrokes parses once, in a thread.
        if self._parse_timer is not None:
            self._parse_timer.stop()
        self._parse_timer = self.set_timer(0.25, self._start_parse, name="files.parse")

    def parsed_for(self, text: str) -> ParsedCodes | None:
        """The last parse, if it was of `text` (None: parse it again)."""
        return self.parsed if self._parsed_source == text else None

    def _start_parse(self) -> None:
        self.run_worker(
            partial(_parse_source, self.source_text()),
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
            if isinstance(worker.result, tuple):
                source, parsed = worker.result
                self.show_parsed(parsed, source)

    def show_parsed(self, parsed: ParsedCodes | None, source: str | None = None) -> None:
        """Say what `parsed` (the parse of `source`) holds, and list what was left out."""
        self.parsed = parsed
        self._parsed_source = source if parsed is not None else None
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

    # -- loading a file ------------------------------------------------------------

    @on(Input.Submitted, "#files-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        event.stop()
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
                self.notify, f"Could not read {path}: {reason}", severity="error", markup=False
            )
            return
        self.app.call_from_thread(self.take_text, text, f"from {path.name}")
        self.app.call_from_thread(self.notify, f"Loaded {path}", markup=False)


__all__ = ["BIG_TEXT_LINES", "MAX_FILE_BYTES", "CodeInput", "PasteArea", "parse_big"]
