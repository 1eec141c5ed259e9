"""Each subcommand's human and JSON output, against the emulator served over loopback."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from cli_support import LoopbackEmulator, Result, run_in_process
from conftest import TODAY

from illvid_tui.core import credentials
from illvid_tui.emulator import DEMO_KEY, Emulator

ENV = {"ILLVID_API_KEY": DEMO_KEY, "ILLVID_API_LOGIN": "demo"}


def cli(served: LoopbackEmulator, *argv: str, **kw: Any) -> Result:
    kw.setdefault("env", ENV)
    kw.setdefault("today", TODAY)
    return run_in_process([*argv, "--base-url", served.url], **kw)


def test_account_human_and_json(served: LoopbackEmulator) -> None:
    human = cli(served, "account")
    assert human.code == 0 and human.err == ""
    lines = human.out.splitlines()
    assert lines[0].split() == ["login", "demo"]
    assert lines[1].split() == ["balance", "4050.00"]
    assert any(line.split()[0] == "email" for line in lines)  # an extra field
    assert lines[-1].split() == ["upload", "server", f"http://127.0.0.1:{served.port}/upload/01"]
    # The values start in one column.
    assert len({line.index(line.split()[-1]) for line in lines[:2]}) == 1

    doc = json.loads(cli(served, "account", "--json").out)
    assert doc["login"] == "demo" and doc["money"] == "4050.00"  # money as a string
    assert doc["upload_server"] == f"http://127.0.0.1:{served.port}/upload/01"
    assert doc["extra"]["email"] == "demo@example.com"


def test_check_human_json_missing_and_the_diff(served: LoopbackEmulator) -> None:
    emu = served.emulator
    codes = list(emu.files)[:5]
    gone = "zzzzzzzzzzzz"
    text = f"{codes[0]}, https://illvid.com/{codes[1]}/name.mp4\n{codes[2]};{codes[3]} {gone}"
    first = cli(served, "check", "--json", "-", stdin=text)
    assert first.code == 3  # a code is missing
    doc = json.loads(first.out)
    assert doc == {
        "checked": 5,
        "missing": [gone],
        "found": codes[:4],
        "newly_missing": [],
        "back": [],
        "refused": [],
        "left_out": 0,
    }
    emu.delete_file(codes[1])
    emu.files[gone] = {"name": "back.mp4", "size": 1, "uploaded": "2026-11-01 00:00:00"}
    second = json.loads(cli(served, "check", "--json", "-", stdin=text).out)
    assert second["newly_missing"] == [codes[1]]
    assert second["back"] == [gone]

    human = cli(served, "check", "-", stdin=text)
    rows = [line.split(None, 2) for line in human.out.splitlines()]
    assert rows[0] == ["CODE", "RESULT", "CHANGE"]
    assert [codes[1], "missing", "same"] in rows
    assert [codes[0], "found", "same"] in rows
    assert "5 checked: 1 missing" in human.err

    emu.delete_file(gone)
    only = cli(served, "check", "--missing", "-", stdin=text)
    assert only.code == 3
    assert only.out.splitlines() == [codes[1], gone]  # the input's order


def test_check_reads_a_file_and_says_what_it_left_out(
    served: LoopbackEmulator, tmp_path: Path
) -> None:
    code = next(iter(served.emulator.files))
    path = tmp_path / "codes.txt"
    path.write_text(f"{code}\nab\n")
    done = cli(served, "check", str(path))
    assert done.code == 0
    assert "left out 1 token that is not a code" in done.err and "'ab'" in done.err
    assert cli(served, "check", str(tmp_path / "nope.txt")).code == 2
    assert cli(served, "check", "-", stdin="ab cd").code == 2  # no codes at all


def test_renew_human_json_and_exit_3_for_refused_codes(served: LoopbackEmulator) -> None:
    good = list(served.emulator.files)[:2]
    missing = "zzzzzzzzzzzz"
    done = cli(served, "renew", "--json", good[0], missing, good[1], good[0])
    assert done.code == 3
    results = json.loads(done.out)
    assert [r["file_code"] for r in results] == [good[0], missing, good[1]]  # each once
    assert results[0] == {"file_code": good[0], "renewed": True, "status": 200, "error": None}
    assert results[1]["renewed"] is False and results[1]["status"] == 404
    assert "2 renewed, 1 failed: Not found (404)" in done.err

    human = cli(served, "renew", "-", stdin="\n".join(good))
    assert human.code == 0
    assert [line.split() for line in human.out.splitlines()] == [
        ["CODE", "RESULT"],
        [good[0], "renewed"],
        [good[1], "renewed"],
    ]
    served.emulator.fail_next("file_renew", 451)
    blocked = json.loads(cli(served, "renew", "--json", good[0]).out)
    assert blocked[0]["status"] == 451
    assert cli(served, "renew", "not/a/code").code == 2


def test_dmca_human_json_csv_and_expiring(served: LoopbackEmulator) -> None:
    notices = served.emulator.dmca
    doc = json.loads(cli(served, "dmca", "--json").out)
    assert len(doc) == len(notices)
    first = doc[0]
    assert set(first) == {"file_code", "dmca_created", "dmca_expire", "days_left", "extra"}
    newest = max(notices, key=lambda n: (n["dmca_created"], n["file_code"]))
    assert first["file_code"] == newest["file_code"]  # order=down: newest first
    import datetime as dt

    assert first["days_left"] == (dt.date.fromisoformat(first["dmca_expire"]) - TODAY).days

    up = json.loads(cli(served, "dmca", "--json", "--order", "up").out)
    assert up[0]["file_code"] != first["file_code"]

    soon = cli(served, "dmca", "--json", "--expiring", "3")
    rows = json.loads(soon.out)
    assert rows and all(0 <= r["days_left"] <= 3 for r in rows)
    assert soon.code == 3
    # The note speaks of the window asked for, not the screen's fixed 3-day "soon".
    wide = cli(served, "dmca", "--expiring", "10")
    assert f"of {len(notices)} notices expire within 10 days" in wide.err
    none = cli(served, "dmca", "--expiring", "0", "--date", "2099-01-01")
    assert none.code == 0

    table = cli(served, "dmca").out.splitlines()
    assert table[0].split() == ["CODE", "NOTICE", "EXPIRES", "DAYS", "LEFT"]
    assert len(table) == len(notices) + 1

    parsed = list(csv.reader(io.StringIO(cli(served, "dmca", "--csv").out)))
    assert parsed[0] == ["file_code", "dmca_created", "dmca_expire", "days_left"]
    assert len(parsed) == len(notices) + 1
    assert cli(served, "dmca", "--date", "2026-02-30").code == 2


def test_login_checks_then_stores_in_the_keyring(
    served: LoopbackEmulator, json_keyring: Any
) -> None:
    done = cli(served, "login", "--login", "demo", "--key-stdin", "--json", env={}, stdin=DEMO_KEY)
    assert done.code == 0, done.err
    assert json.loads(done.out) == {
        "profile": "default",
        "base_url": served.url,
        "login": "demo",
        "stored": "keyring",
        "path": None,
    }
    found = credentials.load_profile("default", "demo")
    assert found.credentials is not None and found.credentials.key == DEMO_KEY
    # The stored key now serves the other commands.
    assert cli(served, "account", env={}).code == 0

    out = cli(served, "logout", "--json", env={})
    assert json.loads(out.out) == {"profile": "default", "removed": ["keyring"]}
    assert credentials.load_profile("default", "demo").credentials is None
    assert cli(served, "account", env={}).code == 4


def test_login_refused_key_stores_nothing(served: LoopbackEmulator, json_keyring: Any) -> None:
    done = cli(served, "login", "--key-stdin", env={}, stdin="wrong-key-123")
    assert done.code == 4
    assert "Permission denied (403)" in done.err and "wrong-key-123" not in done.err
    assert not json_keyring.path.exists() or json_keyring.path.read_text() == "{}"


def test_login_without_keyring_stores_nothing_unless_asked(
    served: LoopbackEmulator, no_keyring: None, tmp_path: Path
) -> None:
    done = cli(served, "login", "--key-stdin", env={}, stdin=DEMO_KEY)
    assert done.code == 3
    assert "the key was not stored" in done.err and "--plain-file" in done.err
    asked = cli(served, "login", "--key-stdin", "--plain-file", "--json", env={}, stdin=DEMO_KEY)
    assert asked.code == 0
    done_path = Path(json.loads(asked.out)["path"])
    assert done_path.stat().st_mode & 0o777 == 0o600
    plain = credentials.read_plain_file(done_path)
    assert plain is not None and plain.login == "demo"  # the login account_info named
    assert cli(served, "account", env={}).code == 0  # the file serves the commands


def test_login_needs_a_terminal_or_key_stdin(served: LoopbackEmulator) -> None:
    done = cli(served, "login", env={})
    assert done.code == 2 and "--key-stdin" in done.err


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_demo_runs_without_credentials(fmt: str) -> None:
    argv = ["--demo", "account"] + (["--json"] if fmt == "json" else [])
    done = run_in_process(argv, env={}, today=TODAY)
    assert done.code == 0 and "demo" in done.out


def test_emulator_fixture_is_the_served_one(served: LoopbackEmulator, emulator: Emulator) -> None:
    assert served.emulator is emulator


def test_quiet_and_debug_may_come_before_the_subcommand(served: LoopbackEmulator) -> None:
    # `illvid-tui -q check ...` is how a crontab line reads; like --profile,
    # these work on either side of the subcommand.
    quiet = cli(served, "-q", "account")
    assert (quiet.code, quiet.out, quiet.err) == (0, "", "")
    debug = cli(served, "--debug", "account", "--json")
    assert debug.code == 0 and json.loads(debug.out)["login"] == "demo"
    assert "debug: op=account_info" in debug.err and DEMO_KEY not in debug.err
