"""Every exit status of the subcommands, and errors as one line with the next step."""

from __future__ import annotations

from typing import Any

import pytest
from cli_support import LoopbackEmulator, Result, TtyStringIO, dead_url, run_in_process
from conftest import TODAY

from illvid_tui.cli.output import Exit, Output, Streams, fit
from illvid_tui.emulator import DEMO_KEY

ENV = {"ILLVID_API_KEY": DEMO_KEY, "ILLVID_API_LOGIN": "demo"}


class FakeSleep:
    """The client's waits, recorded instead of slept."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def cli(url: str, *argv: str, **kw: Any) -> Result:
    kw.setdefault("env", ENV)
    kw.setdefault("today", TODAY)
    return run_in_process([*argv, "--base-url", url], **kw)


def one_line(result: Result) -> str:
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    return lines[0]


def test_done_is_0(served: LoopbackEmulator) -> None:
    assert cli(served.url, "account").code == Exit.OK


def test_403_is_4_with_the_next_step(served: LoopbackEmulator) -> None:
    done = cli(served.url, "account", env={"ILLVID_API_KEY": "not-the-key-42"})
    assert done.code == Exit.CREDENTIALS == 4
    line = one_line(done)
    assert "Permission denied (403)" in line and "illvid-tui login" in line
    assert "ILLVID_API_KEY" in line  # where the refused key came from
    assert "not-the-key-42" not in done.err + done.out


def test_missing_credentials_are_4() -> None:
    done = cli("http://127.0.0.1:9/api", "check", "-", env={}, stdin="abcdefabcdef")
    assert done.code == 4
    assert "illvid-tui login" in one_line(done)


def test_509_that_persists_is_1_after_the_retries(served: LoopbackEmulator) -> None:
    served.emulator.fail_next("files_dmca", 509, count=50)
    sleep = FakeSleep()
    done = cli(served.url, "dmca", client_options={"sleep": sleep})
    assert done.code == Exit.FAILED == 1
    line = one_line(done)
    assert "Bandwidth exceeded (509)" in line and "try again later" in line
    calls = [r for r in served.emulator.requests if r.op == "files_dmca"]
    assert len(calls) == 4 and len(sleep.waits) == 3  # retried, then gave up


def test_server_down_is_1() -> None:
    sleep = FakeSleep()
    done = cli(dead_url(), "account", client_options={"sleep": sleep})
    assert done.code == 1
    line = one_line(done)
    assert "Network error" in line and "--base-url" in line


def test_check_stopped_by_a_dead_server_is_1_and_says_what_was_kept(
    served: LoopbackEmulator,
) -> None:
    codes = served.emulator.add_files(300)
    served.emulator.fail_next("check_files", 503, count=50)
    done = cli(
        served.url, "check", "-", stdin="\n".join(codes), client_options={"sleep": FakeSleep()}
    )
    assert done.code == 1
    assert "Server error (503)" in one_line(done) and "not checked" in one_line(done)


def test_check_with_a_refused_batch_goes_on_and_is_3(served: LoopbackEmulator) -> None:
    codes = served.emulator.add_files(300)
    served.emulator.fail_next("check_files", 451, count=1)
    done = cli(served.url, "check", "--json", "-", stdin="\n".join(codes))
    assert done.code == 3
    doc = __import__("json").loads(done.out)
    assert len(doc["refused"]) == 100 and doc["checked"] == 200
    assert {r["status"] for r in doc["refused"]} == {451}
    assert "100 refused by the server" in done.err


def test_check_refused_everywhere_with_403_is_4(served: LoopbackEmulator) -> None:
    served.emulator.fail_next("check_files", 403, count=5)
    done = cli(served.url, "check", "-", stdin="abcdefabcdef")
    assert done.code == 4 and "Permission denied (403)" in one_line(done)


def test_bad_input_is_2(served: LoopbackEmulator) -> None:
    assert cli(served.url, "dmca", "--expiring", "-1").code == 2
    assert cli(served.url, "dmca", "--date", "1.2.2026").code == 2
    assert cli(served.url, "check", "-", stdin="!!").code == 2


def test_needs_attention_is_3(served: LoopbackEmulator) -> None:
    assert cli(served.url, "check", "-", stdin="zzzzzzzzzzzz").code == 3
    assert cli(served.url, "renew", "zzzzzzzzzzzz").code == 3


def test_renew_network_failure_is_1() -> None:
    done = cli(dead_url(), "renew", "abcdefabcdef", client_options={"sleep": FakeSleep()})
    assert done.code == 1


def test_unexpected_error_is_one_line_and_logged(
    served: LoopbackEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("illvid_tui.cli.account._show", broken)
    done = cli(served.url, "account")
    assert done.code == 1
    line = one_line(done)
    assert "ZeroDivisionError" in line and "illvid-tui.log" in line


def test_progress_only_on_a_terminal_and_never_under_q(served: LoopbackEmulator) -> None:
    codes = served.emulator.add_files(250)
    text = "\n".join(codes)
    tty = cli(served.url, "check", "-", stdin=text, tty=True)
    assert "\r\x1b[2Kchecking" in tty.err
    piped = cli(served.url, "check", "-", stdin=text)
    assert "\r" not in piped.err and "checking" not in piped.err
    quiet = cli(served.url, "check", "-q", "-", stdin=text, tty=True)
    assert quiet.err == "" and quiet.out == ""


def test_colour_only_on_a_terminal_without_no_color() -> None:
    def table(tty: bool, env: dict[str, str]) -> str:
        out = TtyStringIO() if tty else __import__("io").StringIO()
        Output(Streams(stdout=out, environ=env)).table(("A", "B"), [("x", "y")], styles=["31"])
        return out.getvalue()

    assert "\x1b[" in table(True, {})
    assert "\x1b[" not in table(True, {"NO_COLOR": "1"})
    assert "\x1b[" not in table(False, {})


def test_columns_fit_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    out = TtyStringIO()
    Output(Streams(stdout=out, environ={})).table(
        ("CODE", "URL"), [("abcdefabcdef", "https://example.com/" + "x" * 80)]
    )
    lines = out.getvalue().splitlines()
    assert all(len(line) <= 40 for line in lines) and lines[1].endswith("…")
    assert fit([10, 10], 100) == [10, 10]
    assert sum(fit([12, 100], 40)) + 2 <= 40
