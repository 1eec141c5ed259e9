"""The shell: sections, help, palette, keymap, worker failures, crashes without leaks."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import TODAY
from rich.console import Console
from rich.text import Text
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.widgets import Static

from illvid_tui.app import CrashReport, IllvidApp
from illvid_tui.core.settings import Settings
from illvid_tui.emulator import DEMO_KEY, Emulator
from illvid_tui.screens.account import AccountScreen
from illvid_tui.screens.help import HelpScreen
from illvid_tui.widgets.header import AppHeader

SIZE = (100, 30)


async def test_sections_switch_on_1_to_4(make_app: Callable[..., IllvidApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, AccountScreen)
        seen = []
        for key, mode in (("2", "uploads"), ("4", "dmca"), ("1", "account"), ("3", "files")):
            await pilot.press(key)
            await pilot.pause()
            seen.append((app.current_mode, app.screen.title))
            assert app.current_mode == mode
        assert seen[2] == ("account", "Account")


async def test_start_screen_from_settings(make_app: Callable[..., IllvidApp]) -> None:
    app = make_app(screen="dmca")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.current_mode == "dmca"


async def test_help_lists_the_screens_bindings_with_ids(
    make_app: Callable[..., IllvidApp],
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = [row[2] for row in app.screen.rows]
        assert "account.refresh" in ids and "app.quit" in ids
        # The screen's own keys come before the global ones.
        assert ids.index("account.refresh") < ids.index("app.account")
        assert not any(r[1] == "Scroll Up" for r in app.screen.rows)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, AccountScreen)


async def test_palette_offers_sections_by_name(make_app: Callable[..., IllvidApp]) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles[:4] == ["Account", "Uploads", "Files", "DMCA"]
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"uploads")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "uploads"


async def test_palette_offers_the_screens_actions_by_name(
    make_app: Callable[..., IllvidApp], emulator: Emulator
) -> None:
    app = make_app("dmca")
    async with app.run_test(size=SIZE) as pilot:
        await until_connected(app, pilot)
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert {"DMCA: Order", "DMCA: Search", "DMCA: Renew"} <= set(commands)
        assert commands["DMCA: Order"].help == "Key: o"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"DMCA: Order")
        await pilot.pause(0.3)
        await pilot.press("enter")
        for _ in range(200):
            asked = [r.params for r in emulator.requests if r.op == "files_dmca"]
            if asked and asked[-1].get("order") == "up":
                break
            await pilot.pause(0.01)
        assert asked[-1]["order"] == "up"


async def test_user_keymap_remaps_by_binding_id(
    make_app: Callable[..., IllvidApp], settings: Settings, emulator: object
) -> None:
    settings.config_dir.mkdir(parents=True)
    settings.keymap_path.write_text('"app.uploads" = "U"\n"account.refresh" = ["f5", "r"]\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("2")
        await pilot.pause()
        assert app.current_mode == "account"  # 2 no longer switches
        await pilot.press("U")
        await pilot.pause()
        assert app.current_mode == "uploads"


async def test_bad_keymap_is_reported_not_fatal(
    make_app: Callable[..., IllvidApp], settings: Settings
) -> None:
    settings.config_dir.mkdir(parents=True)
    settings.keymap_path.write_text("this is = not toml [")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any("not valid TOML" in n.message for n in app._notifications)
        await pilot.press("2")
        assert app.current_mode == "uploads"


async def test_unexpected_worker_error_notifies_and_logs_redacted(
    make_app: Callable[..., IllvidApp], settings: Settings
) -> None:
    app = make_app()

    class Boom(Exception):
        pass

    async def failing() -> None:
        raise Boom(f"failed with key={DEMO_KEY}")

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        worker = app.run_worker(failing(), group="test.boom", exit_on_error=False)
        with pytest.raises(Exception):  # noqa: B017 - WorkerFailed wraps Boom
            await worker.wait()
        await pilot.pause()
        assert app.is_running  # the app goes on
        messages = [n.message for n in app._notifications]
        assert any("Boom" in m for m in messages)
        assert not any(DEMO_KEY in m for m in messages)
    log_text = settings.log_path.read_text()
    assert "Boom" in log_text and "Traceback" in log_text
    assert DEMO_KEY not in log_text


async def test_crash_is_reported_without_locals_and_fails(
    make_app: Callable[..., IllvidApp], settings: Settings
) -> None:
    app = make_app()

    def crash() -> None:
        secret_local = DEMO_KEY  # noqa: F841 - Textual's crash screen would print this
        raise RuntimeError(f"broken with {DEMO_KEY}")

    with pytest.raises(CrashReport) as caught:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            app.call_later(crash)
            await pilot.pause()
    assert app.return_code == 1
    assert DEMO_KEY not in str(caught.value)
    assert "RuntimeError" in str(caught.value)
    log_text = settings.log_path.read_text()
    assert "RuntimeError" in log_text and DEMO_KEY not in log_text


def test_real_crash_exits_non_zero_and_prints_no_key(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from illvid_tui.core.settings import Settings
        from illvid_tui.app.demo import create_demo_app

        app = create_demo_app(Settings.in_dir(Path({str(tmp_path)!r})))

        def crash():
            key_in_a_local = {DEMO_KEY!r}
            raise RuntimeError("boom " + key_in_a_local)

        app.call_later(lambda: app.set_timer(0.3, crash))
        app.run(headless=True)
        sys.exit(app.return_code or 0)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    output = done.stdout + done.stderr
    assert "unexpected error" in output
    assert DEMO_KEY not in output
    assert "key_in_a_local" not in output  # no locals printed
    assert DEMO_KEY not in (tmp_path / "log" / "illvid-tui.log").read_text()


async def test_key_never_lands_in_logs_screens_or_errors(
    settings: Settings, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run with faults (403, 509, dropped connections, HTML errors) at DEBUG level."""
    from illvid_tui.app import create_app
    from illvid_tui.core.credentials import Credentials

    secret = "sEcReT-key-0123456789"
    emulator.key = secret
    monkeypatch.setenv("ILLVID_TUI_DEBUG", "1")
    app = create_app(
        settings,
        transport=emulator.transport(),
        credentials=Credentials("demo", secret),
        today=TODAY,
    )
    shots: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.client is not None
        app.client.backoff_base = 0.001
        emulator.faults.html_errors = True
        for status in (403, 509, 500, 0, 404):
            emulator.fail_next("account_info", status, count=2)
            await pilot.press("r")
            for _ in range(3):
                await pilot.pause()
                busy = [w for w in app.workers if w.group != "uploads.poller"]
                if busy:
                    await app.workers.wait_for_complete(busy)
            shots.append(app.export_screenshot())
        for key in ("question_mark", "escape", "2", "4", "1"):
            await pilot.press(key)
            await pilot.pause()
            shots.append(app.export_screenshot())
        texts = [n.message for n in app._notifications]
    assert any(r.params.get("key") == secret for r in emulator.requests)  # it was used
    logged = "".join(p.read_text() for p in settings.log_dir.rglob("*") if p.is_file())
    assert "op=account_info" in logged  # DEBUG lines were written...
    assert secret not in logged  # ...without the key
    for text in [*shots, *texts, repr(app.client), str(app.connection)]:
        assert secret not in text
    assert not list(settings.state_dir.glob("*.sqlite3*")) or all(
        secret.encode() not in p.read_bytes() for p in settings.state_dir.glob("*.sqlite3*")
    )


