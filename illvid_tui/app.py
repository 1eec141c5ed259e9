"""The App: four sections as modes, global keys, credentials, failure handling.

`create_app()` builds it for the CLI, `--demo` (illvid_tui/demo.py) and the
tests alike. Screens are imported when first shown, keyring only inside a
thread worker, so the first frame comes fast.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from illvid_tui.api.errors import IllvidError, NetworkError, PermissionDeniedError
from illvid_tui.core import logs
from illvid_tui.core.db import Database
from illvid_tui.core.settings import Settings

if TYPE_CHECKING:
    import httpx

    from illvid_tui.api.client import ClientEvent, IllvidClient
    from illvid_tui.api.models import AccountInfo
    from illvid_tui.core.credentials import Credentials, Loaded
    from illvid_tui.core.poller import Poller
    from illvid_tui.emulator import Emulator

log = logging.getLogger("illvid_tui.app")

#: Section id -> (title, module, class). Imported on first use.
SECTIONS: dict[str, tuple[str, str, str]] = {
    "account": ("Account", "illvid_tui.screens.account", "AccountScreen"),
    "uploads": ("Uploads", "illvid_tui.screens.uploads", "UploadsScreen"),
    "files": ("Files", "illvid_tui.screens.files", "FilesScreen"),
    "dmca": ("DMCA", "illvid_tui.screens.dmca", "DmcaScreen"),
}


def _section_factory(name: str) -> Callable[[], Screen[Any]]:
    def make() -> Screen[Any]:
        import importlib

        title, module, cls = SECTIONS[name]
        screen: Screen[Any] = getattr(importlib.import_module(module), cls)()
        screen.title = title
        return screen

    return make


def _import_httpx() -> None:
    """Import httpx without its command-line client (click, pygments: ~20 ms we never use).

    httpx falls back to a stub `main` when `httpx._main` cannot be imported;
    a None entry in sys.modules is the documented way to make it so. The
    entry is removed right after, so an explicit import later still works.
    """
    import sys

    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx  # noqa: F401
    finally:
        if sys.modules.get("httpx._main") is None:
            del sys.modules["httpx._main"]


def _is_plain_scroller(node: object) -> bool:
    """Textual's own scroll containers: their arrow keys are noise on the help screen."""
    from textual.containers import ScrollableContainer

    return isinstance(node, ScrollableContainer) and type(node).__module__.startswith("textual.")


class CrashReport(Exception):
    """What Textual shows instead of its traceback with local variables.

    Textual renders an exception with `__rich__` as is (no traceback, no
    locals): this one holds a redacted line and where the details went.
    """

    def __init__(self, line: str, log_path: str) -> None:
        super().__init__(line)
        self.line = line
        self.log_path = log_path

    def __rich__(self) -> Text:
        return Text.assemble(
            ("illvid-tui stopped on an unexpected error: ", "bold"),
            self.line,
            f"\nDetails (key redacted) are in {self.log_path}",
        )


@dataclass(frozen=True)
class AccountState:
    """The app's last `account_info` answer (the Account screen shows it)."""

    info: AccountInfo | None = None
    #: The last call's error (None after a success); older `info` is kept.
    error: IllvidError | None = None
    #: Local time of the last successful answer ("" before the first).
    refreshed: str = ""
    #: True while a call is in flight.
    loading: bool = False


def _rejected_text(source: str) -> str:
    """The login screen's line when the server refuses credentials found at start-up."""
    where = {
        "env": "ILLVID_API_LOGIN / ILLVID_API_KEY from the environment",
        "keyring": "the login and key stored in the keyring",
        "file": "the login and key in the plain credentials file",
    }.get(source, "the login and key")
    text = (
        f"The server refused {where} (403, permission denied). Enter a working login and "
        "key from the User Panel, User Settings."
    )
    if source == "env":
        text += " Fix or unset the variables too: they win over the keyring."
    return text


