"""`illvid-tui login` and `illvid-tui logout`: a profile's credentials, for the app and scripts.

`login` asks the login and key on the terminal (the key without echo), or
takes the login from `--login` and the key from stdin with `--key-stdin`;
checks them with `account_info` on the profile's base URL (`--base-url`
changes it); then adds or updates the profile (`--profile`, else the last
used, else "default") with its key in the keyring. Where no keyring backend
works it says so and stores no key, unless `--plain-file` asks for the 0600
plain file (as the login screen offers). `logout` forgets the profile's key.
core.signin does the storing, for both front-ends.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from illvid_tui.cli.context import Context
from illvid_tui.cli.output import CliError, Exit, isatty
from illvid_tui.core import credentials as store
from illvid_tui.core import signin
from illvid_tui.core.profiles import Profile, ProfileError


def run(ctx: Context) -> Exit:
    if ctx.settings.demo:
        raise CliError(Exit.USAGE, "the demo needs no login: it signs in by itself")
    if ctx.args.command == "logout":
        return _logout(ctx)
    return _login(ctx)


def _ask(ctx: Context) -> store.Credentials:
    streams = ctx.runtime.streams
    login = ctx.args.login
    if ctx.args.key_stdin:
        key = streams.stdin.readline().strip()
        if not key:
            raise CliError(Exit.USAGE, "--key-stdin: stdin held no key")
        return store.Credentials(login or "", key, source="login")
    if not isatty(streams.stdin):
        raise CliError(
            Exit.USAGE, "no terminal to ask the key on: pipe it in with --key-stdin instead"
        )
    import getpass

    try:
        if login is None:
            streams.stderr.write("API login (User Panel, User Settings): ")
            streams.stderr.flush()
            login = streams.stdin.readline().strip()
        key = getpass.getpass("API key (not shown): ", stream=streams.stderr).strip()
    except EOFError:
        raise CliError(Exit.USAGE, "no key given") from None
    if not key:
        raise CliError(Exit.USAGE, "no key given")
    return store.Credentials(login, key, source="login")


def _login(ctx: Context) -> Exit:
    try:
        target = signin.login_target(ctx.settings, base_url=ctx.args.base_url, environ=ctx.environ)
    except ProfileError as exc:
        raise CliError(Exit.USAGE, str(exc)) from None
    name, base_url = target.name, target.base_url
    ctx.settings = replace(ctx.settings, base_url=base_url)  # the check goes there
    given = _ask(ctx)
    info = asyncio.run(_check(ctx, given))
    # A key alone is enough to sign in; keep the login the server names.
    creds = store.Credentials(given.login or info, given.key, source="login")
    profiles = signin.store_of(ctx.settings)
    try:
        stored = signin.save_profile(
            profiles, Profile(name, base_url, creds.login), creds, plain_file=ctx.args.plain_file
        )
    except ProfileError as exc:
        raise CliError(Exit.USAGE, str(exc)) from None
    doc: dict[str, Any] = {
        "profile": name,
        "base_url": base_url,
        "login": creds.login,
        "stored": stored.where,
        "path": stored.path or None,
    }
    out = ctx.out
    if out.fmt == "json":
        out.document(doc)
    who = f"Signed in as {creds.login}" if creds.login else "The key works"
    if stored.where == "keyring":
        out.note(f"{who}; profile {name} stored, its key in the system keyring.")
    elif stored.where == "file":
        out.note(
            f"{who}; profile {name} stored, its key in the plain file {stored.path} "
            "(mode 0600, not encrypted)."
        )
    else:
        ctx.out.error(
            f"{who}, but the key was not stored (profile {name} keeps the base URL and "
            f"login): {store.NO_KEYRING_HELP.split(': ', 1)[0]}. Next: --plain-file stores "
            f"it in a 0600 file, or set {store.ENV_LOGIN} and {store.ENV_KEY}."
        )
        return Exit.ATTENTION
    return Exit.OK


async def _check(ctx: Context, given: store.Credentials) -> str:
    """The login account_info answers for these credentials (a 403 ends with exit 4)."""
    async with ctx.client(given) as client:
        info = await client.account_info()
    return info.login


def _logout(ctx: Context) -> Exit:
    try:
        name = signin.login_target(ctx.settings, environ=ctx.environ).name
        profiles = signin.store_of(ctx.settings)
        known = name in profiles.load()
    except ProfileError as exc:
        raise CliError(Exit.USAGE, str(exc)) from None
    if not known and ctx.settings.profile is not None:
        raise CliError(Exit.USAGE, f"no profile named {name!r}")
    removed = signin.forget_key(profiles, name) if known else []
    out = ctx.out
    if out.fmt == "json":
        out.document({"profile": name, "removed": removed})
    if removed:
        out.note(f"Profile {name}: forgot the stored key ({', '.join(removed)}).")
    else:
        out.note(f"Profile {name}: no stored key found.")
    if store.from_env(ctx.environ) is not None:
        out.note(f"{store.ENV_KEY} is still set in the environment: it is used until unset.")
    return Exit.OK
