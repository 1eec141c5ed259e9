"""The emulator's upload server: where `get_upload_server` sends local files.

Implements the protocol docs/API.md reads for this API family, as a server
would: one ``POST`` of ``multipart/form-data`` with a ``Content-Length``
(411 without one), the owner from the ``key`` field or a ``sess_id`` handed
out by `get_upload_server`, the file in whatever part carries a file name,
``to_folder`` for the folder. File bytes are counted and hashed as they come,
never kept. The answer takes the form `UploadKnobs.answer` says, and the
faults in `UploadKnobs` (a bandwidth cap, scripted drops, 500s, lost answers)
happen at the moments a real server would have them.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import random
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from illvid_tui.emulator.faults import ConnectionDropped
from illvid_tui.emulator.multipart import MultipartError, MultipartReader, Part, boundary_of
from illvid_tui.emulator.state import EmulatorState


class Emulator(Protocol):
    """What the upload server needs of the emulator (`emulator.app.Emulator`): its
    main account (itself), the other accounts by key, the knobs and records."""

    seed: int
    key: str
    accounts: dict[str, EmulatorState]
    upload: UploadKnobs
    uploads: list[UploadRecord]
    upload_script: list[str]
    upload_sessions: dict[str, EmulatorState]


Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: Where the upload server listens, under the emulator's origin.
UPLOAD_PATH = "/upload/01"
#: Answer forms (`UploadKnobs.answer`): a JSON list, the API envelope around
#: it, the envelope with the older field names, an old HTML form page.
ANSWER_FORMS = ("json", "envelope", "envelope_alt", "html")
#: Scripted faults (`Emulator.fail_next_upload`): refuse the connection, hang
#: up mid-body, answer 500 after the body, store the file and lose the answer.
UPLOAD_FAULTS = ("refuse", "drop", "500", "lose")


#: The clock the bandwidth cap paces reads by (tests replace it with a fake one).
monotonic = time.monotonic


class ConnectionRefused(ConnectionDropped):
    """Raised before any byte is read: the transport reports a refused connection."""


@dataclass
class UploadKnobs:
    """How the upload server behaves; every field may change at runtime."""

    #: `get_upload_server` answers a bare URL string (False) or an object with
    #: ``url``, ``sess_id``, ``srv_id`` and ``disk_id`` (True).
    server_object: bool = False
    #: The URL `get_upload_server` answers; None derives it (see `server_url`).
    server_url: str | None = None
    #: One of `ANSWER_FORMS`.
    answer: str = "json"
    #: The file status written in an answer; anything but "OK" stores nothing.
    status: str = "OK"
    #: Bytes per second the server reads at most (None: as fast as it can).
    bandwidth: float | None = None
    #: Where a scripted "drop" hangs up: after this many body bytes (None: half).
    drop_after: int | None = None


@dataclass
class UploadRecord:
    """One upload as the server saw it (the key is included: this is a test fake)."""

    query: str
    headers: dict[str, str]
    fields: dict[str, str] = field(default_factory=dict)
    file_field: str | None = None
    filename: str | None = None
    size: int = 0
    sha256: str = ""
    received: int = 0
    http_status: int = 0
    #: stored, refused, dropped, failed (500), lost (stored, answer dropped),
    #: incomplete (the client went away), rejected (4xx with an ERROR text).
    outcome: str = ""
    file_code: str | None = None


def server_url(emu: Emulator, scope: Message) -> str:
    """The upload URL: the knob, else this server's own origin when it has a port
    (a real socket: it must serve the upload itself), else a realistic host name
    (the in-process transport answers any host)."""
    knobs = emu.upload
    if knobs.server_url:
        return knobs.server_url
    host, port = _host_port(scope)
    if port is not None:
        scheme = scope.get("scheme", "http")
        shown = f"[{host}]" if ":" in host else host
        return f"{scheme}://{shown}:{port}{UPLOAD_PATH}"
    node = random.Random(f"server:{emu.seed}").randrange(1, 40)
    return f"https://s{node}.illvid.com{UPLOAD_PATH}"


def _host_port(scope: Message) -> tuple[str, int | None]:
    for name, value in scope.get("headers", []):
        if name.lower() == b"host":
            host, sep, port = value.decode("latin-1").rpartition(":")
            if sep and port.isdigit() and not host.endswith(":"):
                return host.strip("[]"), int(port)
            return value.decode("latin-1").strip("[]"), None
    server = scope.get("server") or ("127.0.0.1", None)
    return str(server[0]), server[1]


def get_upload_server_result(emu: Emulator, scope: Message, account: EmulatorState) -> Any:
    """What `get_upload_server` answers `account`, per `UploadKnobs.server_object`."""
    url = server_url(emu, scope)
    if not emu.upload.server_object:
        return url
    sess_id = f"s{emu.seed:03d}x{len(emu.upload_sessions) + 1:08d}"  # not from the files' RNG
    emu.upload_sessions[sess_id] = account
    return {"url": url, "sess_id": sess_id, "srv_id": 7, "disk_id": "01"}


async def serve_upload(emu: Emulator, scope: Message, receive: Receive, send: Send) -> None:
    """Serve one request to the upload path."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    record = UploadRecord(scope.get("query_string", b"").decode("latin-1"), headers)
    emu.uploads.append(record)
    fault = emu.upload_script.pop(0) if emu.upload_script else None
    if fault == "refuse":
        record.outcome = "refused"
        raise ConnectionRefused("upload")
    if scope["method"].upper() != "POST":
        await _error(send, record, 405, "use POST")
        return
    length_text = headers.get("content-length", "")
    if not length_text.isdigit():
        await _error(send, record, 411, "Content-Length required")
        return
    length = int(length_text)
    boundary = boundary_of(headers.get("content-type", ""))
    if boundary is None:
        await _drain(receive, length)
        await _error(send, record, 400, "expected multipart/form-data with a boundary")
        return
    knobs = emu.upload
    drop_at = (knobs.drop_after if knobs.drop_after is not None else length // 2) if (
        fault == "drop"
    ) else None  # fmt: skip
    hasher = hashlib.sha256()

    def on_file(part: Part, data: bytes) -> None:
        if part is reader.files[0]:
            hasher.update(data)
            record.size += len(data)

    reader = MultipartReader(boundary, on_file)
    started = monotonic()
    problem = ""
    while record.received < length:
        message = await receive()
        if message["type"] == "http.disconnect":
            record.outcome = "incomplete"
            return
        chunk = message.get("body", b"")
        if drop_at is not None and record.received + len(chunk) >= drop_at:
            record.received = drop_at
            record.outcome = "dropped"
            await _hang_up(send)
        record.received += len(chunk)
        if not problem:
            try:
                reader.feed(chunk)
            except MultipartError as exc:
                problem = str(exc)
        if knobs.bandwidth:
            ahead = started + record.received / knobs.bandwidth - monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)
        if not message.get("more_body", False):
            break
    if record.received != length:
        record.outcome = "incomplete"
        await _error(send, record, 400, "the body is shorter than its Content-Length")
        return
    record.fields = dict(reader.fields)
    record.sha256 = hasher.hexdigest()
    if not problem:
        try:
            reader.close()
        except MultipartError as exc:
            problem = str(exc)
    if problem:
        await _error(send, record, 400, problem)
        return
    if fault == "500":
        record.outcome = "failed"
        await _error(send, record, 500, "Internal error while saving the file")
        return
    if not reader.files:
        await _error(send, record, 400, "no file in the upload")
        return
    owner = _owner(emu, reader.fields)
    if owner is None:
        await _error(send, record, 403, "Invalid key or session")
        return
    part = reader.files[0]
    record.file_field, record.filename = part.name, part.filename
    code = ""
    if knobs.status == "OK":
        code = _store(owner, record, reader.fields.get("to_folder", ""))
    if fault == "lose":
        record.outcome = "lost"
        await _hang_up(send)
    record.outcome = "stored" if code else "rejected"
    await _answer(send, record, code, knobs)


