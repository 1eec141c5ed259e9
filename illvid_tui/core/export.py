"""Writing a table or a list of codes to a file the user named.

    write_csv("~/dmca.csv", ["file_code", "expires"], rows)
    write_lines("~/missing.txt", codes)

Both write to a temporary file beside the target and rename it over the
target, so a reader (or a crash half-way) never sees half a file. Every
failure a person can cause (no such folder, no permission, a folder given
instead of a file, a full disk) is an `ExportError` whose text says what to
fix; the caller shows it as is. Blocking I/O: call from a `thread=True`
worker when the data is large.
"""

from __future__ import annotations

import csv
import errno
import os
import secrets
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


class ExportError(Exception):
    """A file could not be written; the text says why and what to do."""


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """The path with `~` expanded; an empty path is an `ExportError`."""
    text = os.fspath(path).strip()
    if not text:
        raise ExportError("No file name given.")
    return Path(text).expanduser()


def write_csv(
    path: str | os.PathLike[str],
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> Path:
    """Write `header` and `rows` as CSV (UTF-8, "\\r\\n" lines per RFC 4180).

    Cells are written with `str()`; None becomes an empty cell. Returns the
    path written (with `~` expanded).
    """

    def fill(handle: Any) -> int:
        writer = csv.writer(handle)
        writer.writerow(header)
        count = 0
        for row in rows:
            writer.writerow(["" if cell is None else cell for cell in row])
            count += 1
        return count

    return _atomic_write(path, fill, newline="")


def write_lines(path: str | os.PathLike[str], lines: Iterable[str]) -> Path:
    """Write one item a line (a plain list of codes or links). Returns the path written."""

    def fill(handle: Any) -> int:
        count = 0
        for line in lines:
            handle.write(f"{line}\n")
            count += 1
        return count

    return _atomic_write(path, fill, newline="\n")


def check_path(path: str | os.PathLike[str]) -> Path:
    """The expanded path when a file can be written there; else an `ExportError` saying why.

    Cheap (a few `stat` calls): dialogs call it to refuse a bad path before closing.
    """
    target = resolve_path(path)
    _check_target(target)
    return target


def _atomic_write(path: str | os.PathLike[str], fill: Any, *, newline: str) -> Path:
    target = check_path(path)
    folder = target.parent
    tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        # Not mkstemp: its 0600 mode would stick to the user's file. 0666 less the
        # umask (or the mode of the file replaced) is what any editor would give.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _mode_for(target))
    except OSError as error:
        raise _explain(error, target) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as handle:
            fill(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as error:
        tmp.unlink(missing_ok=True)
        raise _explain(error, target) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def _check_target(target: Path) -> None:
    try:
        _check_target_exists(target)
    except OSError as error:  # e.g. a name too long to even look up
        raise _explain(error, target) from None


def _check_target_exists(target: Path) -> None:
    if target.is_dir():
        raise ExportError(f"{target} is a folder: give a file name inside it.")
    folder = target.parent
    if not folder.exists():
        raise ExportError(f"The folder {folder} does not exist: create it or pick another.")
    if not folder.is_dir():
        raise ExportError(f"{folder} is not a folder.")


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return 0o666


def _explain(error: OSError, target: Path) -> ExportError:
    if error.errno in (errno.EACCES, errno.EPERM):
        return ExportError(f"No permission to write {target}: pick another folder.")
    if error.errno == errno.ENOSPC:
        return ExportError(f"The disk is full: {target} was not written.")
    if error.errno == errno.EROFS:
        return ExportError(f"{target.parent} is read-only: pick another folder.")
    if error.errno == errno.ENOENT:
        return ExportError(f"The folder {target.parent} does not exist: create it or pick another.")
    if error.errno == errno.ENAMETOOLONG:
        return ExportError(f"The name {target.name[:40]}… is too long: pick a shorter one.")
    if error.errno == errno.EISDIR:
        return ExportError(f"{target} is a folder: give a file name inside it.")
    return ExportError(f"Could not write {target}: {error.strerror or error}.")


__all__ = ["ExportError", "check_path", "resolve_path", "write_csv", "write_lines"]
