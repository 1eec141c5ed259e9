"""Profiles from the command line: login/logout per profile, `profiles`, --profile anywhere."""

from __future__ import annotations

import json

import pytest
from cli_support import LoopbackEmulator, Result, run_in_process
from conftest import TODAY, JsonKeyring

from illvid_tui.core import credentials
from illvid_tui.core.credentials import Credentials
from illvid_tui.core.db import Database
from illvid_tui.core.settings import Settings
from illvid_tui.core.uploads import UploadStore
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN

OTHER_LOGIN, OTHER_KEY = "second", "second-key-not-secret"
SECRETS = (DEMO_KEY, OTHER_KEY)


def run(*argv: str, env: dict[str, str] | None = None, stdin: str = "") -> Result:
    done = run_in_process(list(argv), env=env or {}, stdin=stdin, today=TODAY)
    for secret in SECRETS:  # never a key in what a command prints
        assert secret not in done.out and secret not in done.err
    return done


@pytest.fixture
def two(served: LoopbackEmulator, json_keyring: JsonKeyring) -> LoopbackEmulator:
    """Profiles "a" (the demo account) and "b" (a second account), added by `login`."""
    served.emulator.add_account(OTHER_LOGIN, OTHER_KEY)
    url = served.url
    done = run("--profile", "a", "--base-url", url, "login", "--key-stdin", stdin=DEMO_KEY)
    assert done.code == 0, done.err
    # --profile after the subcommand works the same; the login comes from the server.
    done = run("login", "--profile", "b", "--base-url", url, "--key-stdin", stdin=OTHER_KEY)
    assert done.code == 0, done.err
    return served


def login_of(done: Result) -> str:
    assert done.code == 0, done.err
    value: str = json.loads(done.out)["login"]
    return value


def test_profiles_lists_them_without_keys(two: LoopbackEmulator) -> None:
    listed = json.loads(run("profiles", "--json").out)
    assert listed == [
        {"name": "a", "base_url": two.url, "login": DEMO_LOGIN, "key_stored": True,
         "last_used": False},
        {"name": "b", "base_url": two.url, "login": OTHER_LOGIN, "key_stored": True,
         "last_used": True},
    ]  # fmt: skip
    human = run("profiles").out.splitlines()
    assert human[0].split() == ["PROFILE", "LOGIN", "BASE", "URL", "KEY"]
    assert human[2].split() == ["*", "b", OTHER_LOGIN, two.url, "stored"]


def test_each_command_takes_profile_before_or_after_it(two: LoopbackEmulator) -> None:
    # A profile keeps its base URL: no --base-url needed any more.
    assert login_of(run("--profile", "a", "account", "--json")) == DEMO_LOGIN
    assert login_of(run("account", "--json", "--profile", "a")) == DEMO_LOGIN
    assert login_of(run("account", "--json")) == OTHER_LOGIN  # the last used
    assert login_of(run("account", "--json", env={"ILLVID_PROFILE": "a"})) == DEMO_LOGIN
    assert login_of(run("--profile", "b", "account", "--json", env={"ILLVID_PROFILE": "a"})) == (
        OTHER_LOGIN
    )
    # Each account's check is its own: a code of a's files is missing in b's.
    code = next(iter(two.emulator.files))
    assert json.loads(run("--profile", "a", "check", "--json", stdin=code).out)["missing"] == []
    missing = json.loads(run("--profile", "b", "check", "--json", "-", stdin=code).out)
    assert missing["missing"] == [code]


def test_env_credentials_override_every_profile(two: LoopbackEmulator) -> None:
    env = {"ILLVID_API_KEY": DEMO_KEY, "ILLVID_API_LOGIN": DEMO_LOGIN}
    # The environment's credentials go to the run's base URL, whatever the profile.
    done = run("--profile", "b", "--base-url", two.url, "account", "--json", env=env)
    assert login_of(done) == DEMO_LOGIN
    assert "overrides every profile" in run("profiles", env=env).err


def test_logout_forgets_one_profile_key(two: LoopbackEmulator, json_keyring: JsonKeyring) -> None:
    done = run("--profile", "b", "logout", "--json")
    assert json.loads(done.out) == {"profile": "b", "removed": ["keyring"]}
    assert json_keyring.get_password("illvid-tui", "profile:b") is None
    assert json_keyring.get_password("illvid-tui", "profile:a") == DEMO_KEY
    refused = run("--profile", "b", "account")
    assert refused.code == 4 and "no key stored for the profile 'b'" in refused.err
    assert run("--profile", "a", "account").code == 0
    assert [p["key_stored"] for p in json.loads(run("profiles", "--json").out)] == [True, False]


def test_unknown_bad_and_refused_profiles(two: LoopbackEmulator) -> None:
    unknown = run("--profile", "zz", "account")
    assert unknown.code == 4 and "--profile zz login" in unknown.err
    assert run("--profile", "a b", "account").code == 2
    assert run("--profile", "zz", "logout").code == 2
    refused = run(
        "--profile", "c", "--base-url", two.url, "login", "--key-stdin", stdin="wrong-key-123"
    )
    assert refused.code == 4 and "wrong-key-123" not in refused.err
    assert [p["name"] for p in json.loads(run("profiles", "--json").out)] == ["a", "b"]


def test_login_updates_a_profile_base_url_after_checking(
    two: LoopbackEmulator, json_keyring: JsonKeyring
) -> None:
    # A refused check changes nothing; an accepted one moves the profile.
    dead = "http://127.0.0.1:9/api"
    moved = run("--profile", "a", "--base-url", dead, "login", "--key-stdin", stdin=DEMO_KEY)
    assert moved.code == 1
    assert json.loads(run("profiles", "--json").out)[0]["base_url"] == two.url
    again = run("--profile", "a", "--base-url", two.url, "login", "--key-stdin", stdin=DEMO_KEY)
    assert again.code == 0


def test_first_run_moves_a_single_account_setup(
    served: LoopbackEmulator, json_keyring: JsonKeyring
) -> None:
    # An earlier version's keyring entries for this host.
    assert credentials.save(Credentials(DEMO_LOGIN, DEMO_KEY), served.url)
    assert login_of(run("--base-url", served.url, "account", "--json")) == DEMO_LOGIN
    assert json_keyring.get_password("illvid-tui", "profile:default") == DEMO_KEY
    listed = json.loads(run("profiles", "--json").out)
    assert [(p["name"], p["key_stored"]) for p in listed] == [("default", True)]


def test_uploads_queued_under_each_profile_stay_apart(two: LoopbackEmulator) -> None:
    assert run("--profile", "a", "upload", "https://a.example/for-a.mp4").code == 0
    assert run("upload", "--profile", "b", "https://a.example/for-b.mp4").code == 0
    # Each reached its own account on the server, and its own partition of the queue.
    emu = two.emulator
    assert [j.url for j in emu.jobs.values()] == ["https://a.example/for-a.mp4"]
    assert [j.url for j in emu.accounts[OTHER_KEY].jobs.values()] == ["https://a.example/for-b.mp4"]
    db = Database(Settings.from_env().db_path)
    try:
        for login, url in ((DEMO_LOGIN, "for-a"), (OTHER_LOGIN, "for-b")):
            jobs = UploadStore(db, f"{two.url}|{login}").jobs()
            assert [j.url for j in jobs] == [f"https://a.example/{url}.mp4"]
    finally:
        db.close()
