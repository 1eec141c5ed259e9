"""What a subcommand prints, and with which exit status.

One `Output` per run: human text (aligned columns that fit the terminal,
colour only on a terminal without NO_COLOR), one JSON document (`--json`),
one object a line (`--ndjson`) or CSV. Progress goes to stderr, only when
stderr is a terminal and `-q` is off; errors always go to stderr, one line.
Everything written is redacted (api.redact): a server may echo a key back.
"""

from __future__ import annotations

import enum
import json
import os
import shutil
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from illvid_tui.api import redact


class Exit(enum.IntEnum):
    """The exit statuses every subcommand uses (documented in the README)."""

    OK = 0
    #: Network or server failure after retries, or an unknown outcome.
    FAILED = 1
    #: Bad usage or bad input.
    USAGE = 2
    #: Done, but something needs attention (codes missing, uploads failed...).
    ATTENTION = 3
    #: Credentials missing or refused.
    CREDENTIALS = 4


#: Which status wins when a run has several outcomes (most serious first).
_SEVERITY = (Exit.CREDENTIALS, Exit.FAILED, Exit.USAGE, Exit.ATTENTION, Exit.OK)


def worst(*statuses: Exit) -> Exit:
    """The most serious of `statuses` (OK when none is given)."""
    return min(statuses, key=_SEVERITY.index, default=Exit.OK)


class CliError(Exception):
    """Ends a subcommand: `text` (one line) on stderr and `status` as the exit status."""

    def __init__(self, status: Exit, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


@dataclass
class Streams:
    """Where a run reads and writes, and the environment it sees (tests pass their own)."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)


def isatty(stream: object) -> bool:
    """Whether `stream` is a terminal (False for anything that cannot say)."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


class Output:
    """The printing side of one subcommand run."""

    def __init__(self, streams: Streams, *, fmt: str = "text", quiet: bool = False) -> None:
        self.streams = streams
        #: "text", "json", "ndjson" or "csv".
        self.fmt = fmt
        self.quiet = quiet
        env = streams.environ
        self.stdout_tty = isatty(streams.stdout)
        self.stderr_tty = isatty(streams.stderr)
        self.colour = self.stdout_tty and not env.get("NO_COLOR") and env.get("TERM", "") != "dumb"

    @property
    def human(self) -> bool:
        return self.fmt == "text"

    # -- stdout ------------------------------------------------------------------

    def line(self, text: str = "") -> None:
        """A line of human output (nothing under -q)."""
        if not self.quiet:
            self.streams.stdout.write(redact.text(text) + "\n")

    def answer(self, text: str) -> None:
        """A line of the answer asked for (`check --missing`): written even under -q."""
        self.streams.stdout.write(redact.text(text) + "\n")

    def document(self, value: Any) -> None:
        """The one JSON document of `--json` (written even under -q: it is the answer)."""
        text = json.dumps(value, ensure_ascii=False, indent=2, default=str)
        self.streams.stdout.write(redact.text(text) + "\n")

    def record(self, value: Any) -> None:
        """One NDJSON line, flushed (a `--watch` reader sees it at once)."""
        out = self.streams.stdout
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
        out.write(redact.text(text) + "\n")
        out.flush()

    def csv(self, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        """CSV with a header line (written even under -q: it is the answer)."""
        import csv

        writer = csv.writer(self.streams.stdout, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(["" if v is None else redact.text(str(v)) for v in row] for row in rows)

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        styles: Sequence[str | None] | None = None,
    ) -> None:
        """Aligned columns; on a terminal the widest column is cut to fit its width.

        `styles` gives one ANSI SGR code (e.g. "31") per row, or None, used only
        when colour is on.
        """
        if self.quiet:
            return
        cells = [[_cell(v) for v in row] for row in rows]
        widths = [len(h) for h in headers]
        for row in cells:
            for i, text in enumerate(row):
                widths[i] = max(widths[i], len(text))
        if self.stdout_tty:
            widths = fit(widths, self.columns())
        out = self.streams.stdout
        head = _join(list(headers), widths)
        out.write((f"\x1b[1m{head}\x1b[0m" if self.colour else head) + "\n")
        for n, row in enumerate(cells):
            text = _join(row, widths)
            style = styles[n] if styles is not None and n < len(styles) else None
            if style and self.colour:
                text = f"\x1b[{style}m{text}\x1b[0m"
            out.write(text + "\n")

    def pairs(self, items: Iterable[tuple[str, object]]) -> None:
        """Name/value lines with the values aligned (no header)."""
        if self.quiet:
            return
        rows = [(name, _cell(value)) for name, value in items]
        width = max((len(name) for name, _ in rows), default=0)
        for name, value in rows:
            label = f"{name:<{width}}"
            if self.colour:
                label = f"\x1b[1m{label}\x1b[0m"
            self.streams.stdout.write(f"{label}  {value}".rstrip() + "\n")

    def columns(self) -> int:
        return shutil.get_terminal_size((100, 24)).columns

    # -- stderr --------------------------------------------------------------------

    def note(self, text: str) -> None:
        """A remark for people on stderr (a summary, a warning); nothing under -q."""
        if not self.quiet:
            self.streams.stderr.write(redact.text(text) + "\n")

    def progress(self, text: str) -> None:
        """A progress line, rewritten in place; only on a terminal and not under -q."""
        if self.quiet or not self.stderr_tty:
            return
        self.streams.stderr.write("\r\x1b[2K" + redact.text(text)[: self.columns() - 1])
        self.streams.stderr.flush()

    def progress_done(self) -> None:
        """Clear the progress line (if one was drawn)."""
        if not self.quiet and self.stderr_tty:
            self.streams.stderr.write("\r\x1b[2K")
            self.streams.stderr.flush()

    def error(self, text: str) -> None:
        """An error: one line on stderr, always (also under -q), redacted."""
        first = " ".join(redact.text(text).split())
        self.streams.stderr.write(f"illvid-tui: {first}\n")


def _cell(value: object) -> str:
    # Server-written text may echo a key back (a URL with ``key=``): masked.
    text = "" if value is None else redact.text(str(value))
    # A server's text may hold new lines or tabs; one row stays one line.
    return " ".join(text.split()) if any(c in text for c in "\n\r\t") else text


def _join(cells: Sequence[str], widths: Sequence[int]) -> str:
    parts = []
    last = len(cells) - 1
    for i, (text, width) in enumerate(zip(cells, widths, strict=True)):
        if len(text) > width:
            text = text[: max(width - 1, 0)] + "…"
        parts.append(text if i == last else text.ljust(width))
    return "  ".join(parts).rstrip()


def fit(widths: Sequence[int], columns: int) -> list[int]:
    """Shrink the widest columns until the row (two spaces between) fits `columns`."""
    out = list(widths)
    gaps = 2 * (len(out) - 1)
    while sum(out) + gaps > columns:
        widest = max(range(len(out)), key=out.__getitem__)
        if out[widest] <= 8:
            break
        out[widest] -= 1
    return out


__all__ = ["CliError", "Exit", "Output", "Streams", "fit", "isatty", "worst"]
