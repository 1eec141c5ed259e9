"""Typed results parsed from the API's raw JSON.

Parsers are tolerant: numbers may come as strings, ids as ints, and results
may carry fields the seed does not list. Unknown fields are kept in `extra`.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from illvid_tui.api import redact

# Re-exported: the app's first frame reads the last run's account through
# api.account_info alone; everything else keeps naming `AccountInfo` here.
from illvid_tui.api.account_info import AccountInfo as AccountInfo
from illvid_tui.api.account_info import one_mapping as _mapping
from illvid_tui.api.account_info import parse_decimal as parse_decimal
from illvid_tui.api.account_info import text_or_none as _text
from illvid_tui.api.errors import InvalidResponseError


def parse_date(value: Any) -> dt.date | None:
    """A `YYYY-MM-DD` date (a time part is ignored); None when absent or unreadable."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value
    return _date_from_text(str(value).strip()[:10])


@functools.lru_cache(maxsize=4096)
def _date_from_text(text: str) -> dt.date | None:
    # Long lists carry few distinct dates (50,000 notices, a few hundred days).
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class BatchDone:
    """One `check_files` batch answered: `codes` sent, `missing` among them.

    Here, not in client.py, so the Files screen can name it without importing httpx.
    """

    codes: tuple[str, ...]
    missing: tuple[str, ...]


class UploadState(enum.Enum):
    """What a remote upload's status means to us (API.md: gap rules)."""

    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


_FAILED_WORDS = ("error", "fail", "broken")


def upload_state(status: str | None, file_code: str | None) -> UploadState:
    """Classify a status word: a file code means done; error/failed/broken mean failed."""
    if file_code:
        return UploadState.DONE
    word = (status or "").lower()
    if any(w in word for w in _FAILED_WORDS):
        return UploadState.FAILED
    return UploadState.RUNNING


@dataclass(frozen=True)
class UploadStatus:
    """`check_upload_url`: where a queued remote upload stands."""

    queue_id: str
    status: str
    url: str | None = None
    file_code: str | None = None
    progress: str | None = None
    error: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def state(self) -> UploadState:
        return upload_state(self.status, self.file_code)

    @classmethod
    def from_result(cls, queue_id: str, result: Any) -> UploadStatus:
        data = _mapping(result, "check_upload_url")
        known = ("status", "url", "file_code", "progress", "error")
        extra = {k: v for k, v in data.items() if k not in known}
        # Some servers name the error text differently; show whatever came.
        error = _text(data.get("error") or extra.get("error_msg") or extra.get("message"))
        return cls(
            queue_id=queue_id,
            # Server-written text is stored in SQLite and shown: a key echoed
            # back in it (``...?key=...``) must not travel further.
            status=redact.text(_text(data.get("status")) or ""),
            url=_text(data.get("url")),
            file_code=_text(data.get("file_code")) or None,
            progress=_text(data.get("progress")),
            error=None if error is None else redact.text(error),
            extra=extra,
        )


@dataclass(frozen=True, slots=True)
class DmcaNotice:
    """One entry of `files_dmca`."""

    file_code: str
    created: dt.date | None
    expires: dt.date | None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_result(cls, item: Any) -> DmcaNotice:
        data = _mapping(item, "files_dmca")
        known = ("file_code", "dmca_created", "dmca_expire")
        return cls(
            file_code=_text(data.get("file_code")) or "",
            created=parse_date(data.get("dmca_created")),
            expires=parse_date(data.get("dmca_expire")),
            extra={k: v for k, v in data.items() if k not in known},
        )


def parse_dmca_list(result: Any) -> list[DmcaNotice]:
    """`files_dmca`'s result: a list (an empty answer may come as null or {})."""
    if result in (None, "", {}, False):
        return []
    if isinstance(result, Mapping):
        # Tolerate {"files": [...]} or a single object.
        inner = next((v for v in result.values() if isinstance(v, list)), None)
        result = inner if inner is not None else [result]
    if not isinstance(result, list):
        raise InvalidResponseError(200, "expected a list of notices", op="files_dmca")
    return [_notice(item) for item in result]


def _notice(item: Any) -> DmcaNotice:
    # The usual shape, exactly the three documented text fields, skips the
    # general parser: 50,000 notices are read several times faster this way.
    if type(item) is dict and len(item) == 3:
        code, created, expires = (
            item.get("file_code"),
            item.get("dmca_created"),
            item.get("dmca_expire"),
        )
        if type(code) is str and type(created) is str and type(expires) is str:
            return DmcaNotice(code, _date_from_text(created[:10]), _date_from_text(expires[:10]))
    return DmcaNotice.from_result(item)


def parse_code_list(result: Any) -> list[str]:
    """`check_files`' result: codes not found, as a list, objects or a joined string."""
    if result in (None, "", False, True, {}):
        return []
    if isinstance(result, str):
        return [c for c in (p.strip() for p in result.replace("\n", ",").split(",")) if c]
    if isinstance(result, Mapping):
        result = next((v for v in result.values() if isinstance(v, list)), list(result.keys()))
    codes: list[str] = []
    for item in result:
        if isinstance(item, Mapping):
            code = _text(item.get("file_code") or item.get("code") or item.get("filecode"))
        else:
            code = _text(item)
        if code:
            codes.append(code)
    return codes


def parse_bool(result: Any) -> bool:
    """`file_renew`'s result: true/false, "1"/"0", or an object (success)."""
    if isinstance(result, bool):
        return result
    if isinstance(result, int | float):
        return result != 0
    if isinstance(result, str):
        return result.strip().lower() not in ("", "0", "false", "no", "fail", "failed")
    if isinstance(result, Mapping):
        for key in ("renewed", "result", "success", "ok"):
            if key in result:
                return parse_bool(result[key])
        return True
    return result is not None


@dataclass(frozen=True)
class UploadServer:
    """`get_upload_server`: where local files go, and the session the server gave.

    The answer is a bare URL or an object with ``url`` and perhaps ``sess_id``
    (``srv_id``, ``disk_id`` and the like are kept in `extra`).
    """

    url: str
    sess_id: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.url

    @classmethod
    def from_result(cls, result: Any) -> UploadServer:
        if isinstance(result, list) and len(result) == 1:
            result = result[0]
        if isinstance(result, str) and result.strip():
            return cls(result.strip())
        if isinstance(result, Mapping):
            url = result.get("url") or result.get("upload_url") or result.get("server")
            if isinstance(url, str) and url.strip():
                known = ("url", "upload_url", "server", "sess_id")
                return cls(
                    url=url.strip(),
                    sess_id=_text(result.get("sess_id")) or None,
                    extra={k: v for k, v in result.items() if k not in known},
                )
        raise InvalidResponseError(200, "the answer carried no URL", op="get_upload_server")
