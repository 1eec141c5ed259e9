"""Turning pasted text or a file's text into file codes.

Codes and links may come in any mix with any separators (new lines, spaces,
tabs, commas, semicolons, pipes). A link is reduced to its code, the case is
kept as given, duplicates are merged and every token that is not a code is
kept aside with the reason, so the user sees what was left out.

Pure functions, no I/O: callers run `parse_codes` in a thread worker when the
text is large (100,000 lines take well under a second, but not under a frame).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from illvid_tui.api.links import CODE_RE, code_from_text

#: What separates tokens: white space and the usual list punctuation. Not "/",
#: ":" or "?" which links need.
_SEPARATORS = re.compile(r"[\s,;|]+")
#: The common link shape, matched without building a URL object (fast path).
_FAST_LINK = re.compile(
    r"^https?://[A-Za-z0-9.\-]+(?::\d+)?/(?:[a-z]{1,3}/|embed-|d/|e/|f/)?"
    r"([A-Za-z0-9]{6,32})(?:[/.\-_?#].*)?$"
)
_WORD = re.compile(r"^[A-Za-z0-9]+$")
#: Code lengths CODE_RE lets through (kept in step with it for the messages).
MIN_LEN, MAX_LEN = 6, 32
#: At most this many rejected tokens are kept (the count goes on).
MAX_REJECTED_KEPT = 1000


@dataclass(frozen=True)
class Rejected:
    """A token that is not a file code, with why and where (1-based line)."""

    token: str
    reason: str
    line: int


@dataclass
class ParsedCodes:
    """What a text held: unique codes in first-seen order, and what was left out."""

    codes: list[str] = field(default_factory=list)
    #: Tokens that repeated a code already seen (merged).
    duplicates: int = 0
    #: Codes that came as links (reduced to their code).
    from_links: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    #: All rejected tokens, also those past MAX_REJECTED_KEPT.
    rejected_count: int = 0

    def summary(self) -> str:
        """One line for people, e.g. "1,204 codes (3 from links), 2 duplicates merged"."""
        parts = [f"{len(self.codes):,} code{'s' if len(self.codes) != 1 else ''}"]
        if self.from_links:
            parts[0] += f" ({self.from_links:,} from links)"
        if self.duplicates:
            parts.append(
                f"{self.duplicates:,} duplicate{'s' if self.duplicates != 1 else ''} merged"
            )
        if self.rejected_count:
            parts.append(f"{self.rejected_count:,} left out")
        return ", ".join(parts)


def reject_reason(token: str) -> str:
    """Why `token` is not a file code (call it only for tokens that are not)."""
    cleaned = token.strip().strip("<>\"'()[],;")
    if not cleaned:
        return "only punctuation"
    if "://" in cleaned or cleaned.startswith("www.") or "/" in cleaned:
        if "://" in cleaned and not cleaned.lower().startswith(("http://", "https://")):
            return "not an http(s) link"
        return "a link without a file code in it"
    if _WORD.match(cleaned):
        if len(cleaned) < MIN_LEN:
            return f"too short for a code ({len(cleaned)} characters, at least {MIN_LEN})"
        return f"too long for a code ({len(cleaned)} characters, at most {MAX_LEN})"
    odd = sorted({ch for ch in cleaned if not ch.isascii() or not ch.isalnum()})
    shown = " ".join(repr(ch) for ch in odd[:3])
    return f"a code has only letters and digits, this has {shown}"


def code_of(token: str) -> tuple[str | None, bool]:
    """(the code in `token` or None, whether it came from a link)."""
    if CODE_RE.match(token):
        return token, False
    match = _FAST_LINK.match(token)
    if match:
        return match.group(1), True
    code = code_from_text(token)
    return code, code is not None and code != token.strip().strip("<>\"'()[],;")


def parse_codes(text: str) -> ParsedCodes:
    """Every file code in `text` (codes or links, any separators), deduplicated."""
    out = ParsedCodes()
    seen: set[str] = set()
    codes = out.codes
    for number, line in enumerate(text.splitlines(), start=1):
        for token in _SEPARATORS.split(line):
            if not token:
                continue
            code, from_link = code_of(token)
            if code is None:
                out.rejected_count += 1
                if len(out.rejected) < MAX_REJECTED_KEPT:
                    out.rejected.append(Rejected(token[:80], reject_reason(token), number))
                continue
            if code in seen:
                out.duplicates += 1
                continue
            seen.add(code)
            codes.append(code)
            if from_link:
                out.from_links += 1
    return out


__all__ = [
    "MAX_REJECTED_KEPT",
    "ParsedCodes",
    "Rejected",
    "code_of",
    "parse_codes",
    "reject_reason",
]
