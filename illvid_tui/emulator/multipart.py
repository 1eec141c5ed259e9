"""A streaming ``multipart/form-data`` reader for the emulator's upload server.

Fed the body piece by piece, it hands file bytes to a sink as they come (so a
1 GiB upload is counted and hashed, never held) and keeps small fields whole.
Written from RFC 7578 / RFC 2046, not from any client.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

#: The most a non-file field may hold (a key, a session id, a folder name).
MAX_FIELD = 64 * 1024
_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


class MultipartError(ValueError):
    """The body is not well-formed multipart (the text goes into the answer)."""


def boundary_of(content_type: str) -> str | None:
    """The boundary of a ``multipart/form-data`` content type, else None."""
    kind, _, rest = content_type.partition(";")
    if kind.strip().lower() != "multipart/form-data":
        return None
    params = _params(";" + rest)
    return params.get("boundary") or None


def _params(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in _PARAM.findall(text):
        value = value.strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out[name.lower()] = value
    return out


@dataclass
class Part:
    """One part's headers: its field name and, for a file, its file name."""

    name: str
    filename: str | None
    headers: dict[str, str] = field(default_factory=dict)


class MultipartReader:
    """Feed it the body with `feed()`, then call `close()`.

    `on_file(part, data)` gets the bytes of every part that has a file name;
    other parts end up in `fields` (name -> text). `files` lists the file
    parts seen, in order.
    """

    def __init__(self, boundary: str, on_file: Callable[[Part, bytes], None]) -> None:
        self._delim = b"\r\n--" + boundary.encode("latin-1")
        # A CRLF in front lets the first delimiter match like the others.
        self._buf = bytearray(b"\r\n")
        self._state = "preamble"  # preamble, after, headers, data, end
        self._part: Part | None = None
        self._value = bytearray()
        self._on_file = on_file
        self.fields: dict[str, str] = {}
        self.files: list[Part] = []

    @property
    def done(self) -> bool:
        """The closing delimiter has been read."""
        return self._state == "end"

    def feed(self, data: bytes) -> None:
        self._buf += data
        while self._step():
            pass

    def close(self) -> None:
        """The body ended: anything but a finished multipart is an error."""
        if self._state != "end":
            raise MultipartError("the body ended before the closing boundary")

    # -- the machine ------------------------------------------------------------------
    def _step(self) -> bool:
        """Advance as far as the buffer allows; False when more input is needed."""
        buf, state = self._buf, self._state
        if state in ("preamble", "data"):
            at = buf.find(self._delim)
            if at < 0:
                keep = len(self._delim) - 1
                if len(buf) > keep:
                    self._emit(bytes(buf[: len(buf) - keep]))
                    del buf[: len(buf) - keep]
                return False
            self._emit(bytes(buf[:at]))
            del buf[: at + len(self._delim)]
            self._end_part()
            self._state = "after"
            return True
        if state == "after":
            if len(buf) < 2:
                return False
            head = bytes(buf[:2])
            del buf[:2]
            if head == b"--":
                self._state = "end"
                buf.clear()
                return False
            if head != b"\r\n":
                raise MultipartError("garbage after a boundary")
            self._state = "headers"
            return True
        if state == "headers":
            at = buf.find(b"\r\n\r\n")
            if at < 0:
                if len(buf) > MAX_FIELD:
                    raise MultipartError("part headers too long")
                return False
            self._begin_part(bytes(buf[:at]).decode("utf-8", "replace"))
            del buf[: at + 4]
            self._state = "data"
            return True
        buf.clear()  # after the closing delimiter: the epilogue is ignored
        return False

    def _begin_part(self, text: str) -> None:
        headers: dict[str, str] = {}
        for line in text.split("\r\n"):
            name, sep, value = line.partition(":")
            if sep:
                headers[name.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        if not disposition.lower().startswith("form-data"):
            raise MultipartError("a part without Content-Disposition: form-data")
        params = _params(disposition[len("form-data") :])
        if "name" not in params:
            raise MultipartError("a part without a name")
        filename = params.get("filename")
        self._part = Part(params["name"], filename, headers)
        if filename is not None:
            self.files.append(self._part)
        self._value.clear()

    def _emit(self, data: bytes) -> None:
        part = self._part
        if part is None or not data:
            return  # the preamble
        if part.filename is not None:
            self._on_file(part, data)
            return
        self._value += data
        if len(self._value) > MAX_FIELD:
            raise MultipartError(f"field {part.name!r} too long")

    def _end_part(self) -> None:
        part = self._part
        if part is not None and part.filename is None:
            self.fields[part.name] = self._value.decode("utf-8", "replace")
        self._part = None
