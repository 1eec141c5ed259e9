"""Local file uploads to the server `get_upload_server` names (docs/API.md).

One ``POST`` of ``multipart/form-data`` with ``key`` (and ``sess_id``) in the
body, never in the URL; the file streamed from disk in chunks read in a
thread, with a ``Content-Length`` computed up front. An upload is not
idempotent, so what happened is decided by counting the body bytes httpx has
actually handed to the connection: refused, or broken before the whole body
left, is retried (the server keeps nothing of a partial body); after the whole
body left, no readable answer is an unknown outcome and is never sent again
by itself. No write timeout: a stall watchdog (no byte accepted, or no answer,
for `stall_timeout` seconds) ends an upload that stopped moving.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx

from illvid_tui.api import redact
from illvid_tui.api.baseurl import base_url_problem
from illvid_tui.api.errors import (
    FileChangedError,
    IllvidError,
    InsecureURLError,
    NetworkError,
    UnknownOutcomeError,
    UploadStalledError,
)
from illvid_tui.api.models import UploadServer
from illvid_tui.api.upload_answer import OP, UploadResult, read_answer

log = logging.getLogger("illvid_tui.api.upload")

#: Bytes read from disk (in a thread) and handed to the connection at a time.
CHUNK = 256 * 1024
DEFAULT_STALL_TIMEOUT = 60.0
DEFAULT_PART_NAME = "file"

#: ``on_progress(sent, total)``: file bytes handed over so far, of the file's size.
ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class LocalFile:
    """A file as it was when queued: the upload refuses to send anything else."""

    path: Path
    size: int
    mtime_ns: int

    @classmethod
    def stat(cls, path: Path | str) -> LocalFile:
        """The file's size and mtime now; OSError when it cannot be read."""
        p = Path(path)
        st = p.stat()
        return cls(p, st.st_size, st.st_mtime_ns)

    def changed(self) -> str | None:
        """Why the file on disk is no longer the one queued, or None."""
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return f"{self.path} vanished after it was queued"
        except OSError as exc:
            return f"{self.path} cannot be read any more: {exc.strerror or exc}"
        if st.st_size != self.size:
            return (
                f"{self.path} changed size after it was queued ({self.size} -> {st.st_size} bytes)"
            )
        if st.st_mtime_ns != self.mtime_ns:
            return f"{self.path} was modified after it was queued"
        return None


def _quote(value: str) -> str:
    """A multipart parameter value as browsers write it (HTML form encoding)."""
    return value.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")


def multipart_frame(
    fields: list[tuple[str, str]], part_name: str, filename: str, boundary: str
) -> tuple[bytes, bytes]:
    """What goes before the file's bytes and after them."""
    head = bytearray()
    for name, value in fields:
        disposition = f'form-data; name="{_quote(name)}"'
        head += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        head += value.encode() + b"\r\n"
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(part_name)}";'
        f' filename="{_quote(filename)}"\r\nContent-Type: application/octet-stream\r\n\r\n'
    ).encode()
    return bytes(head), f"\r\n--{boundary}--\r\n".encode()


class _Meter:
    """Counts body bytes handed to httpx and keeps the stall watchdog fed."""

    def __init__(self, head: int, size: int, total: int, stall: float) -> None:
        self.head, self.size, self.total, self.stall = head, size, total, stall
        self.sent = 0
        self.timeout: asyncio.Timeout | None = None
        self.on_progress: ProgressCallback | None = None
        #: Called once, just before the body's last file bytes are handed over.
        self.on_body_complete: Callable[[], None] | None = None

    def last_bytes_next(self) -> None:
        if self.on_body_complete is not None:
            self.on_body_complete()

    @property
    def complete(self) -> bool:
        return self.sent >= self.total

    @property
    def file_sent(self) -> int:
        return max(0, min(self.size, self.sent - self.head))

    def handed(self, n: int) -> None:
        before = self.file_sent
        self.sent += n
        if self.timeout is not None:
            self.timeout.reschedule(asyncio.get_running_loop().time() + self.stall)
        if self.on_progress is not None and (self.file_sent != before or self.sent == n):
            self.on_progress(self.file_sent, self.size)


