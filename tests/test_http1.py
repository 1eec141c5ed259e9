"""api/http1.py against a raw loopback server that answers exactly the bytes a test scripts.

Each case is a liberty a real server or proxy may take: chunked and
close-delimited bodies, 1xx heads, HTTP/1.0, an idle connection closed under
us, a head that never ends, a body cut short, a slow answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from illvid_tui.api.http1 import Http1Transport, network_transport, proxied

#: (request head, request body) -> the bytes to answer, or None to close at once.
Script = Callable[[bytes, bytes], bytes | None]


class Server:
    """asyncio server on 127.0.0.1: reads each request whole, writes what `script` says."""

    def __init__(self, script: Script, *, close_after: bool = False) -> None:
        self.script = script
        self.close_after = close_after
        self.connections = 0
        self.requests: list[tuple[bytes, bytes]] = []
        self.writers: list[asyncio.StreamWriter] = []
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                body = await _read_body(reader, head)
                self.requests.append((head, body))
                answer = self.script(head, body)
                if answer is None:
                    break
                writer.write(answer)
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


async def _read_body(reader: asyncio.StreamReader, head: bytes) -> bytes:
    lower = head.lower()
    if b"transfer-encoding: chunked" in lower:
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return body
            body += await reader.readexactly(size + 2)
            body = body[:-2]
    for line in lower.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return await reader.readexactly(int(line.split(b":")[1]))
    return b""


def ok(body: bytes = b'{"ok": 1}', extra: bytes = b"") -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), extra, body)


async def get(transport: Http1Transport, url: str, **kwargs: Any) -> httpx.Response:
    async with httpx.AsyncClient(transport=transport, timeout=kwargs.pop("timeout", 5)) as c:
        return await c.get(url, **kwargs)


async def test_a_kept_alive_connection_carries_the_next_request() -> None:
    server = Server(lambda head, body: ok())
    async with server as url:
        transport = Http1Transport()
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(3):
                response = await client.get(f"{url}/api/x?key=1")
                assert response.status_code == 200 and response.json() == {"ok": 1}
        assert server.connections == 1 and len(server.requests) == 3
        assert server.requests[0][0].startswith(b"GET /api/x?key=1 HTTP/1.1\r\n")
        assert b"\r\nhost: 127.0.0.1:" in server.requests[0][0].lower()


async def test_chunked_answer_with_extensions_and_trailers() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=x\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"
    )
    server = Server(lambda head, body: chunked)
    async with server as url:
        transport = Http1Transport()
        async with httpx.AsyncClient(transport=transport) as client:
            assert (await client.get(url)).text == "hello, world"
            assert (await client.get(url)).text == "hello, world"
        assert server.connections == 1  # a complete chunked answer leaves it reusable


async def test_close_delimited_answer_and_http10_are_never_reused() -> None:
    for answer in (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end",
        b"HTTP/1.0 200 OK\r\nContent-Length: 13\r\n\r\nuntil the end",
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 13\r\n\r\nuntil the end",
    ):
        server = Server(lambda head, body, a=answer: a, close_after=True)
        async with server as url:
            transport = Http1Transport()
            async with httpx.AsyncClient(transport=transport) as client:
                assert (await client.get(url)).text == "until the end"
                assert (await client.get(url)).text == "until the end"
            assert server.connections == 2, answer


async def test_1xx_heads_are_skipped_and_bodiless_answers_keep_the_connection() -> None:
    def script(head: bytes, body: bytes) -> bytes:
        if head.startswith(b"HEAD"):
            return b"HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n"
        if b"/204" in head:
            return b"HTTP/1.1 204 No Content\r\n\r\n"
        return b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: x\r\n\r\n" + ok()

    server = Server(script)
    async with server as url:
        async with httpx.AsyncClient(transport=Http1Transport()) as client:
            assert (await client.get(url)).json() == {"ok": 1}
            head = await client.head(url)
            assert head.status_code == 200 and head.content == b""
            assert (await client.get(f"{url}/204")).status_code == 204
            assert (await client.get(url)).json() == {"ok": 1}
        assert server.connections == 1


async def test_an_idle_connection_the_server_closed_is_not_reused() -> None:
    server = Server(lambda head, body: ok())
    async with server as url:
        async with httpx.AsyncClient(transport=Http1Transport()) as client:
            assert (await client.get(url)).status_code == 200
            for writer in server.writers:
                writer.close()  # the server's keep-alive timeout
                await writer.wait_closed()
            await asyncio.sleep(0)  # the FIN reaches our side (no timing: one loop turn)
            for _ in range(10):
                if all(c.reader.at_eof() for cs in client._transport._idle.values() for c in cs):  # type: ignore[attr-defined]
                    break
                await asyncio.sleep(0)
            assert (await client.get(url)).status_code == 200
        assert server.connections == 2


async def test_bytes_nobody_asked_for_retire_an_idle_connection() -> None:
    # A 408 sent on an idle connection (or bytes past Content-Length) would
    # otherwise be read as the next request's answer.
    server = Server(lambda head, body: ok() + b"HTTP/1.1 408 Request Timeout\r\n\r\n")
    async with server as url:
        async with httpx.AsyncClient(transport=Http1Transport()) as client:
            assert (await client.get(url)).status_code == 200
            assert (await client.get(url)).status_code == 200
        assert server.connections == 2


async def test_idle_connections_of_every_origin_are_reaped() -> None:
    first, second = Server(lambda head, body: ok()), Server(lambda head, body: ok())
    async with first as url_a, second as url_b:
        transport = Http1Transport()
        async with httpx.AsyncClient(transport=transport) as client:
            await client.get(url_a)
            for writer in first.writers:
                writer.close()  # the first server's keep-alive timeout
                await writer.wait_closed()
            (idle_a,) = next(iter(transport._idle.values()))
            for _ in range(100):
                if idle_a.reader.at_eof():
                    break
                await asyncio.sleep(0)
            await client.get(url_b)
            # The first origin's dead connection was closed on the way, not left half-open.
            assert len(transport._idle) == 1 and idle_a.writer.is_closing()


async def test_a_body_must_match_its_content_length() -> None:
    async def five() -> AsyncIterator[bytes]:
        yield b"12345"

    server = Server(lambda head, body: ok())
    async with server as url:
        async with httpx.AsyncClient(transport=Http1Transport()) as client:
            for declared in ("3", "9"):
                with pytest.raises(httpx.LocalProtocolError, match="Content-Length"):
                    await client.post(url, content=five(), headers={"Content-Length": declared})
            assert (await client.get(url)).status_code == 200
    # Neither broken body reached the server as a request: each connection was dropped.
    assert [head.split(b" ")[0] for head, _ in server.requests] == [b"GET"]


async def test_an_upgraded_connection_is_never_pooled() -> None:
    server = Server(lambda head, body: b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n")
    async with server as url:
        transport = Http1Transport()
        async with httpx.AsyncClient(transport=transport) as client:
            async with client.stream("GET", url) as response:
                assert response.status_code == 101
            assert transport._idle == {}


async def test_an_old_idle_connection_is_not_reused() -> None:
    server = Server(lambda head, body: ok())
    async with server as url:
        async with httpx.AsyncClient(transport=Http1Transport(keepalive_expiry=0)) as client:
            await client.get(url)
            await client.get(url)
        assert server.connections == 2


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", "complete message body"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nabc", "inside a chunk"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "bad chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n", "chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n", "chunk size"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1_0\r\nhello\r\n", "chunk size"),
        (b"SSH-2.0-OpenSSH_9.6\r\n\r\n", "not an HTTP/1.1 status line"),
        (b"HTTP/1.1 2x0 OK\r\n\r\n", "not an HTTP/1.1 status line"),
        (b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "bad header line"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "Content-Length"),
        (b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 300_000, "over"),
        (b"HTTP/1.1 200 OK\r\nContent-", "inside the response head"),
        (b"", "without sending a response"),
    ],
)
async def test_broken_answers_are_protocol_errors(answer: bytes, words: str) -> None:
    server = Server(lambda head, body: answer, close_after=True)
    async with server as url:
        async with httpx.AsyncClient(transport=Http1Transport(max_connections=1)) as client:
            with pytest.raises(httpx.RemoteProtocolError, match=words):
                await client.get(url)
            # The one connection slot was given back: the next request gets one at once.
            server.script = lambda head, body: ok()
            assert (await client.get(url, timeout=httpx.Timeout(5, pool=1))).status_code == 200


async def test_timeouts_and_refusals_are_httpx_errors() -> None:
    never = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await never.wait()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(httpx.ReadTimeout):
            await get(Http1Transport(), f"http://127.0.0.1:{port}/", timeout=0.05)
    finally:
        never.set()
        server.close()
    await server.wait_closed()
    with pytest.raises(httpx.ConnectError):
        await get(Http1Transport(), f"http://127.0.0.1:{port}/")


async def test_the_pool_waits_for_a_free_connection_then_times_out() -> None:
    server = Server(lambda head, body: ok())
    async with server as url:
        transport = Http1Transport(max_connections=1)
        async with httpx.AsyncClient(transport=transport) as client:
            async with client.stream("GET", url) as held:
                assert held.status_code == 200
                with pytest.raises(httpx.PoolTimeout):
                    await client.get(url, timeout=httpx.Timeout(5, pool=0.05))
            # Closed: the slot is free again.
            assert (await client.get(url, timeout=httpx.Timeout(5, pool=0.05))).json() == {"ok": 1}


async def test_a_streamed_request_body_arrives_whole_and_chunked() -> None:
    server = Server(lambda head, body: ok(body))

    async def parts() -> AsyncIterator[bytes]:
        for n in range(50):
            yield b"%04d," % n

    async with server as url:
        async with httpx.AsyncClient(transport=Http1Transport()) as client:
            response = await client.post(url, content=parts())
            assert response.content == b"".join(b"%04d," % n for n in range(50))
            form = await client.post(url, data={"a": "1"})
            assert form.content == b"a=1"
    assert b"transfer-encoding: chunked" in server.requests[0][0].lower()
    assert b"content-length: 3" in server.requests[1][0].lower()


async def test_a_header_with_a_line_break_is_never_sent() -> None:
    server = Server(lambda head, body: ok())
    async with server as url:
        with pytest.raises(httpx.LocalProtocolError):
            await get(Http1Transport(), url, headers={"X-A": "1\r\nX-Injected: 2"})
    assert server.requests == []


async def test_leaving_a_body_half_read_closes_that_connection() -> None:
    big = b"x" * 1_000_000
    server = Server(lambda head, body: ok(big))
    async with server as url:
        transport = Http1Transport(max_connections=1)
        async with httpx.AsyncClient(transport=transport) as client:
            async with client.stream("GET", url) as response:
                async for _ in response.aiter_raw():
                    break
            assert (await client.get(url, timeout=httpx.Timeout(5, pool=1))).content == big
        assert server.connections == 2  # the half-read one was closed, not reused


def test_a_proxy_in_the_environment_hands_over_to_httpx(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert not proxied() and isinstance(network_transport(), Http1Transport)
    monkeypatch.setenv("https_proxy", "http://proxy.example:3128")
    assert proxied() and network_transport() is None
    from illvid_tui.api.transport import make_transport

    assert make_transport("https://illvid.com/api") is None  # the app's clients: httpx's too
    monkeypatch.delenv("https_proxy")
    assert isinstance(make_transport("http://127.0.0.1:9/api"), Http1Transport)
