"""The real program in child processes: cron-like runs, big input, the key, no Textual."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import LoopbackEmulator, dead_url, run_process

from illvid_tui.emulator import Emulator

#: A key that looks like nothing else in any output.
KEY = "Kq7-secret-XYZ-93817"


@pytest.fixture
def keyed() -> Iterator[LoopbackEmulator]:
    """An emulator with its own key (today: the real date, as a child sees it), over loopback."""
    server = LoopbackEmulator(Emulator(key=KEY, seed=3))
    yield server
    server.stop()


def cron_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """What cron gives: no terminal, a HOME with no config, a bare PATH; the key in env."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {"HOME": str(home), "ILLVID_API_KEY": KEY, "LANG": "C.UTF-8", **extra}


def test_q_under_cron_prints_nothing_on_success(keyed: LoopbackEmulator, tmp_path: Path) -> None:
    codes = "\n".join(list(keyed.emulator.files)[:20])
    env = cron_env(tmp_path)
    for argv, stdin in (
        (["check", "-q", "-"], codes),
        (["account", "-q"], None),
        (["renew", "-q", "-"], codes),
        (["dmca", "-q"], None),
        (["upload", "-q", "https://example.com/cron.mp4"], None),
        (["uploads", "-q"], None),
    ):
        done = run_process([*argv, "--base-url", keyed.url], env=env, stdin=stdin)
        assert (done.code, done.out, done.err) == (0, "", ""), argv
    # The state went where platformdirs puts it under that HOME, nowhere else.
    assert (tmp_path / "home" / ".local" / "state" / "illvid-tui").is_dir()


def test_q_with_missing_prints_only_the_missing_codes(
    keyed: LoopbackEmulator, tmp_path: Path
) -> None:
    codes = list(keyed.emulator.files)[:3] + ["gonegonegone"]
    done = run_process(
        ["check", "-q", "--missing", "-", "--base-url", keyed.url],
        env=cron_env(tmp_path),
        stdin="\n".join(codes),
    )
    assert (done.code, done.out, done.err) == (3, "gonegonegone\n", "")


def test_q_still_prints_the_error(tmp_path: Path) -> None:
    done = run_process(["account", "-q", "--base-url", dead_url()], env=cron_env(tmp_path))
    assert done.code == 1 and done.out == ""
    assert done.err.startswith("illvid-tui: ") and len(done.err.splitlines()) == 1


def test_check_10000_codes_from_stdin(keyed: LoopbackEmulator, tmp_path: Path) -> None:
    emu = keyed.emulator
    codes = emu.add_files(9_990)
    gone = [f"gone{n:08d}" for n in range(10)]
    lines = codes + gone
    done = run_process(
        ["check", "--json", "-", "--base-url", keyed.url],
        env=cron_env(tmp_path),
        stdin="\n".join(lines) + "\n",
    )
    assert done.code == 3, done.err
    doc = json.loads(done.out)
    assert doc["checked"] == 10_000
    assert doc["missing"] == gone and len(doc["found"]) == 9_990
    batches = [r for r in emu.requests if r.op == "check_files"]
    assert len(batches) == 100  # the client's batching: 100 codes a request
    assert done.err.strip() == "10,000 checked: 10 missing"


@pytest.mark.parametrize(
    ("argv", "stdin"),
    [
        (["account", "--debug"], None),
        (["account", "--json"], None),
        (["check", "--debug", "-"], "abcdefabcdef"),
        (["renew", "--debug", "abcdefabcdef"], None),
        (["dmca", "--debug", "--csv"], None),
        (["upload", "--debug", "https://example.com/a.mp4"], None),
        (["uploads", "--debug", "--json"], None),
        (["login", "--key-stdin", "--debug"], KEY + "\n"),
        (["logout"], None),
        (["profiles", "--json"], None),
    ],
)
def test_the_key_is_never_in_stdout_stderr_or_argv(
    keyed: LoopbackEmulator, tmp_path: Path, argv: list[str], stdin: str | None
) -> None:
    env = cron_env(tmp_path, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    done = run_process([*argv, "--base-url", keyed.url], env=env, stdin=stdin)
    assert done.code in (0, 3), done.err
    assert KEY not in done.out and KEY not in done.err
    assert all(KEY not in arg for arg in done.argv)
    if "--debug" in argv:
        assert "debug: op=" in done.err and "'key': '***'" in done.err


def test_the_key_is_redacted_when_the_server_echoes_it(
    keyed: LoopbackEmulator, tmp_path: Path
) -> None:
    keyed.emulator.account["note"] = f"your url: https://x/?key={KEY}"
    done = run_process(["account", "--debug", "--base-url", keyed.url], env=cron_env(tmp_path))
    assert done.code == 0
    assert KEY not in done.out and KEY not in done.err


def test_a_subcommand_never_imports_textual(keyed: LoopbackEmulator, tmp_path: Path) -> None:
    clip = tmp_path / "clip.bin"
    clip.write_bytes(b"x" * 1000)
    for argv, stdin in (
        (["account"], None),
        (["check", "-"], "abcdefabcdef"),
        (["upload", "https://example.com/a.mp4", str(clip)], None),
        (["renew", "-"], "abcdefabcdef"),
        (["dmca"], None),
        (["uploads"], None),
    ):
        done = run_process(
            ["-X", "importtime", *argv, "--base-url", keyed.url],
            env=cron_env(tmp_path),
            stdin=stdin,
        )
        assert done.code in (0, 3)
        imported = {line.split("|")[-1].strip() for line in done.err.splitlines() if "|" in line}
        assert "illvid_tui.cli.run" in imported
        heavy = {
            m
            for m in imported
            if m.split(".")[0] in ("textual", "rich")
            or m.split(".")[:2]
            in (["illvid_tui", "app"], ["illvid_tui", "screens"], ["illvid_tui", "widgets"])
        }
        assert not heavy, sorted(heavy)[:5]
        # The key comes from the environment: the keyring is never loaded (0.1-0.2 s).
        assert "keyring" not in imported, argv


def test_login_on_a_terminal_asks_the_key_without_echo(
    keyed: LoopbackEmulator, tmp_path: Path
) -> None:
    import os
    import pty
    import select
    import subprocess
    import sys
    import time

    store = tmp_path / "keyring.json"
    env = {
        **cron_env(tmp_path),
        "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
        "PYTHONPATH": str(Path(__file__).parent),
        "ILLVID_TEST_KEYRING": str(store),
        "PATH": os.environ.get("PATH", ""),
    }
    del env["ILLVID_API_KEY"]
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "illvid_tui", "login", "--base-url", keyed.url],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""

    def read_until(marker: bytes, timeout: float = 60) -> None:
        nonlocal seen
        deadline = time.monotonic() + timeout
        while marker not in seen:
            left = deadline - time.monotonic()
            assert left > 0, seen
            ready, _, _ = select.select([master], [], [], left)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk

    try:
        read_until(b"API login")
        os.write(master, b"demo\n")
        read_until(b"API key")
        os.write(master, KEY.encode() + b"\n")
        read_until(b"keyring")
        assert proc.wait(timeout=60) == 0, seen
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert KEY.encode() not in seen  # not echoed, not printed
    assert b"its key in the system keyring" in seen
    assert KEY in store.read_text()  # stored where asked, by keyring's own path
