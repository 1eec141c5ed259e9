"""How a local-file job reads on the Uploads screen: its cells, its detail lines.

Remote and local jobs share the table (one queue); a local one says ``file``
in the Kind column, its path where a remote one has its URL, sent/size,
percent, and while it runs speed and ETA in the status cell.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from illvid_tui.core.local_paths import size_text
from illvid_tui.core.local_uploads import Live
from illvid_tui.core.uploads import Job, JobState


def short_size(size: float) -> str:
    """A size in at most 6 cells: "999k", "12.3M", "1.1G"."""
    value = float(size)
    for unit in ("B", "k", "M", "G", "T"):
        if value < 1000 or unit == "T":
            if unit == "B":
                return f"{value:.0f}B"
            return f"{value:.1f}{unit}" if value < 100 else f"{value:.0f}{unit}"
        value /= 1000
    return f"{value:.0f}T"  # pragma: no cover - the loop returns


_UNITS = {"B": 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


def parse_short_size(text: str) -> float:
    """The bytes a `short_size` text stands for (sorting); -1 for anything else."""
    text = text.strip()
    try:
        return float(text[:-1]) * _UNITS[text[-1]] if text else -1.0
    except (KeyError, ValueError):
        return -1.0


def duration_text(seconds: float) -> str:
    """An ETA: "45s", "4m12s", "2h05m"."""
    s = int(max(0.0, seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


def sent_of(job: Job, live: Live | None) -> int:
    return live.sent if live is not None else job.bytes_sent


def local_size_cell(job: Job, live: Live | None) -> str:
    size = int(job.size or 0)
    if job.state is JobState.UPLOADING:
        return f"{short_size(sent_of(job, live))}/{short_size(size)}"
    return short_size(size)


def local_progress_cell(job: Job, live: Live | None) -> str:
    size = int(job.size or 0)
    if job.state is JobState.DONE:
        return "100%"
    if job.state is not JobState.UPLOADING:
        return ""
    return f"{100 * sent_of(job, live) // size}%" if size else "0%"


def local_status_cell(job: Job, live: Live | None) -> Text:
    state = job.state
    if state is JobState.UPLOADING:
        if live is None:  # another process sends it
            return Text("⇡ uploading", style="cyan")
        speed = live.speed
        if not speed:
            return Text("⇡ starting", style="cyan")
        eta = live.eta
        return Text(
            f"⇡ {short_size(speed)}/s {duration_text(eta) if eta is not None else ''}".rstrip(),
            style="cyan",
        )
    if state is JobState.WAITING:
        return Text("… waiting", style="dim")
    if state is JobState.DONE:
        return Text("✓ done", style="green")
    if state is JobState.INTERRUPTED:
        return Text("⏸ interrupted", style="bold yellow")
    if state is JobState.UNKNOWN:
        return Text("? unknown", style="bold yellow")
    return Text("✗ failed", style="bold red")


def local_detail_text(job: Job, live: Live | None, file_link: Callable[[str], str]) -> str:
    """Two lines: the path and folder, then bytes, speed or the outcome and the next step."""
    first = (job.path or job.url) + (f"  → folder {job.folder}" if job.folder else "")
    size = int(job.size or 0)
    sent = sent_of(job, live)
    state = job.state
    if state is JobState.UPLOADING:
        second = f"sent {size_text(sent)} of {size_text(size)}"
        if live is not None and live.speed:
            second += f" at {size_text(live.speed)}/s"
            if live.eta is not None:
                second += f", {duration_text(live.eta)} left"
        second += " · X cancels (the server keeps nothing)"
    elif state is JobState.WAITING:
        second = f"{size_text(size)} · waiting for a free slot · X cancels"
    elif state is JobState.DONE:
        second = f"{size_text(size)} · file {file_link(job.file_code or '')}"
    elif state is JobState.UNKNOWN:
        second = f"{job.error or 'outcome unknown'} · R sends it again on purpose"
    else:
        what = job.error or state.value
        second = f"{what} · R starts it again from zero"
    return f"{first}\n{second}"


__all__ = [
    "duration_text",
    "parse_short_size",
    "local_detail_text",
    "local_progress_cell",
    "local_size_cell",
    "local_status_cell",
    "short_size",
]
