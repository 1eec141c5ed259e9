"""`illvid-tui profiles`: every profile with its base URL, login and whether a key is stored.

Never the key. The last used one (what a run without --profile uses) is
marked; where ILLVID_API_KEY is set, a note says it overrides them all.
"""

from __future__ import annotations

from illvid_tui.cli.context import Context
from illvid_tui.cli.output import CliError, Exit
from illvid_tui.core import credentials as store
from illvid_tui.core import signin
from illvid_tui.core.profiles import ProfileError, migrate


def run(ctx: Context) -> Exit:
    if ctx.settings.demo:
        raise CliError(Exit.USAGE, "the demo has one account and no profiles")
    profiles = signin.store_of(ctx.settings)
    try:
        migrate(profiles, ctx.settings.base_url, ctx.settings.plain_credentials_path)
        listed = signin.list_profiles(profiles)
    except ProfileError as exc:
        raise CliError(Exit.USAGE, str(exc)) from None
    out = ctx.out
    if out.fmt == "json":
        out.document(
            [
                {
                    "name": item.profile.name,
                    "base_url": item.profile.base_url,
                    "login": item.profile.login,
                    "key_stored": item.key_stored,
                    "last_used": item.current,
                }
                for item in listed
            ]
        )
    elif listed:
        out.table(
            ["", "PROFILE", "LOGIN", "BASE URL", "KEY"],
            [
                [
                    "*" if item.current else "",
                    item.profile.name,
                    item.profile.login,
                    item.profile.base_url,
                    {True: "stored", False: "not stored", None: "? (keyring locked)"}[
                        item.key_stored
                    ],
                ]
                for item in listed
            ],
        )
    else:
        out.note("No profiles yet: `illvid-tui --profile NAME login` adds one.")
    if store.from_env(ctx.environ) is not None:
        out.note(f"{store.ENV_KEY} is set: it overrides every profile until unset.")
    return Exit.OK
