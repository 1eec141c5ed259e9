"""What an upload server's answer means (docs/API.md, "Local upload").

Pure functions of (HTTP status, content type, body), so every answer form is
testable without a server. The forms of this API family: a JSON list
``[{"file_code", "file_status"}]``; the API envelope whose ``result`` is such a
list (``file_code``/``filecode``, ``file_status``/``status``); an old HTML page
with ``<textarea name="fn">`` and ``<textarea name="st">``; and, for errors, a
``text/plain`` ``ERROR: ...`` body.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from illvid_tui.api import redact
from illvid_tui.api.errors import (
    IllvidError,
    UnknownOutcomeError,
    UploadRefusedError,
    error_for_status,
)

OP = "upload"
_TEXTAREA = re.compile(
    r"""<textarea[^>]*\bname\s*=\s*["']?(fn|st)["']?[^>]*>(.*?)</textarea>""",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class UploadResult:
    """A file the upload server stored: its code, the status word, any other field."""

    file_code: str
    status: str = "OK"
    extra: Mapping[str, Any] = field(default_factory=dict)


def read_answer(http_status: int, content_type: str, body: bytes) -> UploadResult | IllvidError:
    """The outcome of an upload whose whole body was sent and that got this answer.

    An answer nobody can read is an unknown outcome: the server had the whole
    file and may have kept it.
    """
    text = body.decode("utf-8", "replace").strip()
    if text.upper().startswith("ERROR"):
        message = text.partition(":")[2].strip() or text
        return UploadRefusedError(http_status, _short(message), op=OP)
    item = _item_from_json(text) if text[:1] in "[{" else None
    if isinstance(item, IllvidError):
        return item
    if item is None and "textarea" in text.lower():
        pairs = _TEXTAREA.findall(text)
        found = {name.lower(): html.unescape(value).strip() for name, value in pairs}
        if "fn" in found or "st" in found:
            item = {"file_code": found.get("fn", ""), "file_status": found.get("st", "")}
    if item is None:
        kind = content_type.split(";")[0].strip() or "no content type"
        return UnknownOutcomeError(
            http_status,
            f"HTTP {http_status} with an answer that could not be read ({kind});"
            " the server may or may not have kept the file",
            op=OP,
        )
    return _result(http_status, item)


def _item_from_json(text: str) -> Mapping[str, Any] | IllvidError | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, Mapping) and "status" in data and "result" in data:
        try:
            status = int(str(data["status"]).strip())
        except ValueError:
            status = 0
        if status != 200:
            msg = redact.text(str(data.get("msg") or ""))
            error = error_for_status(status or 500, _short(msg), op=OP)
            return UploadRefusedError(status, error.msg or error.title, op=OP)
        data = data["result"]
    if isinstance(data, list) and data:
        data = data[0]
    if isinstance(data, Mapping) and any(k in data for k in _CODE_KEYS + _STATUS_KEYS):
        return data
    return None


_CODE_KEYS = ("file_code", "filecode", "fn")
_STATUS_KEYS = ("file_status", "status", "st")


def _result(http_status: int, item: Mapping[str, Any]) -> UploadResult | IllvidError:
    code = next((str(item[k]).strip() for k in _CODE_KEYS if item.get(k) not in (None, "")), "")
    status = next((str(item[k]).strip() for k in _STATUS_KEYS if item.get(k) not in (None, "")), "")
    ok = status.upper() == "OK"
    if ok and http_status < 400:
        if code:
            extra = {k: v for k, v in item.items() if k not in _CODE_KEYS + _STATUS_KEYS}
            return UploadResult(code, status, extra)
        return UnknownOutcomeError(http_status, "the server said OK but sent no file code", op=OP)
    text = status if status and not ok else f"HTTP {http_status}"
    return UploadRefusedError(http_status, _short(text), op=OP)


def _short(text: str) -> str:
    """Server text as it may be shown: one line, bounded, with any key masked."""
    line = " ".join(redact.text(text).split())
    return line if len(line) <= 300 else line[:299] + "…"
