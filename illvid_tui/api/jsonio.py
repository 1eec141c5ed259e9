"""JSON decoding that never holds the event loop for long.

`json.loads` of a 5 MB answer (50,000 DMCA notices) holds the loop ~50-90 ms,
and moving that one call to a thread does not help: the C decoder keeps the
GIL for the whole call. Big bodies are decoded here element by element
instead, in a thread: each element with the C scanner, the loop between them
in Python, where the interpreter hands the GIL back every few milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any, cast

from illvid_tui.gcpause import building_big_data

#: Bodies smaller than this decode in one call (well under a millisecond).
COOPERATIVE_FROM = 256 * 1024
_WS = re.compile(r"[ \t\n\r]*")
_SPACE = frozenset(" \t\n\r")
# The C scanner behind json.loads: (value, end) for the JSON value at an index.
_scan: Callable[[str, int], tuple[Any, int]] = cast(Any, json.JSONDecoder()).scan_once


async def loads(content: bytes) -> Any:
    """Decode `content` like `json.loads`; raises ValueError when it is not JSON."""
    if len(content) < COOPERATIVE_FROM:
        return json.loads(content)
    return await asyncio.to_thread(_loads_big, content)


def _loads_big(content: bytes) -> Any:
    with building_big_data():
        return loads_stepwise(content)


def loads_stepwise(content: bytes | str) -> Any:
    """`json.loads`, one array element at a time: slower by a little, never a long hold."""
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    start = _skip(text, 0)
    if not text.startswith("{", start):
        return json.loads(text)
    value, end = _object(text, start)
    if _skip(text, end) != len(text):
        raise ValueError(f"extra data after the JSON value at {end}")
    return value


def peek_array(
    content: bytes | str, key: str, limit: int
) -> tuple[dict[str, Any], list[Any]] | None:
    """The members before `key` and the first `limit` elements of the array at `key`.

    For showing the start of a long answer before it is decoded whole: only
    the head of the text is read (microseconds), and `content` may be a mere
    prefix of the body (the elements cut off are left out). None when the
    text is no object, `key` is not found at the top level, or its value is
    no array. A peek is a preview: the full decode still decides.
    """
    if isinstance(content, bytes):
        # Enough for `limit` elements of a flat array; a cut character is dropped.
        content = content[: 64 * 1024 + 512 * limit].decode("utf-8", errors="ignore")
    text = content
    try:
        i = _skip(text, 0)
        i = _skip(text, _expect(text, i, "{"))
        before: dict[str, Any] = {}
        while not text.startswith("}", i):
            name, i = _value(text, i)
            i = _skip(text, _expect(text, _skip(text, i), ":"))
            if name == key:
                return (before, _head(text, i, limit)) if text.startswith("[", i) else None
            before[str(name)], i = _value(text, i)
            i = _skip(text, i)
            if not text.startswith(",", i):
                return None
            i = _skip(text, i + 1)
    except (ValueError, IndexError):
        return None
    return None


def _head(text: str, i: int, limit: int) -> list[Any]:
    out: list[Any] = []
    i = _skip(text, i + 1)
    while len(out) < limit and not text.startswith("]", i):
        try:
            item, i = _value(text, i)
        except ValueError:
            break  # the prefix ends inside this element
        out.append(item)
        i = _skip(text, i)
        if not text.startswith(",", i):
            break
        i = _skip(text, i + 1)
    return out


def _skip(text: str, i: int) -> int:
    """The index of the first non-space character at or after `i`."""
    if i < len(text) and text[i] not in _SPACE:
        return i
    match = _WS.match(text, i)
    return match.end() if match else i


def _value(text: str, i: int) -> tuple[Any, int]:
    try:
        return _scan(text, i)
    except StopIteration as exc:
        raise ValueError(f"expected a JSON value at {exc.value}") from None


def _expect(text: str, i: int, char: str) -> int:
    if not text.startswith(char, i):
        raise ValueError(f"expected {char!r} at {i}")
    return i + 1


def _object(text: str, i: int) -> tuple[dict[str, Any], int]:
    out: dict[str, Any] = {}
    i = _skip(text, _expect(text, i, "{"))
    if text.startswith("}", i):
        return out, i + 1
    while True:
        key, i = _value(text, _skip(text, i))
        if not isinstance(key, str):
            raise ValueError(f"an object key that is not a string at {i}")
        i = _skip(text, _expect(text, _skip(text, i), ":"))
        if text.startswith("[", i):
            out[key], i = _array(text, i)
        else:
            out[key], i = _value(text, i)
        i = _skip(text, i)
        if text.startswith("}", i):
            return out, i + 1
        i = _expect(text, i, ",")


def _array(text: str, i: int) -> tuple[list[Any], int]:
    out: list[Any] = []
    append = out.append
    i = _skip(text, _expect(text, i, "["))
    if text.startswith("]", i):
        return out, i + 1
    while True:
        item, i = _value(text, _skip(text, i))
        append(item)
        char = text[i : i + 1]
        if char == ",":
            i += 1
        elif char == "]":
            return out, i + 1
        else:
            i = _skip(text, i)
            if text.startswith("]", i):
                return out, i + 1
            i = _skip(text, _expect(text, i, ","))
