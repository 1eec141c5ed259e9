"""`illvid-tui account`: login, balance, every other field, the upload server."""

from __future__ import annotations

import asyncio
from typing import Any

from illvid_tui.api.errors import IllvidError
from illvid_tui.cli.context import Context
from illvid_tui.cli.failures import from_api
from illvid_tui.cli.output import Exit


def run(ctx: Context) -> Exit:
    return asyncio.run(_run(ctx))


async def _run(ctx: Context) -> Exit:
    async with ctx.client() as client:
        # Both at once: the upload server does not wait for the account.
        server_task = asyncio.create_task(client.get_upload_server())
        try:
            info = await client.account_info()
        except BaseException:
            server_task.cancel()
            raise
        server: str | None = None
        server_error: IllvidError | None = None
        try:
            server = (await server_task).url
        except IllvidError as error:
            server_error = error
    doc: dict[str, Any] = {
        "login": info.login,
        "money": None if info.money is None else str(info.money),
        "upload_server": server,
        "extra": dict(info.extra),
    }
    out = ctx.out
    if out.fmt == "json":
        out.document(doc)
    else:
        out.pairs(
            [
                ("login", info.login),
                ("balance", doc["money"] if doc["money"] is not None else "unknown"),
                *((str(k), _show(v)) for k, v in info.extra.items()),
                ("upload server", server or "unknown"),
            ]
        )
    if server_error is not None:
        out.error(f"the upload server is unknown: {from_api(server_error, ctx.source).text}")
        return Exit.ATTENTION
    return Exit.OK


def _show(value: Any) -> str:
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)
