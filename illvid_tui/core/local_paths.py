"""Which local paths can be uploaded: the check behind the "upload files" dialog and the CLI.

One path a line. A regular, readable file is taken; a folder adds the regular
files in it (sorted; not its sub-folders unless `recursive`; hidden entries
skipped); anything else is refused with the reason, so the dialog can list it
like the URL dialog lists refused URLs. Blocking (stat, listing): call it from
a thread.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from illvid_tui.core.local_store import QueuedFile
from illvid_tui.core.local_uploads import queued_file

#: Files one folder may add at most (a typo like "/" must not list the disk).
MAX_FILES = 10_000


@dataclass(frozen=True)
class RefusedPath:
    line: int
    text: str
    reason: str


@dataclass
class CheckedPaths:
    """The files to send (each once, in order) and the lines refused."""

    files: list[QueuedFile] = field(default_factory=list)
    refused: list[RefusedPath] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Bytes to send."""
        return sum(f.size for f in self.files)


def _folder_files(folder: Path, recursive: bool) -> Iterator[Path]:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    subfolders = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_file():
                yield Path(entry.path)
            elif recursive and entry.is_dir(follow_symlinks=False):
                subfolders.append(Path(entry.path))
        except OSError:
            continue
    for sub in subfolders:
        yield from _folder_files(sub, recursive)


def check_paths(lines: Iterable[str], *, recursive: bool = False) -> CheckedPaths:
    """Check each non-blank line; see the module docstring."""
    out = CheckedPaths()
    seen: set[Path] = set()

    def take(line: int, text: str, path: Path) -> None:
        try:
            queued = queued_file(path)
        except ValueError as exc:
            out.refused.append(RefusedPath(line, text, str(exc).split(": ", 1)[-1]))
            return
        if queued.path in seen:
            return
        seen.add(queued.path)
        out.files.append(queued)

    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        if not text:
            continue
        path = Path(text).expanduser()
        if path.is_dir():
            if not os.access(path, os.R_OK | os.X_OK):
                out.refused.append(RefusedPath(number, text, "folder not readable"))
                continue
            found = 0
            for child in _folder_files(path, recursive):
                if found >= MAX_FILES:
                    out.refused.append(
                        RefusedPath(number, text, f"more than {MAX_FILES:,} files: the rest left")
                    )
                    break
                take(number, str(child), child)
                found += 1
            if not found:
                where = "in it or below" if recursive else "in it (r adds sub-folders)"
                out.refused.append(RefusedPath(number, text, f"no files {where}"))
            continue
        take(number, text, path)
    return out


def size_text(size: int | float) -> str:
    """A size for people: "1.2 GB", "340.0 kB", "12 B" (decimal units, as disks are sold)."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if abs(value) < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} TB"


__all__ = ["MAX_FILES", "CheckedPaths", "RefusedPath", "check_paths", "size_text"]
