"""The App: four sections as modes, global keys, help, the palette.

`IllvidApp` builds on `ProfilesApp` (app/profiles.py: switching profiles),
`SignInApp` (app/signin.py: credentials per profile, the login screen) and
`SessionApp` (app/session.py: connecting, the connection state), and on
`HandlesFailures` (app/failures.py: the one handler for errors nobody caught) and
`KeysInOrder` (app/key_order.py: keys typed in a burst reach the screen they open).
`create_app()` builds it for the CLI, `--demo` (app/demo.py) and the tests alike.
Screens are imported when first shown, keyring only inside a thread worker, so
the first frame comes fast.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from illvid_tui.app import known_account
from illvid_tui.app.failures import HandlesFailures
from illvid_tui.app.key_order import KeysInOrder
from illvid_tui.app.profiles import ProfilesApp
from illvid_tui.core.db import Database
from illvid_tui.core.settings import Settings

if TYPE_CHECKING:
    import httpx

    from illvid_tui.core.credentials import Credentials
    from illvid_tui.core.local_uploads import LocalUploads
    from illvid_tui.core.poller import Poller
    from illvid_tui.emulator import Emulator
    from illvid_tui.screens.host import AppHost

__all__ = ["SECTIONS", "IllvidApp", "create_app"]

log = logging.getLogger("illvid_tui.app")

_SECTIONS = Binding.Group("Sections")

# Each section's screen is imported when first shown (it serves the first frame): here,
# in one function per section, where a reader and `lint-imports` see the app -> screen arrow.


def _account() -> Screen[Any]:
    from illvid_tui.screens.account import AccountScreen

    return AccountScreen()


def _uploads() -> Screen[Any]:
    from illvid_tui.screens.uploads import UploadsScreen

    return UploadsScreen()


def _files() -> Screen[Any]:
    from illvid_tui.screens.files import FilesScreen

    return FilesScreen()


def _dmca() -> Screen[Any]:
    from illvid_tui.screens.dmca import DmcaScreen

    return DmcaScreen()


#: Section id -> (title, the function building its screen), in order.
SECTIONS: dict[str, tuple[str, Callable[[], Screen[Any]]]] = {
    "account": ("Account", _account),
    "uploads": ("Uploads", _uploads),
    "files": ("Files", _files),
    "dmca": ("DMCA", _dmca),
}


def _section_factory(name: str) -> Callable[[], Screen[Any]]:
    def make() -> Screen[Any]:
        title, build = SECTIONS[name]
        screen = build()
        screen.title = title
        # Textual 8's switch_mode re-parses the whole stylesheet, twice (refresh_css),
        # for a screen whose CSS update count is not the app's: always so for a new
        # one, which is styled with the current rules when it mounts anyway. That
        # was 0.1-0.2 s of a frozen loop on each section's first opening.
        screen._css_update_count = screen.app._css_update_count
        return screen

    return make


def _is_plain_scroller(node: object) -> bool:
    """Textual's own scroll containers: their arrow keys are noise on the help screen."""
    from textual.containers import ScrollableContainer

    return isinstance(node, ScrollableContainer) and type(node).__module__.startswith("textual.")


