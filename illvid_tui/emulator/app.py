"""The emulator as a plain ASGI app: query parsing, auth, faults, the JSON envelope.

`Emulator` is both the state (account, files, jobs, notices) and the ASGI
callable, so tests can poke the data and serve it with one object.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from collections.abc import Awaitable, Callable, MutableMapping
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import httpx

from illvid_tui.emulator.demo import fill_demo
from illvid_tui.emulator.faults import (
    DEMO_KEY,
    DEMO_LOGIN,
    DROP,
    ConnectionDropped,
    Faults,
    RecordedRequest,
    message_for,
)
from illvid_tui.emulator.ops import OPS, ApiError
from illvid_tui.emulator.state import EmulatorState
from illvid_tui.emulator.upload import (
    UPLOAD_FAULTS,
    UPLOAD_PATH,
    ConnectionRefused,
    UploadKnobs,
    UploadRecord,
    get_upload_server_result,
    serve_upload,
)

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

_HTML = (
    "<!DOCTYPE html>\n<html><head><title>{status} {title}</title></head>\n"
    "<body><center><h1>{status} {title}</h1></center><hr><center>nginx</center></body>\n"
    "</html>\n"
)


def _shape(value: Any, as_strings: bool) -> Any:
    """Numbers as strings (``"4050.00"``, ``"121212"``) or as JSON numbers."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return str(value) if as_strings else float(value)
    if isinstance(value, int | float):
        return str(value) if as_strings else value
    if isinstance(value, dict):
        return {k: _shape(v, as_strings) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_shape(v, as_strings) for v in value]
    return value


