"""IllvidClient against the emulator (in process and over a loopback socket)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import uvicorn

from illvid_tui.api import (
    BadRequestError,
    BandwidthExceededError,
    IllvidClient,
    IllvidError,
    InsecureURLError,
    InvalidResponseError,
    LegalError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    RetryNotice,
    ServerError,
    UnknownOutcomeError,
    UploadState,
    UploadStatus,
)
from illvid_tui.api.client import BatchDone, CallFinished, ClientEvent
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator

TODAY = dt.date(2026, 11, 27)
BASE = "http://127.0.0.1/api"


class Recorder:
    """Fake sleep + event sink: the waits a client asked for, and what it announced."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.events: list[ClientEvent] = []

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)

    @property
    def retries(self) -> list[RetryNotice]:
        return [e for e in self.events if isinstance(e, RetryNotice)]


class Counting(httpx.AsyncBaseTransport):
    """Wraps a transport: counts requests, tracks concurrency, keeps the last headers."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.headers: httpx.Headers | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        self.headers = request.headers
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def emu() -> Emulator:
    return Emulator(seed=1, today=TODAY)


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


def make_client(transport: httpx.AsyncBaseTransport, rec: Recorder, **kwargs: Any) -> IllvidClient:
    kwargs.setdefault("key", DEMO_KEY)
    kwargs.setdefault("login", DEMO_LOGIN)
    kwargs.setdefault("base_url", BASE)
    return IllvidClient(
        transport=transport,
        sleep=rec.sleep,
        on_event=rec.events.append,
        rng=random.Random(0),
        **kwargs,
    )


@pytest.fixture
async def client(emu: Emulator, rec: Recorder) -> AsyncIterator[IllvidClient]:
    async with make_client(emu.transport(), rec) as c:
        yield c


def ops_sent(emu: Emulator, op: str) -> int:
    return sum(1 for r in emu.requests if r.op == op)


# -- every op ---------------------------------------------------------------------


async def test_account_info(client: IllvidClient, emu: Emulator) -> None:
    info = await client.account_info()
    assert info.login == DEMO_LOGIN
    assert info.money == Decimal("4050.00") and isinstance(info.money, Decimal)
    assert "email" in info.extra  # fields the seed does not list are kept
    assert emu.requests[-1].params["login"] == DEMO_LOGIN


async def test_login_is_not_sent_when_unset(emu: Emulator, rec: Recorder) -> None:
    async with make_client(emu.transport(), rec, login=None) as c:
        await c.account_info()
    assert "login" not in emu.requests[-1].params


async def test_numbers_as_numbers_or_strings(client: IllvidClient, emu: Emulator) -> None:
    emu.faults.numbers_as_strings = False
    as_numbers = await client.account_info()
    qid = await client.upload_url("https://example.com/a.mp4")
    emu.faults.numbers_as_strings = True
    as_strings = await client.account_info()
    assert as_numbers.money == as_strings.money == Decimal("4050")
    assert isinstance(qid, str) and qid.isdigit()


async def test_upload_lifecycle(client: IllvidClient, emu: Emulator) -> None:
    qid = await client.upload_url("https://example.com/video.mp4", folder="clips")
    assert isinstance(qid, str) and qid
    first = await client.check_upload_url(qid)
    assert first.state is UploadState.RUNNING and first.url == "https://example.com/video.mp4"
    emu.advance(3600)
    done = await client.check_upload_url(qid)
    assert done.state is UploadState.DONE and done.file_code
    assert done.file_code in emu.files


async def test_failed_upload(client: IllvidClient, emu: Emulator) -> None:
    qid = await client.upload_url("https://bad.example/broken.mp4")
    emu.advance(3600)
    status = await client.check_upload_url(qid)
    assert status.state is UploadState.FAILED
    assert status.error


def test_upload_status_text_from_the_server_is_redacted() -> None:
    status = UploadStatus.from_result(
        "7",
        {
            "status": "error: GET /api?op=x&key=SECRETKEY123 failed",
            "error": "fetch refused for key=SECRETKEY123&login=me",
            "url": "https://example.com/a.mp4",
        },
    )
    assert "SECRETKEY123" not in status.status and "key=***" in status.status
    assert status.error is not None
    assert "SECRETKEY123" not in status.error and "key=***" in status.error
    assert status.state is UploadState.FAILED
    assert status.url == "https://example.com/a.mp4"


async def test_unknown_queue_id_is_404(client: IllvidClient) -> None:
    with pytest.raises(NotFoundError) as info:
        await client.check_upload_url("999999999")
    assert info.value.status == 404


async def test_get_upload_server(client: IllvidClient) -> None:
    assert (await client.get_upload_server()).url.startswith("https://")


async def test_file_renew(client: IllvidClient, emu: Emulator) -> None:
    code = next(iter(emu.files))
    assert await client.file_renew(code) is True
    assert emu.requests[-1].params["file_code"] == code
    with pytest.raises(NotFoundError):
        await client.file_renew("zzzzzzzzzzzz")


async def test_file_renew_keeps_case(client: IllvidClient, emu: Emulator) -> None:
    assert await client.file_renew("3WGI2ZA99MG2") is True
    assert emu.requests[-1].params["file_code"] == "3WGI2ZA99MG2"


async def test_files_dmca(client: IllvidClient, emu: Emulator) -> None:
    notices = await client.files_dmca()
    assert notices and all(isinstance(n.expires, dt.date) for n in notices)
    created = [n.created for n in notices]
    assert created == sorted(created, reverse=True)  # type: ignore[type-var]
    up = await client.files_dmca(date="2026-11-01", order="up")
    assert emu.requests[-1].params["date"] == "2026-11-01"
    assert emu.requests[-1].params["order"] == "up"
    assert all(n.created and n.created >= dt.date(2026, 11, 1) for n in up)
    with pytest.raises(ValueError):
        await client.files_dmca(order="sideways")


# -- statuses -----------------------------------------------------------------------

FINAL = [
    (400, BadRequestError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (451, LegalError),
]


@pytest.mark.parametrize("mirror", [True, False], ids=["mirrored", "always-200"])
@pytest.mark.parametrize(("status", "cls"), FINAL)
async def test_final_statuses_are_not_retried(
    client: IllvidClient, emu: Emulator, rec: Recorder, status: int, cls: type, mirror: bool
) -> None:
    emu.faults.mirror_http_status = mirror
    emu.fail_next("account_info", status)
    with pytest.raises(cls) as info:
        await client.account_info()
    assert info.value.status == status
    assert ops_sent(emu, "account_info") == 1
    assert rec.sleeps == []


@pytest.mark.parametrize("mirror", [True, False], ids=["mirrored", "always-200"])
@pytest.mark.parametrize(
    ("status", "cls"),
    [(509, BandwidthExceededError), (500, ServerError), (502, ServerError), (503, ServerError)],
)
async def test_transient_statuses_retry_then_succeed(
    client: IllvidClient, emu: Emulator, rec: Recorder, status: int, cls: type, mirror: bool
) -> None:
    emu.faults.mirror_http_status = mirror
    emu.fail_next("account_info", status, count=2)
    info = await client.account_info()
    assert info.login == DEMO_LOGIN
    assert ops_sent(emu, "account_info") == 3
    assert len(rec.sleeps) == 2 and rec.sleeps[1] > 0
    assert all(isinstance(n.error, cls) for n in rec.retries)
    assert [n.attempt for n in rec.retries] == [2, 3]


async def test_retries_give_up_after_max_attempts(
    client: IllvidClient, emu: Emulator, rec: Recorder
) -> None:
    emu.fail_next("account_info", 509, count=10)
    with pytest.raises(BandwidthExceededError):
        await client.account_info()
    assert ops_sent(emu, "account_info") == client.max_attempts
    finished = [e for e in rec.events if isinstance(e, CallFinished)]
    assert isinstance(finished[-1].error, BandwidthExceededError)


async def test_backoff_is_capped_jittered_and_bounded(emu: Emulator, rec: Recorder) -> None:
    async with make_client(
        emu.transport(), rec, max_attempts=10, backoff_cap=8.0, max_total_wait=20.0
    ) as c:
        emu.fail_next("account_info", 502, count=10)
        with pytest.raises(ServerError):
            await c.account_info()
    assert all(0 < s <= 8.0 for s in rec.sleeps)
    assert sum(rec.sleeps) <= 20.0
    assert rec.sleeps[0] < rec.sleeps[2]  # grows before the cap
    assert ops_sent(emu, "account_info") < 10  # the total wait bound stopped it


async def test_bandwidth_notice_reads_well(
    client: IllvidClient, emu: Emulator, rec: Recorder
) -> None:
    emu.fail_next("account_info", 509)
    await client.account_info()
    text = rec.retries[0].describe()
    assert text.startswith("bandwidth exceeded (509), retrying in ")
    assert text.endswith(" s")
    # 509 waits longer than a plain server error's first retry (1 s base).
    assert rec.sleeps[0] >= 2.0


async def test_html_502_from_a_proxy(client: IllvidClient, emu: Emulator) -> None:
    emu.faults.html_errors = True
    emu.fail_next("account_info", 502, count=10)
    with pytest.raises(InvalidResponseError) as info:
        await client.account_info()
    assert info.value.status == 502
    assert ops_sent(emu, "account_info") == client.max_attempts  # retried like a 50x


async def test_broken_json(client: IllvidClient, emu: Emulator) -> None:
    emu.faults.broken_json_next = 1
    with pytest.raises(InvalidResponseError) as info:
        await client.account_info()
    assert info.value.status == 200
    assert "broken JSON" in info.value.msg


def mock(handler: Any) -> httpx.MockTransport:
    return httpx.MockTransport(handler)


async def test_empty_body_carries_http_status(rec: Recorder) -> None:
    async with make_client(mock(lambda r: httpx.Response(404, content=b"")), rec) as c:
        with pytest.raises(NotFoundError) as info:
            await c.account_info()
    assert info.value.status == 404


async def test_success_is_decided_by_status_not_msg(rec: Recorder) -> None:
    bodies = iter(
        [
            {"status": "200", "msg": "error: everything failed", "result": {"login": "x"}},
            {"status": 404, "msg": "OK", "result": None},
        ]
    )
    async with make_client(mock(lambda r: httpx.Response(200, json=next(bodies))), rec) as c:
        assert (await c.account_info()).login == "x"
        with pytest.raises(NotFoundError):
            await c.account_info()


async def test_unknown_result_shapes_are_tolerated(rec: Recorder) -> None:
    answers = {
        "file_renew": {"renewed": True, "expire": "2027-01-01"},
        "check_files": [{"file_code": "abcdef123456", "status": "not found"}],
        "files_dmca": None,
    }

    def handler(request: httpx.Request) -> httpx.Response:
        op = request.url.params["op"]
        return httpx.Response(200, json={"status": 200, "msg": "", "result": answers[op]})

    async with make_client(mock(handler), rec) as c:
        assert await c.file_renew("abcdef123456") is True
        assert await c.check_files(["abcdef123456", "bbbbbb123456"]) == ["abcdef123456"]
        assert await c.files_dmca() == []


# -- network faults and upload_url's outcome ------------------------------------------


async def test_timeout_is_retried_for_idempotent_calls(rec: Recorder) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ReadTimeout("timed out", request=request)
        return httpx.Response(200, json={"status": 200, "msg": "", "result": "https://s1/u"})

    async with make_client(mock(handler), rec) as c:
        assert (await c.get_upload_server()).url == "https://s1/u"
    assert calls == 2
    assert isinstance(rec.retries[0].error, NetworkError) and rec.retries[0].error.timeout


async def test_upload_url_timeout_sends_exactly_once(rec: Recorder) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise httpx.ReadTimeout("timed out", request=request)

    async with make_client(mock(handler), rec) as c:
        with pytest.raises(UnknownOutcomeError):
            await c.upload_url("https://example.com/a.mp4")
    assert calls == 1
    assert rec.sleeps == []


async def test_upload_url_lost_answer_is_unknown(client: IllvidClient, emu: Emulator) -> None:
    emu.fail_next("upload_url", 0)  # connection dropped after the request arrived
    with pytest.raises(UnknownOutcomeError):
        await client.upload_url("https://example.com/a.mp4")
    assert ops_sent(emu, "upload_url") == 1


async def test_upload_url_server_error_is_unknown_not_retried(
    client: IllvidClient, emu: Emulator
) -> None:
    emu.fail_next("upload_url", 502)
    with pytest.raises(UnknownOutcomeError) as info:
        await client.upload_url("https://example.com/a.mp4")
    assert info.value.status == 502
    assert ops_sent(emu, "upload_url") == 1


async def test_upload_url_unreadable_answer_is_unknown(client: IllvidClient, emu: Emulator) -> None:
    # The request arrived; an answer we cannot read is no refusal.
    emu.faults.broken_json_next = 1
    with pytest.raises(UnknownOutcomeError) as info:
        await client.upload_url("https://example.com/a.mp4")
    assert info.value.status == 200
    assert ops_sent(emu, "upload_url") == 1


async def test_upload_url_html_error_page_is_unknown(client: IllvidClient, emu: Emulator) -> None:
    emu.faults.html_errors = True
    emu.fail_next("upload_url", 418)  # a status the API does not use: a proxy's page
    with pytest.raises(UnknownOutcomeError) as info:
        await client.upload_url("https://example.com/a.mp4")
    assert info.value.status == 418
    assert ops_sent(emu, "upload_url") == 1


@pytest.mark.parametrize("status", [400, 403, 404, 451])
async def test_upload_url_proxy_refusal_page_is_unknown(
    client: IllvidClient, emu: Emulator, status: int
) -> None:
    # A 403/404 page with no envelope may come from a proxy after the API got
    # the request: nothing says the upload was not queued.
    emu.faults.html_errors = True
    emu.fail_next("upload_url", status)
    with pytest.raises(UnknownOutcomeError) as info:
        await client.upload_url("https://example.com/a.mp4")
    assert info.value.status == status
    assert "an HTML page" in info.value.msg
    assert ops_sent(emu, "upload_url") == 1


async def test_html_403_page_on_an_idempotent_call_still_reads_as_refused(
    client: IllvidClient, emu: Emulator
) -> None:
    emu.faults.html_errors = True
    emu.fail_next("account_info", 403)
    with pytest.raises(PermissionDeniedError):
        await client.account_info()


async def test_upload_url_enveloped_403_is_a_refusal(client: IllvidClient, emu: Emulator) -> None:
    emu.fail_next("upload_url", 403)
    with pytest.raises(PermissionDeniedError):
        await client.upload_url("https://example.com/a.mp4")


async def test_upload_url_without_queue_id_is_unknown(rec: Recorder) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, json={"status": 200, "msg": "OK", "result": {}})

    async with make_client(mock(handler), rec) as c:
        with pytest.raises(UnknownOutcomeError) as info:
            await c.upload_url("https://example.com/a.mp4")
    assert info.value.status == 200
    assert calls == 1


async def test_upload_url_509_is_retried(client: IllvidClient, emu: Emulator) -> None:
    # The server refused without acting, so sending again cannot queue a copy.
    emu.fail_next("upload_url", 509)
    qid = await client.upload_url("https://example.com/a.mp4")
    assert qid and len(emu.jobs) == 1
    assert ops_sent(emu, "upload_url") == 2


async def test_upload_url_connect_error_is_retried(rec: Recorder) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"status": 200, "msg": "", "result": {"queue_id": 7}})

    async with make_client(mock(handler), rec) as c:
        assert await c.upload_url("https://example.com/a.mp4") == "7"
    assert calls == 2


async def test_url_with_ampersand_and_non_ascii_arrives_intact(
    client: IllvidClient, emu: Emulator
) -> None:
    url = "https://cdn.example.org/vidéos/a b.mp4?sig=x&y=1+2#frag"
    await client.upload_url(url, folder="été & more")
    params = emu.requests[-1].params
    assert params["url"] == url
    assert params["folder"] == "été & more"
    job = next(iter(emu.jobs.values()))
    assert job.url == url


async def test_user_agent(emu: Emulator, rec: Recorder) -> None:
    counting = Counting(emu.transport())
    async with make_client(counting, rec) as c:
        await c.account_info()
    assert counting.headers is not None
    assert counting.headers["user-agent"].startswith("illvid-tui/")


# -- https rule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://illvid.com/api", "http://10.0.0.1/api", "ftp://illvid.com/api", "illvid.com"]
)
def test_insecure_base_urls_are_refused(url: str) -> None:
    with pytest.raises(InsecureURLError):
        IllvidClient(key="k", base_url=url)


@pytest.mark.parametrize(
    "url",
    [
        "https://illvid.com/api",
        "http://127.0.0.1:8765/api",
        "http://127.5.6.7/api",
        "http://localhost/api",
        "http://[::1]:9000/api",
    ],
)
async def test_https_and_loopback_are_allowed(url: str) -> None:
    async with IllvidClient(key="k", base_url=url) as c:
        assert c.base_url.startswith(url.split(":")[0])


# -- batching and the in-flight bound ---------------------------------------------------


async def test_check_files_batches_1000_codes(emu: Emulator, rec: Recorder) -> None:
    existing = emu.add_files(990)
    gone = [f"GoNe{i:08d}" for i in range(10)]
    codes = existing[:500] + gone[:5] + existing[500:] + gone[5:]
    random.Random(3).shuffle(codes)
    batches: list[BatchDone] = []
    async with make_client(emu.transport(), rec) as c:
        missing = await c.check_files(codes, on_batch=batches.append)
    sent = [r for r in emu.requests if r.op == "check_files"]
    assert len(sent) == 10
    assert all(len(r.params["list"].split(",")) <= 100 for r in sent)
    assert missing == [c for c in codes if c in set(gone)]  # caller's order and case
    assert sum(len(b.codes) for b in batches) == 1000
    assert sorted(m for b in batches for m in b.missing) == sorted(gone)


async def test_check_files_failed_batch_cancels_the_others(emu: Emulator, rec: Recorder) -> None:
    codes = emu.add_files(50)
    emu.faults.latency = 0.005  # the next batch is still in flight when the first fails
    emu.fail_next("check_files", 403)
    batches: list[BatchDone] = []
    async with make_client(emu.transport(), rec, max_in_flight=1, batch_size=10) as c:
        with pytest.raises(PermissionDeniedError) as info:
            await c.check_files(codes, on_batch=batches.append)
        # One more call queues behind any batch still waiting for its turn.
        await c.account_info()
    assert type(info.value) is PermissionDeniedError  # the error itself, not a group
    assert info.value.__context__ is None
    assert len(batches) < 5
    assert ops_sent(emu, "check_files") < 5


async def test_check_files_reports_a_batch_refused_for_good_and_checks_the_rest(
    emu: Emulator, rec: Recorder
) -> None:
    codes = emu.add_files(50)
    emu.delete_file(codes[-1])
    emu.fail_next("check_files", 451)  # the first batch asked: asking again won't change it
    refused: list[tuple[tuple[str, ...], int | None]] = []
    async with make_client(emu.transport(), rec, max_in_flight=2, batch_size=10) as c:
        missing = await c.check_files(
            codes, on_refused=lambda batch, error: refused.append((batch, error.status))
        )
    assert refused == [(tuple(codes[:10]), 451)]
    assert missing == [codes[-1]] and ops_sent(emu, "check_files") == 5  # not retried
    # Without on_refused the same answer stops the check.
    emu.fail_next("check_files", 451)
    async with make_client(emu.transport(), rec, max_in_flight=2, batch_size=10) as c:
        with pytest.raises(IllvidError):
            await c.check_files(codes)


async def test_check_files_empty_costs_nothing(client: IllvidClient, emu: Emulator) -> None:
    assert await client.check_files([]) == []
    assert emu.requests == []


async def test_batch_size_is_configurable(emu: Emulator, rec: Recorder) -> None:
    async with make_client(emu.transport(), rec, batch_size=7) as c:
        await c.check_files(list(emu.files)[:50])
    assert ops_sent(emu, "check_files") == 8


async def test_requests_in_flight_are_bounded(emu: Emulator, rec: Recorder) -> None:
    emu.faults.latency = 0.005
    counting = Counting(emu.transport())
    async with make_client(counting, rec, max_in_flight=3, batch_size=10) as c:
        await c.check_files(emu.add_files(300))
    assert counting.sent == 30
    assert counting.max_in_flight == 3


# -- over a real loopback socket ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def loopback() -> Iterator[tuple[Emulator, str]]:
    """The emulator served by uvicorn on 127.0.0.1 in a background thread."""
    emu = Emulator(seed=2, today=TODAY)
    port = free_port()
    config = uvicorn.Config(emu, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # readiness, not timing: bounded by the deadline
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the loopback emulator did not start")
        time.sleep(0.01)
    yield emu, f"http://127.0.0.1:{port}/api"
    server.should_exit = True
    thread.join(timeout=10)


async def test_every_op_over_loopback(loopback: tuple[Emulator, str], rec: Recorder) -> None:
    emu, base = loopback
    async with IllvidClient(key=DEMO_KEY, login=DEMO_LOGIN, base_url=base, sleep=rec.sleep) as c:
        assert (await c.account_info()).money == Decimal("4050.00")
        qid = await c.upload_url("https://example.com/x y&z.mp4")
        assert (await c.check_upload_url(qid)).url == "https://example.com/x y&z.mp4"
        assert (await c.get_upload_server()).url.startswith(base.removesuffix("/api"))
        assert await c.check_files(["NoSuchCode12"]) == ["NoSuchCode12"]
        assert await c.file_renew(next(iter(emu.files))) is True
        assert len(await c.files_dmca(order="up")) == len(emu.dmca)
        emu.fail_next("account_info", 503)
        await c.account_info()  # retried over a real socket
    assert sum(1 for r in emu.requests if r.op == "account_info") == 3


async def test_timeout_over_loopback_sends_upload_once(
    loopback: tuple[Emulator, str], rec: Recorder
) -> None:
    emu, base = loopback
    emu.faults.slow_ops = {"upload_url": 5.0}
    counting = Counting(httpx.AsyncHTTPTransport())
    async with IllvidClient(
        key=DEMO_KEY, base_url=base, timeout=0.3, transport=counting, sleep=rec.sleep
    ) as c:
        with pytest.raises(UnknownOutcomeError) as info:
            await c.upload_url("https://example.com/slow.mp4")
    assert counting.sent == 1
    assert info.value.status == 0


async def test_connection_refused_over_loopback(rec: Recorder) -> None:
    base = f"http://127.0.0.1:{free_port()}/api"  # nothing listens there
    async with IllvidClient(
        key=DEMO_KEY, base_url=base, sleep=rec.sleep, on_event=rec.events.append
    ) as c:
        with pytest.raises(NetworkError) as info:
            await c.account_info()
    assert info.value.sent is False and info.value.status == 0
    assert len(rec.retries) == c.max_attempts - 1


# -- the key stays secret ------------------------------------------------------------------

SECRET = "S3cr3t-K3y_&+/=ü"


def _chain(exc: BaseException | None) -> list[str]:
    texts: list[str] = []
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        texts += [str(exc), repr(exc), repr(exc.args)]
        exc = exc.__cause__ or exc.__context__
    return texts


async def test_key_is_in_no_log_or_exception(
    caplog: pytest.LogCaptureFixture, rec: Recorder, loopback: tuple[Emulator, str]
) -> None:
    caplog.set_level(logging.DEBUG)  # root, httpx and httpcore included
    emu = Emulator(key=SECRET, seed=3, today=TODAY)
    texts: list[str] = []

    async def attempt(c: IllvidClient, coro: Any) -> None:
        try:
            await coro
        except IllvidError as exc:
            texts.extend(_chain(exc))

    async with make_client(emu.transport(), rec, key=SECRET) as c:
        texts.append(repr(c))
        emu.faults.rates = {509: 0.2, 500: 0.1, 502: 0.1}
        for _ in range(5):
            await attempt(c, c.account_info())
            await attempt(c, c.upload_url("https://example.com/a.mp4"))
        emu.faults.rates = {}
        emu.faults.html_errors = True
        emu.fail_next("files_dmca", 502, count=9)
        await attempt(c, c.files_dmca())
        emu.faults.broken_json_next = 1
        await attempt(c, c.get_upload_server())
        emu.fail_next("check_files", 0)
        await attempt(c, c.check_files(["abcdefabcdef"]))
    async with make_client(emu.transport(), rec, key=SECRET + "x") as wrong:
        await attempt(wrong, wrong.account_info())
    # Over a real socket: httpx logs every full URL at INFO.
    _, base = loopback
    async with IllvidClient(key=SECRET, base_url=base, sleep=rec.sleep) as real:
        await attempt(real, real.account_info())  # 403: the loopback emulator has another key
    refused = f"http://127.0.0.1:{free_port()}/api"
    async with IllvidClient(key=SECRET, base_url=refused, sleep=rec.sleep, max_attempts=1) as c:
        await attempt(c, c.account_info())
    texts += [r.getMessage() for r in caplog.records]
    texts += [str(e) for e in rec.events] + [repr(e) for e in rec.events]
    assert any("key=***" in t for t in texts), "redacted URLs should still be logged"
    assert any(r.name == "httpx" for r in caplog.records)
    leaks = [t for t in texts if SECRET in t or "S3cr3t" in t]
    assert leaks == []


async def test_cancelling_a_check_cancels_its_batches(emu: Emulator, rec: Recorder) -> None:
    emu.faults.latency = 0.05
    landed: list[BatchDone] = []
    async with make_client(emu.transport(), rec, max_in_flight=2, batch_size=10) as c:
        task = asyncio.ensure_future(c.check_files(emu.add_files(200), on_batch=landed.append))
        while not landed:  # wait for observable progress, then cancel
            await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert 1 <= len(landed) < 20
    assert ops_sent(emu, "check_files") < 20


def test_a_very_short_secret_does_not_mask_every_word() -> None:
    # One client with a one-letter key must not turn "Traceback" into "Tracebac***"
    # in every later log line; its key= parameter is still masked.
    from illvid_tui.api import redact

    redact.register_secret("k")
    redact.register_secret("S3cr3t-long")
    assert redact.text("Traceback in worker") == "Traceback in worker"
    assert redact.text("GET /api?op=x&key=k") == "GET /api?op=x&key=***"
    assert redact.text("failed with S3cr3t-long") == "failed with ***"
