"""What the last run learned of each account, shown at the next start's first frame.

A small JSON file in the state dir (mode 0600): per account (``base_url|login``)
the last `account_info` answer, the upload server and when they came. Never
the key: the text written is redacted, and no field of ours holds it. Read
with the standard library only (json), so the first frame does not wait for
httpx or keyring. A missing or unreadable file is no cache, never an error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from illvid_tui.api import redact
from illvid_tui.api.account_info import AccountInfo
from illvid_tui.api.errors import IllvidError

FILE_NAME = "account-cache.json"
_VERSION = 1
_writing = threading.Lock()


@dataclass(frozen=True)
class Known:
    """One account as the server last described it."""

    #: The account's partition, ``f"{base_url}|{login}"``.
    account_id: str
    info: AccountInfo
    upload_server: str | None
    #: When the answer came (aware, UTC).
    saved_at: dt.datetime


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return {}
    return data


def _known(account_id: str, entry: Any) -> Known | None:
    if not isinstance(entry, dict):
        return None
    try:
        saved_at = dt.datetime.fromisoformat(str(entry["saved_at"]))
        info = AccountInfo.from_result(entry["info"])
    except (KeyError, ValueError, TypeError, IllvidError):
        return None
    if saved_at.tzinfo is None:
        return None
    server = entry.get("upload_server")
    return Known(account_id, info, server if isinstance(server, str) else None, saved_at)


def read(path: Path, base_url: str, login: str | None = None) -> Known | None:
    """The account `login` on `base_url`, or (login None) the last one seen there."""
    data = _read_file(path)
    accounts = data.get("accounts")
    if not isinstance(accounts, dict):
        return None
    if login is None:
        last = data.get("last")
        account_id = last.get(base_url) if isinstance(last, dict) else None
        if not isinstance(account_id, str):
            return None
    else:
        account_id = f"{base_url}|{login}"
    return _known(account_id, accounts.get(account_id))


def write(path: Path, known: Known) -> None:
    """Keep `known` (replacing that account's entry), atomically, mode 0600.

    Writers in one process take turns (read, merge, replace); another process
    writing at the same moment may win, which loses nothing but its entry.
    """
    with _writing:
        _write(path, known)


def _write(path: Path, known: Known) -> None:
    data = _read_file(path)
    accounts = data.get("accounts")
    accounts = accounts if isinstance(accounts, dict) else {}
    last = data.get("last")
    last = last if isinstance(last, dict) else {}
    info = known.info
    money = None if info.money is None else format(info.money, "f")
    accounts[known.account_id] = {
        "info": {**info.extra, "login": info.login, "money": money},
        "upload_server": known.upload_server,
        "saved_at": known.saved_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
    }
    last[known.account_id.rsplit("|", 1)[0]] = known.account_id
    text = redact.text(json.dumps({"version": _VERSION, "accounts": accounts, "last": last}))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(name)  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def age_text(saved_at: dt.datetime, now: dt.datetime) -> str:
    """How old `saved_at` is, for people: "just now", "12 min ago", "3 h ago", "5 days ago"."""
    seconds = (now - saved_at).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    return "1 day ago" if days == 1 else f"{days} days ago"