def shown(app: IllvidApp, selector: str) -> str:
    """The text a Static shows, without styles."""
    console = Console(width=200, file=io.StringIO(), color_system=None)
    with console.capture() as capture:
        console.print(app.screen.query_one(selector, Static).content)
    return capture.get()


async def settle(pilot: Pilot[None]) -> None:
    """Let the start-up threads and requests finish (the poller runs on)."""
    for _ in range(3):
        await pilot.pause()
        busy = [w for w in pilot.app.workers if w.group != "uploads.poller"]
        if busy:
            await pilot.app.workers.wait_for_complete(busy)
    await pilot.pause()


@pytest.mark.parametrize("screen", ["uploads", "files", "dmca"])
async def test_app_connects_whatever_screen_it_starts_on(
    make_app: Callable[..., IllvidApp], emulator: Emulator, screen: str
) -> None:
    app = make_app(screen=screen)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.current_mode == screen
        header = app.screen.query_one(AppHeader)
        assert (header.state, header.detail) == ("ok", "connected")
        assert "connected" in str(header.render())
        assert app.account_id == f"{app.settings.base_url}|{emulator.login}"
        assert app.poller is not None
        assert any(w.group == "uploads.poller" and w.is_running for w in app.workers)
        assert app.account.info is not None and app.account.info.login == emulator.login
        # The Account screen shows the app's answer: no second account_info.
        await pilot.press("1")
        await settle(pilot)
        assert [r.op for r in emulator.requests].count("account_info") == 1
        assert "4050.00" in shown(app, "#account-fields")


