"""What an answer means: the envelope, the failure it reports, whether to retry.

Pure functions over what came back (or what went wrong), so the request path
in `client.py` stays about sending, waiting and retrying.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from illvid_tui.api import jsonio, redact
from illvid_tui.api.errors import (
    BandwidthExceededError,
    IllvidError,
    InvalidResponseError,
    NetworkError,
    UnknownOutcomeError,
    error_for_status,
)


@dataclass(frozen=True)
class Ok:
    value: Any


def read_envelope(op: str, http_status: int, body: Any, reason: str) -> Ok | IllvidError:
    """Decide the outcome from the envelope; fall back to HTTP when there is none.

    `reason` says what was wrong with the body when it is no envelope.
    """
    if isinstance(body, Mapping) and "status" in body:
        try:
            status = int(str(body["status"]).strip())
        except ValueError:
            status = 0
        msg = str(body.get("msg") or "")
        if status == 200:
            return Ok(body.get("result"))
        if status:
            return error_for_status(status, redact.text(msg), op=op)
        reason = f"a status that is not a number: {str(body['status'])[:40]!r}"
    if http_status != 200:
        error = error_for_status(http_status, f"HTTP {http_status} with {reason}", op=op)
        if type(error) is IllvidError or http_status >= 500:
            error = InvalidResponseError(http_status, error.msg, op=op)
    else:
        error = InvalidResponseError(http_status, f"HTTP 200 with {reason}", op=op)
    error.from_envelope = False
    return error


def peek_result_list(op: str, content: bytes, limit: int) -> list[Any] | None:
    """The first `limit` elements of a long answer's `result` list, before decoding it whole.

    Only when the envelope's status, written before the list, says 200 (else
    None: the full decode decides). A preview, for showing something at once.
    """
    peeked = jsonio.peek_array(content, "result", limit)
    if peeked is None:
        return None
    before, head = peeked
    outcome = read_envelope(op, 200, {**before, "result": head}, "")
    return head if isinstance(outcome, Ok) and isinstance(outcome.value, list) else None


def for_non_idempotent(error: IllvidError, op: str) -> IllvidError:
    """Which failures of a non-idempotent call may be retried.

    Only a request that surely never left (connection refused) or that the
    server plainly refused without acting (509) is sent again; a timeout, a
    lost answer or a server error leaves the outcome unknown. So does an
    answer we cannot read (an HTML page, broken JSON, an empty body, whatever
    the HTTP status): the request arrived and may have been acted on, so it is
    never taken for a refusal: a proxy's HTML 403 or 404 page says nothing of
    what the API behind it did.
    """
    if isinstance(error, InvalidResponseError) or not error.from_envelope:
        return UnknownOutcomeError(
            error.status,
            f"an unreadable answer ({error.msg}) after the request was sent;"
            " it may or may not have been done",
            op=op,
        )
    if isinstance(error, NetworkError) and not error.sent:
        return error
    if isinstance(error, BandwidthExceededError) or not error.retryable:
        return error
    return UnknownOutcomeError(
        error.status,
        f"{error.title.lower()} after the request was sent; it may or may not have been done",
        op=op,
    )


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def describe_exception(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return redact.text(f"{type(exc).__name__}: {text}" if str(exc) else text)
