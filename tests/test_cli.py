"""The command line: options, env, errors as one line with status 2; the app or a subcommand."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from illvid_tui import __version__, main
from illvid_tui.core.settings import DEFAULT_BASE_URL, DEMO_BASE_URL


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "illvid_tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--screen", "nope"], "invalid choice: 'nope'"),
        (["--base-url", "http://example.com/api"], "plain http:// is refused"),
        (["--base-url", "ftp://example.com"], "must start with https://"),
        (["--key", "x"], "unrecognized arguments: --key"),
    ],
)
def test_bad_options_are_one_line_and_status_2(args: list[str], expected: str) -> None:
    done = run_cli(*args)
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]  # one line
    assert done.stderr.startswith("illvid-tui: error:")


def test_bad_url_from_env_is_status_2() -> None:
    done = run_cli(env={"ILLVID_BASE_URL": "http://illvid.com/api"})
    assert done.returncode == 2
    assert "bad base URL" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_version_and_help() -> None:
    assert run_cli("--version").stdout.strip() == f"illvid-tui {__version__}"
    done = run_cli("--help")
    assert done.returncode == 0
    for option in ("--demo", "--base-url", "--screen", "--low-bandwidth", "ILLVID_API_KEY"):
        assert option in done.stdout


def test_parse_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    s = main.parse([])
    assert s.base_url == DEFAULT_BASE_URL and s.start_screen == "account" and not s.demo
    assert s.state_dir == tmp_path / "xdg" / "xdg_state_home" / "illvid-tui"
    assert s.config_dir == tmp_path / "xdg" / "xdg_config_home" / "illvid-tui"
    assert not s.state_dir.exists()  # nothing created by reading settings
    demo = main.parse(["--demo", "--screen", "uploads", "--low-bandwidth"])
    assert demo.demo and demo.base_url == DEMO_BASE_URL and demo.start_screen == "uploads"
    assert demo.low_bandwidth
    monkeypatch.setenv("ILLVID_BASE_URL", "https://env.example/api")
    assert main.parse([]).base_url == "https://env.example/api"
    assert main.parse(["--base-url", "https://opt.example/api"]).base_url.startswith("https://opt")


def test_low_bandwidth_sets_fps_mouse_and_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: dict[str, object] = {}

    class FakeApp:
        return_code = 0

        def run(self, **kwargs: object) -> None:
            calls.update(kwargs)

    for name in ("TEXTUAL_FPS", "TEXTUAL_ANIMATIONS"):
        monkeypatch.setenv(name, "")  # so monkeypatch restores the real value afterwards
        monkeypatch.delenv(name)
    monkeypatch.setattr("illvid_tui.app.demo.create_demo_app", lambda settings: FakeApp())
    with pytest.raises(SystemExit) as done:
        main.main(["--demo", "--low-bandwidth"])
    assert done.value.code == 0
    assert calls == {"mouse": False}
    assert os.environ["TEXTUAL_FPS"] == main.LOW_BANDWIDTH_FPS
    assert os.environ["TEXTUAL_ANIMATIONS"] == "none"


@pytest.mark.parametrize(
    "url",
    [
        "https://illvid.com/api",
        "HTTPS://illvid.com/api",
        "http://127.0.0.1:8765/api",
        "http://127.8.0.1/api",
        "http://localhost/api",
        "http://[::1]:80/api",
        "http://illvid.com/api",
        "http://10.0.0.1/api",
        "ftp://illvid.com",
        "illvid.com/api",
        "https://",
        "",
        "http://localhost:99999/api",
    ],
)
def test_cli_url_rule_matches_the_clients(url: str) -> None:
    from illvid_tui.api.baseurl import base_url_problem as url_problem
    from illvid_tui.api.client import check_base_url
    from illvid_tui.api.errors import InsecureURLError

    try:
        check_base_url(url)
        client_ok = True
    except InsecureURLError:
        client_ok = False
    # The CLI's check is never looser than the client's (it may be stricter:
    # httpx lets port 99999 through, the CLI does not).
    if url_problem(url) is None:
        assert client_ok
    if not client_ok:
        assert url_problem(url)
    if url.endswith(":99999/api"):
        assert url_problem(url)


def test_one_default_base_url() -> None:
    from illvid_tui.api import client

    # One definition: the client's default is the settings' default.
    assert client.DEFAULT_BASE_URL is DEFAULT_BASE_URL


def test_global_options_before_or_after_the_subcommand() -> None:
    before, _ = main.parse_args(["--demo", "--base-url", "http://127.0.0.1:9/api", "account"])
    after, settings = main.parse_args(["account", "--demo", "--base-url", "http://127.0.0.1:9/api"])
    for args in (before, after):
        assert args.command == "account" and args.demo
        assert args.base_url == "http://127.0.0.1:9/api"
    assert settings.demo and settings.base_url == "http://127.0.0.1:9/api"
    plain, settings = main.parse_args(["check", "-"])
    assert not plain.demo and plain.base_url is None and plain.screen == "account"
    assert not settings.demo


def test_no_subcommand_runs_the_app_with_the_same_options() -> None:
    args, settings = main.parse_args(["--screen", "dmca", "--low-bandwidth"])
    assert args.command is None
    assert settings.start_screen == "dmca" and settings.low_bandwidth


def test_starting_the_app_reads_the_top_options_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    # The nine subcommand parsers (~10 ms) are not built before the app's first frame...
    from illvid_tui.cli import parser

    full = parser.build_parser
    argv = ["--screen", "files", "--base-url", "http://127.0.0.1:9/api", "--demo", "-q"]
    expected = vars(full().parse_args(argv))
    monkeypatch.setattr(parser, "build_parser", lambda: pytest.fail("whole parser built"))
    assert vars(parser.parse_command_line(argv)) == expected
    assert parser.parse_command_line([]).command is None
    # ...but a subcommand, -h or an unknown word gets the whole parser: its help and errors.
    built: list[bool] = []
    monkeypatch.setattr(parser, "build_parser", lambda: built.append(True) or full())
    assert parser.parse_command_line(["--demo", "account", "--json"]).format == "json"
    with pytest.raises(SystemExit):
        parser.parse_command_line(["--demo", "nonsense"])
    assert built == [True, True]


def test_help_and_errors_name_the_subcommands() -> None:
    done = run_cli("--help")
    assert done.returncode == 0 and "subcommands" in done.stdout and "renew" in done.stdout
    done = run_cli("--demo", "nonsense")
    assert done.returncode == 2 and "invalid choice: 'nonsense'" in done.stderr
    done = run_cli("--api-key=x")
    assert done.returncode == 2 and "the key is never an option" in done.stderr
    assert "=x" not in done.stderr  # the value is never echoed


def test_subcommand_bad_usage_is_one_line_and_status_2() -> None:
    for argv in (["dmca", "--order", "sideways"], ["renew"], ["account", "--csv"]):
        done = run_cli(*argv)
        assert done.returncode == 2, argv
        assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


def test_the_parser_knows_every_job_state() -> None:
    from illvid_tui.cli.parser import STATES
    from illvid_tui.core.uploads import JobState

    assert set(STATES) == {s.value for s in JobState}
