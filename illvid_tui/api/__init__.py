"""The async client for the illvid API. No Textual import here.

Names are loaded on first use (PEP 562) so that importing a light submodule
(errors, models, redact) does not import httpx: the app's first frame does
not wait for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from illvid_tui.api.account_info import AccountInfo
    from illvid_tui.api.client import IllvidClient, RetryNotice
    from illvid_tui.api.errors import (
        BadRequestError,
        BandwidthExceededError,
        IllvidError,
        InsecureURLError,
        InvalidResponseError,
        LegalError,
        NetworkError,
        NotFoundError,
        PermissionDeniedError,
        ServerError,
        UnknownOutcomeError,
    )
    from illvid_tui.api.models import DmcaNotice, UploadState, UploadStatus

_WHERE = {
    "IllvidClient": "client",
    "RetryNotice": "client",
    "AccountInfo": "account_info",
    "DmcaNotice": "models",
    "UploadState": "models",
    "UploadStatus": "models",
}

__all__ = [
    "AccountInfo",
    "BadRequestError",
    "BandwidthExceededError",
    "DmcaNotice",
    "IllvidClient",
    "IllvidError",
    "InsecureURLError",
    "InvalidResponseError",
    "LegalError",
    "NetworkError",
    "NotFoundError",
    "PermissionDeniedError",
    "RetryNotice",
    "ServerError",
    "UnknownOutcomeError",
    "UploadState",
    "UploadStatus",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_WHERE.get(name, 'errors')}")
    value = getattr(module, name)
    globals()[name] = value
    return value
