"""`illvid-tui login` and `illvid-tui logout`: credentials for the app and the scripts.

`login` asks the login and key on the terminal (the key without echo), or
takes the login from `--login` and the key from stdin with `--key-stdin`;
checks them with `account_info`; then stores them in the keyring. Where no
keyring backend works it says so and stores nothing, unless `--plain-file`
asks for the 0600 plain file (as the login screen offers). core.credentials
does the storing, for both front-ends.
"""

from __future__ import annotations

import asyncio
from typing import Any

from illvid_tui.cli.context import Context
from illvid_tui.cli.output import CliError, Exit
from illvid_tui.core import credentials as store


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
    if not _isatty(streams.stdin):
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
    given = _ask(ctx)
    info = asyncio.run(_check(ctx, given))
    # A key alone is enough to sign in; keep the login the server names.
    creds = store.Credentials(given.login or info, given.key, source="login")
    base_url = ctx.settings.base_url
    path = ctx.settings.plain_credentials_path
    stored: str | None
    if ctx.args.plain_file:
        store.write_plain_file(path, creds)
        stored = "file"
    elif store.save(creds, base_url):
        stored = "keyring"
    else:
        stored = None
    doc: dict[str, Any] = {
        "login": creds.login,
        "stored": stored,
        "path": str(path) if stored == "file" else None,
    }
    out = ctx.out
    if out.fmt == "json":
        out.document(doc)
    who = f"Signed in as {creds.login}" if creds.login else "The key works"
    if stored == "keyring":
        out.note(f"{who}; stored in the system keyring.")
    elif stored == "file":
        out.note(f"{who}; stored in the plain file {path} (mode 0600, not encrypted).")
    else:
        ctx.out.error(
            f"{who}, but nothing was stored: {store.NO_KEYRING_HELP.split(': ', 1)[0]}. "
            f"Next: --plain-file stores it in a 0600 file, or set {store.ENV_LOGIN} "
            f"and {store.ENV_KEY}."
        )
        return Exit.ATTENTION
    return Exit.OK


async def _check(ctx: Context, given: store.Credentials) -> str:
    """The login account_info answers for these credentials (a 403 ends with exit 4)."""
    async with ctx.client(given) as client:
        info = await client.account_info()
    return info.login


def _logout(ctx: Context) -> Exit:
    removed = store.forget(ctx.settings.base_url, ctx.settings.plain_credentials_path)
    out = ctx.out
    if out.fmt == "json":
        out.document({"removed": removed})
    if removed:
        out.note(f"Forgot the stored login and key ({', '.join(removed)}).")
    else:
        out.note("No stored login or key found.")
    if store.from_env(ctx.environ) is not None:
        out.note(f"{store.ENV_KEY} is still set in the environment: it is used until unset.")
    return Exit.OK


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False
