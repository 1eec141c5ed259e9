"""Keep API keys out of every text that leaves the client.

Keys in use are registered here; `text()` masks them wherever they appear,
and a logging filter does the same to httpx's and httpcore's records (httpx
logs every full URL, key included, at INFO).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from urllib.parse import quote, quote_plus

MASK = "***"
#: Shorter secrets are not masked as substrings anywhere: a one-letter "key"
#: would turn every word with that letter into "***". `key=...` parameters are
#: masked whatever their length.
MIN_SECRET_LENGTH = 6
_KEY_PARAM = re.compile(r"(?i)(\bkey=)[^&\s\"'<>]+")
_secrets: set[str] = set()


def register_secret(secret: str) -> None:
    """Mask `secret` (and its URL-encoded forms) in every redacted text from now on."""
    if len(secret) >= MIN_SECRET_LENGTH:
        _secrets.update({secret, quote(secret, safe=""), quote_plus(secret)})
    _install_log_filters()


def text(value: str) -> str:
    """`value` with every known secret and every ``key=...`` parameter masked."""
    out = _KEY_PARAM.sub(rf"\g<1>{MASK}", value)
    # Longest first so a secret that contains another is masked whole.
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in out:
            out = out.replace(secret, MASK)
    return out


def params(query: Mapping[str, str]) -> dict[str, str]:
    """A copy of query parameters fit for a log line."""
    return {k: (MASK if k == "key" else text(v)) for k, v in query.items()}


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with secrets masked; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to logging's own handling
            return True
        masked = text(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        return True


_FILTERED_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "illvid_tui",
    "illvid_tui.api",
)
_filter = RedactingFilter()


def _install_log_filters() -> None:
    # Filters attached to a logger apply to records created by that very
    # logger, so each one that may see a URL gets it.
    for name in _FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if _filter not in logger.filters:
            logger.addFilter(_filter)
