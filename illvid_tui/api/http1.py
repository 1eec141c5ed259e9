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

Framing follows RFC 9112: a response body is delimited by chunked transfer
coding, else Content-Length, else the connection's end (never reused then);
HEAD, 1xx, 204 and 304 answers have none. A connection is reused only after
a complete exchange that neither side marked `Connection: close`, and only
while idle for less than `keepalive_expiry` and not closed by the server.
"""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

#: Bytes of a response head (status line and headers) at most.
MAX_HEAD = 64 * 1024
#: Bytes read at a time (and the stream buffer's limit).
READ_SIZE = 256 * 1024
#: Below common servers' keep-alive timeouts (uvicorn's 5 s, nginx's 75 s):
#: an idle connection is not reused at the moment the server closes it.
KEEPALIVE_EXPIRY = 4.0

_Origin = tuple[str, str, int]

_PROXY_VARIABLES = ("https_proxy", "http_proxy", "all_proxy")


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
        """Not closed by either side, idle for less than `expiry` seconds."""
        return (
            not self.writer.is_closing()
            and not self.reader.at_eof()
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
            version, status, reason, headers = await self._read_head(
                connection, request, timeouts.get("read"), reused
            )
            body = _Body(
                self, origin, connection, request, status, headers, timeouts.get("read"),
                keep_alive=version == b"HTTP/1.1",
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
                f"no free connection within {timeout} s ({self._max_connections} in use)",
                request=request,
            ) from None

    def _give_slot(self) -> None:
        if self._slots is not None:
            self._slots.release()

    async def _connection(
        self, request: httpx.Request, origin: _Origin, timeout: float | None
    ) -> tuple[_Connection, bool]:
        idle = self._idle.get(origin, [])
        while idle:
            connection = idle.pop()
            if connection.usable(self._expiry):
                return connection, True
            connection.close()
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
        except TimeoutError:
            raise httpx.ConnectTimeout(
                f"connecting to {host}:{port} took over {timeout} s", request=request
            ) from None
        except (OSError, ssl.SSLError) as exc:
            raise httpx.ConnectError(f"{host}:{port}: {exc}", request=request) from exc
        return _Connection(reader, writer), False

    def _keep(self, origin: _Origin, connection: _Connection) -> None:
        if self._closed:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        self._idle.setdefault(origin, []).append(connection)

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
        writer = connection.writer
        try:
            writer.write(b"".join(head))
            stream: Any = request.stream
            if isinstance(stream, httpx.AsyncByteStream):
                async for chunk in stream:
                    if chunk:
                        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                        async with asyncio.timeout(timeout):
                            await writer.drain()
            else:
                for chunk in stream:
                    if chunk:
                        writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            if chunked:
                writer.write(b"0\r\n\r\n")
            async with asyncio.timeout(timeout):
                await writer.drain()
        except TimeoutError:
            raise httpx.WriteTimeout(
                f"sending the request took over {timeout} s", request=request
            ) from None
        except OSError as exc:
            raise httpx.WriteError(f"sending the request: {exc}", request=request) from exc

    async def _read_head(
        self,
        connection: _Connection,
        request: httpx.Request,
        timeout: float | None,
        reused: bool,
    ) -> tuple[bytes, int, bytes, list[tuple[bytes, bytes]]]:
        while True:
            try:
                async with asyncio.timeout(timeout):
                    raw = await connection.reader.readuntil(b"\r\n\r\n")
            except TimeoutError:
                raise httpx.ReadTimeout(f"no answer within {timeout} s", request=request) from None
            except asyncio.IncompleteReadError as exc:
                where = " (a kept-alive connection)" if reused else ""
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response" + where
                    if not exc.partial
                    else "the server closed the connection inside the response head",
                    request=request,
                ) from None
            except asyncio.LimitOverrunError:
                raise httpx.RemoteProtocolError(
                    f"the response head is over {MAX_HEAD} bytes", request=request
                ) from None
            except OSError as exc:
                raise httpx.ReadError(f"reading the answer: {exc}", request=request) from exc
            if len(raw) > MAX_HEAD:
                raise httpx.RemoteProtocolError(
                    f"the response head is over {MAX_HEAD} bytes", request=request
                )
            version, status, reason, headers = _parse_head(raw, request)
            if 100 <= status < 200 and status != 101:
                continue  # 100 Continue, 103 Early Hints: the answer follows
            return version, status, reason, headers


def _parse_head(
    raw: bytes, request: httpx.Request
) -> tuple[bytes, int, bytes, list[tuple[bytes, bytes]]]:
    """(HTTP version, status, reason phrase, header fields) of a response head."""
    lines = raw[:-4].split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or not parts[1].isdigit():
        raise httpx.RemoteProtocolError(
            f"not an HTTP/1.1 status line: {lines[0][:80]!r}", request=request
        )
    status = int(parts[1])
    if not 100 <= status <= 999:
        raise httpx.RemoteProtocolError(f"bad status code {status}", request=request)
    reason = parts[2] if len(parts) > 2 else b""
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip():
            raise httpx.RemoteProtocolError(f"bad header line: {line[:80]!r}", request=request)
        headers.append((name, value.strip(b" \t")))
    return parts[0], status, reason, headers


class _Body(httpx.AsyncByteStream):
    """A response body as it arrives; closing it frees the connection (or closes it)."""

    def __init__(
        self,
        transport: Http1Transport,
        origin: _Origin,
        connection: _Connection,
        request: httpx.Request,
        status: int,
        headers: list[tuple[bytes, bytes]],
        timeout: float | None,
        *,
        keep_alive: bool,
    ) -> None:
        self._transport = transport
        self._origin = origin
        self._connection: _Connection | None = connection
        self._request = request
        self._timeout = timeout
        values: dict[bytes, list[bytes]] = {}
        for name, value in headers:
            values.setdefault(name.lower(), []).append(value)
        tokens = b",".join(values.get(b"connection", [])).lower()
        self._reusable = (
            keep_alive  # an HTTP/1.0 answer: the connection is not reused
            and b"close" not in tokens
            and b"close" not in request.headers.get("connection", "").lower().encode()
        )
        coding = b",".join(values.get(b"transfer-encoding", [])).lower()
        lengths = {v.strip() for v in values.get(b"content-length", [])}
        self._length: int | None = None
        self._chunked = False
        if request.method == "HEAD" or status in (204, 304) or 100 <= status < 200:
            self._length = 0
        elif coding:
            if not coding.rstrip().endswith(b"chunked"):
                self._reusable = False  # delimited by the connection's end
            else:
                self._chunked = True
        elif lengths:
            if len(lengths) != 1 or not next(iter(lengths)).isdigit():
                raise httpx.RemoteProtocolError("bad Content-Length", request=request)
            self._length = int(next(iter(lengths)))
        else:
            self._reusable = False  # delimited by the connection's end
        self._done = self._length == 0

    def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()
            self._transport._give_slot()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        if connection is None:
            return
        reader = connection.reader
        try:
            if self._chunked:
                async for chunk in self._chunks(reader):
                    yield chunk
            elif self._length is not None:
                left = self._length
                while left:
                    chunk = await self._read(reader.read(min(left, READ_SIZE)))
                    if not chunk:
                        raise httpx.RemoteProtocolError(
                            "peer closed connection without sending complete message body "
                            f"({left} of {self._length} bytes missing)",
                            request=self._request,
                        )
                    left -= len(chunk)
                    yield chunk
            else:
                while chunk := await self._read(reader.read(READ_SIZE)):
                    yield chunk
            self._done = True
        except BaseException:
            self._drop()
            raise
        await self.aclose()

    async def _chunks(self, reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
        while True:
            line = await self._read(reader.readuntil(b"\r\n"))
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise httpx.RemoteProtocolError(
                    f"bad chunk size {size_text[:20]!r}", request=self._request
                ) from None
            if size == 0:
                while (await self._read(reader.readuntil(b"\r\n"))) != b"\r\n":
                    pass  # trailer fields: not used
                return
            while size:
                chunk = await self._read(reader.read(min(size, READ_SIZE)))
                if not chunk:
                    raise httpx.RemoteProtocolError(
                        "peer closed connection inside a chunk", request=self._request
                    )
                size -= len(chunk)
                yield chunk
            if await self._read(reader.readexactly(2)) != b"\r\n":
                raise httpx.RemoteProtocolError("a chunk ran over its size", request=self._request)

    async def _read(self, pending: Any) -> bytes:
        try:
            async with asyncio.timeout(self._timeout):
                data: bytes = await pending
                return data
        except TimeoutError:
            raise httpx.ReadTimeout(
                f"the answer stalled for over {self._timeout} s", request=self._request
            ) from None
        except asyncio.IncompleteReadError:
            raise httpx.RemoteProtocolError(
                "peer closed connection without sending complete message body",
                request=self._request,
            ) from None
        except asyncio.LimitOverrunError:
            raise httpx.RemoteProtocolError(
                "a chunk header is too long", request=self._request
            ) from None
        except OSError as exc:
            raise httpx.ReadError(f"reading the answer: {exc}", request=self._request) from exc

    async def aclose(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        if self._done and self._reusable:
            self._transport._keep(self._origin, connection)
        else:
            connection.close()
        self._transport._give_slot()


__all__ = ["KEEPALIVE_EXPIRY", "Http1Transport", "network_transport", "proxied"]