async def _body(
    file: LocalFile, head: bytes, tail: bytes, meter: _Meter
) -> AsyncGenerator[bytes, None]:
    """The request body; each chunk is counted as it is handed to httpx.

    Counted when handed over, not when written: a transport may never ask for
    more after the last chunk (the in-process one does not), and counting
    early errs the safe way (a body broken in its last chunk is "unknown",
    never sent twice).
    """
    meter.handed(len(head))
    yield head
    loop = asyncio.get_running_loop()
    try:
        f: BinaryIO = await asyncio.to_thread(open, file.path, "rb")
    except OSError as exc:
        raise FileChangedError(f"{file.path} cannot be read: {exc.strerror or exc}") from None
    pending: asyncio.Future[bytes] | None = None
    try:
        left = file.size
        pending = loop.run_in_executor(None, f.read, min(CHUNK, left)) if left else None
        while pending is not None:
            chunk = await pending
            pending = None
            if not chunk or len(chunk) > left:
                raise FileChangedError(f"{file.path} changed while it was being sent")
            left -= len(chunk)
            if left:  # read the next chunk while this one is written
                pending = loop.run_in_executor(None, f.read, min(CHUNK, left))
            else:
                await _last_look(file)
                meter.last_bytes_next()
            meter.handed(len(chunk))
            yield chunk
    finally:
        if pending is not None:
            await asyncio.wait([pending])
        f.close()
    if not file.size:
        await _last_look(file)
        meter.last_bytes_next()
    meter.handed(len(tail))
    yield tail


async def _last_look(file: LocalFile) -> None:
    """Before the body can be complete: a file modified while it was read must
    not reach the server whole, and so can never be called done."""
    problem = await asyncio.to_thread(file.changed)
    if problem:
        raise FileChangedError(problem.replace("after it was queued", "while it was being sent"))