class IllvidApp(App[None]):
    """The illvid terminal app."""

    TITLE = "illvid"
    CSS_PATH = "app.tcss"
    MODES = {name: _section_factory(name) for name in SECTIONS}
    BINDINGS = [
        Binding("1", "section('account')", "Account", id="app.account"),
        Binding("2", "section('uploads')", "Uploads", id="app.uploads"),
        Binding("3", "section('files')", "Files", id="app.files"),
        Binding("4", "section('dmca')", "DMCA", id="app.dmca"),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    #: The partition key of the connected account, ``f"{base_url}|{login}"``.
    account_id: reactive[str | None] = reactive(None)
    #: The API login shown in the header ("" until known).
    login: reactive[str] = reactive("")
    #: (state, detail) for the header: state is ok, connecting, retrying,
    #: offline, rejected or signed out; detail is a line for people.
    connection: reactive[tuple[str, str]] = reactive(("connecting", "connecting"))
    #: The last account_info answer; set by the app at start-up and by `refresh_account()`.
    account: reactive[AccountState] = reactive(AccountState, always_update=True)

    def __init__(
        self,
        settings: Settings,
        *,
        db: Database,
        transport: httpx.AsyncBaseTransport | None = None,
        transport_factory: Callable[[], httpx.AsyncBaseTransport] | None = None,
        credentials: Credentials | None = None,
        today: dt.date | None = None,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.db = db
        self.client: IllvidClient | None = None
        self.transport = transport
        #: Builds `transport` in a thread after the first frame (--demo's emulator).
        self._transport_factory = transport_factory
        self._initial = credentials
        self._today = today
        self._clock = clock
        self._services_started = False
        self._started = False
        self._to_store: tuple[Credentials, bool] | None = None
        #: account_id to set once account_info has answered (see connect()).
        self._pending_account_id: str | None = None
        self._source = ""
        #: Start-up work done in threads, joined in _maybe_connect().
        self._credentials: Credentials | None = None
        self._http_ready = False
        self._next_transport: httpx.AsyncBaseTransport | None = None
        #: The in-process emulator behind --demo (None otherwise).
        self.emulator: Emulator | None = None
        #: The upload poller, started with the services (None until connected).
        self.poller: Poller | None = None
        if settings.low_bandwidth:
            self.animation_level = "none"

    # -- time and links ------------------------------------------------------

    def now(self) -> dt.datetime:
        """The current local time (fixed in tests: a clock or a fixed `today` at noon)."""
        if self._clock is not None:
            return self._clock()
        if self._today is not None:
            return dt.datetime.combine(self._today, dt.time(12, 0))
        return dt.datetime.now().astimezone()

    def today(self) -> dt.date:
        """Today's date; use this, never `date.today()` (snapshots fix it)."""
        return self._today if self._today is not None else self.now().date()

    def file_link(self, code: str) -> str:
        """The public link of a file on the configured host."""
        from illvid_tui.api import links

        return links.file_link(self.settings.base_url, code)

    # -- start-up ------------------------------------------------------------

    def on_mount(self) -> None:
        self.switch_mode(self.settings.start_screen)
        # The rest waits for the first frame (it imports httpx and keyring,
        # reads files, starts threads): the header calls first_frame() once
        # it has been painted; the timer is a fallback.
        self.set_timer(0.5, self.first_frame)

    def first_frame(self) -> None:
        """Start loading once the first frame is on screen (called once)."""
        if self._started:
            return
        self._started = True
        from illvid_tui.gcpause import freeze_startup_objects

        # Modules, classes and the first screen live as long as the app:
        # later full collections need not walk them.
        freeze_startup_objects()
        self._start()

    def _start(self) -> None:
        from illvid_tui.core.credentials import from_env

        initial, self._initial = self._initial, None
        credentials = initial if initial is not None else from_env()
        # Two threads while the terminal shows the first frame: httpx's import
        # and the transport (a TLS context for https) in one, keyring in the
        # other; connect() runs when both are done.
        self._prepare_http()
        if credentials is not None:
            self._credentials = credentials
        else:
            self.connection = ("connecting", "looking for credentials")
            self._load_credentials()

    @work(thread=True, exclusive=True, group="app.prepare", exit_on_error=False)
    def _prepare_http(self) -> None:
        logs.setup(self.settings.log_path)
        _import_httpx()
        if self.transport is None and self._transport_factory is not None:
            self.transport = self._transport_factory()
        transport: httpx.AsyncBaseTransport | None = None
        try:
            if self.transport is None:
                transport = self._make_transport()
            # What the first request would import on the event loop (~30 ms).
            import anyio._backends._asyncio  # noqa: F401
            import httpcore._async.http11  # noqa: F401
            import httpcore._backends.anyio  # noqa: F401
        except Exception:  # noqa: BLE001 - connect() builds it again on the loop and reports
            transport = None
        from illvid_tui.core import keymap

        try:
            found: dict[str, str] | str = keymap.load(self.settings.keymap_path)
        except keymap.KeymapError as exc:
            found = str(exc)
        self.call_from_thread(self._http_prepared, found, transport)

    def _http_prepared(
        self, found: dict[str, str] | str, transport: httpx.AsyncBaseTransport | None
    ) -> None:
        self._next_transport = transport
        if isinstance(found, str):
            self.notify(found, title="Keymap ignored", severity="warning")
        elif found:
            self.set_keymap(found)
        self._http_ready = True
        self._maybe_connect()

    def _make_transport(self) -> httpx.AsyncBaseTransport:
        """The HTTP transport of a new client (blocking for https: a TLS context, ~35 ms)."""
        import httpx

        from illvid_tui.api.client import is_loopback

        limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
        url = httpx.URL(self.settings.base_url)
        if url.scheme == "http" and is_loopback(url.host):
            # Plain http to this machine (the emulator): TLS is never used, so
            # no certificate store is loaded. https keeps full verification.
            return httpx.AsyncHTTPTransport(verify=False, limits=limits)
        return httpx.AsyncHTTPTransport(limits=limits)

    @work(thread=True, exclusive=True, group="app.credentials", exit_on_error=False)
    def _load_credentials(self) -> None:
        from illvid_tui.core import credentials

        loaded = credentials.load(self.settings.base_url, self.settings.plain_credentials_path)
        self.call_from_thread(self._credentials_loaded, loaded)

    def _credentials_loaded(self, loaded: Loaded) -> None:
        if loaded.credentials is not None:
            self._credentials = loaded.credentials
            self._maybe_connect()
        else:
            self.ask_credentials(no_keyring=loaded.no_keyring, problem=loaded.problem)

    def _maybe_connect(self) -> None:
        if self._http_ready and self._credentials is not None:
            credentials, self._credentials = self._credentials, None
            self.connect(credentials)

    def ask_credentials(
        self, *, no_keyring: bool = False, problem: str = "", change: bool = False
    ) -> None:
        """Show the login screen (on top of the current section)."""
        from illvid_tui.screens.login import LoginScreen

        if self.settings.demo:
            self.notify("The demo signs in by itself; no login or key is needed.")
            return
        if not change and self.connection[0] != "rejected":
            self.connection = ("signed out", "signed out")
        if not isinstance(self.screen, LoginScreen):
            self.push_screen(LoginScreen(no_keyring=no_keyring, problem=problem))

    def connect(self, credentials: Credentials, *, info: AccountInfo | None = None) -> None:
        """Use these credentials from now on (a new client; the old one closes).

        The app asks `account_info` once (unless `info` is that answer
        already, from the login screen); `account_id` is set and the services
        start when it has answered, or failed for a reason other than a 403
        (offline: the local data still shows, and the screens retry).
        """
        from illvid_tui.api.client import IllvidClient

        old = self.client
        transport, self._next_transport = self._next_transport, None
        if transport is None:
            transport = self.transport if self.transport is not None else self._make_transport()
        self.client = IllvidClient(
            key=credentials.key,
            login=credentials.login or None,
            base_url=self.settings.base_url,
            transport=transport,
        )
        self.client.listeners.append(self._client_event)
        if old is not None:
            self.run_worker(old.aclose(), group="app.close", exit_on_error=False)
        self.login = credentials.login
        self._source = credentials.source
        self._pending_account_id = f"{self.settings.base_url}|{credentials.login}"
        if info is not None:
            self.connection = ("ok", "connected")
            self._accepted(info)
        else:
            self.connection = ("connecting", "connecting")
            self.refresh_account()

    def refresh_account(self) -> None:
        """Ask `account_info` again; the answer lands in `account` (and the header)."""
        if self.client is None:
            return
        self.account = replace(self.account, loading=True)
        self._fetch_account()

    @work(exclusive=True, group="app.account", exit_on_error=False)
    async def _fetch_account(self) -> None:
        client = self.client
        if client is None:
            return
        try:
            info = await client.account_info()
        except IllvidError as error:
            if client is not self.client:
                return
            self.account = replace(self.account, error=error, loading=False)
            if isinstance(error, PermissionDeniedError) and self.account_id is None:
                # Never accepted: the login screen says why (the demo signs in by itself).
                self.ask_credentials(problem=_rejected_text(self._source))
            else:
                self._connected()
            return
        if client is self.client:
            self._accepted(info)

    def _accepted(self, info: AccountInfo) -> None:
        when = self.now().strftime("%Y-%m-%d %H:%M:%S")
        self.account = AccountState(info=info, refreshed=when)
        # The data paints first; the sections' loads and the poller start after.
        self.call_after_refresh(self._connected)

    def _connected(self) -> None:
        if self._pending_account_id is not None:
            self.account_id, self._pending_account_id = self._pending_account_id, None
        if self.account_id is not None and not self._services_started:
            self._services_started = True
            self.start_services()

    def store_credentials(self, credentials: Credentials, *, plain_file: bool = False) -> None:
        """Keep accepted credentials: keyring, else this session only (or the opted-in file)."""
        self._to_store = (credentials, plain_file)
        self._store_credentials()

    @work(thread=True, exclusive=True, group="app.store", exit_on_error=False)
    def _store_credentials(self) -> None:
        from illvid_tui.core import credentials as store

        pending, self._to_store = self._to_store, None
        if pending is None:
            return
        credentials, plain_file = pending
        saved = store.save(credentials, self.settings.base_url)
        path = self.settings.plain_credentials_path
        if plain_file:
            store.write_plain_file(path, credentials)
            message = f"Saved in the plain file {path} (mode 0600): anyone with root can read it."
            severity = "warning"
        elif saved:
            message, severity = "Saved in the system keyring.", "information"
        else:
            message = "No usable keyring: the key is kept for this session only."
            severity = "warning"
        self.call_from_thread(self.notify, message, severity=severity)

    def forget_credentials(self) -> None:
        """Delete the stored login and key (keyring and plain file)."""
        if self.settings.demo:
            self.notify("The demo stores no credentials.")
            return
        self._forget_credentials()

    @work(thread=True, exclusive=True, group="app.forget", exit_on_error=False)
    def _forget_credentials(self) -> None:
        from illvid_tui.core import credentials as store

        removed = store.forget(self.settings.base_url, self.settings.plain_credentials_path)
        message = (
            f"Forgot the stored login and key ({', '.join(removed)}). "
            "This session stays signed in until you quit."
            if removed
            else "No stored login or key found (the environment's are not touched)."
        )
        self.call_from_thread(self.notify, message)

    def start_services(self) -> None:
        """Start app-wide background work (the upload poller) once connected."""
        from illvid_tui.core.poller import start_poller

        self.poller = start_poller(self)

    # -- connection state from the client's events ----------------------------

    def _client_event(self, event: ClientEvent) -> None:
        from illvid_tui.api.client import CallFinished, RetryNotice

        if isinstance(event, RetryNotice):
            self.connection = ("retrying", event.describe())
        elif isinstance(event, CallFinished):
            error = event.error
            if self.connection[0] == "rejected" and event.op != "account_info":
                return  # only account_info tells whether the key is good again
            if error is None:
                self.connection = ("ok", "connected")
            elif isinstance(error, PermissionDeniedError) and event.op == "account_info":
                self.connection = ("rejected", "credentials rejected")
            elif isinstance(error, NetworkError):
                self.connection = ("offline", "offline")
            elif error.retryable:
                self.connection = ("retrying", f"{error.title.lower()} ({error.status})")
            else:
                # The server answered (404, 451...): the connection itself is fine.
                self.connection = ("ok", "connected")

    # -- actions -------------------------------------------------------------

    def action_section(self, name: str) -> None:
        if name in SECTIONS and name != self.current_mode:
            self.switch_mode(name)

    def action_help(self) -> None:
        from illvid_tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        # Group the keys of each binding; the screen's (and focused widget's) first.
        rows: dict[tuple[str, str], list[str]] = {}
        order: list[tuple[tuple[bool, bool], tuple[str, str]]] = []
        for active in self.active_bindings.values():
            binding = active.binding
            if not binding.description or _is_plain_scroller(active.node):
                continue
            ident = (binding.description, binding.id or "")
            if ident not in rows:
                rows[ident] = []
                order.append(((active.node is self, not binding.id), ident))
            rows[ident].append(self.get_key_display(binding))
        order.sort(key=lambda item: item[0])
        title = self.screen.title or self.title
        self.push_screen(HelpScreen(title, ((" ".join(rows[i]), i[0], i[1]) for _, i in order)))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        for name, (title, _module, _cls) in SECTIONS.items():
            yield SystemCommand(
                title, f"Show the {title} section", lambda n=name: self.action_section(n)
            )
        yield from super().get_system_commands(screen)

    # -- failures ------------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.report_worker_error(event.worker)

    def report_worker_error(self, worker: Worker[Any]) -> None:
        """The one handler for errors no screen caught: short note, details to the log.

        The app's own workers come here directly; screens and widgets forward
        theirs (`widgets.worker_errors.ForwardsWorkerErrors`).
        """
        error = worker.error
        if error is None:
            return
        if isinstance(error, IllvidError):
            text = str(error) + (f"\n{error.hint}" if error.hint else "")
            self.notify(text, title=error.title, severity="error")
            return
        logs.log_unexpected(error, f"worker {worker.group}")
        self.notify(
            f"{logs.short(error)}\nDetails: {self.settings.log_path}",
            title="Something went wrong",
            severity="error",
        )

    def _handle_exception(self, error: Exception) -> None:
        # Textual's own crash screen prints local variables (the key among
        # them) and then run() returns: log the details, redacted, and show
        # Textual a report it renders as plain text. Textual still sets the
        # return code to 1, which the CLI turns into the exit status.
        if not isinstance(error, CrashReport):
            logs.log_unexpected(error, "the app")
            report = CrashReport(logs.short(error), str(self.settings.log_path))
            report.__cause__ = None
            error = report
        super()._handle_exception(error)

    async def on_unmount(self) -> None:
        if self.client is not None:
            await self.client.aclose()


def create_app(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    transport_factory: Callable[[], httpx.AsyncBaseTransport] | None = None,
    credentials: Credentials | None = None,
    today: dt.date | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    db: Database | None = None,
) -> IllvidApp:
    """Build the app. Without `credentials` it looks in the env, the keyring, then asks.

    `transport_factory` builds the transport in a thread after the first
    frame (when `transport` is None); without either, the app builds httpx's.
    """
    return IllvidApp(
        settings,
        db=db if db is not None else Database(settings.db_path),
        transport=transport,
        transport_factory=transport_factory,
        credentials=credentials,
        today=today,
        clock=clock,
    )
