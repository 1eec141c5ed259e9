"""The operations: one function per `op`, from decoded params to a raw result.

Handlers return the result with plain Python types (ints for numbers, Decimal
for money); the app turns numbers into strings or not, per `Faults`.
Failures raise `ApiError`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from illvid_tui.emulator.faults import Faults
from illvid_tui.emulator.state import DONE, FAILED, EmulatorState


class ApiError(Exception):
    """An envelope with a non-200 status (msg None: a stock text is picked)."""

    def __init__(self, status: int, msg: str | None = None) -> None:
        super().__init__(status, msg)
        self.status = status
        self.msg = msg


Handler = Callable[[EmulatorState, dict[str, str], Faults, random.Random], Any]


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name, "").strip()
    if not value:
        raise ApiError(400, f"Missing parameter: {name}")
    return value


def account_info(state: EmulatorState, params: dict[str, str], f: Faults, r: random.Random) -> Any:
    result = dict(state.account)
    result["money"] = Decimal(str(state.account["money"]))
    result["files_total"] = len(state.files)
    return result


def upload_url(state: EmulatorState, params: dict[str, str], f: Faults, r: random.Random) -> Any:
    url = _required(params, "url")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ApiError(400, "Invalid URL")
    job = state.create_job(url, params.get("folder") or None)
    return {"queue_id": int(job.queue_id)}


def check_upload_url(
    state: EmulatorState, params: dict[str, str], f: Faults, r: random.Random
) -> Any:
    queue_id = _required(params, "id")
    job = state.jobs.get(queue_id)
    state.settle()
    if job is not None and f.queue_ttl is not None and state.now() - job.created >= f.queue_ttl:
        del state.jobs[queue_id]  # the queue forgets it (its file, if done, stays)
        job = None
    if job is None:
        raise ApiError(404, "Queue id not found")
    word, progress = job.phase(state.now())
    result: dict[str, Any] = {"status": word, "url": job.url}
    if job.folder:
        result["folder"] = job.folder
    if word == DONE:
        result["file_code"] = job.file_code
        result["size"] = job.size
    elif word == FAILED:
        result["error"] = job.error
    else:
        result["progress"] = progress
    return result


def get_upload_server(
    state: EmulatorState, params: dict[str, str], f: Faults, r: random.Random
) -> Any:
    """Listed so the op is known; the app answers it (`emulator.upload`), since
    the URL depends on where the request came in."""
    raise ApiError(500, "get_upload_server is answered by the emulator app")


def check_files(state: EmulatorState, params: dict[str, str], f: Faults, r: random.Random) -> Any:
    listed = _required(params, "list")
    codes = [c.strip() for c in listed.split(",") if c.strip()]
    # Case kept and compared as stored: "3WGI2ZA99MG2" is not "3wgi2za99mg2".
    return [c for c in codes if c not in state.files]


def file_renew(state: EmulatorState, params: dict[str, str], f: Faults, r: random.Random) -> Any:
    code = _required(params, "file_code")
    if code not in state.files:
        raise ApiError(404)
    if state.dmca_expired(code):
        raise ApiError(451, "File blocked after a DMCA notice")
    expire = (state.today + dt.timedelta(days=60)).isoformat()
    state.files[code]["expire"] = expire
    as_object = f.renew_result_object
    if as_object is None:
        as_object = r.random() < 0.5
    return {"file_code": code, "expire": expire} if as_object else True


def files_dmca(state: EmulatorState, params: dict[str, str], f: Faults, r: random.Random) -> Any:
    order = params.get("order", "down").strip().lower() or "down"
    if order not in ("up", "down"):
        raise ApiError(400, "order must be up or down")
    notices = state.dmca
    date = params.get("date", "").strip()
    if date:
        try:
            since = dt.date.fromisoformat(date)
        except ValueError:
            raise ApiError(400, "date must be YYYY-MM-DD") from None
        if len(date) != 10:
            raise ApiError(400, "date must be YYYY-MM-DD")
        # Gap: the seed does not say what `date` filters on. The emulator reads it
        # as "notices created on or after this date" (ISO strings compare as dates).
        cutoff = since.isoformat()
        notices = [n for n in notices if n["dmca_created"] >= cutoff]
    ordered = sorted(
        notices, key=lambda n: (n["dmca_created"], n["file_code"]), reverse=order == "down"
    )
    return [dict(n) for n in ordered]


OPS: dict[str, Handler] = {
    "account_info": account_info,
    "upload_url": upload_url,
    "check_upload_url": check_upload_url,
    "get_upload_server": get_upload_server,
    "check_files": check_files,
    "file_renew": file_renew,
    "files_dmca": files_dmca,
}
