"""Profiles: profiles.toml, last used, which one a run uses, per-profile keys, the migration."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import keyring
import pytest
from conftest import JsonKeyring
from keyring.errors import KeyringLocked

from illvid_tui.core import credentials as creds
from illvid_tui.core import profiles
from illvid_tui.core.credentials import Credentials
from illvid_tui.core.profiles import Choice, Profile, ProfileError, ProfileStore
from illvid_tui.core.settings import Settings

URL = "https://illvid.com/api"
OTHER = "https://other.example/api"
SECRET = "k3y-very-secret-123"
SECRET2 = "second-s3cret-456"


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(tmp_path / "config", tmp_path / "state")


def test_round_trip_keeps_order_and_odd_logins(store: ProfileStore) -> None:
    assert store.load() == {} and not store.exists()
    store.put(Profile("work", URL, "smith"))
    store.put(Profile("b.2", OTHER, 'quote" back\\slash \t tab'))
    store.put(Profile("work", OTHER, "smith2"))  # an update stays in place
    loaded = store.load()
    assert list(loaded) == ["work", "b.2"]
    assert loaded["work"] == Profile("work", OTHER, "smith2")
    assert loaded["b.2"].login == 'quote" back\\slash \t tab'
    # Plain TOML any tool reads, with no secret in it.
    data = tomllib.loads(store.path.read_text())
    assert data["profiles"]["b.2"]["base_url"] == OTHER


def test_bad_names_and_bad_files_are_refused_with_a_reason(store: ProfileStore) -> None:
    for bad in ("", " ", "-x", "a b", "x" * 65, "ä", "a/b"):
        with pytest.raises(ProfileError, match="bad profile name"):
            store.put(Profile(bad, URL))
    with pytest.raises(ProfileError, match="plain http"):
        store.put(Profile("x", "http://example.com/api"))
    store.path.parent.mkdir(parents=True)
    store.path.write_text("[profiles.a]\nbase_url = \n")
    with pytest.raises(ProfileError, match="not valid TOML"):
        store.load()
    # A broken file is never overwritten by a write.
    with pytest.raises(ProfileError):
        store.put(Profile("b", URL))
    store.path.write_text('[profiles.a]\nlogin = "x"\n')
    with pytest.raises(ProfileError, match="needs base_url"):
        store.load()


def test_rename_remove_and_last_used(store: ProfileStore) -> None:
    store.put(Profile("a", URL, "one"))
    store.put(Profile("b", URL, "two"))
    store.set_last_used("a")
    assert store.rename("a", "c") == Profile("c", URL, "one")
    assert list(store.load()) == ["c", "b"]
    assert store.last_used() == "c"
    with pytest.raises(ProfileError, match="exists already"):
        store.rename("c", "b")
    with pytest.raises(ProfileError, match="no profile named 'zz'"):
        store.get("zz")
    store.remove("c")
    assert list(store.load()) == ["b"] and store.last_used() is None
    with pytest.raises(ProfileError):
        store.remove("c")


def test_choose_order_env_option_env_name_last_used_default() -> None:
    two = {"a": Profile("a", URL, "one"), "b": Profile("b", OTHER, "two")}
    # Nothing yet: the profile "default", to be added, on the run's base URL.
    assert profiles.choose({}, requested=None, base_url=URL, last_used=None, environ={}) == Choice(
        "default", URL
    )
    # No last used, no "default": the first one.
    first = profiles.choose(two, requested=None, base_url=URL, last_used=None, environ={})
    assert first.profile == two["a"]
    last = profiles.choose(two, requested=None, base_url=URL, last_used="b", environ={})
    assert last.name == "b" and last.base_url == OTHER  # a profile keeps its base URL
    env_name = {"ILLVID_PROFILE": "a"}
    assert (
        profiles.choose(two, requested=None, base_url=URL, last_used="b", environ=env_name).name
        == "a"
    )
    assert (
        profiles.choose(two, requested="b", base_url=URL, last_used="a", environ=env_name).name
        == "b"
    )
    # An unknown name is a profile to add, on the run's base URL.
    new = profiles.choose(two, requested="new", base_url=URL, last_used="a", environ={})
    assert new == Choice("new", URL) and new.profile is None
    with pytest.raises(ProfileError):
        profiles.choose(two, requested="a b", base_url=URL, last_used=None, environ={})
    # The environment's key overrides everything: the unnamed profile.
    env = {"ILLVID_API_KEY": SECRET, "ILLVID_PROFILE": "a"}
    unnamed = profiles.choose(two, requested="b", base_url=URL, last_used="a", environ=env)
    assert unnamed.unnamed and unnamed.label == "(environment)" and unnamed.base_url == URL


def test_one_keyring_entry_per_profile(json_keyring: JsonKeyring, store: ProfileStore) -> None:
    assert creds.save_profile_key("a", SECRET) and creds.save_profile_key("b", SECRET2)
    a = creds.load_profile("a", "one").credentials
    assert a == Credentials("one", SECRET) and a is not None and a.source == "keyring"
    assert creds.key_stored("b") is True and creds.key_stored("c") is False
    creds.move_profile_key("b", "c")
    assert creds.key_stored("b") is False
    assert creds.load_profile("c", "two").credentials == Credentials("two", SECRET2)
    assert creds.forget_profile("c") == ["keyring"]
    assert creds.forget_profile("c") == []
    # The other profile's key is untouched; no entry holds a login.
    assert json_keyring.get_password("illvid-tui", "profile:a") == SECRET
    assert json_keyring.get_password("illvid-tui", "profile:c") is None


def test_without_a_keyring_each_profile_has_its_own_plain_file(
    no_keyring: None, store: ProfileStore
) -> None:
    assert creds.save_profile_key("a", SECRET) is False
    assert creds.load_profile("a", "one").no_keyring is True
    path_a, path_b = store.plain_file("a"), store.plain_file("b")
    creds.write_plain_file(path_a, Credentials("one", SECRET))
    assert stat.S_IMODE(path_a.stat().st_mode) == 0o600
    assert creds.load_profile("a", "one", path_a).credentials == Credentials("one", SECRET)
    assert creds.load_profile("b", "two", path_b).credentials is None
    assert creds.key_stored("a", path_a) is True and creds.key_stored("b", path_b) is False
    creds.move_profile_key("a", "b", path_a, path_b)
    assert not path_a.exists() and stat.S_IMODE(path_b.stat().st_mode) == 0o600
    assert creds.forget_profile("b", path_b) == [str(path_b)]


def test_migration_moves_the_single_account_keyring_entries(
    json_keyring: JsonKeyring, store: ProfileStore
) -> None:
    assert creds.save(Credentials("smith", SECRET), URL)
    done = profiles.migrate(store, URL, store.config_dir / "credentials.json")
    assert done.profile == Profile("default", URL, "smith") and not done.incomplete
    assert done.credentials == Credentials("smith", SECRET)
    assert store.load() == {"default": Profile("default", URL, "smith")}
    assert store.last_used() == "default"
    # The key moved: one entry for the profile, none left under the old names.
    assert json_keyring.get_password("illvid-tui", "profile:default") == SECRET
    assert creds.load(URL).credentials is None
    assert SECRET not in store.path.read_text()
    # Once there is a profiles.toml it never runs again.
    assert creds.save(Credentials("other", SECRET2), URL)
    assert profiles.migrate(store, URL, None) == profiles.Migration()
    assert store.load() == {"default": Profile("default", URL, "smith")}


def test_migration_moves_the_opted_in_plain_file(no_keyring: None, store: ProfileStore) -> None:
    legacy = store.config_dir / "credentials.json"
    creds.write_plain_file(legacy, Credentials("smith", SECRET))
    done = profiles.migrate(store, URL, legacy)
    assert done.profile == Profile("default", URL, "smith")
    assert not legacy.exists()
    moved = store.plain_file("default")
    assert stat.S_IMODE(moved.stat().st_mode) == 0o600
    assert creds.load_profile("default", "smith", moved).credentials == Credentials("smith", SECRET)


def test_nothing_to_migrate_writes_nothing(json_keyring: JsonKeyring, store: ProfileStore) -> None:
    assert profiles.migrate(store, URL, store.config_dir / "credentials.json") == (
        profiles.Migration()
    )
    assert not store.exists()


def test_settings_dirs_make_the_store(tmp_path: Path) -> None:
    settings = Settings.in_dir(tmp_path)
    store = ProfileStore(settings.config_dir, settings.state_dir)
    store.put(Profile("a", URL))
    assert (tmp_path / "config" / "profiles.toml").exists()
    store.set_last_used("a")
    assert (tmp_path / "state" / "last-profile").read_text() == "a\n"


class LockedKeyring(JsonKeyring):
    """A keyring that is there but cannot be read now (locked)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")


def test_a_locked_keyring_is_migrated_on_a_later_start(tmp_path: Path, store: ProfileStore) -> None:
    keyring.set_keyring(LockedKeyring(tmp_path / "k.json"))
    assert profiles.migrate(store, URL, None) == profiles.Migration(incomplete=True)
    assert not store.exists()
    backend = JsonKeyring(tmp_path / "k.json")
    keyring.set_keyring(backend)
    assert creds.save(Credentials("smith", SECRET), URL)
    assert profiles.migrate(store, URL, None).profile == Profile("default", URL, "smith")
