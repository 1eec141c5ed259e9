"""The log file: redacted, in the platformdirs log dir, created (0600) on first use.

Unexpected errors go here with their traceback (never the local variables)
so the screen only needs a short line. Every record passes the redacting
filter, whichever logger made it.
"""

from __future__ import annotations

import logging
import os
import traceback
from io import TextIOWrapper
from pathlib import Path

from illvid_tui.api import redact
from illvid_tui.core.private import private_dir, private_file

_MARK = "_illvid_tui_handler"
_log = logging.getLogger("illvid_tui")


class _RedactingFormatter(logging.Formatter):
    """Formats, then masks secrets in the whole text (message and traceback)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact.text(super().format(record))


class _FolderOnFirstRecord(logging.FileHandler):
    """A file handler that creates the file and its folder with the first record.

    A run that logs nothing (most runs, and every clean `--demo`) leaves no
    empty log folder behind. A folder that cannot be made drops the record.
    Only the user may read the log: the folder is 0700, the file 0600 from
    its first byte.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self._path = path

    def emit(self, record: logging.LogRecord) -> None:
        if self.stream is None:
            try:
                private_dir(self._path.parent)
            except OSError:
                return
        super().emit(record)

    def _open(self) -> TextIOWrapper:
        private_file(self._path)
        return super()._open()


def setup(log_path: Path, *, debug: bool | None = None) -> None:
    """Send illvid_tui's records (and httpx's warnings) to `log_path`, redacted.

    Calling it again (another app in the same process) replaces the handler.
    """
    if debug is None:
        debug = bool(os.environ.get("ILLVID_TUI_DEBUG"))
    for name in ("illvid_tui", "httpx", "httpcore"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if getattr(h, _MARK, False)]:
            logger.removeHandler(old)
            old.close()
    handler: logging.Handler = _FolderOnFirstRecord(log_path)
    setattr(handler, _MARK, True)
    handler.setFormatter(_RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redact.RedactingFilter())
    app_logger = logging.getLogger("illvid_tui")
    app_logger.setLevel(logging.DEBUG if debug else logging.INFO)
    app_logger.addHandler(handler)
    # httpx logs every full URL at INFO: only its warnings, redacted, reach the file.
    for name in ("httpx", "httpcore"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        logger.addHandler(handler)


def log_unexpected(error: BaseException, where: str) -> None:
    """Write `error` with its traceback (no locals) to the log, redacted."""
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    _log.error("unexpected error in %s:\n%s", where, redact.text("".join(lines)).rstrip())


def short(error: BaseException) -> str:
    """A short, redacted line naming `error`, for a notification."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    line = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return redact.text(line[:160])


def bench_mark(event: str) -> None:
    """For benchmarks/startup.py: write `event` to the pipe in ILLVID_TUI_BENCH_FD."""
    fd = os.environ.get("ILLVID_TUI_BENCH_FD")
    if fd:
        try:
            os.write(int(fd), f"{event}\n".encode())
        except (OSError, ValueError):
            pass
