"""`P`: every profile with its login, base URL, key and connection; switch, add, rename, remove.

The list is read in a thread (profiles.toml and one keyring lookup per
profile, which may block); the changes go through the app, which owns the
session: switching signs in as the profile, adding opens the login screen.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Static

from illvid_tui.core.credentials import from_env
from illvid_tui.core.profiles import UNNAMED_LABEL, ProfileError
from illvid_tui.core.signin import Listed, list_profiles
from illvid_tui.screens.host import host
from illvid_tui.widgets.footer import AppFooter
from illvid_tui.widgets.header import AppHeader
from illvid_tui.widgets.worker_errors import ForwardsWorkerErrors

#: Words per connection state, once a profile has been tried this session.
_STATE_WORDS = {
    "ok": "connected",
    "rejected": "key refused (403)",
    "offline": "offline",
    "retrying": "retrying",
    "connecting": "connecting…",
}


def connection_text(state: tuple[str, str] | None) -> str:
    """A profile's connection as the list shows it ("not tried" before the first try)."""
    if state is None:
        return "not tried"
    word = _STATE_WORDS.get(state[0])
    if word is None:
        return state[1] or state[0]
    return word


def key_text(stored: bool | None) -> str:
    if stored is None:
        return "? (keyring locked)"
    return "stored" if stored else "not stored"


class ProfilesScreen(ForwardsWorkerErrors, Screen[None]):
    """The accounts this install knows, and which one is in use."""

    TITLE = "Profiles"
    DEFAULT_CSS = """
    ProfilesScreen #profiles-intro { height: auto; padding: 0 1; color: $text-muted; }
    ProfilesScreen #profiles-table { height: 1fr; }
    ProfilesScreen #profiles-note { height: auto; padding: 0 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "switch", "Switch", id="profiles.switch"),
        Binding("a", "add", "Add", id="profiles.add"),
        Binding("r", "rename", "Rename", id="profiles.rename"),
        Binding("x,delete", "remove", "Remove", id="profiles.remove"),
        Binding("escape", "close", "Close", id="profiles.close", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[Listed] = []
        #: A profile the cursor goes to once it is listed (a renamed one, by its new name).
        self._follow: str | None = None
        #: Row key -> profile name ("" for the environment's unnamed profile).
        self._names: list[str] = []

    def compose(self) -> ComposeResult:
        yield AppHeader()
        where = (
            "accounts on the demo's own emulator, kept in memory: nothing is saved"
            if host(self).settings.demo
            else "the key is in the keyring"
        )
        yield Static(
            Text(
                f"One profile per account: a name, its base URL and login; {where}. Enter "
                "switches, a adds, r renames, x removes."
            ),
            id="profiles-intro",
        )
        table: DataTable[Text] = DataTable(id="profiles-table", cursor_type="row")
        yield table
        yield Static(id="profiles-note")
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.query_one("#profiles-table", DataTable)
        for label, key in (
            ("", "mark"),
            ("Profile", "name"),
            ("Login", "login"),
            ("Base URL", "url"),
            ("Key", "key"),
            ("Connection", "state"),
        ):
            table.add_column(label, key=key)
        table.focus()
        app = self.app
        self.watch(app, "profile_states", self._states_changed, init=False)
        self.watch(app, "profile", self._states_changed, init=False)
        self.watch(app, "profiles_revision", self._reload, init=False)
        self._reload()

    def _reload(self, _value: object = None) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="profiles.load", exit_on_error=False)
    def _load(self) -> None:
        try:
            rows: list[Listed] | str = list_profiles(host(self).profile_store)
        except ProfileError as exc:
            rows = str(exc)
        self.app.call_from_thread(self._loaded, rows)

    def _loaded(self, rows: list[Listed] | str) -> None:
        note = self.query_one("#profiles-note", Static)
        if isinstance(rows, str):
            note.update(Text(rows, style="bold"))
            rows = []
        else:
            note.update("")
        self._rows = rows
        self._fill()

    def _states_changed(self, _value: object = None) -> None:
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#profiles-table", DataTable)
        app = host(self)
        current, states = app.profile, app.profile_states
        keep = self._names[table.cursor_row] if 0 <= table.cursor_row < len(self._names) else None
        keep = self._follow or keep
        table.clear()
        self._names = []
        env = None if app.settings.demo else from_env()  # the demo ignores the environment
        if current == "" or env is not None:
            # The environment's credentials override every profile at start (shown first).
            here = current == ""
            table.add_row(
                Text("●" if here else " "),
                Text(UNNAMED_LABEL, style="bold" if here else ""),
                Text((env.login if env else "") or "(from the key)"),
                Text(app.settings.base_url if here else ""),
                Text("environment"),
                Text(connection_text(states.get(""))),
            )
            self._names.append("")
        for row in self._rows:
            p = row.profile
            here = p.name == current
            table.add_row(
                Text("●" if here else " "),
                Text(p.name, style="bold" if here else ""),
                Text(p.login or "(from the key)"),
                Text(p.base_url),
                Text(key_text(row.key_stored)),
                Text(connection_text(states.get(p.name))),
            )
            self._names.append(p.name)
        if keep is not None and keep in self._names:
            table.move_cursor(row=self._names.index(keep))
            if keep == self._follow:
                self._follow = None
        elif current in self._names:
            table.move_cursor(row=self._names.index(str(current)))
        if not self._names:
            self.query_one("#profiles-note", Static).update(
                Text("No profile yet: a adds one (the login screen, with a name).")
            )

    def _selected(self) -> str | None:
        table = self.query_one("#profiles-table", DataTable)
        row = table.cursor_row
        return self._names[row] if 0 <= row < len(self._names) else None

    # -- actions ------------------------------------------------------------------

    @on(DataTable.RowSelected, "#profiles-table")
    def _row_selected(self) -> None:
        self.action_switch()

    def action_switch(self) -> None:
        name = self._selected()
        if name is None:
            return
        app = host(self)
        if name == app.profile:
            self.notify(f"Already using {name or UNNAMED_LABEL}.")
            return
        self.dismiss()  # back to the section, which follows the new account
        app.switch_profile(name)

    def action_add(self) -> None:
        host(self).add_profile()

    def action_rename(self) -> None:
        from illvid_tui.screens.dialogs.profile_name import ProfileNameDialog

        name = self._selected()
        if not name:
            if name == "":
                self.notify("The environment's profile has no name to change.")
            return
        taken = [r.profile.name for r in self._rows]

        def renamed(new: str | None) -> None:
            if new and new != name:
                self._follow = new
                host(self).rename_profile(name, new)

        self.app.push_screen(ProfileNameDialog(f"Rename profile {name}", name, taken), renamed)

    def action_remove(self) -> None:
        from illvid_tui.screens.dialogs.confirm import ConfirmScreen

        name = self._selected()
        if not name:
            if name == "":
                self.notify("Unset ILLVID_API_KEY to stop using the environment's credentials.")
            return
        if name == host(self).profile:
            self.notify(f"{name} is in use: switch to another profile first.", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                host(self).remove_profile(name)

        question = (
            f"Remove the profile {name}? Its key is deleted from the keyring (and its plain "
            "file). Its upload history stays in the state database."
        )
        if host(self).settings.demo:
            question = f"Remove the profile {name} from this demo run? (Nothing is saved.)"
        self.app.push_screen(ConfirmScreen(question, yes="Remove"), answered)

    def action_close(self) -> None:
        self.dismiss()
