"""Notice when the terminal has gone away, so the app ends instead of spinning.

A lost SSH session normally sends SIGHUP, which ends the process. When the
terminal goes without one (the process was detached from it, or sits in
another session), every read of stdin returns end-of-file at once and
Textual's input thread spins on a full core forever. A hung-up terminal fails
`tcgetattr` with EIO; a live one answers without any input being consumed.
"""

from __future__ import annotations

import os
import termios


def attached_terminal() -> int | None:
    """The file descriptor of the terminal on stdin, or None when stdin is not one."""
    try:
        return 0 if os.isatty(0) else None
    except OSError:
        return None


def terminal_gone(fd: int) -> bool:
    """True once the terminal on `fd` has hung up (or was closed)."""
    try:
        termios.tcgetattr(fd)
    except (termios.error, OSError):
        return True
    return False
