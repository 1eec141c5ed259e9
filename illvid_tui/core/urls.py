"""Checking pasted lines before they are queued as remote uploads.

One URL a line. A line is accepted when it is an http(s) URL with a host and
is neither already in the queue nor a repeat of an earlier line; every other
non-blank line is listed with the reason. Pure and fast: 1,000 lines take a
few milliseconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from illvid_tui.core.uploads import normalize_url

#: Longer lines are refused: a GET query must stay short.
MAX_URL_LENGTH = 2000


@dataclass(frozen=True)
class RefusedLine:
    """A pasted line that will not be queued, with why (`line` is 1-based)."""

    line: int
    text: str
    reason: str


@dataclass
class CheckedLines:
    """The URLs to queue, in order, and the lines refused."""

    accepted: list[str] = field(default_factory=list)
    refused: list[RefusedLine] = field(default_factory=list)

    def summary(self) -> str:
        """One line for people, e.g. "3 to queue, 2 refused"."""
        n = len(self.accepted)
        parts = [f"{n:,} URL{'s' if n != 1 else ''} to queue"]
        if self.refused:
            parts.append(f"{len(self.refused):,} refused")
        return ", ".join(parts)


def url_problem(url: str) -> str | None:
    """Why `url` cannot be queued, or None when it can."""
    if len(url) > MAX_URL_LENGTH:
        return f"too long ({len(url):,} characters, at most {MAX_URL_LENGTH:,})"
    if not url.isprintable() or any(ch.isspace() for ch in url):
        return "contains spaces or control characters (one URL a line)"
    scheme, sep, _ = url.partition("://")
    if not sep:
        return "not a URL (it must start with http:// or https://)"
    if scheme.lower() not in ("http", "https"):
        return f"{scheme.lower()}:// is not supported (http or https only)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "not a valid URL (check the host and port)"
    host = parts.hostname or ""
    if not host or host.startswith(".") or ".." in host:
        return "no host name"
    return None


def check_lines(
    text: str,
    queued: Mapping[str, str] | None = None,
    server_refused: Mapping[str, str] | None = None,
) -> CheckedLines:
    """Check pasted `text`, one URL a line.

    Args:
        text: what was pasted; blank lines and lines starting with ``#`` are skipped.
        queued: normalized URL -> state word, for the jobs already in the queue.
        server_refused: normalized URL -> the server's reason, for URLs it refused
            in this dialog: listed as refused until the line is changed.
    """
    queued = queued or {}
    server_refused = server_refused or {}
    out = CheckedLines()
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        url = raw.strip()
        if not url or url.startswith("#"):
            continue
        problem = url_problem(url)
        if problem is None:
            norm = normalize_url(url)
            if norm in queued:
                problem = f"already in the queue ({queued[norm]})"
            elif norm in server_refused:
                problem = f"refused by the server: {server_refused[norm]}"
            elif norm in seen:
                problem = f"repeats line {seen[norm]}"
            else:
                seen[norm] = number
                out.accepted.append(url)
                continue
        out.refused.append(RefusedLine(number, url[:200], problem))
    return out


__all__ = ["MAX_URL_LENGTH", "CheckedLines", "RefusedLine", "check_lines", "url_problem"]