class FileUploader:
    """Sends local files to upload servers; one per client, its own connections.

    Args:
        key: the API key, sent in the body only.
        transport: an httpx transport (the emulator's); None for the network.
        stall_timeout: seconds without a byte accepted (or an answer) before giving up.
        part_name: the multipart name of the file part.
        max_attempts: attempts when refused or broken before the whole body left.
        backoff: the first retry's wait in seconds (doubled each time).
    """

    def __init__(
        self,
        key: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        stall_timeout: float = DEFAULT_STALL_TIMEOUT,
        part_name: str = DEFAULT_PART_NAME,
        max_attempts: int = 3,
        backoff: float = 1.0,
        user_agent: str = "illvid-tui",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not key:
            raise ValueError("an API key is required")
        if stall_timeout <= 0 or max_attempts < 1:
            raise ValueError("stall_timeout must be positive and max_attempts at least 1")
        self._key = key
        redact.register_secret(key)
        self.stall_timeout = float(stall_timeout)
        self.part_name = part_name
        self.max_attempts = max_attempts
        self.backoff = backoff
        self._sleep = sleep
        if transport is None:
            from illvid_tui.api.http1 import network_transport

            transport = network_transport()  # None through a proxy: httpx's
        # No timeout of httpx's own: the watchdog decides (a slow, moving upload lives).
        self._http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(None, connect=self.stall_timeout),
            headers={"User-Agent": user_agent, "Accept": "application/json, text/html, */*"},
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"FileUploader(stall_timeout={self.stall_timeout}, key=***)"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(
        self,
        server: UploadServer,
        file: LocalFile,
        *,
        folder: str | None = None,
        on_progress: ProgressCallback | None = None,
        on_retry: Callable[[IllvidError, float], None] | None = None,
        on_body_complete: Callable[[], None] | None = None,
    ) -> UploadResult:
        """Upload `file` to `server`; the stored file's code, or an `IllvidError`.

        Raises `FileChangedError` (the file is not the one queued),
        `UploadRefusedError` (the server said no), `UploadStalledError`,
        `NetworkError` (still refused or broken after the retries) or
        `UnknownOutcomeError` (the whole body left, no readable answer).
        `on_body_complete` is called (per attempt) just before the last bytes of
        the file are handed over: a caller that records it durably knows, after
        a crash, whether the server may have the file.
        """
        problem = base_url_problem(server.url)
        if problem is not None:
            raise InsecureURLError(problem.replace("base URL", "upload URL"))
        fields = [("key", self._key)]
        if server.sess_id:
            fields.append(("sess_id", server.sess_id))
        if folder:
            fields.append(("to_folder", folder))
        attempt = 1
        while True:
            outcome = await self._attempt(server.url, file, fields, on_progress, on_body_complete)
            if isinstance(outcome, UploadResult):
                return outcome
            if not outcome.retryable or attempt >= self.max_attempts:
                raise outcome
            delay = self.backoff * 2 ** (attempt - 1)
            log.debug("upload retry %d in %.1f s: %s", attempt + 1, delay, outcome)
            if on_retry is not None:
                on_retry(outcome, delay)
            await self._sleep(delay)
            attempt += 1

    async def _attempt(
        self,
        url: str,
        file: LocalFile,
        fields: list[tuple[str, str]],
        on_progress: ProgressCallback | None,
        on_body_complete: Callable[[], None] | None = None,
    ) -> UploadResult | IllvidError:
        problem = await asyncio.to_thread(file.changed)
        if problem:
            return FileChangedError(problem)
        boundary = "illvid-" + secrets.token_hex(16)
        head, tail = multipart_frame(fields, self.part_name, file.path.name, boundary)
        total = len(head) + file.size + len(tail)
        meter = _Meter(len(head), file.size, total, self.stall_timeout)
        meter.on_progress = on_progress
        meter.on_body_complete = on_body_complete
        body = _body(file, head, tail, meter)
        request = self._http.build_request(
            "POST",
            url,
            content=body,
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(total),
            },
        )
        shown = redact.text(url)
        response: httpx.Response | None = None
        failure: IllvidError | None = None
        try:
            async with asyncio.timeout(self.stall_timeout) as watchdog:
                meter.timeout = watchdog
                response = await self._http.send(request)
        except FileChangedError as exc:
            failure = exc
        except TimeoutError:
            failure = self._stalled(meter)
        except Exception as exc:  # noqa: BLE001 - any transport failure: decided by bytes
            failure = _broken(meter, exc)
        finally:
            await body.aclose()
        if failure is not None or response is None:
            failure = failure or NetworkError("no answer", op=OP)
            log.debug("upload to %s: %d of %d bytes sent: %s", shown, meter.sent, total, failure)
            return failure
        outcome = read_answer(
            response.status_code, response.headers.get("content-type", ""), response.content
        )
        log.debug(
            "upload to %s: %d of %d bytes sent, http=%d: %s",
            shown, meter.sent, total, response.status_code, outcome,
        )  # fmt: skip
        if not meter.complete and isinstance(outcome, UnknownOutcomeError):
            # An answer before the whole body: the server cannot have the file.
            return NetworkError(
                f"the server answered HTTP {response.status_code} after {meter.file_sent} of"
                f" {file.size} bytes; it kept nothing",
                op=OP,
                sent=False,
            )
        return outcome

    def _stalled(self, meter: _Meter) -> IllvidError:
        seconds = f"{self.stall_timeout:g} s"
        if meter.complete:
            return UnknownOutcomeError(
                0,
                f"no answer {seconds} after the whole file was sent;"
                " the server may or may not have kept it",
                op=OP,
            )
        return UploadStalledError(
            f"stalled: no bytes accepted for {seconds} after {meter.file_sent} of"
            f" {meter.size} bytes; the server kept nothing",
            op=OP,
            sent=False,
        )


def _broken(meter: _Meter, exc: BaseException) -> IllvidError:
    """A transport failure, judged by how much of the body was handed over."""
    what = redact.text(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    if meter.complete:
        return UnknownOutcomeError(
            0,
            f"the connection broke after the whole file was sent ({what});"
            " the server may or may not have kept it",
            op=OP,
        )
    if meter.sent == 0:
        return NetworkError(f"could not send: {what}", op=OP, sent=False)
    return NetworkError(
        f"the connection broke after {meter.file_sent} of {meter.size} bytes ({what});"
        " the server kept nothing",
        op=OP,
        sent=False,
    )


__all__ = [
    "CHUNK",
    "DEFAULT_PART_NAME",
    "DEFAULT_STALL_TIMEOUT",
    "FileUploader",
    "LocalFile",
    "ProgressCallback",
    "UploadResult",
    "multipart_frame",
]
