"""The one request path of `IllvidClient`: attempts, retries, the envelope, events.

In order: the bound on requests in flight, the GET with percent-encoded
parameters (the head of a long answer handed to a `peek` while the rest
streams), the envelope, typed errors, retries with capped jittered backoff,
redaction of the key, and DEBUG logging. `IllvidClient` (api/client.py) builds
on it with one method per op and sets up the state declared below.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from illvid_tui.api import jsonio, redact
from illvid_tui.api.envelope import (
    Ok,
    describe_exception,
    for_non_idempotent,
    read_envelope,
    retry_after,
)
from illvid_tui.api.errors import BandwidthExceededError, IllvidError, NetworkError

log = logging.getLogger("illvid_tui.api")

#: Bytes of each raw answer a DEBUG record shows.
DEBUG_ANSWER_BYTES = 300
#: Bytes of a long answer handed to a `peek` (about 190 DMCA notices).
PEEK_BYTES = 16 * 1024


@dataclass(frozen=True)
class RetryNotice:
    """The client waits `delay` seconds before attempt `attempt` of `op`."""

    op: str
    attempt: int
    max_attempts: int
    delay: float
    error: IllvidError

    def describe(self) -> str:
        """A line for people, e.g. "bandwidth exceeded (509), retrying in 8 s"."""
        what = self.error.title.lower()
        code = f" ({self.error.status})" if self.error.status else ""
        return f"{what}{code}, retrying in {round(self.delay)} s"


@dataclass(frozen=True)
class CallFinished:
    """One call of `op` ended, after any retries; `error` is None on success."""

    op: str
    error: IllvidError | None
    elapsed: float


ClientEvent = RetryNotice | CallFinished


class RequestPath:
    """Sends one op and returns its `result`; see the module docstring."""

    _key: str
    login: str | None
    base_url: str
    timeout: float
    max_attempts: int
    backoff_base: float
    backoff_cap: float
    max_total_wait: float
    listeners: list[Callable[[ClientEvent], None]]
    _sleep: Callable[[float], Awaitable[None]]
    _rng: random.Random
    _semaphore: asyncio.Semaphore
    _http: httpx.AsyncClient

    async def call(
        self,
        op: str,
        params: Mapping[str, str] | None = None,
        *,
        idempotent: bool = True,
        max_attempts: int | None = None,
        peek: Callable[[bytes], None] | None = None,
    ) -> Any:
        """Send `op` and return its `result`, retrying what may be retried.

        `peek` gets the head of a long body (HTTP 200) while the rest is still
        arriving (see `files_dmca`).
        """
        started = time.monotonic()
        attempts = max_attempts or self.max_attempts
        waited = 0.0
        attempt = 1
        while True:
            outcome = await self._attempt_once(op, params or {}, attempt, peek)
            if isinstance(outcome, Ok):
                self._emit(CallFinished(op, None, time.monotonic() - started))
                return outcome.value
            error = outcome if idempotent else for_non_idempotent(outcome, op)
            delay = self._delay(error, attempt)
            if not error.retryable or attempt >= attempts or waited + delay > self.max_total_wait:
                log.debug("op=%s giving up after attempt %d: %s", op, attempt, error)
                self._emit(CallFinished(op, error, time.monotonic() - started))
                raise error
            attempt += 1
            waited += delay
            log.debug("op=%s retry %d/%d in %.1f s: %s", op, attempt, attempts, delay, error)
            self._emit(RetryNotice(op, attempt, attempts, delay, error))
            await self._sleep(delay)

    async def _attempt_once(
        self,
        op: str,
        params: Mapping[str, str],
        attempt: int,
        peek: Callable[[bytes], None] | None = None,
    ) -> Ok | IllvidError:
        query: dict[str, str] = {"op": op, "key": self._key}
        if self.login:
            query["login"] = self.login
        query.update({k: str(v) for k, v in params.items()})
        shown = redact.params(query)
        async with self._semaphore:
            t0 = time.monotonic()
            failure: IllvidError | None = None
            response: httpx.Response | None = None
            content = b""
            try:
                async with asyncio.timeout(self.timeout):
                    if peek is None:
                        response = await self._http.get(self.base_url, params=query)
                        content = response.content
                    else:
                        response, content = await self._get_peeking(query, peek, op)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                failure = NetworkError(describe_exception(exc), op=op, sent=False)
            except (httpx.TimeoutException, TimeoutError) as exc:
                failure = NetworkError(describe_exception(exc), op=op, sent=True, timeout=True)
            except Exception as exc:  # noqa: BLE001 - any transport failure is "no answer"
                failure = NetworkError(describe_exception(exc), op=op, sent=True)
            elapsed_ms = (time.monotonic() - t0) * 1000
        # Raised outside the except blocks so no __context__ points at httpx's
        # exception, whose request carries the full URL with the key.
        if failure is not None or response is None:
            failure = failure or NetworkError("no answer", op=op)
            log.debug(
                "op=%s params=%s attempt=%d failed after %.0f ms: %s",
                op, shown, attempt, elapsed_ms, failure,
            )  # fmt: skip
            return failure
        try:
            body = await jsonio.loads(content) if content.strip() else None
            reason = "an empty body" if body is None else "no status in the answer"
        except (ValueError, UnicodeDecodeError, RecursionError):
            html = content.lstrip()[:1] == b"<"
            body, reason = None, "an HTML page" if html else "broken JSON"
        outcome = read_envelope(op, response.status_code, body, reason)
        status = outcome.status if isinstance(outcome, IllvidError) else 200
        if log.isEnabledFor(logging.DEBUG):
            # The start of the raw answer: how a user sees what their server
            # really says (`illvid-tui --debug`); redacted like every record.
            log.debug(
                "op=%s params=%s attempt=%d http=%d status=%s %.0f ms answer=%s",
                op, shown, attempt, response.status_code, status, elapsed_ms,
                content[:DEBUG_ANSWER_BYTES].decode("utf-8", "replace"),
            )  # fmt: skip
        if isinstance(outcome, BandwidthExceededError):
            outcome.retry_after = retry_after(response)
        return outcome

    async def _get_peeking(
        self, query: Mapping[str, str], peek: Callable[[bytes], None], op: str
    ) -> tuple[httpx.Response, bytes]:
        """GET, handing the head of a long 200 body to `peek` as soon as it arrives.

        The rest streams in meanwhile: a screen shows the first rows of 5 MB
        before the last byte is read, however slow the link.
        """
        request = self._http.build_request("GET", self.base_url, params=query)
        response = await self._http.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            long = not declared.isdigit() or int(declared) >= jsonio.COOPERATIVE_FROM
            waiting = response.status_code == 200 and long
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if waiting and size >= PEEK_BYTES:
                    waiting = False
                    try:
                        peek(b"".join(chunks))
                    except Exception:  # a preview that fails must not fail the call
                        log.exception("op=%s peek at the answer failed", op)
        finally:
            await response.aclose()
        return response, b"".join(chunks)

    def _delay(self, error: IllvidError, attempt: int) -> float:
        announced = getattr(error, "retry_after", None)
        if isinstance(announced, float | int) and announced > 0:
            return float(min(announced, self.backoff_cap))
        base = self.backoff_base * (4 if isinstance(error, BandwidthExceededError) else 1)
        ceiling = min(self.backoff_cap, base * 2.0 ** (attempt - 1))
        # "Equal jitter": at least half the ceiling, so waits still grow.
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _emit(self, event: ClientEvent) -> None:
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not break the call
                log.exception("client event listener failed")


__all__ = ["CallFinished", "ClientEvent", "RequestPath", "RetryNotice"]
