"""The last DMCA list per account, on disk, so the DMCA screen has rows at its first frame.

One file per account, ``<state dir>/cache/dmca-<hash>.json`` (0600 in a 0700
folder; the name is a hash of the account, the content never holds the key):
when the list was fetched, its order, and the notices as
``[code, created, expires]`` (ISO dates). The screen reads it in a thread
when it opens and shows it, with its age, until the server's answer replaces
it; each unfiltered answer is written back, atomically, also from a thread.
50,000 notices make about 2.5 MB.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from illvid_tui.api.jsonio import loads_stepwise
from illvid_tui.api.models import DmcaNotice, parse_date
from illvid_tui.core.private import FILE_MODE, private_dir
from illvid_tui.gcpause import building_big_data

#: Bumped when the layout changes: an older file is ignored, not misread.
VERSION = 1
#: Notices encoded per `json.dumps` call: short holds of the GIL, not one of 40 ms.
_SLICE = 2000


@dataclass(frozen=True)
class CachedList:
    """A DMCA list as last fetched."""

    saved_at: dt.datetime
    order: str
    notices: list[DmcaNotice]


class DmcaCache:
    """The last unfiltered DMCA list of each account, in `folder` (see the module docstring)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, account: str) -> Path:
        """The file of `account` (a hash: the folder listing names no login)."""
        digest = hashlib.sha256(account.encode("utf-8")).hexdigest()[:16]
        return self.folder / f"dmca-{digest}.json"

    def load(self, account: str) -> CachedList | None:
        """The list saved for `account`; None when there is none or it can't be read."""
        try:
            raw = self.path(account).read_bytes()
        except OSError:
            return None
        try:
            with building_big_data():
                return _decode(raw, account)
        except (ValueError, TypeError, KeyError, IndexError):
            return None  # a damaged or foreign file is only a missed shortcut

    def save(
        self, account: str, order: str, notices: Sequence[DmcaNotice], saved_at: dt.datetime
    ) -> None:
        """Write the list of `account` (replacing the last one at once, never half)."""
        private_dir(self.folder)
        target = self.path(account)
        head = json.dumps(
            {
                "version": VERSION,
                "account": account,
                "saved_at": saved_at.isoformat(),
                "order": order,
            }
        )
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(head[:-1] + ', "notices": [')
                for start in range(0, len(notices), _SLICE):
                    part = [_triple(n) for n in notices[start : start + _SLICE]]
                    handle.write(("," if start else "") + json.dumps(part)[1:-1])
                handle.write("]}\n")
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def describe_age(saved_at: dt.datetime, now: dt.datetime) -> str:
    """How old a saved list is, in words: "just now", "12 min ago", "3 h ago", "2 days ago"."""
    seconds = max(0, int((now - saved_at).total_seconds()))
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86400
    return f"{days} day{'s' if days != 1 else ''} ago"


def _triple(notice: DmcaNotice) -> list[str | None]:
    created, expires = notice.created, notice.expires
    return [
        notice.file_code,
        None if created is None else created.isoformat(),
        None if expires is None else expires.isoformat(),
    ]


def _decode(raw: bytes, account: str) -> CachedList | None:
    # Element by element: a 2.5 MB json.loads would hold the GIL (and the screen) ~30 ms.
    data: Any = loads_stepwise(raw)
    if data.get("version") != VERSION or data.get("account") != account:
        return None
    notices = [DmcaNotice(str(c), parse_date(a), parse_date(b)) for c, a, b in data["notices"]]
    saved_at = dt.datetime.fromisoformat(data["saved_at"])
    return CachedList(saved_at, str(data["order"]), notices)


__all__ = ["VERSION", "CachedList", "DmcaCache", "describe_age"]
