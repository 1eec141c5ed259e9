"""The async client for the illvid API. No Textual import here."""

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
from illvid_tui.api.models import AccountInfo, DmcaNotice, UploadState, UploadStatus

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