class IllvidApp(HandlesFailures, ProfilesApp, KeysInOrder):
    """The illvid terminal app."""

    TITLE = "illvid"
    CSS_PATH = "app.tcss"
    MODES = {name: _section_factory(name) for name in SECTIONS}
    #: Section id -> title, in order: the header shows them as tabs.
    SECTION_TITLES: ClassVar[dict[str, str]] = {name: t for name, (t, _b) in SECTIONS.items()}
    BINDINGS = [
        # One footer item ("1 2 3 4 Sections"): at 80 columns each section's
        # own keys leave little room (the header tabs show them too).
        Binding("1", "section('account')", "Account", id="app.account", group=_SECTIONS),
        Binding("2", "section('uploads')", "Uploads", id="app.uploads", group=_SECTIONS),
        Binding("3", "section('files')", "Files", id="app.files", group=_SECTIONS),
        Binding("4", "section('dmca')", "DMCA", id="app.dmca", group=_SECTIONS),
        Binding("P", "profiles", "Profiles", id="app.profiles", show=False),
        Binding("question_mark", "help", "Help", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

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
        super().__init__(
            settings,
            transport=transport,
            transport_factory=transport_factory,
            credentials=credentials,
        )
        self.db = db
        self._today = today
        self._clock = clock
        #: The in-process emulator behind --demo (None otherwise).
        self.emulator: Emulator | None = None
        #: The upload poller, started with the services (None until connected).
        self.poller: Poller | None = None
        #: The local-file upload runner, started with the poller (None until connected).
        self.local_uploads: LocalUploads | None = None
        self._started = False
        if settings.low_bandwidth:
            self.animation_level = "none"

    # -- time and links ------------------------------------------------------

    def now(self) -> dt.datetime:
        """The current local time (fixed in tests: a clock or a fixed `today` at noon)."""
        if self._clock is not None:
            return self._clock()
        if self._today is not None:
            return dt.datetime.combine(self._today, dt.time(12, 0))
        return super().now()

    def today(self) -> dt.date:
        """Today's date; use this, never `date.today()` (snapshots fix it)."""
        return self._today if self._today is not None else self.now().date()

    def file_link(self, code: str) -> str:
        """The public link of a file on the configured host."""
        from illvid_tui.api import links

        return links.file_link(self.settings.base_url, code)

    # -- start-up ------------------------------------------------------------

    def on_mount(self) -> None:
        # What the last run learned of the account paints with the first frame.
        found = known_account.known_state(self.settings, self._initial)
        if found is not None:
            self.account, self.upload_server = found
            self.login = found[0].info.login if found[0].info else ""
        self.switch_mode(self.settings.start_screen)
        # The rest waits for the first frame (it imports httpx and keyring,
        # reads files, starts threads): the header calls first_frame() once
        # it has been painted; the timer is a fallback.
        self.set_timer(0.5, self.first_frame)

    @on(events.Unmount)
    def _close_state(self) -> None:
        # A clean quit: another running app takes the polling over at once,
        # and the WAL is checkpointed into the database and truncated.
        if self.poller is not None:
            self.poller.close()
        self.db.close()

    def _save_known(self) -> None:
        now, account_id = self.now(), self.account_id or self._pending_account_id
        job = known_account.saver(self.settings, self.account, self.upload_server, account_id, now)
        if job is not None:
            self.run_worker(job, thread=True, group="app.account_cache", exit_on_error=False)

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
        self._watch_terminal()

    def _watch_terminal(self) -> None:
        """End the app (exit status 129, as after SIGHUP) once its terminal is gone."""
        from illvid_tui.core import terminal

        fd = None if self.is_headless else terminal.attached_terminal()
        if fd is None:
            return

        def check() -> None:
            if terminal.terminal_gone(fd):
                log.warning("the terminal went away: ending the app")
                self.exit(return_code=129)

        self.set_interval(2.0, check, name="terminal watch")

    def start_services(self) -> None:
        """Start app-wide background work (the upload poller) once connected."""
        from illvid_tui.app.local_wiring import start_local_uploads
        from illvid_tui.app.poller_wiring import start_poller

        poller = self.poller = start_poller(self, self.db)
        self.local_uploads, worker = start_local_uploads(self, poller)

        def account_changed(account_id: str | None) -> None:
            # After the poller's own switch (watched first): a runner for the new
            # account; the old one's uploads in flight stop as interrupted.
            nonlocal worker
            if account_id is not None:
                worker.cancel()
                self.local_uploads, worker = start_local_uploads(self, poller)

        self.watch(self, "account_id", account_changed, init=False)

    def section_keys(self) -> dict[str, str]:
        """Section id -> the key its header tab shows (the user's keymap applied)."""
        keys: dict[str, str] = {}
        for binding in self.BINDINGS:
            if not isinstance(binding, Binding) or binding.group is not _SECTIONS:
                continue
            name = binding.action.removeprefix("section('").removesuffix("')")
            key = self.user_keymap.get(binding.id or "", binding.key).split(",")[0].strip()
            keys[name] = self.get_key_display(Binding(key, binding.action))
        return keys

    @on(events.DescendantFocus)
    def _no_blink_on_low_bandwidth(self, event: events.DescendantFocus) -> None:
        # A blinking cursor rewrites its line twice a second (~400 B/s over
        # SSH); TEXTUAL_FPS does not slow it. The cursor stays, steady.
        if self.settings.low_bandwidth and getattr(event.widget, "cursor_blink", False):
            event.widget.cursor_blink = False  # type: ignore[attr-defined]

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
        for name, (title, _build) in SECTIONS.items():
            yield SystemCommand(
                title, f"Show the {title} section", lambda n=name: self.action_section(n)
            )
        yield from self.profile_commands(screen)
        yield from self._screen_commands(screen)
        yield from super().get_system_commands(screen)

    def _screen_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action the screen offers on a key, by name ("DMCA: Order")."""
        seen: set[tuple[str, int]] = set()
        prefix = f"{screen.title}: " if screen.title else ""
        for active in screen.active_bindings.values():
            binding, node = active.binding, active.node
            if node is self or not binding.description or not active.enabled:
                continue
            if _is_plain_scroller(node) or (binding.action, id(node)) in seen:
                continue
            seen.add((binding.action, id(node)))
            yield SystemCommand(
                prefix + binding.description,
                f"Key: {self.get_key_display(binding)}",
                partial(self.run_action, binding.action, node),
            )


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


if TYPE_CHECKING:

    def _offers_what_screens_ask(app: IllvidApp) -> AppHost:
        return app  # mypy checks that the app is an `AppHost` (screens/host.py)
