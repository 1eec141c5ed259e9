"""Folders and files only their owner can read: the state database, its WAL, the logs.

The queue holds the URLs a user uploads and the log holds what went wrong: on
a shared server neither is anyone else's business. Folders we own are 0700,
files 0600, whatever the umask, and files made by an older version with
looser modes are tightened when next opened.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) and make `path` itself 0700.

    Parents are created with the usual umask: they are the user's own folders
    (``~/.local/state``), not ours to lock down.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=DIR_MODE)
    except FileExistsError:
        pass
    if path.stat().st_mode & 0o777 != DIR_MODE:
        os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create `path` empty if it is missing (0600 from its first byte), else make it 0600.

    An existing file is never opened: closing any descriptor of a SQLite
    database drops every POSIX lock this process holds on it, the locks of
    its open connections included (SQLite's "how to corrupt" page, 2.2), and
    another process could then check the WAL in and delete it under them.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        tighten(path)
        return path
    try:
        if os.fstat(fd).st_mode & 0o777 != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)
    return path


def tighten(path: Path) -> None:
    """Make an existing file 0600; nothing if it is missing."""
    try:
        if path.stat().st_mode & 0o777 != FILE_MODE:
            os.chmod(path, FILE_MODE)
    except FileNotFoundError:
        pass


__all__ = ["DIR_MODE", "FILE_MODE", "private_dir", "private_file", "tighten"]
