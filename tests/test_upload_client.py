"""The local-upload client path against the emulator's upload server, and its answers."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from illvid_tui.api import IllvidClient
from illvid_tui.api.errors import (
    FileChangedError,
    InsecureURLError,
    NetworkError,
    UnknownOutcomeError,
    UploadRefusedError,
    UploadStalledError,
)
from illvid_tui.api.models import UploadServer
from illvid_tui.api.upload import FileUploader, LocalFile
from illvid_tui.api.upload_answer import UploadResult, read_answer
from illvid_tui.emulator import DEMO_KEY, DEMO_LOGIN, Emulator

TODAY = dt.date(2026, 5, 1)
PAYLOAD = bytes(range(256)) * 2400  # 614,400 bytes: three chunks


@pytest.fixture
def emu() -> Emulator:
    return Emulator(seed=1, today=TODAY)


@pytest.fixture
async def client(emu: Emulator) -> AsyncIterator[IllvidClient]:
    async with IllvidClient(
        key=DEMO_KEY, login=DEMO_LOGIN, base_url="http://127.0.0.1/api", transport=emu.transport()
    ) as c:
        yield c


@pytest.fixture
async def uploader(client: IllvidClient) -> AsyncIterator[FileUploader]:
    async def no_wait(_: float) -> None:
        return None

    up = client.uploader(sleep=no_wait)
    yield up
    await up.aclose()


@pytest.fixture
def video(tmp_path: Path) -> LocalFile:
    path = tmp_path / 'holiday "2026".mp4'
    path.write_bytes(PAYLOAD)
    return LocalFile.stat(path)


def stored(emu: Emulator) -> list[Any]:
    return [r for r in emu.uploads if r.outcome in ("stored", "lost")]


async def test_get_upload_server_string_and_object(client: IllvidClient, emu: Emulator) -> None:
    plain = await client.get_upload_server()
    assert plain.sess_id is None and plain.url.startswith("https://") and str(plain) == plain.url
    emu.upload.server_object = True
    rich = await client.get_upload_server()
    assert rich.sess_id and {k: str(v) for k, v in rich.extra.items()} == {
        "srv_id": "7",
        "disk_id": "01",
    }


@pytest.mark.parametrize("form", ["json", "envelope", "envelope_alt", "html"])
@pytest.mark.parametrize("with_session", [False, True])
async def test_each_answer_form_uploads_once(
    client: IllvidClient,
    uploader: FileUploader,
    emu: Emulator,
    video: LocalFile,
    form: str,
    with_session: bool,
) -> None:
    emu.upload.answer = form
    emu.upload.server_object = with_session
    server = await client.get_upload_server()
    seen: list[tuple[int, int]] = []
    result = await uploader.send(
        server, video, folder="trips", on_progress=lambda s, t: seen.append((s, t))
    )
    record = emu.uploads[-1]
    assert len(emu.uploads) == 1 and record.file_code == result.file_code
    assert emu.files[result.file_code]["sha256"] == hashlib.sha256(PAYLOAD).hexdigest()
    assert emu.files[result.file_code]["folder"] == "trips"
    assert record.filename == video.path.name.replace('"', "%22")
    assert record.file_field == "file"
    assert ("sess_id" in record.fields) is with_session
    assert record.headers["content-length"].isdigit()
    assert "transfer-encoding" not in record.headers
    assert [s for s, _ in seen] == sorted(s for s, _ in seen) and seen[-1] == (len(PAYLOAD),) * 2


async def test_key_in_the_body_only_never_in_urls_or_logs(
    client: IllvidClient, emu: Emulator, video: LocalFile, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    up = client.uploader()
    emu.fail_next_upload("drop")  # retries and failures log too
    await up.send(await client.get_upload_server(), video)
    emu.fail_next_upload("lose")
    with pytest.raises(UnknownOutcomeError) as caught:
        await up.send(await client.get_upload_server(), video)
    await up.aclose()
    assert all(r.fields.get("key") == DEMO_KEY for r in emu.uploads if r.outcome != "dropped")
    assert all(DEMO_KEY not in r.query and "key" not in r.query for r in emu.uploads)
    assert caplog.records, "nothing logged: the check would prove nothing"
    for record in caplog.records:
        assert DEMO_KEY not in record.getMessage()
    assert DEMO_KEY not in str(caught.value) and DEMO_KEY not in repr(up)


async def test_refused_is_retried(
    client: IllvidClient, uploader: FileUploader, emu: Emulator, video: LocalFile
) -> None:
    emu.fail_next_upload("refuse")
    retries: list[str] = []
    result = await uploader.send(
        await client.get_upload_server(), video, on_retry=lambda e, d: retries.append(str(e))
    )
    assert [r.outcome for r in emu.uploads] == ["refused", "stored"]
    assert result.file_code in emu.files and len(retries) == 1


async def test_dropped_mid_body_is_retried_from_zero(
    client: IllvidClient, uploader: FileUploader, emu: Emulator, video: LocalFile
) -> None:
    emu.fail_next_upload("drop", count=2)
    progress: list[int] = []
    await uploader.send(
        await client.get_upload_server(), video, on_progress=lambda s, t: progress.append(s)
    )
    assert [r.outcome for r in emu.uploads] == ["dropped", "dropped", "stored"]
    assert len(stored(emu)) == 1
    assert progress.count(len(PAYLOAD)) == 1 and progress.index(len(PAYLOAD)) > 2


async def test_still_broken_after_the_attempts_fails_as_network(
    client: IllvidClient, uploader: FileUploader, emu: Emulator, video: LocalFile
) -> None:
    emu.fail_next_upload("drop", count=3)
    with pytest.raises(NetworkError) as caught:
        await uploader.send(await client.get_upload_server(), video)
    assert "kept nothing" in caught.value.msg and not stored(emu)


async def test_500_after_the_body_fails_with_its_text(
    client: IllvidClient, uploader: FileUploader, emu: Emulator, video: LocalFile
) -> None:
    emu.fail_next_upload("500")
    with pytest.raises(UploadRefusedError) as caught:
        await uploader.send(await client.get_upload_server(), video)
    assert caught.value.status == 500
    assert caught.value.msg == "Internal error while saving the file"
    assert len(emu.uploads) == 1


async def test_lost_answer_is_unknown_and_sent_once(
    client: IllvidClient, uploader: FileUploader, emu: Emulator, video: LocalFile
) -> None:
    emu.fail_next_upload("lose")
    with pytest.raises(UnknownOutcomeError) as caught:
        await uploader.send(await client.get_upload_server(), video)
    assert "whole file was sent" in caught.value.msg
    assert len(emu.uploads) == 1 and len(stored(emu)) == 1


async def test_status_not_ok_is_a_failure_with_that_text(
    client: IllvidClient, uploader: FileUploader, emu: Emulator, video: LocalFile
) -> None:
    emu.upload.status = "not allowed extension"
    with pytest.raises(UploadRefusedError, match="not allowed extension"):
        await uploader.send(await client.get_upload_server(), video)
    assert len(emu.uploads) == 1


async def test_https_rule_for_the_upload_url(uploader: FileUploader, video: LocalFile) -> None:
    with pytest.raises(InsecureURLError, match="plain http"):
        await uploader.send(UploadServer("http://upload.example.com/up"), video)


async def test_changed_and_vanished_files_are_refused_before_a_byte(
    client: IllvidClient, uploader: FileUploader, emu: Emulator, video: LocalFile
) -> None:
    server = await client.get_upload_server()
    video.path.write_bytes(PAYLOAD + b"more")
    with pytest.raises(FileChangedError, match="changed size"):
        await uploader.send(server, video)
    video.path.unlink()
    with pytest.raises(FileChangedError, match="vanished"):
        await uploader.send(server, video)
    assert emu.uploads == []


async def test_file_modified_while_sending_never_completes(
    client: IllvidClient, uploader: FileUploader, emu: Emulator, video: LocalFile
) -> None:
    def touch(sent: int, total: int) -> None:
        if 0 < sent < total:
            with video.path.open("r+b") as f:
                f.write(b"X")

    with pytest.raises(FileChangedError, match="while it was being sent"):
        await uploader.send(await client.get_upload_server(), video, on_progress=touch)
    assert not stored(emu) and emu.uploads[-1].file_code is None


async def test_a_stall_mid_body_fails_saying_so(
    client: IllvidClient, emu: Emulator, video: LocalFile
) -> None:
    emu.upload.bandwidth = 1.0  # byte/s: after the first chunk nothing moves
    up = client.uploader(stall_timeout=0.3)
    with pytest.raises(UploadStalledError, match=r"no bytes accepted for 0\.3 s"):
        await up.send(await client.get_upload_server(), video)
    await up.aclose()
    assert not stored(emu)


async def test_a_slow_upload_that_keeps_moving_is_not_killed(
    client: IllvidClient, emu: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "slow.bin"
    path.write_bytes(PAYLOAD * 2)  # 1.2 MB at 1 MB/s: longer than the stall timeout
    emu.upload.bandwidth = 1_000_000.0
    up = client.uploader(stall_timeout=1.0)
    result = await up.send(await client.get_upload_server(), LocalFile.stat(path))
    await up.aclose()
    assert result.file_code in emu.files


async def test_no_answer_after_the_body_is_unknown(video: LocalFile) -> None:
    async def silent(scope: Any, receive: Any, send: Any) -> None:
        while (await receive()).get("more_body"):
            pass
        await asyncio.Event().wait()  # never answers

    up = FileUploader(DEMO_KEY, transport=httpx.ASGITransport(app=silent), stall_timeout=0.3)
    with pytest.raises(UnknownOutcomeError, match=r"no answer 0\.3 s after the whole file"):
        await up.send(UploadServer("https://up.example.com/upload/01"), video)
    await up.aclose()


async def test_part_name_is_configurable(
    client: IllvidClient, emu: Emulator, video: LocalFile
) -> None:
    up = client.uploader(part_name="file_0")
    await up.send(await client.get_upload_server(), video)
    await up.aclose()
    assert emu.uploads[-1].file_field == "file_0"


J, H, T = "application/json", "text/html", "text/plain"


@pytest.mark.parametrize(
    ("status", "ctype", "body", "expected"),
    [
        (200, J, b'[{"file_code":"abc","file_status":"OK"}]', "abc"),
        (200, J, b'{"status":200,"result":[{"filecode":"x1","status":"OK"}]}', "x1"),
        (200, H, b"<textarea name='fn'>h1</textarea><textarea name=st>OK</textarea>", "h1"),
        (413, T, b"ERROR: file too large", UploadRefusedError),
        (200, J, b'[{"file_code":"","file_status":"bad ext"}]', UploadRefusedError),
        (200, J, b'{"status":403,"msg":"Invalid key","result":null}', UploadRefusedError),
        (200, H, b"<html>Thanks!</html>", UnknownOutcomeError),
        (502, H, b"<h1>Bad gateway</h1>", UnknownOutcomeError),
        (200, J, b'[{"file_status":"OK"}]', UnknownOutcomeError),
        (200, T, b"", UnknownOutcomeError),
    ],
)  # fmt: skip
def test_read_answer(status: int, ctype: str, body: bytes, expected: object) -> None:
    outcome = read_answer(status, ctype, body)
    if isinstance(expected, str):
        assert isinstance(outcome, UploadResult) and outcome.file_code == expected
    else:
        assert isinstance(expected, type) and isinstance(outcome, expected)


def test_refusal_text_masks_an_echoed_key() -> None:
    outcome = read_answer(403, T, b"ERROR: bad key=demo-key-not-secret here")
    assert isinstance(outcome, UploadRefusedError) and "demo-key-not-secret" not in outcome.msg