class _DroppingTransport(httpx.ASGITransport):
    """An ASGI transport where a dropped connection looks like one to the client."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except ConnectionRefused:
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request) from None
        except ConnectionDropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None


class Emulator(EmulatorState):
    """An in-process fake of the illvid API (see API.md), with fault knobs."""

    def __init__(
        self,
        key: str = DEMO_KEY,
        login: str = DEMO_LOGIN,
        seed: int = 1,
        today: dt.date | None = None,
        clock: Callable[[], float] | None = None,
        demo_data: bool = True,
    ) -> None:
        super().__init__(login=login, seed=seed, today=today, clock=clock)
        self.key = key
        self.login = login
        self.faults = Faults()
        self.requests: list[RecordedRequest] = []
        self._fault_rng = random.Random(seed)
        self._msg_rng = random.Random(seed + 1)
        self._scripted: dict[str, list[int]] = {}
        #: The upload server's knobs, what it saw, its scripted faults, its sessions.
        self.upload = UploadKnobs()
        self.uploads: list[UploadRecord] = []
        self.upload_script: list[str] = []
        self.upload_sessions: dict[str, EmulatorState] = {}
        #: Further accounts on this server by key (see `add_account`).
        self.accounts: dict[str, EmulatorState] = {}
        if demo_data:
            fill_demo(self)

    def add_account(self, login: str, key: str, *, demo_data: bool = False) -> EmulatorState:
        """Another account on this server: its own key, login, files, jobs and notices.

        It lives on this emulator's clock (`advance()` moves every account) and
        draws queue ids from the same server-wide sequence. Faults and
        recorded requests are the server's, shared by all accounts.
        """
        if key == self.key or key in self.accounts:
            raise ValueError("an account with this key exists already")
        seed = self.seed + 1 + len(self.accounts)
        state = EmulatorState(login=login, seed=seed, today=self.today, clock=self.now)
        state.queue_ids = self.queue_ids
        state.upload_seconds = self.upload_seconds
        if demo_data:
            fill_demo(state, seed_codes=False)  # the seed's codes are the first account's
        self.accounts[key] = state
        return state

    def fail_next(self, op: str, status: int, count: int = 1) -> None:
        """The next `count` calls of `op` answer `status` (0: drop the connection)."""
        self._scripted.setdefault(op, []).extend([status] * count)

    def fail_next_upload(self, fault: str, count: int = 1) -> None:
        """The next `count` uploads meet `fault`, one of `UPLOAD_FAULTS`."""
        if fault not in UPLOAD_FAULTS:
            raise ValueError(f"unknown upload fault {fault!r}: one of {', '.join(UPLOAD_FAULTS)}")
        self.upload_script.extend([fault] * count)

    def transport(self) -> httpx.AsyncBaseTransport:
        """A transport for ``httpx.AsyncClient(transport=...)`` that serves this emulator."""
        return _DroppingTransport(app=self)

    # -- ASGI ------------------------------------------------------------------
    async def __call__(self, scope: Message, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope.get("path", "").startswith(UPLOAD_PATH):
            await serve_upload(self, scope, receive, send)
            return
        while (await receive()).get("more_body"):  # GET has no body; drain anyway
            pass
        raw = scope.get("query_string", b"").decode("latin-1")
        params = dict(parse_qsl(raw, keep_blank_values=True))
        op = params.get("op")
        try:
            status, body, ctype, api_status = await self._answer(scope, op, params)
        except ConnectionDropped:
            self.requests.append(RecordedRequest(op, params, 0, None))
            raise
        self.requests.append(RecordedRequest(op, params, status, api_status))
        headers = [
            (b"content-type", ctype.encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- one request --------------------------------------------------------------
    async def _answer(
        self, scope: Message, op: str | None, params: dict[str, str]
    ) -> tuple[int, bytes, str, int | None]:
        """(HTTP status, body, content type, envelope status or None)."""
        method = scope["method"]
        f = self.faults
        delay = f.latency + f.slow_ops.get(op or "", 0.0)
        if delay > 0:
            await asyncio.sleep(delay)
        if method.upper() != "GET":
            return self._envelope(400, f"Method {method} not allowed: use GET", http=405)
        injected = self._injected(op)
        if injected == DROP:
            raise ConnectionDropped(op)
        if injected is not None:
            if f.html_errors:
                return self._html(injected)
            return self._envelope(injected, None)
        key = params.get("key")
        state: EmulatorState | None = self if key == self.key else self.accounts.get(key or "")
        if state is None:
            return self._envelope(403, None if key else "Missing API key")
        login = self.login if state is self else state.account["login"]
        # The seed lists `login` as required for account_info only; the emulator
        # checks it whenever it is sent, and is lenient when it is not.
        if "login" in params and params["login"] != login:
            return self._envelope(403, "Wrong API login")
        handler = OPS.get(op or "")
        if handler is None:
            return self._envelope(400, f"Unknown op: {op}" if op else "Missing op")
        state.settle()
        try:
            if op == "get_upload_server":  # its answer depends on where the request came
                result = get_upload_server_result(self, scope, state)
            else:
                result = handler(state, params, f, self._msg_rng)
        except ApiError as exc:
            return self._envelope(exc.status, exc.msg)
        return self._envelope(200, None, result)

    def _injected(self, op: str | None) -> int | None:
        """A scripted failure for `op`, else one drawn from `faults.rates`, else None."""
        queue = self._scripted.get(op or "")
        if queue:
            return queue.pop(0)
        rates = self.faults.rates
        if not rates:
            return None
        draw = self._fault_rng.random()
        for status, rate in sorted(rates.items()):
            if draw < rate:
                return status
            draw -= rate
        return None

    def _envelope(
        self, status: int, msg: str | None, result: Any = None, *, http: int | None = None
    ) -> tuple[int, bytes, str, int | None]:
        f = self.faults
        text = msg or self._msg_rng.choice(message_for(status))
        envelope = {
            "status": str(status) if f.numbers_as_strings else status,
            "msg": text,
            "result": _shape(result, f.numbers_as_strings),
        }
        body = json.dumps(envelope, separators=(",", ":")).encode()
        if f.broken_json_next > 0:
            f.broken_json_next -= 1
            body = body[: len(body) // 2]
        http_status = (http or status) if f.mirror_http_status else 200
        return http_status, body, "application/json; charset=utf-8", status

    def _html(self, status: int) -> tuple[int, bytes, str, int | None]:
        title = message_for(status)[0]
        body = _HTML.format(status=status, title=title).encode()
        return status, body, "text/html; charset=utf-8", None
