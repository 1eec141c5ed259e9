"""Public links to files (a gap in the seed: see API.md, "Links to files").

Hosts of this API family serve a file at ``https://<host>/<file_code>``; the
link is built here and only here, so another pattern is one change.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

#: What the project accepts as a file code: a run of letters and digits.
#: The seed's examples have 12; the API decides, so any length from 6 to 32
#: is let through and the case is kept as given.
CODE_RE = re.compile(r"^[A-Za-z0-9]{6,32}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_CODE = re.compile(r"^/(?:[a-z]{1,3}/|embed-|d/|e/|f/)?([A-Za-z0-9]{6,32})(?:[/.\-_]|$)")


def file_link(base_url: str, file_code: str) -> str:
    """The public link of `file_code` on the host of `base_url`."""
    url = urlsplit(base_url.strip())
    scheme = url.scheme.lower() if url.scheme.lower() in ("http", "https") else "https"
    try:
        number = url.port
    except ValueError:  # a port that is no number: none
        number = None
    port = f":{number}" if number and number != _DEFAULT_PORTS.get(scheme) else ""
    host = url.hostname or ""
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"{scheme}://{host}{port}/{file_code}"


def code_from_text(token: str) -> str | None:
    """A file code from a bare code or a link (with or without a file name after it).

    Returns None when `token` is neither.
    """
    token = token.strip().strip("<>\"'()[],;")
    if CODE_RE.match(token):
        return token
    if "://" not in token and "/" in token:
        token = "https://" + token
    try:
        url = urlsplit(token)
    except ValueError:
        return None
    if url.scheme.lower() not in ("http", "https") or not url.hostname:
        return None
    match = _PATH_CODE.match(unquote(url.path))
    return match.group(1) if match else None
