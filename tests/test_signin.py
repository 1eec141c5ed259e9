"""Which account a run signs in as, and profile changes with their keyring entries."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import JsonKeyring

from illvid_tui.core import credentials as creds
from illvid_tui.core import signin
from illvid_tui.core.credentials import Credentials
from illvid_tui.core.profiles import Profile, ProfileError
from illvid_tui.core.settings import Settings

URL = "https://illvid.com/api"
OTHER = "https://other.example/api"
SECRET = "k3y-very-secret-123"
SECRET2 = "second-s3cret-456"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.in_dir(tmp_path, base_url=URL)


def test_first_start_of_a_single_account_setup_becomes_default(
    json_keyring: JsonKeyring, settings: Settings
) -> None:
    assert creds.save(Credentials("smith", SECRET), URL)
    first = signin.resolve(settings, environ={})
    assert first.choice.name == "default" and first.migration.profile is not None
    assert first.credentials == Credentials("smith", SECRET)
    # The next start finds the profile, not the old entries.
    again = signin.resolve(settings, environ={})
    assert again.migration.profile is None and again.credentials == Credentials("smith", SECRET)
    assert again.credentials is not None and again.credentials.source == "keyring"


def test_fresh_install_asks_for_default(json_keyring: JsonKeyring, settings: Settings) -> None:
    found = signin.resolve(settings, environ={})
    assert found.credentials is None and found.choice.name == "default"
    assert found.choice.profile is None and found.choice.base_url == URL


def test_env_credentials_override_a_stored_profile(
    json_keyring: JsonKeyring, settings: Settings
) -> None:
    store = signin.store_of(settings)
    signin.save_profile(store, Profile("work", OTHER, "smith"), Credentials("smith", SECRET))
    env = {"ILLVID_API_KEY": SECRET2, "ILLVID_API_LOGIN": "bot", "ILLVID_PROFILE": "work"}
    found = signin.resolve(settings, requested="work", environ=env)
    assert found.choice.unnamed and found.choice.label == "(environment)"
    assert found.credentials == Credentials("bot", SECRET2) and found.credentials is not None
    assert found.credentials.source == "env" and found.choice.base_url == URL
    # Without them the profile is used, with its own base URL.
    found = signin.resolve(settings, environ={"ILLVID_PROFILE": "work"})
    assert found.choice.name == "work" and found.choice.base_url == OTHER
    assert found.credentials == Credentials("smith", SECRET)


def test_two_profiles_two_keys_and_removal_deletes_the_entry(
    json_keyring: JsonKeyring, settings: Settings
) -> None:
    store = signin.store_of(settings)
    signin.save_profile(store, Profile("a", URL, "one"), Credentials("one", SECRET))
    signin.save_profile(store, Profile("b", URL, "two"), Credentials("two", SECRET2))
    assert store.last_used() == "b"
    assert signin.resolve(settings, environ={}).credentials == Credentials("two", SECRET2)
    assert signin.resolve(settings, requested="a", environ={}).credentials == Credentials(
        "one", SECRET
    )
    listed = signin.list_profiles(store)
    assert [(x.profile.name, x.key_stored, x.current) for x in listed] == [
        ("a", True, False),
        ("b", True, True),
    ]
    assert signin.remove_profile(store, "b") == ["keyring"]
    assert json_keyring.get_password("illvid-tui", "profile:b") is None
    assert json_keyring.get_password("illvid-tui", "profile:a") == SECRET
    assert list(store.load()) == ["a"]
    with pytest.raises(ProfileError):
        signin.remove_profile(store, "b")
    # The file holds no key, ever.
    assert SECRET not in store.path.read_text() and SECRET2 not in store.path.read_text()


def test_rename_moves_the_key_and_forget_keeps_the_profile(
    json_keyring: JsonKeyring, settings: Settings
) -> None:
    store = signin.store_of(settings)
    signin.save_profile(store, Profile("a", URL, "one"), Credentials("one", SECRET))
    signin.rename_profile(store, "a", "main")
    assert json_keyring.get_password("illvid-tui", "profile:a") is None
    assert signin.resolve(settings, environ={}).credentials == Credentials("one", SECRET)
    assert signin.forget_key(store, "main") == ["keyring"]
    found = signin.resolve(settings, environ={})
    assert found.choice.name == "main" and found.credentials is None


def test_without_a_keyring_the_profile_is_kept_and_the_key_is_not(
    no_keyring: None, settings: Settings
) -> None:
    store = signin.store_of(settings)
    stored = signin.save_profile(store, Profile("a", URL, "one"), Credentials("one", SECRET))
    assert stored.where is None and list(store.load()) == ["a"]
    found = signin.resolve(settings, environ={})
    assert found.credentials is None and found.loaded.no_keyring
    stored = signin.save_profile(
        store, Profile("a", URL, "one"), Credentials("one", SECRET), plain_file=True
    )
    assert stored.where == "file" and stored.path.endswith("credentials/a.json")
    assert signin.resolve(settings, environ={}).credentials == Credentials("one", SECRET)
    assert signin.list_profiles(store)[0].key_stored is True


def test_the_environments_key_needs_no_keyring_and_migrates_later(
    json_keyring: JsonKeyring, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert creds.save(Credentials("smith", SECRET), URL)
    touched: list[str] = []
    real = JsonKeyring.get_password

    def spy(self: JsonKeyring, service: str, username: str) -> str | None:
        touched.append(username)
        return real(self, service, username)

    monkeypatch.setattr(JsonKeyring, "get_password", spy)
    env = {"ILLVID_API_KEY": SECRET2}
    found = signin.resolve(settings, environ=env)
    assert found.choice.unnamed and found.credentials == Credentials("", SECRET2)
    assert touched == []  # a cron line with the key in env never loads the keyring
    # A run without it moves the single-account setup into "default" as before.
    later = signin.resolve(settings, environ={})
    assert later.migration.profile is not None and later.credentials == Credentials("smith", SECRET)
