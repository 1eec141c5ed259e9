"""Which account a run signs in as, and the profile changes both front-ends make.

`resolve` is the start of every run (the app and each subcommand): the
single-account setup moves into the profile "default" on the first start,
then the profile is chosen (`profiles.choose`) and its key looked up. The
rest add, rename and remove profiles with their keys, so the keyring entries
and the opt-in plain files always follow profiles.toml.

Everything here blocks (keyring, files): the app calls it from thread workers.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from illvid_tui.core import credentials as keys
from illvid_tui.core.credentials import Credentials, Loaded
from illvid_tui.core.profiles import Choice, Migration, Profile, ProfileStore, choose, migrate
from illvid_tui.core.settings import Settings


def store_of(settings: Settings) -> ProfileStore:
    """The profile store of these settings' folders."""
    return ProfileStore(settings.config_dir, settings.state_dir)


@dataclass(frozen=True)
class Resolved:
    """The account a run uses: the profile chosen and its credentials, if any were found."""

    choice: Choice
    #: None: nothing stored for this profile (or a profile to add): ask for them.
    credentials: Credentials | None
    #: What the key lookup found out (no keyring, a locked one).
    loaded: Loaded = field(default_factory=lambda: Loaded(None))
    migration: Migration = field(default_factory=Migration)


def resolve(
    settings: Settings,
    *,
    requested: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Resolved:
    """The profile and credentials of a run (`requested`: --profile; default settings.profile).

    Raises ProfileError for a bad name or an unreadable profiles.toml.
    """
    env = os.environ if environ is None else environ
    store = store_of(settings)
    # The environment's key overrides every profile: a run with it (a cron line)
    # needs no migration, and so never loads keyring (0.1-0.2 s, D-Bus).
    done = (
        Migration()
        if keys.from_env(env) is not None
        else migrate(store, settings.base_url, settings.plain_credentials_path)
    )
    found = store.load()
    if done.incomplete and done.profile is not None:
        # A locked keyring kept the move from finishing: use what was found this time.
        found = {done.profile.name: done.profile}
    choice = choose(
        found,
        requested=requested if requested is not None else settings.profile,
        base_url=settings.base_url,
        last_used=store.last_used(),
        environ=env,
    )
    if choice.unnamed:
        return Resolved(choice, keys.from_env(env), migration=done)
    if choice.profile is None:
        problem = "The keyring could not be read (locked?)." if done.incomplete else ""
        return Resolved(choice, None, Loaded(None, problem=problem), done)
    if done.incomplete and done.credentials is not None:
        return Resolved(choice, done.credentials, Loaded(done.credentials), done)
    loaded = load_key(store, choice.profile)
    return Resolved(choice, loaded.credentials, loaded, done)


def login_target(
    settings: Settings, *, base_url: str | None = None, environ: Mapping[str, str] | None = None
) -> Choice:
    """The profile a login or logout is for, and its base URL.

    The name as for a run (--profile, $ILLVID_PROFILE, the last used,
    "default") but the environment's key does not count: a login stores a
    profile. The base URL: `base_url` (an explicit --base-url), else the
    profile's, else the run's.
    """
    env = os.environ if environ is None else environ
    store = store_of(settings)
    migrate(store, settings.base_url, settings.plain_credentials_path)
    choice = choose(
        store.load(),
        requested=settings.profile,
        base_url=settings.base_url,
        last_used=store.last_used(),
        environ={k: v for k, v in env.items() if k != keys.ENV_KEY},
    )
    return replace(choice, base_url=base_url) if base_url else choice


def load_key(store: ProfileStore, profile: Profile) -> Loaded:
    """Profile `profile`'s stored credentials (keyring, else its plain file)."""
    return store.load_key(profile)


@dataclass(frozen=True)
class Stored:
    """Where `save_profile` put the key: "keyring", "file" or None (this session only)."""

    where: str | None
    path: str = ""


def save_profile(
    store: ProfileStore,
    profile: Profile,
    credentials: Credentials,
    *,
    plain_file: bool = False,
    make_current: bool = True,
) -> Stored:
    """Add or update `profile` and keep its key: the keyring, else the opted-in 0600 file.

    Without a keyring and without the opt-in, profiles.toml still gets the
    profile (no secret in it) and the key stays with the caller's session.
    """
    store.put(profile)
    if make_current:
        store.set_last_used(profile.name)
    where = store.save_key(profile.name, credentials, plain_file=plain_file)
    return Stored(where, str(store.plain_file(profile.name)) if where == "file" else "")


def forget_key(store: ProfileStore, name: str) -> list[str]:
    """Delete profile `name`'s stored key (keyring entry, plain file); the profile stays."""
    return store.forget_key(name)


def remove_profile(store: ProfileStore, name: str) -> list[str]:
    """Remove profile `name` and its stored key; return where a key was removed from."""
    store.get(name)  # ProfileError for an unknown name, before anything is touched
    removed = forget_key(store, name)
    store.remove(name)
    return removed


def rename_profile(store: ProfileStore, old: str, new: str) -> Profile:
    """Rename a profile; its key moves to the new name's keyring entry and plain file."""
    renamed = store.rename(old, new)
    if renamed.name != old:
        store.move_key(old, new)
    return renamed


@dataclass(frozen=True)
class Listed:
    """One profile as lists show it: never the key, only whether one is stored."""

    profile: Profile
    #: True, False, or None when the keyring cannot tell (locked).
    key_stored: bool | None
    current: bool = False


def list_profiles(store: ProfileStore) -> list[Listed]:
    """Every profile, in file order, with whether a key is stored and which is the last used."""
    last = store.last_used()
    return [Listed(p, store.key_stored(p.name), p.name == last) for p in store.load().values()]
