"""The answer side of api/http1.py: reading a response head, and the body stream.

Framing follows RFC 9112: a body is delimited by chunked transfer coding,
else Content-Length, else the connection's end (never reused then); HEAD,
1xx, 204 and 304 answers have none; a 101 connection is never reused.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx

#: Bytes of a response head (status line and headers) at most.
MAX_HEAD = 64 * 1024
#: Bytes read at a time (and the stream buffer's limit).
READ_SIZE = 256 * 1024
#: What a chunk size may be written with.
HEX = b"0123456789abcdefABCDEF"


def within(limit: float | None, error: BaseException | None = None) -> str:
    """ "within 5.0 s", or the system's own words for a timeout it gave (ETIMEDOUT)."""
    if isinstance(error, OSError) and error.errno is not None:
        return f"({error.strerror or error})"
    return f"within {limit} s"


async def read_head(
    reader: asyncio.StreamReader,
    request: httpx.Request,
    timeout: float | None,
    reused: bool,
) -> tuple[bytes, int, bytes, list[tuple[bytes, bytes]]]:
    """(version, status, reason, fields) of the answer's head; 1xx heads are skipped."""
    while True:
        try:
            async with asyncio.timeout(timeout):
                raw = await reader.readuntil(b"\r\n\r\n")
        except TimeoutError as exc:
            raise httpx.ReadTimeout(f"no answer {within(timeout, exc)}", request=request) from None
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
                f"the response head is over {READ_SIZE} bytes", request=request
            ) from None
        except OSError as exc:
            raise httpx.ReadError(f"reading the answer: {exc}", request=request) from exc
        if len(raw) > MAX_HEAD:
            raise httpx.RemoteProtocolError(
                f"the response head is over {MAX_HEAD} bytes", request=request
            )
        version, status, reason, headers = parse_head(raw, request)
        if 100 <= status < 200 and status != 101:
            continue  # 100 Continue, 103 Early Hints: the answer follows
        return version, status, reason, headers


def parse_head(
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


class Body(httpx.AsyncByteStream):
    """A response body as it arrives, framed as its head says.

    `release(reuse)` is called once: when the body is closed (reuse: it was
    read whole and the connection may carry another exchange) or fails.
    """

    def __init__(
        self,
        reader: asyncio.StreamReader,
        request: httpx.Request,
        status: int,
        headers: list[tuple[bytes, bytes]],
        timeout: float | None,
        *,
        keep_alive: bool,
        release: Callable[[bool], None],
    ) -> None:
        self._reader: asyncio.StreamReader | None = reader
        self._release = release
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
        if status == 101:
            self._reusable = False  # switched to another protocol: never ours again
        elif request.method == "HEAD" or status in (204, 304) or 100 <= status < 200:
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
        if self._reader is not None:
            self._reader = None
            self._release(False)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        reader = self._reader
        if reader is None:
            return
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
            size_text = line.split(b";", 1)[0].strip(b" \t\r\n")
            if not size_text or size_text.strip(HEX) or len(size_text) > 16:
                raise httpx.RemoteProtocolError(
                    f"bad chunk size {size_text[:20]!r}", request=self._request
                )
            size = int(size_text, 16)
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
        except TimeoutError as exc:
            raise httpx.ReadTimeout(
                f"the answer stalled {within(self._timeout, exc)}", request=self._request
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
        if self._reader is not None:
            self._reader = None
            self._release(self._done and self._reusable)


__all__ = ["MAX_HEAD", "READ_SIZE", "Body", "parse_head", "read_head", "within"]
