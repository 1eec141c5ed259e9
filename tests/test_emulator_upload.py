"""The emulator's upload server, driven by plain httpx (not the project's client)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from illvid_tui.emulator import DEMO_KEY, Emulator
from illvid_tui.emulator.multipart import MultipartReader, Part
from illvid_tui.emulator.upload import UPLOAD_PATH

TODAY = dt.date(2026, 5, 1)
PAYLOAD = bytes(range(256)) * 1200  # 307,200 bytes


@pytest.fixture
def emu() -> Emulator:
    return Emulator(seed=1, today=TODAY, clock=lambda: 1000.0)


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=emu.transport(), base_url="http://127.0.0.1/api") as c:
        yield c


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "clip one.mp4"
    path.write_bytes(PAYLOAD)
    return path


async def server(client: httpx.AsyncClient) -> object:
    response = await client.get("", params={"op": "get_upload_server", "key": DEMO_KEY})
    return response.json()["result"]


async def post(
    client: httpx.AsyncClient, url: str, video: Path, part: str = "file", **fields: str
) -> httpx.Response:
    with video.open("rb") as f:
        return await client.post(url, data=fields, files={part: (video.name, f)})


async def test_upload_becomes_a_file_of_the_account(
    client: httpx.AsyncClient, emu: Emulator, video: Path
) -> None:
    url = await server(client)
    assert isinstance(url, str) and url.startswith("https://") and url.endswith(UPLOAD_PATH)
    response = await post(client, url, video, part="whatever", key=DEMO_KEY, to_folder="raw")
    assert response.status_code == 200
    [item] = response.json()
    assert item["file_status"] == "OK"
    code = item["file_code"]
    stored = emu.files[code]
    assert stored["name"] == "clip one.mp4" and stored["size"] == len(PAYLOAD)
    assert stored["folder"] == "raw" and stored["sha256"] == hashlib.sha256(PAYLOAD).hexdigest()
    record = emu.uploads[-1]
    assert record.file_field == "whatever" and record.outcome == "stored"
    # check_files finds it, file_renew renews it.
    found = await client.get("", params={"op": "check_files", "key": DEMO_KEY, "list": code})
    assert found.json()["result"] == []
    renewed = await client.get("", params={"op": "file_renew", "key": DEMO_KEY, "file_code": code})
    assert renewed.json()["status"] == "200"


async def test_object_answer_and_session_owner(
    client: httpx.AsyncClient, emu: Emulator, video: Path
) -> None:
    emu.upload.server_object = True
    answer = await server(client)
    assert isinstance(answer, dict)
    assert {"url", "sess_id", "srv_id", "disk_id"} <= set(answer)
    response = await post(client, answer["url"], video, sess_id=answer["sess_id"])
    assert response.json()[0]["file_status"] == "OK"
    bad = await post(client, answer["url"], video, sess_id="nope")
    assert bad.status_code == 403 and bad.text.startswith("ERROR: ")
    assert bad.headers["content-type"].startswith("text/plain")
    assert sum(1 for r in emu.uploads if r.outcome == "stored") == 1


@pytest.mark.parametrize(
    ("form", "code_of"),
    [
        ("json", lambda body: json.loads(body)[0]["file_code"]),
        ("envelope", lambda body: json.loads(body)["result"][0]["file_code"]),
        ("envelope_alt", lambda body: json.loads(body)["result"][0]["filecode"]),
        ("html", lambda body: body.split('name="fn">')[1].split("<")[0]),
    ],
)
async def test_each_answer_form(
    client: httpx.AsyncClient, emu: Emulator, video: Path, form: str, code_of: object
) -> None:
    emu.upload.answer = form
    response = await post(client, str(await server(client)), video, key=DEMO_KEY)
    assert callable(code_of)
    assert code_of(response.text) in emu.files


async def test_status_other_than_ok_stores_nothing(
    client: httpx.AsyncClient, emu: Emulator, video: Path
) -> None:
    emu.upload.status = "disk quota exceeded"
    before = len(emu.files)
    response = await post(client, str(await server(client)), video, key=DEMO_KEY)
    assert response.json()[0]["file_status"] == "disk quota exceeded"
    assert len(emu.files) == before


async def test_no_content_length_is_411(client: httpx.AsyncClient, emu: Emulator) -> None:
    async def body() -> AsyncIterator[bytes]:
        yield b"--x\r\n"

    response = await client.post(
        str(await server(client)),
        content=body(),
        headers={"content-type": "multipart/form-data; boundary=x"},
    )
    assert response.status_code == 411 and response.text.startswith("ERROR: ")


async def test_wrong_key_and_malformed_bodies_are_refused(
    client: httpx.AsyncClient, emu: Emulator, video: Path
) -> None:
    url = str(await server(client))
    assert (await post(client, url, video, key="wrong")).status_code == 403
    assert (await client.post(url, data={"key": DEMO_KEY})).status_code == 400  # no file
    cut = await client.post(
        url,
        content=b'--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nx',
        headers={"content-type": "multipart/form-data; boundary=b"},
    )
    assert cut.status_code == 400
    assert not any(r.outcome == "stored" for r in emu.uploads)


@pytest.mark.parametrize(
    ("fault", "error", "outcome", "stored"),
    [
        ("refuse", httpx.ConnectError, "refused", False),
        ("drop", httpx.RemoteProtocolError, "dropped", False),
        ("lose", httpx.RemoteProtocolError, "lost", True),
    ],
)
async def test_connection_faults(
    client: httpx.AsyncClient,
    emu: Emulator,
    video: Path,
    fault: str,
    error: type[Exception],
    outcome: str,
    stored: bool,
) -> None:
    url = str(await server(client))
    before = len(emu.files)
    emu.fail_next_upload(fault)
    with pytest.raises(error):
        await post(client, url, video, key=DEMO_KEY)
    record = emu.uploads[-1]
    assert record.outcome == outcome
    assert len(emu.files) == before + int(stored)
    if fault == "drop":
        assert 0 < record.received < len(PAYLOAD)
    assert (await post(client, url, video, key=DEMO_KEY)).status_code == 200  # one-shot


async def test_500_after_the_body(client: httpx.AsyncClient, emu: Emulator, video: Path) -> None:
    emu.fail_next_upload("500")
    before = len(emu.files)
    response = await post(client, str(await server(client)), video, key=DEMO_KEY)
    assert response.status_code == 500 and response.text.startswith("ERROR: ")
    assert emu.uploads[-1].received == int(emu.uploads[-1].headers["content-length"])
    assert len(emu.files) == before
    with pytest.raises(ValueError):
        emu.fail_next_upload("nonsense")


async def test_bandwidth_cap_paces_the_reads(
    client: httpx.AsyncClient, emu: Emulator, video: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from illvid_tui.emulator import upload

    slept: list[float] = []
    clock = [0.0]
    real_sleep = asyncio.sleep

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        clock[0] += seconds
        await real_sleep(0)

    monkeypatch.setattr(upload.asyncio, "sleep", fake_sleep)
    monkeypatch.setattr(upload, "monotonic", lambda: clock[0])
    emu.upload.bandwidth = 100_000.0  # bytes/s: the 300 KB body is paced over ~3 s
    response = await post(client, str(await server(client)), video, key=DEMO_KEY)
    assert response.status_code == 200
    # Each pause is what keeps the reads at the cap; together about the body's 3 s.
    assert len(slept) > 2 and sum(slept) == pytest.approx(emu.uploads[-1].received / 100_000.0)


def test_multipart_reader_any_split() -> None:
    boundary = "----b0undary"
    body = (
        (
            f"preamble\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="key"\r\n\r\nk\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="up"; filename="a \\"b\\".bin"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + PAYLOAD[:5000]
        + f"\r\n--{boundary}--\r\nepilogue".encode()
    )
    for size in (1, 7, 4096, len(body)):
        got = bytearray()
        seen: list[Part] = []

        def sink(part: Part, data: bytes, got: bytearray = got, seen: list[Part] = seen) -> None:
            seen.append(part)
            got.extend(data)

        reader = MultipartReader(boundary, sink)
        for i in range(0, len(body), size):
            reader.feed(body[i : i + size])
        reader.close()
        assert bytes(got) == PAYLOAD[:5000]
        assert reader.fields == {"key": "k"}
        assert reader.files[0].name == "up" and reader.files[0].filename == 'a "b".bin'


# -- over a real socket -------------------------------------------------------------


@pytest.fixture
def socket_emu() -> Iterator[tuple[Emulator, str]]:
    emu = Emulator(seed=2, today=TODAY)
    config = uvicorn.Config(emu, host="127.0.0.1", port=0, log_level="critical", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:  # readiness, bounded by the deadline
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the loopback emulator did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield emu, f"http://127.0.0.1:{port}/api"
    server.should_exit = True
    thread.join(timeout=10)


async def test_over_a_socket_the_url_is_the_servers_own(
    socket_emu: tuple[Emulator, str], video: Path
) -> None:
    emu, base = socket_emu
    async with httpx.AsyncClient(base_url=base) as c:
        url = str(await server(c))
        assert url.startswith(base.removesuffix("/api"))
        response = await post(c, url, video, key=DEMO_KEY)
        assert response.json()[0]["file_status"] == "OK"
        emu.fail_next_upload("drop")
        with pytest.raises(httpx.HTTPError):
            response = await post(c, url, video, key=DEMO_KEY)
            response.read()
            response.json()
    assert emu.uploads[-1].outcome == "dropped"


async def test_a_file_goes_to_the_account_whose_key_or_session_it_carries(
    client: httpx.AsyncClient, emu: Emulator, video: Path
) -> None:
    other = emu.add_account("second", "second-key")
    url = str(await server(client))
    by_key = (await post(client, url, video, key="second-key")).json()[0]["file_code"]
    assert by_key in other.files and by_key not in emu.files
    emu.upload.server_object = True
    asked = await client.get("", params={"op": "get_upload_server", "key": "second-key"})
    answer = asked.json()["result"]
    by_session = await post(client, answer["url"], video, sess_id=answer["sess_id"])
    code = by_session.json()[0]["file_code"]
    assert code in other.files and code not in emu.files
