"""files_dmca's preview: the first notices of a long answer, heard while the rest streams in."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from illvid_tui.api import IllvidClient
from illvid_tui.api.errors import IllvidError, PermissionDeniedError
from illvid_tui.api.models import DmcaNotice
from illvid_tui.emulator import DEMO_KEY, Emulator

BASE = "http://127.0.0.1/api"


def notices(n: int) -> list[dict[str, str]]:
    return [
        {"file_code": f"c{i:011d}", "dmca_created": "2026-11-01", "dmca_expire": "2026-12-01"}
        for i in range(n)
    ]


def body(status: int, items: list[dict[str, str]]) -> bytes:
    return json.dumps({"status": status, "msg": "OK", "result": items}).encode()


async def test_first_notices_are_heard_before_the_body_has_arrived() -> None:
    raw = body(200, notices(5000))
    heard: list[list[DmcaNotice]] = []
    preview = asyncio.Event()

    async def stream() -> AsyncIterator[bytes]:
        yield raw[:20_000]
        # The rest is sent only once the preview was heard: a client that waits
        # for the whole body first never gets here.
        await asyncio.wait_for(preview.wait(), 5)
        yield raw[20_000:]

    def on_first(first: list[DmcaNotice]) -> None:
        heard.append(first)
        preview.set()

    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=stream()))
    async with IllvidClient(DEMO_KEY, base_url=BASE, transport=transport) as client:
        got = await client.files_dmca(on_first=on_first)
    assert len(got) == 5000 and len(heard) == 1
    assert heard[0] == got[:100]


async def test_a_short_answer_has_no_preview() -> None:
    emu = Emulator(seed=1)
    heard: list[Any] = []
    async with IllvidClient(DEMO_KEY, base_url=BASE, transport=emu.transport()) as client:
        got = await client.files_dmca(on_first=heard.append)
    assert got and not heard


async def test_no_preview_when_the_status_before_the_list_is_not_200() -> None:
    raw = body(403, notices(5000))
    heard: list[Any] = []
    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=raw))
    async with IllvidClient(DEMO_KEY, base_url=BASE, transport=transport) as client:
        with pytest.raises(PermissionDeniedError):
            await client.files_dmca(on_first=heard.append)
    assert not heard


async def test_a_failing_preview_does_not_fail_the_call() -> None:
    raw = body(200, notices(5000))

    def on_first(first: list[DmcaNotice]) -> None:
        raise RuntimeError("a broken screen")

    transport = httpx.MockTransport(lambda request: httpx.Response(200, content=raw))
    async with IllvidClient(DEMO_KEY, base_url=BASE, transport=transport) as client:
        assert len(await client.files_dmca(on_first=on_first)) == 5000


async def test_a_streamed_answer_is_logged_and_read_with_debug_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`--debug` (or any DEBUG handler) must not break the streamed path.

    The debug record and the HTML check read the body the stream collected:
    the streamed response itself has no `.content` (ResponseNotRead).
    """

    def streamed(status: int, raw: bytes) -> httpx.MockTransport:
        async def chunks() -> AsyncIterator[bytes]:
            for start in range(0, len(raw), 65536):
                yield raw[start : start + 65536]

        return httpx.MockTransport(lambda request: httpx.Response(status, content=chunks()))

    caplog.set_level("DEBUG", logger="illvid_tui.api")
    good = streamed(200, body(200, notices(5000)))
    async with IllvidClient(DEMO_KEY, base_url=BASE, transport=good) as client:
        got = await client.files_dmca(on_first=lambda first: None)
    assert len(got) == 5000
    assert any('answer={"status": 200' in r.getMessage() for r in caplog.records)

    page = streamed(403, b"<html>" + b"x" * 300_000 + b"</html>")
    async with IllvidClient(DEMO_KEY, base_url=BASE, transport=page, max_attempts=1) as client:
        with pytest.raises(IllvidError) as failed:
            await client.files_dmca(on_first=lambda first: None)
    assert "HTML" in str(failed.value)
