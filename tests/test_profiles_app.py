"""Profiles in the app: two emulator accounts, switching, the profiles screen, migration, env."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from conftest import TODAY, JsonKeyring
from test_account import SIZE, settle, shown, sign_in
from test_uploads_screen import queue
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from illvid_tui.app import IllvidApp, create_app
from illvid_tui.core import credentials as creds
from illvid_tui.core.credentials import Credentials
from illvid_tui.core.db import Database
from illvid_tui.core.profiles import Profile
from illvid_tui.core.settings import Settings
from illvid_tui.core.signin import save_profile, store_of
from illvid_tui.core.uploads import JobState, UploadStore
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator
from illvid_tui.emulator.state import EmulatorState
from illvid_tui.screens.login import LoginScreen
from illvid_tui.screens.profiles import ProfilesScreen
from illvid_tui.widgets.header import AppHeader
from illvid_tui.widgets.table import FastTable

OTHER_LOGIN, OTHER_KEY = "second", "second-key-not-secret"


@pytest.fixture
def second(emulator: Emulator) -> EmulatorState:
    """A second account on the same emulator: its own login, key, files and jobs."""
    emulator.upload_seconds = 3600  # uploads stay running until the test moves the clock
    return emulator.add_account(OTHER_LOGIN, OTHER_KEY)


@pytest.fixture
def two_profiles(settings: Settings, json_keyring: JsonKeyring, second: EmulatorState) -> None:
    """Profiles "main" (the demo account, last used) and "other" (the second account)."""
    store = store_of(settings)
    url = settings.base_url
    other = Credentials(OTHER_LOGIN, OTHER_KEY)
    save_profile(store, Profile("other", url, OTHER_LOGIN), other)
    save_profile(store, Profile("main", url, DEMO_LOGIN), Credentials(DEMO_LOGIN, DEMO_KEY))


def app_on(settings: Settings, emulator: Emulator, screen: str = "uploads") -> IllvidApp:
    """The app as the CLI builds it (credentials from the profiles) on the emulator."""
    return create_app(
        replace(settings, start_screen=screen), transport=emulator.transport(), today=TODAY
    )


def header_of(app: IllvidApp) -> str:
    return str(app.screen.query_one(AppHeader).render())


def upload_urls(app: IllvidApp) -> list[str]:
    assert app.poller is not None
    return sorted(j.url for j in app.poller.jobs.values())


def rows_shown(app: IllvidApp) -> int:
    return app.screen.query_one("#uploads-table", FastTable).total_count


def profile_rows(app: IllvidApp) -> dict[str, list[str]]:
    screen = app.screen
    assert isinstance(screen, ProfilesScreen)
    table = screen.query_one("#profiles-table", DataTable)
    return {
        str(table.get_row_at(i)[1]): [str(c) for c in table.get_row_at(i)]
        for i in range(table.row_count)
    }


async def open_profiles(pilot: Pilot[Any]) -> ProfilesScreen:
    await pilot.press("P")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ProfilesScreen)
    return screen


async def switch_to(pilot: Pilot[Any], name: str) -> None:
    screen = await open_profiles(pilot)
    names = list(profile_rows(pilot.app))  # type: ignore[arg-type]
    screen.query_one("#profiles-table", DataTable).move_cursor(row=names.index(name))
    await pilot.press("enter")
    await settle(pilot)


async def test_two_profiles_keep_their_jobs_apart_across_switches_and_restarts(
    settings: Settings, emulator: Emulator, second: EmulatorState, two_profiles: None
) -> None:
    main_id = f"{settings.base_url}|{DEMO_LOGIN}"
    other_id = f"{settings.base_url}|{OTHER_LOGIN}"
    app = app_on(settings, emulator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.profile == "main" and app.account_id == main_id
        assert "main (demo)" in header_of(app)
        await queue(pilot, "https://a.example/main-1.mp4")
        assert upload_urls(app) == ["https://a.example/main-1.mp4"]

        await switch_to(pilot, "other")
        assert app.profile == "other" and app.account_id == other_id
        assert "other (second)" in header_of(app) and "main" not in header_of(app)
        assert rows_shown(app) == 0 and upload_urls(app) == []  # nothing of main shows
        await queue(pilot, "https://a.example/other-1.mp4")
        assert upload_urls(app) == ["https://a.example/other-1.mp4"]
        # Each job reached its own account on the server.
        assert [j.url for j in second.jobs.values()] == ["https://a.example/other-1.mp4"]
        assert [j.url for j in emulator.jobs.values()] == ["https://a.example/main-1.mp4"]

        # While "other" is in use, main's upload finishes on the server; back on main
        # it is polled again and shows done.
        emulator.advance(7200)
        await switch_to(pilot, "main")
        assert app.account_id == main_id and rows_shown(app) == 1
        assert app.poller is not None
        await app.poller.cycle(force=True)
        await settle(pilot)
        [job] = app.poller.jobs.values()
        assert job.url == "https://a.example/main-1.mp4" and job.state is JobState.DONE
        await switch_to(pilot, "other")
    # A restart comes back on the last profile used, with its own queue only.
    again = app_on(settings, emulator)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.profile == "other" and again.account_id == other_id
        assert upload_urls(again) == ["https://a.example/other-1.mp4"]
    db = Database(settings.db_path)
    try:
        assert [j.url for j in UploadStore(db, main_id).jobs()] == ["https://a.example/main-1.mp4"]
        assert [j.url for j in UploadStore(db, other_id).jobs()] == [
            "https://a.example/other-1.mp4"
        ]
    finally:
        db.close()


async def test_a_refused_key_shows_on_the_profiles_screen_and_leaves_the_others(
    settings: Settings,
    emulator: Emulator,
    json_keyring: JsonKeyring,
    two_profiles: None,
) -> None:
    store = store_of(settings)
    bad = Credentials("nobody", "not-a-key")
    save_profile(store, Profile("bad", settings.base_url, "nobody"), bad, make_current=False)
    app = app_on(settings, emulator, screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.connection == ("ok", "connected")
        await switch_to(pilot, "bad")
        assert app.profile == "bad" and app.connection[0] == "rejected"
        assert any("refused its key" in n.message for n in app._notifications)
        await open_profiles(pilot)
        rows = profile_rows(app)
        assert rows["bad"][5] == "key refused (403)" and rows["bad"][0] == "●"
        assert rows["main"][5] == "connected" and rows["other"][5] == "not tried"
        assert rows["main"][4] == "stored"
        await pilot.press("escape")
        await switch_to(pilot, "main")
        assert app.connection == ("ok", "connected") and app.login == DEMO_LOGIN
    # The refusal touched no stored key.
    assert json_keyring.get_password("illvid-tui", "profile:main") == DEMO_KEY
    assert json_keyring.get_password("illvid-tui", "profile:other") == OTHER_KEY


async def test_removing_a_profile_asks_and_deletes_its_keyring_entry(
    settings: Settings, emulator: Emulator, json_keyring: JsonKeyring, two_profiles: None
) -> None:
    app = app_on(settings, emulator, screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_profiles(pilot)
        table = screen.query_one("#profiles-table", DataTable)
        table.move_cursor(row=list(profile_rows(app)).index("main"))
        await pilot.press("x")  # the profile in use is not removed
        await settle(pilot)
        assert app.screen is screen and "in use" in list(app._notifications)[-1].message
        table.move_cursor(row=list(profile_rows(app)).index("other"))
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is not screen  # asks first
        await pilot.press("y")
        await settle(pilot)
        assert list(profile_rows(app)) == ["main"]
    assert json_keyring.get_password("illvid-tui", "profile:other") is None
    assert json_keyring.get_password("illvid-tui", "profile:main") == DEMO_KEY
    assert list(store_of(settings).load()) == ["main"]


async def test_rename_keeps_the_key_and_the_header_follows(
    settings: Settings, emulator: Emulator, json_keyring: JsonKeyring, two_profiles: None
) -> None:
    app = app_on(settings, emulator, screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_profiles(pilot)
        await pilot.press("r")
        await pilot.pause()
        app.screen.query_one("#name-input", Input).value = "client-1"
        await pilot.press("enter")
        await settle(pilot)
        assert app.profile == "client-1" and "client-1 (demo)" in header_of(app)
        assert list(profile_rows(app)) == ["other", "client-1"]
    assert json_keyring.get_password("illvid-tui", "profile:client-1") == DEMO_KEY
    assert json_keyring.get_password("illvid-tui", "profile:main") is None


async def test_adding_a_profile_through_the_login_screen_with_a_name(
    settings: Settings, emulator: Emulator, json_keyring: JsonKeyring, second: EmulatorState
) -> None:
    save_profile(
        store_of(settings),
        Profile("main", settings.base_url, DEMO_LOGIN),
        Credentials(DEMO_LOGIN, DEMO_KEY),
    )
    app = app_on(settings, emulator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await queue(pilot, "https://a.example/main-1.mp4")
        await open_profiles(pilot)
        await pilot.press("a")
        await settle(pilot)
        login = app.screen
        assert isinstance(login, LoginScreen)
        login.query_one("#login-name", Input).value = "main"  # taken: refused in place
        await sign_in(pilot, OTHER_LOGIN, OTHER_KEY)
        assert app.screen is login and "exists already" in shown(app, "#login-status")
        login.query_one("#login-name", Input).value = "client-2"
        await sign_in(pilot, OTHER_LOGIN, OTHER_KEY)
        await settle(pilot)
        assert app.profile == "client-2"
        assert app.account_id == f"{settings.base_url}|{OTHER_LOGIN}"
        assert upload_urls(app) == []
    assert json_keyring.get_password("illvid-tui", "profile:client-2") == OTHER_KEY
    assert store_of(settings).get("client-2") == Profile("client-2", settings.base_url, OTHER_LOGIN)
    assert store_of(settings).last_used() == "client-2"


async def test_an_existing_single_account_setup_becomes_default_unchanged(
    settings: Settings, emulator: Emulator, json_keyring: JsonKeyring
) -> None:
    # What an earlier version left: per-host keyring entries and a queued job.
    assert creds.save(Credentials(DEMO_LOGIN, DEMO_KEY), settings.base_url)
    account = f"{settings.base_url}|{DEMO_LOGIN}"
    db = Database(settings.db_path)
    store = UploadStore(db, account)
    sent = store.begin_send("https://a.example/before.mp4", None, 0.0)
    store.mark_queued(sent.id, emulator.create_job(sent.url, None).queue_id, 0.0)
    db.close()
    app = app_on(settings, emulator)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, LoginScreen)  # nothing asked
        assert app.profile == "default" and app.account_id == account
        assert "default (demo)" in header_of(app)
        assert upload_urls(app) == ["https://a.example/before.mp4"]
    assert json_keyring.get_password("illvid-tui", "profile:default") == DEMO_KEY
    assert json_keyring.get_password("illvid-tui", "key@127.0.0.1") is None
    assert store_of(settings).get("default").login == DEMO_LOGIN


async def test_env_credentials_override_the_profiles_as_an_unnamed_one(
    settings: Settings,
    emulator: Emulator,
    two_profiles: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ILLVID_API_KEY", OTHER_KEY)
    monkeypatch.setenv("ILLVID_API_LOGIN", OTHER_LOGIN)
    monkeypatch.setenv("ILLVID_PROFILE", "main")
    app = app_on(settings, emulator, screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.profile == "" and app.account_id == f"{settings.base_url}|{OTHER_LOGIN}"
        assert "(environment) (second)" in header_of(app)
        await open_profiles(pilot)
        rows = profile_rows(app)
        assert list(rows) == ["(environment)", "other", "main"]
        assert rows["(environment)"][0] == "●" and rows["(environment)"][4] == "environment"
        await pilot.press("escape")
        # A stored profile can still be chosen; the environment's comes back the same way.
        await switch_to(pilot, "main")
        assert app.profile == "main" and app.login == DEMO_LOGIN
        await switch_to(pilot, "(environment)")
        assert app.profile == "" and app.login == OTHER_LOGIN
    assert OTHER_KEY not in store_of(settings).path.read_text()


async def test_switching_to_a_profile_without_a_key_asks_for_it_first(
    settings: Settings, emulator: Emulator, json_keyring: JsonKeyring, two_profiles: None
) -> None:
    store_of(settings).put(Profile("nokey", settings.base_url, OTHER_LOGIN))
    app = app_on(settings, emulator, screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await switch_to(pilot, "nokey")
        assert isinstance(app.screen, LoginScreen)
        assert "Profile nokey" in shown(app, "#login-profile")
        assert "No key is stored" in shown(app, "#login-status")
        await pilot.press("escape")  # cancelled: still on main
        await settle(pilot)
        assert app.profile == "main" and app.login == DEMO_LOGIN
        await switch_to(pilot, "nokey")
        await sign_in(pilot, OTHER_LOGIN, OTHER_KEY)
        await settle(pilot)
        assert app.profile == "nokey" and app.account_id == f"{settings.base_url}|{OTHER_LOGIN}"
    assert json_keyring.get_password("illvid-tui", "profile:nokey") == OTHER_KEY
    # No key in profiles.toml or in the state database.
    for path in (store_of(settings).path, settings.db_path):
        data = path.read_bytes()
        assert DEMO_KEY.encode() not in data and OTHER_KEY.encode() not in data


async def test_a_named_profile_that_does_not_exist_yet_is_added_by_signing_in(
    settings: Settings, emulator: Emulator, json_keyring: JsonKeyring, two_profiles: None
) -> None:
    app = app_on(replace(settings, profile="fresh"), emulator, screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen) and app.profile == "fresh"
        assert "Profile fresh" in shown(app, "#login-profile")
        await sign_in(pilot, DEMO_LOGIN, DEMO_KEY)
        await settle(pilot)
        assert app.profile == "fresh" and app.account_id == f"{settings.base_url}|{DEMO_LOGIN}"
    assert json_keyring.get_password("illvid-tui", "profile:fresh") == DEMO_KEY
    assert list(store_of(settings).load()) == ["other", "main", "fresh"]


async def test_every_section_follows_a_switch(
    settings: Settings, emulator: Emulator, second: EmulatorState, two_profiles: None
) -> None:
    second.set_dmca(3)  # the second account has 3 notices, the demo one about 25
    app = app_on(settings, emulator, screen="dmca")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#dmca-table", FastTable)
        assert table.total_count == len(emulator.dmca) > 3
        await switch_to(pilot, "other")
        assert app.screen.query_one("#dmca-table", FastTable).total_count == 3
        await pilot.press("1")
        await settle(pilot)
        assert OTHER_LOGIN in shown(app, "#account-fields")
        assert DEMO_LOGIN + "@" not in shown(app, "#account-fields")


async def test_an_unreadable_profiles_file_is_reported_not_overwritten(
    settings: Settings, emulator: Emulator, json_keyring: JsonKeyring
) -> None:
    path = store_of(settings).path
    path.parent.mkdir(parents=True)
    path.write_text("[profiles.a\nbase_url = 1\n")
    app = app_on(settings, emulator, screen="account")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any("not valid TOML" in n.message for n in app._notifications)
        assert isinstance(app.screen, LoginScreen)
        await sign_in(pilot, DEMO_LOGIN, DEMO_KEY)
        await settle(pilot)
        # Signed in for the session; the file the user must fix is left as it was.
        assert app.account_id == f"{settings.base_url}|{DEMO_LOGIN}"
        assert any("not valid TOML" in n.message for n in list(app._notifications)[1:])
    assert path.read_text() == "[profiles.a\nbase_url = 1\n"
