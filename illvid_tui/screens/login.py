"""The login screen: asks for the API login and key (masked) and dismisses with them.

It checks nothing itself: the session (app/signin.py) checks them with
`account_info`, stores them once accepted, and shows this screen again, with the
server's reason, when they are refused. With a `ProfileTarget` it signs in as
another profile than the one in use (switching to one without a stored key),
or adds one: then it asks for the profile's name and base URL too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Input, Label, Static

from illvid_tui.api.baseurl import base_url_problem
from illvid_tui.core.credentials import NO_KEYRING_HELP, Credentials
from illvid_tui.core.profiles import name_problem
from illvid_tui.widgets.footer import AppFooter
from illvid_tui.widgets.header import AppHeader
from illvid_tui.widgets.worker_errors import ForwardsWorkerErrors


@dataclass(frozen=True)
class ProfileTarget:
    """The profile a login is for, when not the one in use."""

    name: str
    base_url: str
    #: A profile being added: the screen asks for its name and base URL.
    new: bool = False
    #: Names already taken (a new profile may not reuse one).
    taken: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LoginEntered:
    """What the user entered: the credentials and whether to keep them in the plain file."""

    credentials: Credentials
    plain_file: bool = False
    #: The profile they are for (None: the one in use).
    target: ProfileTarget | None = None


class LoginScreen(ForwardsWorkerErrors, Screen[LoginEntered | None]):
    """Asks for the API login and key; dismisses with them (None: cancelled)."""

    TITLE = "Sign in"
    DEFAULT_CSS = """
    LoginScreen #login-box { align: center top; }
    LoginScreen #login-form { width: 80; max-width: 100%; height: auto; padding: 1 2 0 2; }
    LoginScreen .login-row { height: 3; }
    LoginScreen .login-row Label { width: 7; padding-top: 1; }
    LoginScreen .login-row Input { width: 1fr; }
    LoginScreen #login-plain { display: none; margin-top: 1; }
    LoginScreen #login-plain.shown { display: block; }
    LoginScreen #login-note { height: auto; margin-top: 1; color: $text-muted; }
    LoginScreen #login-status { height: auto; margin-top: 1; display: none; }
    LoginScreen #login-status.shown { display: block; }
    LoginScreen #login-status.error { border-left: thick $error; padding-left: 1; }
    LoginScreen #login-buttons { height: auto; margin-top: 1; }
    LoginScreen #login-buttons Button { margin-right: 2; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="login.cancel"),
        # Priority: the app runs these as it takes the key from the terminal,
        # before it hands the next key to the focused field. A password manager
        # types login, Tab, key in one burst; with Textual's own Tab (and the
        # login's Enter) the focus moved later, and the key went into the
        # login field, in clear text.
        Binding("tab", "move_focus(1)", "Next field", show=False, priority=True),
        Binding("shift+tab", "move_focus(-1)", "Previous field", show=False, priority=True),
        Binding("enter", "login_enter", "Next field", show=False, priority=True),
    ]

    def __init__(
        self,
        *,
        no_keyring: bool = False,
        problem: str = "",
        login: str = "",
        target: ProfileTarget | None = None,
    ) -> None:
        super().__init__()
        self.no_keyring = no_keyring
        self.problem = problem
        #: The login to show again (after a refusal); never the key.
        self.login = login
        self.target = target

    def compose(self) -> ComposeResult:
        yield AppHeader()
        with VerticalScroll(id="login-box"), VerticalScroll(id="login-form"):
            yield Static(
                Text(
                    "The API login and key are in the illvid User Panel, User Settings. "
                    "They are checked with the server before they are kept."
                )
            )
            target = self.target
            if target is not None and target.new:
                with Horizontal(classes="login-row"):
                    yield Label("Profile")
                    yield Input(target.name, placeholder="a name: work, client-2…", id="login-name")
                with Horizontal(classes="login-row"):
                    yield Label("Server")
                    yield Input(target.base_url, placeholder="API base URL", id="login-url")
            elif target is not None:
                yield Static(
                    Text(f"Profile {target.name} ({target.base_url}).", style="bold"),
                    id="login-profile",
                )
            with Horizontal(classes="login-row"):
                yield Label("Login")
                yield Input(placeholder="API login", id="login-login")
            with Horizontal(classes="login-row"):
                yield Label("Key")
                yield Input(
                    placeholder="API key (hidden as you type)", password=True, id="login-key"
                )
            plain = Checkbox(
                "Save them in a plain file instead (mode 0600, not encrypted)",
                id="login-plain",
                compact=True,
            )
            plain.BUTTON_INNER = " "
            yield plain
            yield Static(id="login-note")
            yield Static(id="login-status")
            with Horizontal(id="login-buttons"):
                yield Button("Sign in", id="login-submit", variant="primary")
                yield Button("Cancel", id="login-cancel")
        yield AppFooter()

    def on_mount(self) -> None:
        self.set_no_keyring(self.no_keyring)
        if self.problem:
            self._status(self.problem, error=True)
        box = self.query_one("#login-login", Input)
        if self.target is not None and self.target.new and not self.login:
            self.query_one("#login-name", Input).focus()
        elif self.login:
            box.value = self.login
            self.query_one("#login-key", Input).focus()
        else:
            box.focus()
        if not self.no_keyring:
            # Credentials from the environment skip the keyring: find out now.
            self._check_keyring()

    @work(thread=True, exclusive=True, group="login.keyring", exit_on_error=False)
    def _check_keyring(self) -> None:
        from illvid_tui.core.credentials import keyring_usable

        if not keyring_usable():
            self.app.call_from_thread(self.set_no_keyring, True)

    def set_no_keyring(self, no_keyring: bool) -> None:
        """Say plainly that the key is kept for this session only, and the ways out."""
        self.no_keyring = no_keyring
        note = self.query_one("#login-note", Static)
        note.update(
            Text(NO_KEYRING_HELP if no_keyring else "They will be kept in the system keyring.")
        )
        self.query_one("#login-plain", Checkbox).set_class(no_keyring, "shown")

    def _status(self, message: str, *, error: bool = False) -> None:
        box = self.query_one("#login-status", Static)
        box.update(Text(message))
        box.set_class(bool(message), "shown")
        box.set_class(error, "error")

    @on(Checkbox.Changed, "#login-plain")
    def _mark(self, event: Checkbox.Changed) -> None:
        # Textual marks a checked box by colour only; NO_COLOR needs a visible X.
        event.checkbox.BUTTON_INNER = "X" if event.value else " "
        event.checkbox.refresh()

    def action_move_focus(self, step: int) -> None:
        """Tab / shift+Tab, at once (the focus is set now, not by a message for later)."""
        if step > 0:
            self.focus_next()
        else:
            self.focus_previous()

    def action_login_enter(self) -> None:
        """Enter in the login field goes to the key field at once; elsewhere, as usual."""
        if self.focused is not self.query_one("#login-login", Input):
            raise SkipAction()
        self.set_focus(self.query_one("#login-key", Input))

    @on(Input.Submitted, "#login-name")
    @on(Input.Submitted, "#login-url")
    def _next_of_profile(self, event: Input.Submitted) -> None:
        self.focus_next()

    def _entered_target(self) -> ProfileTarget | None | str:
        """The target with the name and base URL typed (a new profile), or why they are refused."""
        target = self.target
        if target is None or not target.new:
            return target
        name = self.query_one("#login-name", Input).value.strip()
        url = self.query_one("#login-url", Input).value.strip()
        problem = name_problem(name) or base_url_problem(url)
        if problem is None and name in target.taken:
            problem = f"a profile named {name!r} exists already"
        return problem if problem else replace(target, name=name, base_url=url)

    @on(Input.Submitted, "#login-key")
    @on(Button.Pressed, "#login-submit")
    def _submit(self) -> None:
        target = self._entered_target()
        if isinstance(target, str):
            self._status(target.capitalize(), error=True)
            return
        if not self.query_one("#login-key", Input).value.strip():
            self._status("Enter the API key.", error=True)
            self.query_one("#login-key", Input).focus()
            return
        # The key is read from the box here, never passed around in a worker's arguments.
        credentials = Credentials(
            self.query_one("#login-login", Input).value,
            self.query_one("#login-key", Input).value,
            source="login screen",
        )
        plain = self.query_one("#login-plain", Checkbox).value and self.no_keyring
        self.query_one("#login-key", Input).value = ""
        self.dismiss(LoginEntered(credentials, plain_file=plain, target=target))

    @on(Button.Pressed, "#login-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
