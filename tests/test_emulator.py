"""The emulator itself, over raw HTTP (not the project's client)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator

TODAY = dt.date(2026, 5, 1)


@pytest.fixture
def emu() -> Emulator:
    return Emulator(seed=1, today=TODAY, clock=lambda: 1000.0)


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://127.0.0.1/api") as c:
        yield c


async def call(client: httpx.AsyncClient, op: str, **params: str) -> tuple[int, dict[str, Any]]:
    params.setdefault("key", DEMO_KEY)
    response = await client.get("", params={"op": op, **params})
    return response.status_code, response.json()


# -- happy paths ----------------------------------------------------------------
async def test_account_info(client: httpx.AsyncClient, emu: Emulator) -> None:
    http, env = await call(client, "account_info", login=DEMO_LOGIN)
    assert http == 200 and env["status"] == "200"
    assert env["result"]["login"] == "demo"
    assert env["result"]["money"] == "4050.00"
    assert "email" in env["result"]
    assert emu.requests[-1].op == "account_info" and emu.requests[-1].api_status == 200


async def test_get_upload_server(client: httpx.AsyncClient) -> None:
    _, env = await call(client, "get_upload_server")
    assert isinstance(env["result"], str) and env["result"].startswith("https://")


async def test_check_files_returns_missing_codes_case_kept(
    client: httpx.AsyncClient, emu: Emulator
) -> None:
    known = next(iter(emu.files))
    listed = f"{known},nosuchfile01,3WGI2ZA99MG2,3wgi2za99mg2"
    _, env = await call(client, "check_files", list=listed)
    assert env["result"] == ["nosuchfile01", "3wgi2za99mg2"]


async def test_deleted_file_shows_as_missing(client: httpx.AsyncClient, emu: Emulator) -> None:
    code = emu.add_files(2)[0]
    emu.delete_file(code)
    _, env = await call(client, "check_files", list=code)
    assert env["result"] == [code]
    http, env = await call(client, "file_renew", file_code=code)
    assert http == 404 and env["status"] == "404"


@pytest.mark.parametrize("as_object", [True, False])
async def test_file_renew_result_shapes(
    client: httpx.AsyncClient, emu: Emulator, as_object: bool
) -> None:
    emu.faults.renew_result_object = as_object
    _, env = await call(client, "file_renew", file_code="3WGI2ZA99MG2")
    assert env["status"] == "200"
    if as_object:
        assert env["result"]["file_code"] == "3WGI2ZA99MG2"
        assert dt.date.fromisoformat(env["result"]["expire"]) > TODAY
    else:
        assert env["result"] is True


async def test_file_renew_expired_dmca_is_451(client: httpx.AsyncClient, emu: Emulator) -> None:
    expired = next(n for n in emu.dmca if n["dmca_expire"] < TODAY.isoformat())
    assert expired["file_code"] in emu.files
    http, env = await call(client, "file_renew", file_code=expired["file_code"])
    assert http == 451 and env["status"] == "451"


# -- demo data -------------------------------------------------------------------
def test_demo_data_is_deterministic_and_plausible() -> None:
    a, b = Emulator(seed=3, today=TODAY), Emulator(seed=3, today=TODAY)
    assert a.files == b.files and a.dmca == b.dmca
    assert Emulator(seed=4, today=TODAY).files != a.files
    assert 140 <= len(a.files) <= 160 and len(a.dmca) == 25
    days = [dt.date.fromisoformat(n["dmca_expire"]) - TODAY for n in a.dmca]
    assert any(d.days < 0 for d in days) and any(0 <= d.days <= 3 for d in days)
    for n in a.dmca:
        created = dt.date.fromisoformat(n["dmca_created"])
        assert TODAY - dt.timedelta(days=30) <= created <= TODAY
        assert n["dmca_expire"] >= n["dmca_created"]
    assert Emulator(demo_data=False).files == {}


# -- auth and bad params ---------------------------------------------------------
async def test_wrong_key_and_wrong_login_are_403(client: httpx.AsyncClient) -> None:
    http, env = await call(client, "account_info", key="nope")
    assert (http, env["status"]) == (403, "403")
    http, env = await call(client, "account_info", login="smith")
    assert (http, env["status"]) == (403, "403")
    response = await client.get("", params={"op": "account_info"})
    assert response.json()["status"] == "403"


@pytest.mark.parametrize(
    ("op", "params"),
    [
        ("no_such_op", {}),
        ("check_files", {}),
        ("check_files", {"list": ""}),
        ("upload_url", {}),
        ("upload_url", {"url": "ftp://example.com/a.mp4"}),
        ("check_upload_url", {}),
        ("file_renew", {}),
        ("files_dmca", {"order": "sideways"}),
        ("files_dmca", {"date": "01/05/2026"}),
    ],
)
async def test_bad_params_are_400(
    client: httpx.AsyncClient, op: str, params: dict[str, str]
) -> None:
    http, env = await call(client, op, **params)
    assert (http, env["status"]) == (400, "400")


async def test_post_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("", params={"op": "account_info", "key": DEMO_KEY})
    assert response.status_code == 405 and response.json()["status"] == "400"


# -- remote uploads --------------------------------------------------------------
async def test_upload_job_lifecycle(client: httpx.AsyncClient, emu: Emulator) -> None:
    url = "https://cdn.example.org/videos/bunny.mp4"
    _, env = await call(client, "upload_url", url=url, folder="cartoons")
    queue_id = env["result"]["queue_id"]
    assert isinstance(queue_id, str) and queue_id.isdigit()
    _, env = await call(client, "check_upload_url", id=queue_id)
    assert env["result"]["status"] == "pending" and env["result"]["url"] == url
    emu.advance(3.0)
    _, env = await call(client, "check_upload_url", id=queue_id)
    assert env["result"]["status"] == "working"
    assert 0 <= int(env["result"]["progress"]) < 100
    assert "file_code" not in env["result"]
    emu.advance(10.0)
    code = emu.jobs[queue_id].file_code
    assert emu.files[code]["folder"] == "cartoons"  # advance() settles finished uploads
    _, env = await call(client, "check_upload_url", id=queue_id)
    assert env["result"]["file_code"] == code
    _, env = await call(client, "check_files", list=code)
    assert env["result"] == []


async def test_upload_url_is_not_idempotent(client: httpx.AsyncClient, emu: Emulator) -> None:
    url = "https://cdn.example.org/same.mp4"
    _, first = await call(client, "upload_url", url=url)
    _, second = await call(client, "upload_url", url=url)
    assert first["result"]["queue_id"] != second["result"]["queue_id"]
    assert len(emu.jobs) == 2


@pytest.mark.parametrize(
    "url", ["https://example.com/fail.mp4", "http://bad.example/x.mp4", "https://h/broken"]
)
async def test_failing_upload(client: httpx.AsyncClient, emu: Emulator, url: str) -> None:
    _, env = await call(client, "upload_url", url=url)
    emu.advance(60)
    _, env = await call(client, "check_upload_url", id=env["result"]["queue_id"])
    assert env["result"]["status"] == "error"
    assert "404" in env["result"]["error"] and "file_code" not in env["result"]
    assert env["result"]["url"] == url


async def test_unknown_queue_id_is_404(client: httpx.AsyncClient) -> None:
    http, env = await call(client, "check_upload_url", id="999")
    assert (http, env["status"]) == (404, "404")


async def test_queue_entries_expire_with_queue_ttl(
    client: httpx.AsyncClient, emu: Emulator
) -> None:
    emu.faults.queue_ttl = 30.0
    _, env = await call(client, "upload_url", url="https://cdn.example.org/a.mp4")
    queue_id = env["result"]["queue_id"]
    emu.advance(10)
    _, env = await call(client, "check_upload_url", id=queue_id)
    assert env["status"] == "200"
    code = emu.jobs[queue_id].file_code
    emu.advance(25)
    http, env = await call(client, "check_upload_url", id=queue_id)
    assert (http, env["status"]) == (404, "404")
    assert queue_id not in emu.jobs
    assert code in emu.files  # the upload itself finished: only the queue forgot it


def test_emulator_command_line_sets_queue_ttl() -> None:
    from illvid_tui.emulator.__main__ import build_parser, make_emulator

    emu = make_emulator(build_parser().parse_args(["--queue-ttl", "90", "--no-demo-data"]))
    assert emu.faults.queue_ttl == 90.0
    assert make_emulator(build_parser().parse_args([])).faults.queue_ttl is None


def test_upload_durations_follow_upload_seconds() -> None:
    emu = Emulator(clock=lambda: 0.0, demo_data=False)
    emu.upload_seconds = 100.0
    job = emu.create_job("https://example.com/a.mp4", None)
    assert 80.0 <= job.duration <= 120.0
    emu.advance(79.0)
    assert job.phase(emu.now())[0] == "working"


# -- DMCA ------------------------------------------------------------------------
async def test_dmca_order_and_date(client: httpx.AsyncClient, emu: Emulator) -> None:
    _, down = await call(client, "files_dmca")
    created = [n["dmca_created"] for n in down["result"]]
    assert len(created) == 25 and created == sorted(created, reverse=True)
    _, up = await call(client, "files_dmca", order="up")
    assert [n["dmca_created"] for n in up["result"]] == sorted(created)
    cutoff = sorted(created)[12]
    _, since = await call(client, "files_dmca", date=cutoff)
    assert since["result"] and all(n["dmca_created"] >= cutoff for n in since["result"])
    assert len(since["result"]) == sum(c >= cutoff for c in created)


def test_set_dmca_50k() -> None:
    # Its speed is measured by benchmarks/dmca.py, not asserted here.
    emu = Emulator(today=TODAY)
    emu.set_dmca(50_000)
    assert len(emu.dmca) == 50_000
    assert len({n["file_code"] for n in emu.dmca}) > 49_000


# -- faults ----------------------------------------------------------------------
async def test_always_200_keeps_envelope_status(client: httpx.AsyncClient, emu: Emulator) -> None:
    emu.faults.mirror_http_status = False
    http, env = await call(client, "account_info", key="wrong")
    assert http == 200 and env["status"] == "403"


async def test_numbers_as_ints(client: httpx.AsyncClient, emu: Emulator) -> None:
    emu.faults.numbers_as_strings = False
    _, env = await call(client, "account_info")
    assert env["status"] == 200 and env["result"]["money"] == 4050.0
    _, env = await call(client, "upload_url", url="https://example.com/a.mp4")
    assert isinstance(env["result"]["queue_id"], int)


async def test_fail_next_then_recovers(client: httpx.AsyncClient, emu: Emulator) -> None:
    emu.fail_next("account_info", 509, count=2)
    for _ in range(2):
        http, env = await call(client, "account_info")
        assert (http, env["status"]) == (509, "509")
        assert "Bandwidth" in env["msg"]
    http, env = await call(client, "account_info")
    assert http == 200
    _, env = await call(client, "get_upload_server")  # other ops are not affected
    assert env["status"] == "200"


async def test_html_errors(client: httpx.AsyncClient, emu: Emulator) -> None:
    emu.faults.html_errors = True
    emu.fail_next("files_dmca", 502)
    response = await client.get("", params={"op": "files_dmca", "key": DEMO_KEY})
    assert response.status_code == 502
    assert response.headers["content-type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert emu.requests[-1].api_status is None and emu.requests[-1].http_status == 502


async def test_broken_json(client: httpx.AsyncClient, emu: Emulator) -> None:
    emu.faults.broken_json_next = 1
    response = await client.get("", params={"op": "account_info", "key": DEMO_KEY})
    with pytest.raises(json.JSONDecodeError):
        response.json()
    _, env = await call(client, "account_info")
    assert env["status"] == "200"


async def test_drop_connection(client: httpx.AsyncClient, emu: Emulator) -> None:
    emu.fail_next("upload_url", 0)
    with pytest.raises(httpx.TransportError):
        await call(client, "upload_url", url="https://example.com/a.mp4")
    assert emu.requests[-1].http_status == 0
    assert emu.jobs == {}  # dropped before the server acted


async def test_random_rates_are_seeded(emu: Emulator) -> None:
    async def statuses(e: Emulator) -> list[int]:
        e.faults.rates = {509: 0.3, 500: 0.2}
        async with httpx.AsyncClient(transport=e.transport(), base_url="http://x/api") as c:
            return [(await call(c, "account_info"))[0] for _ in range(100)]

    first = await statuses(Emulator(seed=7))
    assert first == await statuses(Emulator(seed=7))
    assert 15 <= first.count(509) <= 45 and 8 <= first.count(500) <= 35
    assert first.count(200) >= 30


async def test_latency_and_slow_ops(
    client: httpx.AsyncClient, emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The waits the emulator asks for are recorded instead of timed.
    waits: list[float] = []

    async def fake_sleep(delay: float) -> None:
        waits.append(delay)

    monkeypatch.setattr("illvid_tui.emulator.app.asyncio.sleep", fake_sleep)
    emu.faults.latency = 0.05
    emu.faults.slow_ops = {"files_dmca": 0.2}
    await call(client, "account_info")
    await call(client, "files_dmca")
    assert waits == [pytest.approx(0.05), pytest.approx(0.25)]


async def test_requests_are_recorded_with_params(client: httpx.AsyncClient, emu: Emulator) -> None:
    await call(client, "check_files", list="a,b")
    rec = emu.requests[-1]
    assert rec.params == {"op": "check_files", "key": DEMO_KEY, "list": "a,b"}
    assert (rec.http_status, rec.api_status) == (200, 200)


# -- several accounts on one server -------------------------------------------------
async def test_two_accounts_keep_their_own_data(client: httpx.AsyncClient, emu: Emulator) -> None:
    other = emu.add_account("second", "second-key")
    _, mine = await call(client, "upload_url", url="https://a.example/one.mp4")
    _, theirs = await call(client, "upload_url", key="second-key", url="https://a.example/two.mp4")
    mine_id, theirs_id = mine["result"]["queue_id"], theirs["result"]["queue_id"]
    # Queue ids are server-wide; each account sees only its own jobs.
    assert mine_id != theirs_id
    assert list(other.jobs) == [str(theirs_id)]
    _, env = await call(client, "check_upload_url", key="second-key", id=str(mine_id))
    assert env["status"] == "404"
    _, env = await call(client, "account_info", key="second-key", login="second")
    assert env["result"]["login"] == "second" and env["result"]["files_total"] == "0"
    # A key is tied to its login, and the clock moves every account.
    _, env = await call(client, "account_info", key="second-key", login=DEMO_LOGIN)
    assert env["status"] == "403"
    emu.advance(60)
    _, env = await call(client, "check_upload_url", key="second-key", id=str(theirs_id))
    assert env["result"]["status"] == "done"
    assert env["result"]["file_code"] in other.files
    assert env["result"]["file_code"] not in emu.files
    with pytest.raises(ValueError):
        emu.add_account("again", DEMO_KEY)


def test_the_runner_serves_several_accounts() -> None:
    from illvid_tui.emulator.__main__ import build_parser, make_emulator

    emu = make_emulator(build_parser().parse_args(["--accounts", "3", "--no-demo-data"]))
    assert {k: s.account["login"] for k, s in emu.accounts.items()} == {
        "demo2-key-not-secret": "demo2",
        "demo3-key-not-secret": "demo3",
    }


def test_port_zero_prints_the_port_it_bound() -> None:
    """Scripts start the emulator on --port 0 and read the URL from its first line."""
    import subprocess
    import sys
    import urllib.request

    proc = subprocess.Popen(
        [sys.executable, "-m", "illvid_tui.emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("illvid emulator: http://127.0.0.1:")
        base = line.split(": ", 1)[1]
        assert not base.endswith(":0/api")
        with urllib.request.urlopen(f"{base}?op=account_info&key=demo-key-not-secret") as answer:
            assert b'"login"' in answer.read()
    finally:
        proc.kill()
        proc.wait()
