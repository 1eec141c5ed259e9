"""What every subcommand needs: settings, output, credentials, a client, the state DB.

Heavy modules (httpx, keyring, sqlite) are imported here only when a
command asks for the piece that needs them, never Textual.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from illvid_tui.cli.output import CliError, Exit, Output, Streams
from illvid_tui.core.settings import Settings

if TYPE_CHECKING:
    import httpx

    from illvid_tui.api.client import ClientEvent, IllvidClient
    from illvid_tui.core.credentials import Credentials
    from illvid_tui.core.db import Database

NO_CREDENTIALS = (
    "no credentials: run `illvid-tui login`, or set ILLVID_API_KEY (and ILLVID_API_LOGIN)"
)


@dataclass
class Runtime:
    """What a run is given from outside; tests replace parts of it."""

    streams: Streams = field(default_factory=Streams)
    #: An httpx transport instead of the network (tests); None: the real one.
    transport: httpx.AsyncBaseTransport | None = None
    #: Extra keyword arguments for `IllvidClient` (tests: a fake `sleep`).
    client_options: dict[str, Any] = field(default_factory=dict)
    #: Today's date for days-left figures (tests fix it); None: the local date.
    today: dt.date | None = None
    #: The clock (Unix seconds) jobs are stamped with.
    clock: Callable[[], float] | None = None
    #: How to wait between polls (tests pass a fake).
    sleep: Callable[[float], Awaitable[None]] | None = None


class Context:
    """One subcommand run: its options, settings, output and the pieces it asks for."""

    def __init__(self, args: argparse.Namespace, settings: Settings, runtime: Runtime) -> None:
        self.args = args
        self.settings = settings
        self.runtime = runtime
        fmt = getattr(args, "format", None) or "text"
        self.out = Output(runtime.streams, fmt=fmt, quiet=bool(getattr(args, "quiet", False)))
        self.debug = bool(getattr(args, "debug", False))
        self._db: Database | None = None
        #: Where the credentials in use came from ("env", "keyring", ...), for error hints.
        self.source = ""
        self._debug_handler: logging.Handler | None = None
        self._level_before_debug = logging.NOTSET
        if self.debug:
            self._debug_to_stderr()

    @property
    def environ(self) -> Any:
        return self.runtime.streams.environ

    def today(self) -> dt.date:
        return self.runtime.today or dt.date.today()

    def now(self) -> float:
        import time

        return self.runtime.clock() if self.runtime.clock else time.time()

    # -- credentials -------------------------------------------------------------

    def credentials(self) -> Credentials:
        """Env (an unnamed profile), else the profile's key: keyring, its plain file; else exit 4.

        The settings' base URL becomes the profile's.
        """
        from illvid_tui.core import credentials as store
        from illvid_tui.core import signin
        from illvid_tui.core.profiles import ProfileError

        if self.settings.demo:
            from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN

            return store.Credentials(DEMO_LOGIN, DEMO_KEY, source="demo")
        try:
            found = signin.resolve(self.settings, environ=self.environ)
        except ProfileError as exc:
            raise CliError(Exit.USAGE, str(exc)) from None
        choice = found.choice
        self.settings = replace(self.settings, base_url=choice.base_url)
        if found.credentials is not None:
            return found.credentials
        if choice.profile is None and self.settings.profile is not None:
            raise CliError(
                Exit.CREDENTIALS,
                f"no profile named {choice.name!r}: add it with `illvid-tui --profile "
                f"{choice.name} login`",
            )
        if choice.profile is not None:
            raise CliError(
                Exit.CREDENTIALS,
                found.loaded.problem
                or f"no key stored for the profile {choice.name!r}: run `illvid-tui --profile "
                f"{choice.name} login`, or set ILLVID_API_KEY (and ILLVID_API_LOGIN)",
            )
        raise CliError(Exit.CREDENTIALS, found.loaded.problem or NO_CREDENTIALS)

    # -- the client ------------------------------------------------------------------

    @asynccontextmanager
    async def client(self, credentials: Credentials | None = None) -> AsyncIterator[IllvidClient]:
        """A client for these (or the found) credentials, closed on the way out."""
        from illvid_tui.api.transport import import_httpx

        import_httpx()
        from illvid_tui.api.client import IllvidClient

        creds = credentials if credentials is not None else self.credentials()
        transport = self.runtime.transport
        if transport is None and self.settings.demo:
            from illvid_tui.emulator import Emulator

            transport = Emulator(today=self.runtime.today).transport()
        client = IllvidClient(
            key=creds.key,
            login=creds.login or None,
            base_url=self.settings.base_url,
            transport=transport,
            on_event=self._client_event,
            **self.runtime.client_options,
        )
        self.source = creds.source
        try:
            yield client
        finally:
            await client.aclose()

    def _client_event(self, event: ClientEvent) -> None:
        from illvid_tui.api.client import RetryNotice

        if isinstance(event, RetryNotice):
            self.out.progress(f"{event.op}: {event.describe()}")

    # -- the state database ------------------------------------------------------------

    def database(self) -> Database:
        """The state database every process shares (in memory under --demo)."""
        if self._db is None:
            from illvid_tui.core.db import Database

            self._db = Database(":memory:" if self.settings.demo else self.settings.db_path)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- --debug -------------------------------------------------------------------------

    def _debug_to_stderr(self) -> None:
        from illvid_tui.api import redact

        class Redacting(logging.Formatter):
            def format(self, record: logging.LogRecord) -> str:
                return redact.text(super().format(record))

        handler = logging.StreamHandler(self.runtime.streams.stderr)
        handler.setFormatter(Redacting("debug: %(message)s"))
        handler.addFilter(redact.RedactingFilter())
        logger = logging.getLogger("illvid_tui.api")
        self._level_before_debug = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        self._debug_handler = handler

    def stop_debug(self) -> None:
        if self._debug_handler is not None:
            logger = logging.getLogger("illvid_tui.api")
            logger.removeHandler(self._debug_handler)
            # In-process callers (tests, a host program) get the level they had.
            logger.setLevel(self._level_before_debug)
            self._debug_handler = None


async def account_partition(client: IllvidClient, base_url: str) -> str:
    """The state DB's partition of this account: the login account_info names if none is set."""
    from illvid_tui.core.account import partition

    login = client.login
    if not login:
        login = (await client.account_info()).login
    return partition(base_url, login)


__all__ = ["NO_CREDENTIALS", "Context", "Runtime", "account_partition"]
