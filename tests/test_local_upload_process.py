"""The real thing for local files: the app as a process, the emulator's upload server over
loopback slowed by its bandwidth cap, ``kill -9`` mid-body, a restart.

After the kill the row is still ``uploading`` (nobody was left to say otherwise); the
restarted app finds it ``interrupted`` (the server kept nothing), and one R sends the
file again from zero: the account then holds exactly one more file.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from ptyapp import PtyApp, app_env, free_port, rows, state_db, wait_until

from illvid_tui.emulator import DEMO_KEY

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

#: Bytes per second the emulator's upload server reads: the file takes ~15 s. It must
#: be well over what loopback socket buffers hold (several MB): a body handed whole
#: to the kernel may still reach the server after a kill, so that one is "unknown".
BANDWIDTH = 2_000_000
SIZE = 256 * 117_188  # 30,000,128 bytes: "30.0 MB"


@pytest.fixture
def slow_emulator() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "illvid_tui.emulator", "--port", str(port),
         "--upload-bandwidth", str(BANDWIDTH)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}/api"

    def answering() -> bool:
        try:
            return httpx.get(base, params={"op": "account_info", "key": DEMO_KEY}).is_success
        except httpx.HTTPError:
            return False

    try:
        wait_until("the emulator to answer", answering, 20)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def files_total(base: str) -> int:
    answer = httpx.get(base, params={"op": "account_info", "key": DEMO_KEY}).json()
    return int(answer["result"]["files_total"])


def local_rows(tmp_path: Path) -> list[dict[str, object]]:
    return [dict(r) for r in rows(state_db(tmp_path)) if r["kind"] == "local"]


def test_kill_9_mid_body_is_interrupted_and_one_restart_sends_it_once(
    tmp_path: Path, slow_emulator: str
) -> None:
    video = tmp_path / "clip.mp4"
    video.write_bytes(bytes(range(256)) * 117_188)
    env = app_env(tmp_path, slow_emulator)
    before = files_total(slow_emulator)

    app = PtyApp(env)
    try:
        wait_until("the Uploads screen", lambda: app.seen("Press a to add"), 30)
        wait_until("the account connected", lambda: app.seen("connected"), 30)
        app.send("u")
        wait_until("the upload dialog", lambda: app.seen("Upload local files"), 15)
        app.send("\x1b[200~" + str(video) + "\x1b[201~")  # a bracketed paste into the path
        app.send("\r")  # Enter adds it to the list
        wait_until("the total", lambda: app.seen("1 file, 30.0 MB to send"), 15)
        app.send("\x13")  # ctrl+s
        wait_until(
            "bytes on their way (stored every 2 s)",
            lambda: any(int(str(r["bytes_sent"])) > 0 for r in local_rows(tmp_path)),
            30,
        )
        app.kill9()
    except BaseException:
        app.quit()
        raise

    [row] = local_rows(tmp_path)
    assert row["state"] == "uploading" and int(str(row["bytes_sent"])) < SIZE
    assert row["path"] == str(video) and row["size"] == SIZE
    assert DEMO_KEY.encode() not in state_db(tmp_path).read_bytes()

    app = PtyApp(env)
    try:
        wait_until(
            "the job interrupted after the restart",
            lambda: [r["state"] for r in local_rows(tmp_path)] == ["interrupted"],
            30,
        )
        assert files_total(slow_emulator) == before  # the server kept nothing of it
        wait_until("the row on screen", lambda: app.seen("interrupted"), 15)
        app.send("R")  # the cursor is on the only row: start it again from zero
        wait_until(
            "the restarted upload done",
            lambda: [r["state"] for r in local_rows(tmp_path)] == ["done"],
            120,
        )
        [done] = local_rows(tmp_path)
        assert done["id"] == row["id"] and done["file_code"]
        assert files_total(slow_emulator) == before + 1  # sent once
    finally:
        app.quit()
