"""Public links to files (a gap in the seed: see API.md, "Links to files").

Hosts of this API family serve a file at ``https://<host>/<file_code>``; the
link is built here and only here, so another pattern is one change.
"""

from __future__ import annotations

import re

import httpx

#: What the project accepts as a file code: a run of letters and digits.
#: The seed's examples have 12; the API decides, so any length from 6 to 32
#: is let through and the case is kept as given.
CODE_RE = re.compile(r"^[A-Za-z0-9]{6,32}$")
_PATH_CODE = re.compile(r"^/(?:[a-z]{1,3}/|embed-|d/|e/|f/)?([A-Za-z0-9]{6,32})(?:[/.\-_]|$)")


def file_link(base_url: str, file_code: str) -> str:
    """The public link of `file_code` on the host of `base_url`."""
    url = httpx.URL(base_url)
    scheme = url.scheme if url.scheme in ("http", "https") else "https"
    port = f":{url.port}" if url.port else ""
    return f"{scheme}://{url.host}{port}/{file_code}"


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
        url = httpx.URL(token)
    except (httpx.InvalidURL, TypeError):
        return None
    if url.scheme not in ("http", "https") or not url.host:
        return None
    match = _PATH_CODE.match(url.path)
    return match.group(1) if match else None
