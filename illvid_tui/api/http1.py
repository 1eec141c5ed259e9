"""HTTP/1.1 over asyncio streams: the transport the app and the commands hand httpx.

httpx's own transport (httpcore on anyio, h11) costs ~85 ms of imports on
these machines before the first request can leave: most of a cold start's
wait for the account data. This one needs nothing but asyncio and ssl. It
does what the client asks of a transport and no more: keep-alive connections
per origin (at most `max_connections` in use), the four httpx timeouts,
streamed request and response bodies, and httpx's exception classes, so
api/request.py reads its failures as it reads httpx's. No HTTP/2, no proxy:
with a proxy in the environment ($HTTPS_PROXY, $HTTP_PROXY, $ALL_PROXY),
`network_transport()` answers None and httpx uses its own, which speaks to
proxies and honours $NO_PROXY.

Reading answers (framing, the body stream) is api/http1_answer.py. A
connection is reused only after a complete exchange that neither side marked
`Connection: close`, and only while idle for less than `keepalive_expiry`,
not closed by the server and with nothing unasked-for received on it.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import httpx

from illvid_tui.api.http1_answer import READ_SIZE, Body, read_head, within

#: Below common servers' keep-alive timeouts (uvicorn's 5 s, nginx's 75 s):
#: an idle connection is not reused at the moment the server closes it.
KEEPALIVE_EXPIRY = 4.0

_Origin = tuple[str, str, int]

_PROXY_VARIABLES = ("https_proxy", "http_proxy", "all_proxy")


def _where(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def proxied() -> bool:
    """Whether the environment names a proxy (httpx's transport is needed then)."""
    names = {name.lower() for name, value in os.environ.items() if value.strip()}
    return any(name in names for name in _PROXY_VARIABLES)


def network_transport(
    *, max_connections: int = 10, ssl_context: ssl.SSLContext | None = None
) -> Http1Transport | None:
    """The transport for the network: ours, or None (httpx's own) through a proxy."""
    if proxied():
        return None
    return Http1Transport(ssl_context=ssl_context, max_connections=max_connections)


class _Connection:
    """One TCP (or TLS) connection and where its current exchange stands."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.idle_since = time.monotonic()

    def usable(self, expiry: float) -> bool:
        """Not closed by either side, nothing unasked-for received, idle < `expiry` s.

        Bytes that arrived on an idle connection (a 408 before the server
        closes it, more than Content-Length said) would be read as the next
        request's answer: such a connection is never reused. StreamReader
        shows its buffer only as this private attribute.
        """
        return (
            not self.writer.is_closing()
            and not self.reader.at_eof()
            and not self.reader._buffer  # type: ignore[attr-defined]
            and time.monotonic() - self.idle_since < expiry
        )

    def close(self) -> None:
        self.writer.close()


class Http1Transport(httpx.AsyncBaseTransport):
    """An `httpx.AsyncBaseTransport` speaking HTTP/1.1 on asyncio's streams.

    `ssl_context` is used for https (build it with `httpx.create_ssl_context()`,
    which loads the certificate store: ~35 ms); without one, https requests
    get a default verifying context made on first use.
    """

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 10,
        keepalive_expiry: float = KEEPALIVE_EXPIRY,
    ) -> None:
        self._ssl_context = ssl_context
        self._slots = asyncio.Semaphore(max_connections) if max_connections else None
        self._max_connections = max_connections
        self._expiry = keepalive_expiry
        self._idle: dict[_Origin, list[_Connection]] = {}
        self._closed = False

    # -- httpx's interface -------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported scheme {url.scheme!r}", request=request)
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        host = url.raw_host.decode("ascii")  # IDNA-encoded, without IPv6 brackets
        origin: _Origin = (url.scheme, host, url.port or (443 if url.scheme == "https" else 80))
        await self._take_slot(request, timeouts.get("pool"))
        connection: _Connection | None = None
        try:
            connection, reused = await self._connection(request, origin, timeouts.get("connect"))
            await self._send(connection, request, timeouts.get("write"))
            version, status, reason, headers = await read_head(
                connection.reader, request, timeouts.get("read"), reused
            )
            body = Body(
                connection.reader, request, status, headers, timeouts.get("read"),
                keep_alive=version == b"HTTP/1.1",
                release=partial(self._release, origin, connection),
            )  # fmt: skip
        except BaseException:
            if connection is not None:
                connection.close()
            self._give_slot()
            raise
        return httpx.Response(
            status,
            headers=headers,
            stream=body,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
            request=request,
        )

    async def aclose(self) -> None:
        self._closed = True
        for connections in self._idle.values():
            for connection in connections:
                connection.close()
        self._idle.clear()

    # -- connections ---------------------------------------------------------------

    async def _take_slot(self, request: httpx.Request, timeout: float | None) -> None:
        if self._slots is None:
            return
        try:
            async with asyncio.timeout(timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout(
                f"no free connection {within(timeout)} ({self._max_connections} in use)",
                request=request,
            ) from None

    def _give_slot(self) -> None:
        if self._slots is not None:
            self._slots.release()

    async def _connection(
        self, request: httpx.Request, origin: _Origin, timeout: float | None
    ) -> tuple[_Connection, bool]:
        found = None
        # Every origin's idle connections are looked at: one closed by its
        # server is closed here too, not kept half-open until the client ends
        # (an uploader meets a new upload server now and then).
        # The most recently used first: the least likely to be timed out by now.
        for key in list(self._idle):
            kept = []
            for connection in reversed(self._idle.pop(key)):
                if not connection.usable(self._expiry):
                    connection.close()
                elif key == origin and found is None:
                    found = connection
                else:
                    kept.append(connection)
            if kept:
                self._idle[key] = kept[::-1]
        if found is not None:
            return found, True
        scheme, host, port = origin
        context = None
        if scheme == "https":
            if self._ssl_context is None:
                self._ssl_context = httpx.create_ssl_context()
            context = self._ssl_context
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host,
                    port,
                    ssl=context,
                    server_hostname=host if context is not None else None,
                    limit=READ_SIZE,
                )
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(
                f"connecting to {_where(host, port)}: no answer {within(timeout, exc)}",
                request=request,
            ) from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(f"{_where(host, port)}: {exc}", request=request) from exc
        return _Connection(reader, writer), False

    def _release(self, origin: _Origin, connection: _Connection, reuse: bool) -> None:
        """An exchange ended (Body's `release`): keep the connection or close it; free the slot."""
        if reuse and not self._closed:
            connection.idle_since = time.monotonic()
            self._idle.setdefault(origin, []).append(connection)
        else:
            connection.close()
        self._give_slot()

    # -- one exchange --------------------------------------------------------------

    async def _send(
        self, connection: _Connection, request: httpx.Request, timeout: float | None
    ) -> None:
        headers = request.headers
        chunked = (
            "content-length" not in headers
            and "chunked" in headers.get("transfer-encoding", "").lower()
        )
        head = [request.method.encode("ascii"), b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
        for name, value in headers.raw:
            if b"\r" in value or b"\n" in value or b"\r" in name or b"\n" in name:
                raise httpx.LocalProtocolError("a header carries a line break", request=request)
            head += [name, b": ", value, b"\r\n"]
        head.append(b"\r\n")
        declared = headers.get("content-length")
        length = int(declared) if declared is not None and declared.isdigit() else None
        sent = 0
        writer = connection.writer
        try:
            writer.write(b"".join(head))
            stream: Any = request.stream
            is_async = isinstance(stream, httpx.AsyncByteStream)
            chunks = aiter(stream) if is_async else _as_async(stream)
            async for chunk in chunks:
                if not chunk:
                    continue
                sent += len(chunk)
                if length is not None and sent > length:
                    # The surplus would be read by the server as a request of its own.
                    raise httpx.LocalProtocolError(
                        f"the body runs over its Content-Length ({length} bytes)",
                        request=request,
                    )
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                if is_async:
                    async with asyncio.timeout(timeout):
                        await writer.drain()
            if length is not None and sent != length:
                raise httpx.LocalProtocolError(
                    f"the body ended at {sent} of its Content-Length {length} bytes",
                    request=request,
                )
            if chunked:
                writer.write(b"0\r\n\r\n")
            async with asyncio.timeout(timeout):
                await writer.drain()
        except TimeoutError as exc:
            raise httpx.WriteTimeout(
                f"sending the request: stuck {within(timeout, exc)}", request=request
            ) from None
        except OSError as exc:
            raise httpx.WriteError(f"sending the request: {exc}", request=request) from exc


async def _as_async(chunks: Any) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield chunk


__all__ = ["KEEPALIVE_EXPIRY", "Http1Transport", "network_transport", "proxied"]