async def test_refused_env_key_at_start_shows_the_login_screen_with_403(
    settings: Settings, emulator: Emulator, monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> None:
    from illvid_tui.app import create_app
    from illvid_tui.screens.login import LoginScreen

    monkeypatch.setenv("ILLVID_API_LOGIN", emulator.login)
    monkeypatch.setenv("ILLVID_API_KEY", "not-the-key")
    app = create_app(settings, transport=emulator.transport(), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        status = shown(app, "#login-status")
        assert "403" in status and "ILLVID_API_KEY" in status
        assert "not-the-key" not in status
        assert app.account_id is None and app.poller is None
        assert app.connection == ("rejected", "credentials rejected")
        # The environment's key skipped the keyring: the screen still finds out it has none.
        assert "session only" in shown(app, "#login-note")


async def test_a_failed_first_account_info_other_than_403_still_opens_the_sections(
    make_app: Callable[..., IllvidApp], emulator: Emulator
) -> None:
    emulator.fail_next("account_info", 400)  # not retried, not a credentials problem
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.account_id is not None and app.poller is not None
        assert app.account.error is not None and app.account.info is None
        problem = shown(app, "#account-problem")
        assert "400" in problem
        await pilot.press("r")
        await settle(pilot)
        assert app.account.error is None and app.account.info is not None
        assert "4050.00" in shown(app, "#account-fields")


async def test_key_only_credentials_get_the_partition_of_the_login_the_server_names(
    settings: Settings, emulator: Emulator
) -> None:
    from illvid_tui.app import create_app
    from illvid_tui.core.credentials import Credentials

    # Without a login, every key-only account would share one queue and history.
    app = create_app(
        settings, transport=emulator.transport(), credentials=Credentials("", DEMO_KEY), today=TODAY
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.account_id == f"{settings.base_url}|{emulator.login}"
        assert app.account_id.endswith("|demo") and app.login == "demo"
        assert app.poller is not None


async def test_a_new_sign_in_gets_its_transport_built_off_the_event_loop(
    settings: Settings, emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from illvid_tui.app import create_app
    from illvid_tui.core.credentials import Credentials

    # A real https transport costs ~35 ms (a TLS context): never on the event loop.
    built_on: list[str] = []

    def make_transport(app: IllvidApp) -> object:
        built_on.append(threading.current_thread().name)
        return emulator.transport()

    monkeypatch.setattr(IllvidApp, "_make_transport", make_transport)
    app = create_app(settings, credentials=Credentials("demo", DEMO_KEY), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.account.info is not None
        first = app.client
        app.ask_credentials(change=True)  # the user signs in again
        await settle(pilot)
        app.connect(Credentials("demo", DEMO_KEY), info=app.account.info)
        await settle(pilot)
        assert app.client is not first and app.account_id is not None
        assert len(built_on) == 2
        assert threading.main_thread().name not in built_on


async def until_connected(app: IllvidApp, pilot: Pilot[None]) -> None:
    for _ in range(2000):
        if app.account_id is not None:
            return
        await pilot.pause(0.005)
    raise AssertionError("the app did not connect")


async def test_header_tabs_show_each_section_key_and_switch_on_click(
    make_app: Callable[..., IllvidApp], settings: Settings
) -> None:
    settings.config_dir.mkdir(parents=True)
    settings.keymap_path.write_text('"app.uploads" = "U"\n')
    app = make_app("files")
    async with app.run_test(size=(80, 24)) as pilot:
        await until_connected(app, pilot)
        await pilot.pause()
        header = app.screen.query_one(AppHeader)
        text = header.render()
        assert isinstance(text, Text)
        # Every section with its key (remapped ones too), at 80 columns.
        for label in ("1 Account", "U Uploads", "3 Files", "4 DMCA"):
            assert label in text.plain
        current = [s for s in text.spans if "reverse" in str(s.style)]
        assert [text.plain[s.start : s.end].strip() for s in current] == ["3 Files"]
        start = text.plain.index("4 DMCA")
        await pilot.click(AppHeader, offset=(start + 1, 0))
        await pilot.pause()
        assert app.current_mode == "dmca"


async def test_header_tabs_keep_their_keys_after_switching_section(
    make_app: Callable[..., IllvidApp],
) -> None:
    # Each section's screen mounts with its (hidden) search box focused for a
    # moment: the tabs must not lose their keys to it.
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await until_connected(app, pilot)
        for key in ("2", "3", "4", "1", "2"):
            await pilot.press(key)
            await pilot.pause()
            await pilot.pause()
            # What is painted (the header's render cache), not a fresh render().
            painted = app.screen.query_one(AppHeader).render_line(0).text
            for label in ("1 Account", "2 Uploads", "3 Files", "4 DMCA"):
                assert label in painted, (key, painted)


async def test_keymap_conflicts_and_unknown_ids_are_named_once(
    make_app: Callable[..., IllvidApp], settings: Settings
) -> None:
    settings.config_dir.mkdir(parents=True)
    settings.keymap_path.write_text(
        '"account.refresh" = "q"\n"uploads.add" = "2"\n"acount.login" = "l"\n'
        '"dmca.order" = "O"\n"app.help" = "?"\n'
    )
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until_connected(app, pilot)
        for key in ("2", "1", "r"):
            await pilot.press(key)
            await pilot.pause()
        warnings = [n.message for n in app._notifications if n.title.startswith("Keymap")]
        assert len(warnings) == 1
        text = warnings[0]
        assert "acount.login" in text
        assert "q is bound to account.refresh and app.quit" in text
        assert "2 is bound to app.uploads and uploads.add" in text
        # Remapped to a free key, or to its own default: no word about them.
        assert "dmca.order" not in text and "app.help" not in text


async def test_a_clean_keymap_says_nothing(
    make_app: Callable[..., IllvidApp], settings: Settings
) -> None:
    settings.config_dir.mkdir(parents=True)
    settings.keymap_path.write_text('"app.uploads" = "U"\n"account.refresh" = ["f5", "r"]\n')
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until_connected(app, pilot)
        await pilot.pause()
        assert not [n for n in app._notifications if n.title.startswith("Keymap")]


def test_keymap_check_knows_widget_ids_and_where_they_meet() -> None:
    from illvid_tui.screens import keymap_check

    scopes = keymap_check.our_scopes()
    lines = keymap_check.problems({"table.mark": "a", "path.complete": "ctrl+t"}, scopes)
    assert lines == [
        "a is bound to dmca.mark_all and profiles.add and table.mark and uploads.add: one of "
        "them wins."
    ]


@pytest.mark.parametrize("low_bandwidth", [True, False])
async def test_low_bandwidth_text_boxes_do_not_blink(
    make_app: Callable[..., IllvidApp], low_bandwidth: bool
) -> None:
    from textual.widgets import Input, TextArea

    app = make_app("uploads", low_bandwidth=low_bandwidth)
    async with app.run_test(size=SIZE) as pilot:
        await until_connected(app, pilot)
        await pilot.press("slash")
        await pilot.pause()
        assert isinstance(app.focused, Input)
        assert app.focused.cursor_blink is not low_bandwidth
        await pilot.press("escape", "a")
        await pilot.pause()
        assert isinstance(app.focused, TextArea)
        assert app.focused.cursor_blink is not low_bandwidth


async def test_demo_leaves_no_folder_in_the_state_dirs(tmp_path: Path) -> None:
    from illvid_tui.app.demo import create_demo_app

    settings = Settings.in_dir(tmp_path / "real", base_url="http://127.0.0.1/api")
    app = create_demo_app(settings, emulator=Emulator(seed=1, today=TODAY), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await until_connected(app, pilot)
        for key in ("2", "3", "4"):
            await pilot.press(key)
            await pilot.pause()
    assert not (tmp_path / "real").exists()
    # The log file and its folder come with the first record.
    import logging

    logging.getLogger("illvid_tui.test").warning("first record")
    assert "first record" in settings.log_path.read_text()


def painted_lines(app: IllvidApp) -> list[str]:
    """The screen as painted (the compositor's strips), one str per row."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("screen", ["uploads", "files", "dmca"])
async def test_footer_fits_and_always_shows_help(
    make_app: Callable[..., IllvidApp], screen: str, size: tuple[int, int]
) -> None:
    app = make_app(screen)
    async with app.run_test(size=size) as pilot:
        await until_connected(app, pilot)
        await pilot.pause()
        await pilot.pause()
        footer = painted_lines(app)[-1]
        assert "? Help" in footer, footer
        if size[0] >= 120:
            assert "q Quit" in footer and "^p palette" in footer, footer
        # Whole entries only: the line ends on a word, not a cut one.
        assert footer.rstrip().endswith(("Help", "Quit", "palette")), footer


def test_upload_detail_puts_the_next_step_before_the_servers_text() -> None:
    from illvid_tui.core.uploads import Job, JobState
    from illvid_tui.screens.uploads_rows import detail_text

    long = "the source answered with a very long explanation " * 3
    for state, hint in ((JobState.UNKNOWN, "R sends it again"), (JobState.FAILED, "R queues")):
        job = Job(7, "q1", "https://e.com/a.mp4", None, 0.0, state, "error", error=long)
        second = detail_text(job, lambda code: code).splitlines()[1]
        # 80 columns minus the detail box's padding show the first 78 cells.
        assert hint in second[:78] and long.strip() in second


async def settle_workers(app: IllvidApp, pilot: Pilot[None]) -> None:
    for _ in range(3):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "uploads.poller" and not w.is_finished]
        if busy:
            await app.workers.wait_for_complete(busy)
    await pilot.pause()


@pytest.mark.parametrize("fault", ["404", "451", "broken json"])
async def test_header_is_not_connected_while_account_shows_an_error(
    make_app: Callable[..., IllvidApp], emulator: Emulator, fault: str
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until_connected(app, pilot)
        await settle_workers(app, pilot)
        assert app.connection == ("ok", "connected")
        if fault == "broken json":
            emulator.faults.broken_json_next = 1
        else:
            emulator.fail_next("account_info", int(fault))
        await pilot.press("r")  # account_info fails; get_upload_server answers fine
        await settle_workers(app, pilot)
        assert app.account.error is not None
        header = app.screen.query_one(AppHeader).render_line(0).text
        assert "connected" not in header and app.connection[0] == "error", header
        emulator.faults.broken_json_next = 0
        await pilot.press("r")
        await settle_workers(app, pilot)
        assert app.account.error is None and app.connection == ("ok", "connected")


async def test_an_empty_account_info_answer_is_an_error_in_the_header(
    settings: Settings, emulator: Emulator
) -> None:
    import httpx

    from illvid_tui.app import create_app
    from illvid_tui.core.credentials import Credentials

    served = emulator.transport()

    async def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params.get("op") == "account_info":
            return httpx.Response(200, content=b"")
        return await served.handle_async_request(request)

    app = create_app(
        settings,
        transport=httpx.MockTransport(handler),
        credentials=Credentials("demo", DEMO_KEY),
        today=TODAY,
    )
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(400):
            if app.account.error is not None:
                break
            await pilot.pause(0.01)
        await settle_workers(app, pilot)
        assert app.account.error is not None
        assert app.connection[0] == "error", app.connection


async def test_esc_on_the_login_screen_leaves_account_saying_not_signed_in(
    settings: Settings, emulator: Emulator
) -> None:
    from illvid_tui.app import create_app
    from illvid_tui.screens.login import LoginScreen

    app = create_app(settings, transport=emulator.transport(), today=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(400):
            if isinstance(app.screen, LoginScreen):
                break
            await pilot.pause(0.01)
        assert isinstance(app.screen, LoginScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, AccountScreen)
        problem = str(app.screen.query_one("#account-problem", Static).render())
        assert "Not signed in, k to enter the login and key" in problem
        assert "Signing in" not in problem
        assert app.connection[0] == "signed out"