def _owner(emu: Emulator, fields: dict[str, str]) -> EmulatorState | None:
    """The account a file goes to: the one whose key or session the upload carries."""
    key = fields.get("key", "")
    if key == emu.key and isinstance(emu, EmulatorState):
        return emu
    if key in emu.accounts:
        return emu.accounts[key]
    return emu.upload_sessions.get(fields.get("sess_id", ""))


def _store(owner: EmulatorState, record: UploadRecord, folder: str) -> str:
    stamp = f"{owner.today.isoformat()} {time.strftime('%H:%M:%S')}"
    name = (record.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1] or "upload"
    code = owner.add_file(name, record.size, stamp, folder=folder, sha256=record.sha256)
    record.file_code = code
    return code


async def _drain(receive: Receive, length: int) -> None:
    got = 0
    while got < length:
        message = await receive()
        got += len(message.get("body", b""))
        if message["type"] == "http.disconnect" or not message.get("more_body", False):
            return


async def _hang_up(send: Send) -> None:
    """Close the connection without a readable answer.

    A status line promising a body that never comes, then the exception: an
    ASGI server closes the socket, the emulator's transport turns it into a
    protocol error, as a real broken connection would.
    """
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/html"), (b"content-length", b"1000")],
        }
    )
    raise ConnectionDropped("upload")


async def _error(send: Send, record: UploadRecord, status: int, text: str) -> None:
    record.http_status = status
    if not record.outcome:
        record.outcome = "rejected"
    await _reply(send, status, f"ERROR: {text}".encode(), "text/plain; charset=utf-8")


async def _answer(send: Send, record: UploadRecord, code: str, knobs: UploadKnobs) -> None:
    record.http_status = 200
    status = knobs.status
    if knobs.answer == "html":
        body = (
            "<html><body><form name='F1' action='https://illvid.com/' method='POST'>\n"
            f"<textarea name='op'>upload_result</textarea>\n"
            f'<textarea name="fn">{html.escape(code)}</textarea>\n'
            f'<textarea name="st">{html.escape(status)}</textarea>\n'
            "</form></body></html>\n"
        )
        await _reply(send, 200, body.encode(), "text/html; charset=utf-8")
        return
    if knobs.answer == "envelope_alt":
        item: dict[str, Any] = {"filecode": code, "status": status}
    else:
        item = {"file_code": code, "file_status": status}
    payload: Any = [item]
    if knobs.answer in ("envelope", "envelope_alt"):
        payload = {"status": 200, "msg": "OK", "result": [item]}
    body_bytes = json.dumps(payload).encode()
    await _reply(send, 200, body_bytes, "application/json; charset=utf-8")


async def _reply(send: Send, status: int, body: bytes, ctype: str) -> None:
    headers = [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
