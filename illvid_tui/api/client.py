"""IllvidClient: one method per op of the illvid API, on one request path.

This module holds the ops (their parameters and typed results) and the client's
set-up; `api/request.py` holds the path every op goes through (the bound on
requests in flight, the GET, the envelope, typed errors, retries with capped
jittered backoff, redaction of the key, DEBUG logging).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import httpx

from illvid_tui import __version__
from illvid_tui.api import redact
from illvid_tui.api.baseurl import DEFAULT_BASE_URL, base_url_problem
from illvid_tui.api.envelope import peek_result_list
from illvid_tui.api.errors import IllvidError, InsecureURLError, UnknownOutcomeError
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
from illvid_tui.api.request import CallFinished, ClientEvent, RequestPath, RetryNotice
from illvid_tui.gcpause import building_big_data

if TYPE_CHECKING:
    from illvid_tui.api.upload import FileUploader

#: Requests in flight at once; the app's transport keeps as many connections.
DEFAULT_MAX_IN_FLIGHT = 4


def check_base_url(base_url: str) -> httpx.URL:
    """Parse `base_url`; refuse anything but https, or http to a loopback host."""
    problem = base_url_problem(base_url)
    if problem is None:
        try:
            return httpx.URL(base_url.strip())
        except (httpx.InvalidURL, TypeError):
            problem = f"not a URL: {base_url!r}"
    raise InsecureURLError(problem)


class IllvidClient(RequestPath):
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
        if transport is None:
            from illvid_tui.api.http1 import network_transport

            # One connection per request in flight (None through a proxy: httpx's).
            transport = network_transport(max_connections=max_in_flight)
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
        from illvid_tui.api.http1 import Http1Transport

        if isinstance(shared, Http1Transport):
            shared = None
        ua = {"user_agent": f"illvid-tui/{__version__}"}
        return FileUploader(self._key, transport=shared, **{**ua, **options})

    async def check_files(
        self,
        codes: Iterable[str],
        *,
        on_batch: Callable[[BatchDone], None] | None = None,
        on_refused: Callable[[tuple[str, ...], IllvidError], None] | None = None,
    ) -> list[str]:
        """The codes among `codes` that no longer exist, in the caller's order and case.

        The batching rule, written once (the Files screen and `check` reach it
        through core/checking.py): batches of `batch_size`, at most
        `max_in_flight` at once, each lane taking the next batch when free
        (never a task per batch). An empty list costs no request. `on_batch`
        hears of each batch as it lands, so a cancelled check still has what
        came back.

        A batch the server refuses for good (a status asking again will not
        change, see `IllvidError.retryable`: 451, 403, 400, ...) goes to
        `on_refused` with its error, and the other batches go on; without
        `on_refused` it stops the check. A failure the client already retried
        in vain (network down, 50x, 509 past its waits) always stops it: the
        batches in flight are cancelled, and the first error is raised.
        """
        wanted = list(dict.fromkeys(codes))
        if not wanted:
            return []
        size = max(1, self.batch_size)
        batches = [wanted[i : i + size] for i in range(0, len(wanted), size)]
        pending = iter(batches)
        found_missing: set[str] = set()

        async def lane() -> None:
            for batch in pending:
                try:
                    result = await self.call("check_files", {"list": ",".join(batch)})
                except IllvidError as error:
                    if error.retryable or on_refused is None:
                        raise
                    on_refused(tuple(batch), error)
                    continue
                missing = _match_codes(batch, parse_code_list(result))
                found_missing.update(missing)
                if on_batch is not None:
                    on_batch(BatchDone(tuple(batch), tuple(c for c in batch if c in missing)))

        # A TaskGroup, not gather: when one lane fails the others are
        # cancelled instead of sending on and reporting batches nobody awaits.
        failure: IllvidError | None = None
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(max(1, min(self.max_in_flight, len(batches)))):
                    group.create_task(lane())
        except ExceptionGroup as caught:
            errors = [e for e in caught.exceptions if isinstance(e, IllvidError)]
            if len(errors) != len(caught.exceptions):
                raise
            failure = errors[0]
        if failure is not None:
            # Raised out here, so its context is no group full of httpx objects.
            raise failure
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
