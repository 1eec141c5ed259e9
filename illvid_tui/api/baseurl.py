"""The API's base URLs and their https rule, in one place and without httpx.

https only; plain http only to loopback hosts (127.0.0.0/8, localhost, ::1),
which local emulators and tests use. The CLI checks a URL with it before the
first frame (httpx is not imported yet); the client checks again when built.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

DEFAULT_BASE_URL = "https://illvid.com/api"
#: A loopback URL for the in-process emulator (http is allowed on loopback only).
DEMO_BASE_URL = "http://127.0.0.1/api"


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1 (the hosts plain http may reach)."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url_problem(base_url: str) -> str | None:
    """Why `base_url` is refused, or None when it is https, or http to a loopback host."""
    try:
        parts = urlsplit(base_url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"not a URL: {base_url!r}"
    scheme = parts.scheme.lower()
    if scheme == "https" and host:
        return None
    if scheme == "http" and host:
        if is_loopback(host):
            return None
        return (
            f"plain http:// is refused for {host!r}: use https:// (http is allowed "
            "only for loopback hosts such as 127.0.0.1)"
        )
    return f"the base URL must start with https://, got {base_url!r}"
