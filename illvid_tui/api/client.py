"""IllvidClient: one request path for every op of the illvid API.

The path does, in order: the https rule, the bound on requests in flight,
the GET with percent-encoded parameters, the envelope, typed errors, retries
with capped jittered backoff, redaction of the key, and DEBUG logging.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from illvid_tui import __version__
from illvid_tui.api import jsonio, redact
from illvid_tui.api.baseurl import DEFAULT_BASE_URL, base_url_problem
from illvid_tui.api.envelope import (
    Ok,
    describe_exception,
    for_non_idempotent,
    peek_result_list,
    read_envelope,
    retry_after,
)
from illvid_tui.api.errors import (
    BandwidthExceededError,
    IllvidError,
    InsecureURLError,
    NetworkError,
    UnknownOutcomeError,
)
from illvid_tui.api.models import (
    AccountInfo,
    BatchDone,
    DmcaNotice,
    UploadServer,
    UploadStatus,
    parse_bool,
    parse_code_list,
    parse_dmca_list,
)
from illvid_tui.gcpause import building_big_data

if TYPE_CHECKING:
    from illvid_tui.api.upload import FileUploader

log = logging.getLogger("illvid_tui.api")

#: Bytes of each raw answer a DEBUG record shows.
DEBUG_ANSWER_BYTES = 300
#: Requests in flight at once; the app's transport keeps as many connections.
DEFAULT_MAX_IN_FLIGHT = 4
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


def check_base_url(base_url: str) -> httpx.URL:
    """Parse `base_url`; refuse anything but https, or http to a loopback host."""
    problem = base_url_problem(base_url)
    if problem is None:
        try:
            return httpx.URL(base_url.strip())
        except (httpx.InvalidURL, TypeError):
            problem = f"not a URL: {base_url!r}"
    raise InsecureURLError(problem)


class IllvidClient:
    """Async client for the illvid API; use it as ``async with IllvidClient(...)``.

    Args:
        key: the API key (a secret: never logged, never in an error).
        login: the API login, sent with every call when set.
        base_url: the API endpoint; https only, except loopback hosts.
        timeout: seconds one attempt may take, from sending to the last byte.
        transport: an httpx transport (the emulator's, a mock) instead of the network.
        max_in_flight: requests in flight at once, across all calls.
        batch_size: codes per `check_files` request.
        max_attempts: attempts per call for retryable failures.
        backoff_base: the first retry's delay in seconds (509 waits 4x longer).
        backoff_cap: the longest single delay.
        max_total_wait: the most one call may spend waiting between attempts.
        on_event: called with a `RetryNotice` before each wait and a
            `CallFinished` after each call.
        sleep: the coroutine used to wait (tests pass a fake clock).
    """

    def __init__(
        self,
        key: str,
        login: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 20.0,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        batch_size: int = 100,
        max_attempts: int = 4,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
        max_total_wait: float = 60.0,
        on_event: Callable[[ClientEvent], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if not key:
            raise ValueError("an API key is required")
        if max_in_flight < 1 or batch_size < 1 or max_attempts < 1:
            raise ValueError("max_in_flight, batch_size and max_attempts must be at least 1")
        self._key = key
        self.login = login or None
        self.base_url = str(check_base_url(base_url))
        self.timeout = float(timeout)
        self.max_in_flight = max_in_flight
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_total_wait = max_total_wait
        self.listeners: list[Callable[[ClientEvent], None]] = [on_event] if on_event else []
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._semaphore = asyncio.Semaphore(max_in_flight)
        redact.register_secret(key)
        self._transport = transport
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(self.timeout),
            limits=httpx.Limits(
                max_connections=max_in_flight, max_keepalive_connections=max_in_flight
            ),
            headers={"User-Agent": f"illvid-tui/{__version__}", "Accept": "application/json"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"IllvidClient(login={self.login!r}, base_url={self.base_url!r}, key=***)"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # -- the ops ------------------------------------------------------------

    async def account_info(self) -> AccountInfo:
        """The account: login, money and any other field the server sends."""
        return AccountInfo.from_result(await self.call("account_info"))

    async def upload_url(self, url: str, folder: str | None = None) -> str:
        """Queue a remote upload of `url`; return the queue id.

        Never sent twice by itself: after a timeout or a lost answer it raises
        `UnknownOutcomeError` and the caller decides.
        """
        params = {"url": url}
        if folder:
            params["folder"] = folder
        result = await self.call("upload_url", params, idempotent=False)
        if isinstance(result, Mapping) and result.get("queue_id") not in (None, ""):
            return str(result["queue_id"])
        if isinstance(result, str | int) and not isinstance(result, bool) and str(result):
            return str(result)
        # The server said 200: it may well have queued the upload.
        raise UnknownOutcomeError(
            200,
            "the answer carried no queue_id; the upload may or may not have been queued",
            op="upload_url",
        )

    async def check_upload_url(
        self, queue_id: str, *, max_attempts: int | None = None
    ) -> UploadStatus:
        """Where a queued remote upload stands."""
        result = await self.call(
            "check_upload_url", {"id": str(queue_id)}, max_attempts=max_attempts
        )
        return UploadStatus.from_result(str(queue_id), result)

    async def get_upload_server(self) -> UploadServer:
        """Where local files are uploaded: the URL, the session id if any, other fields."""
        return UploadServer.from_result(await self.call("get_upload_server"))

    def uploader(self, **options: Any) -> FileUploader:
        """A `FileUploader` with this client's key, on connections of its own.

        An in-process transport (the emulator's, a mock) is shared; a network
        one is not, so long uploads never hold the API calls' connections.
        `options` go to `FileUploader` (stall_timeout, part_name, ...).
        """
        from illvid_tui.api.upload import FileUploader

        shared = self._transport
        if isinstance(shared, httpx.AsyncHTTPTransport):
            shared = None
        ua = {"user_agent": f"illvid-tui/{__version__}"}
        return FileUploader(self._key, transport=shared, **{**ua, **options})

    async def check_files(
        self,
        codes: Iterable[str],
        *,
        on_batch: Callable[[BatchDone], None] | None = None,
    ) -> list[str]:
        """The codes among `codes` that no longer exist, in the caller's order and case.

        Sent in batches of `batch_size`, in parallel under the in-flight bound.
        An empty list costs no request. `on_batch` hears of each batch as it
        lands, so a cancelled check still has what came back.
        """
        wanted = list(dict.fromkeys(codes))
        if not wanted:
            return []
        batches = [wanted[i : i + self.batch_size] for i in range(0, len(wanted), self.batch_size)]

        async def one(batch: list[str]) -> set[str]:
            result = await self.call("check_files", {"list": ",".join(batch)})
            missing = _match_codes(batch, parse_code_list(result))
            if on_batch is not None:
                on_batch(BatchDone(tuple(batch), tuple(c for c in batch if c in missing)))
            return missing

        # A TaskGroup, not gather: when one batch fails its siblings are
        # cancelled instead of sending on and reporting batches nobody awaits.
        failure: IllvidError | None = None
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(b)) for b in batches]
        except ExceptionGroup as caught:
            errors = [e for e in caught.exceptions if isinstance(e, IllvidError)]
            if len(errors) != len(caught.exceptions):
                raise
            failure = errors[0]
        if failure is not None:
            # Raised out here, so its context is no group full of httpx objects.
            raise failure
        found_missing: set[str] = set()
        for task in tasks:
            found_missing |= task.result()
        return [c for c in wanted if c in found_missing]

    async def file_renew(self, file_code: str) -> bool:
        """Renew a file; True when the server says it did. The code's case is kept."""
        return parse_bool(await self.call("file_renew", {"file_code": file_code}))

    async def files_dmca(
        self,
        date: str | None = None,
        order: str = "down",
        *,
        on_first: Callable[[list[DmcaNotice]], None] | None = None,
        first: int = 100,
    ) -> list[DmcaNotice]:
        """DMCA notices against the account's files; `date` is YYYY-MM-DD, `order` up/down.

        `on_first` hears the first `first` notices of a long answer (more than
        `jsonio.COOPERATIVE_FROM` bytes) as soon as its head arrives, while the
        rest streams in and is decoded (5 MB at 50,000 notices): a screen shows
        them meanwhile. It is a preview, heard only when the envelope's status
        (written before the list) says 200; the return value decides.
        """
        if order not in ("up", "down"):
            raise ValueError("order must be 'up' or 'down'")
        params = {"order": order}
        if date:
            params["date"] = date
        peek = None
        if on_first is not None:
            report = on_first

            def peek(content: bytes) -> None:
                head = peek_result_list("files_dmca", content, first)
                if head:
                    report(parse_dmca_list(head))

        result = await self.call("files_dmca", params, peek=peek)
        if isinstance(result, list) and len(result) > 1000:
            # Building 50,000 dataclasses takes ~0.15 s: in a thread the GIL is
            # handed back every few ms, so the screen stays live meanwhile.
            return await asyncio.to_thread(_parse_big_dmca_list, result)
        return parse_dmca_list(result)

    # -- the one request path ------------------------------------------------

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
            html = response.content.lstrip()[:1] == b"<"
            body, reason = None, "an HTML page" if html else "broken JSON"
        outcome = read_envelope(op, response.status_code, body, reason)
        status = outcome.status if isinstance(outcome, IllvidError) else 200
        if log.isEnabledFor(logging.DEBUG):
            # The start of the raw answer: how a user sees what their server
            # really says (`illvid-tui --debug`); redacted like every record.
            log.debug(
                "op=%s params=%s attempt=%d http=%d status=%s %.0f ms answer=%s",
                op, shown, attempt, response.status_code, status, elapsed_ms,
                response.content[:DEBUG_ANSWER_BYTES].decode("utf-8", "replace"),
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


def _parse_big_dmca_list(result: list[Any]) -> list[DmcaNotice]:
    with building_big_data():
        return parse_dmca_list(result)


def _match_codes(batch: Sequence[str], returned: Sequence[str]) -> set[str]:
    """Map the server's missing codes back onto the caller's spelling."""
    exact = set(batch)
    folded = {c.lower(): c for c in batch}
    out: set[str] = set()
    for code in returned:
        if code in exact:
            out.add(code)
        elif code.lower() in folded:
            out.add(folded[code.lower()])
    return out


__all__ = [
    "DEFAULT_BASE_URL",
    "BatchDone",
    "CallFinished",
    "ClientEvent",
    "IllvidClient",
    "RetryNotice",
    "check_base_url",
]
