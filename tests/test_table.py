"""FastTable: data operations, view, cursor, marks, mouse, rendering."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.message import Message
from textual.worker import WorkerFailed

from illvid_tui.widgets.table import Column, FastTable
from illvid_tui.widgets.table.render import compute_layout, fit, shorten

COLUMNS = [
    Column("name", "Name"),
    Column("size", "Size", width=8, justify="right"),
    Column("url", "URL", width=20, shorten="middle"),
]


def make_rows(count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    for i in range(count):
        yield f"k{i}", {"name": f"file{i:05d}", "size": count - i, "url": f"https://x.test/{i}"}


class TableApp(App[None]):
    def __init__(self, columns: list[Column] = COLUMNS) -> None:
        super().__init__()
        self.columns = columns
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield FastTable(self.columns, id="table")

    def on_fast_table_cursor_moved(self, message: FastTable.CursorMoved) -> None:
        self.messages.append(message)

    def on_fast_table_row_activated(self, message: FastTable.RowActivated) -> None:
        self.messages.append(message)

    def on_fast_table_sort_changed(self, message: FastTable.SortChanged) -> None:
        self.messages.append(message)

    def on_fast_table_marks_changed(self, message: FastTable.MarksChanged) -> None:
        self.messages.append(message)

    def on_fast_table_view_changed(self, message: FastTable.ViewChanged) -> None:
        self.messages.append(message)

    @property
    def table(self) -> FastTable:
        return self.query_one(FastTable)

    def of_type(self, kind: type[Message]) -> list[Any]:
        return [m for m in self.messages if isinstance(m, kind)]


def screen_text(table: FastTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_set_update_remove_rows() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(10))
        assert (table.row_count, table.total_count) == (10, 10)
        table.update_rows([("k3", {"size": 999}), ("new", {"name": "fresh"})])
        row = table.get_row("k3")
        assert row is not None and row["size"] == 999 and row["name"] == "file00003"
        assert table.visible_keys()[-1] == "new"
        table.remove_rows(["k0", "k5", "missing"])
        assert table.total_count == 9
        assert "k0" not in table.visible_keys() and table.get_row("k5") is None
        await pilot.pause()
        assert "999" in table.render_line(3).text  # k3 is now the third row
        table.clear()
        assert table.row_count == 0 and table.cursor_key is None


async def test_update_rows_repaints_only_visible_changed_lines() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(100))
        await pilot.pause()
        calls: list[int] = []
        original = table.refresh_line

        def spy(y: int) -> None:
            calls.append(y)
            original(y)

        table.refresh_line = spy  # type: ignore[method-assign]
        table.update_rows([("k2", {"size": 1}), ("k90", {"size": 1}), ("k4", {"size": 96})])
        # k2 is visible (line 3); k90 is off screen; k4 did not change.
        assert calls == [3]


async def test_sort_is_stable_and_reversible_and_keeps_cursor() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)):
        table = app.table
        table.set_rows(
            [
                ("a", {"name": "x", "size": 2}),
                ("b", {"name": "y", "size": 1}),
                ("c", {"name": "z", "size": 2}),
                ("d", {"name": "w", "size": None}),
            ]
        )
        table.move_cursor("c")
        table.sort_by("size")
        assert table.visible_keys() == ["b", "a", "c", "d"]
        assert table.cursor_key == "c"
        table.sort_by("size", reverse=True)
        assert table.visible_keys() == ["a", "c", "b", "d"]  # ties keep order, None last
        assert (table.sort_column, table.sort_reverse) == ("size", True)
        assert "Size ▼" in table.render_line(0).text


async def test_filter_keeps_cursor_and_shows_empty_text() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(50))
        table.move_cursor("k21")
        table.set_filter(lambda key, row: key.endswith("1"))
        assert table.cursor_key == "k21"
        assert table.row_count == 5 and table.total_count == 50
        table.set_filter(lambda key, row: False)
        await pilot.pause()
        assert table.cursor_key is None
        assert any("Nothing here yet." in line for line in screen_text(table))
        table.set_filter(None)
        assert table.row_count == 50


async def test_cursor_clamps_when_its_key_disappears() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)):
        table = app.table
        table.set_rows(make_rows(5))
        table.move_cursor("k4")
        table.remove_rows(["k4"])
        assert table.cursor_key == "k3"


async def test_keyboard_navigation() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(200))
        table.focus()
        await pilot.press("down", "down")
        assert table.cursor_index == 2
        await pilot.press("up")
        assert table.cursor_key == "k1"
        await pilot.press("pagedown")
        page = table.cursor_index - 1
        assert page >= 10
        await pilot.press("pageup")
        assert table.cursor_index == 1
        await pilot.press("end")
        assert table.cursor_key == "k199"
        await pilot.pause()
        assert "file00199" in screen_text(table)[-1]  # scrolled to keep the cursor visible
        await pilot.press("home")
        assert table.cursor_index == 0
        await pilot.pause()
        moved = app.of_type(FastTable.CursorMoved)
        assert moved and moved[-1].key == "k0"


async def test_space_marks_and_enter_activates() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(10))
        table.focus()
        await pilot.press("down", "space")
        assert table.marked == {"k1"}
        await pilot.pause()
        assert table.render_line(2).text.startswith("●")
        await pilot.press("enter")
        await pilot.pause()
        assert [m.key for m in app.of_type(FastTable.RowActivated)] == ["k1"]
        assert app.of_type(FastTable.MarksChanged)[-1].marked == {"k1"}
        table.mark_all_visible()
        assert len(table.marked) == 10
        table.clear_marks()
        assert table.marked == frozenset()


async def test_click_header_sorts_and_toggles() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(10))
        await pilot.pause()
        size_x = table.render_line(0).text.index("Size")
        await pilot.click(FastTable, offset=(size_x, 0))
        assert table.sort_column == "size" and not table.sort_reverse
        assert table.visible_keys()[0] == "k9"
        await pilot.click(FastTable, offset=(size_x, 0))
        assert table.sort_reverse
        await pilot.pause()
        sorts = app.of_type(FastTable.SortChanged)
        assert [(m.column, m.reverse) for m in sorts] == [("size", False), ("size", True)]


async def test_click_row_moves_cursor_then_activates() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(10))
        await pilot.pause()
        await pilot.click(FastTable, offset=(5, 4))
        assert table.cursor_key == "k3"
        assert not app.of_type(FastTable.RowActivated)
        await pilot.click(FastTable, offset=(5, 4))
        await pilot.pause()
        assert [m.key for m in app.of_type(FastTable.RowActivated)] == ["k3"]


async def test_render_line_formats_values_and_keeps_markup_literal() -> None:
    columns = [Column("a", "A", width=12), Column("b", "B", width=12), Column("c", "C")]
    app = TableApp(columns)
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(
            [
                ("r1", {"a": "[bold]x[/]", "b": Decimal("1.50"), "c": date(2026, 5, 1)}),
                ("r2", {"a": None, "b": Text("styled", style="red"), "c": "line\nbreak"}),
            ]
        )
        await pilot.pause()
        first = table.render_line(1).text
        assert "[bold]x[/]" in first and "1.50" in first and "2026-05-01" in first
        second = table.render_line(2)
        assert "styled" in second.text and "line break" in second.text
        assert any(
            seg.style and seg.style.color and seg.style.color.name == "red" for seg in second
        )
        assert second.cell_length == table.size.width


async def test_middle_shortening() -> None:
    url = "https://example.test/very/long/path/file.mkv"
    assert shorten(url, 11, "middle") == "https…e.mkv"
    assert shorten(url, 11) == "https://ex…"
    assert fit("7", 4, "right") == "   7"
    assert shorten("日本語テキスト", 5) == "日本…"
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        app.table.set_rows([("u", {"name": "n", "url": url})])
        await pilot.pause()
        assert shorten(url, 20, "middle") in app.table.render_line(1).text


def test_layout_shares_remaining_width() -> None:
    layout = compute_layout([None, 8, None], 40)
    assert layout.widths[1] == 8 and sum(layout.widths) + 2 + 2 == 40
    assert compute_layout([None, 50], 40).widths[0] == 6  # flexible minimum


async def test_hundred_thousand_rows() -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(100_000))
        table.sort_by("size")
        assert table.view_pending and table.sort_column == "size"  # big: sorted in a thread
        await table.view_ready()
        assert table.visible_keys()[0] == "k99999"
        table.update_rows([("k50000", {"name": "changed"})])
        table.move_cursor("k50000")
        await pilot.pause()
        assert table.cursor_index == 49_999
        assert any("changed" in line for line in screen_text(table))
        assert table.virtual_size.height == 100_001


async def test_cursor_is_reversed_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(3))
        table.focus()
        await pilot.pause()
        # The cells (not the padding under the scrollbar gutter) carry the reverse attribute.
        cursor = [seg.style for seg in table.render_line(1) if "file00000" in seg.text]
        other = [seg.style for seg in table.render_line(2) if "file00001" in seg.text]
        assert cursor and all(style is not None and style.reverse for style in cursor)
        assert other and not any(style is not None and style.reverse for style in other)


# ------------------------------------------------------------- views computed in a thread


def mixed_rows(count: int) -> list[tuple[str, dict[str, Any]]]:
    """Rows with ties, empty cells and styled text, so order and stability are tested."""
    rows: list[tuple[str, dict[str, Any]]] = []
    for i in range(count):
        size = None if i % 7 == 0 else (i * 37) % 11
        name: str | Text = Text(f"n{(i * 13) % 17:02d}") if i % 2 else f"n{(i * 13) % 17:02d}"
        rows.append((f"k{i}", {"name": name, "size": size, "url": f"u{i % 5}"}))
    return rows


@pytest.fixture
def background(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables of 10 rows or more compute their views in a thread."""
    monkeypatch.setattr(FastTable, "BACKGROUND_ROWS", 10)


async def test_background_sort_and_filter_match_the_loop(background: None) -> None:
    rows = mixed_rows(200)
    views = [
        ("size", False, None),
        ("size", True, None),
        ("name", False, lambda key, row: row["size"] != 3),
        ("name", True, lambda key, row: key.endswith("1")),
        (None, False, lambda key, row: row["url"] == "u2"),
    ]
    app = TableApp()
    async with app.run_test(size=(80, 24)):
        table = app.table
        for column, reverse, predicate in views:
            FastTable.BACKGROUND_ROWS = 10
            table.clear()
            table.set_filter(predicate)
            table.set_rows(rows)
            if column is not None:
                table.sort_by(column, reverse)
            assert table.view_pending
            await table.view_ready()
            in_thread = table.visible_keys()
            FastTable.BACKGROUND_ROWS = 10**9  # the same on the loop
            table.set_rows(rows)
            assert not table.view_pending
            assert table.visible_keys() == in_thread, (column, reverse)
            expected = reference_view(rows, predicate, table.sort_column, table.sort_reverse)
            assert in_thread == expected
        assert len(in_thread) == 40 and in_thread[0] == "k47"  # still by name, descending


def reference_view(
    rows: list[tuple[str, dict[str, Any]]],
    predicate: Any,
    column: str | None,
    reverse: bool,
) -> list[str]:
    """The documented order, the slow obvious way: filter, stable sort, empty cells last."""
    shown = [(k, r) for k, r in rows if predicate is None or predicate(k, r)]
    if column is None:
        return [k for k, _ in shown]
    full = [(k, r) for k, r in shown if r.get(column) is not None]
    empty = [k for k, r in shown if r.get(column) is None]

    def plain(row: dict[str, Any]) -> Any:
        value = row[column]
        return value.plain if isinstance(value, Text) else value

    return [k for k, _ in sorted(full, key=lambda kr: plain(kr[1]), reverse=reverse)] + empty


async def test_background_sort_shows_header_at_once_and_posts_view_changed(
    background: None,
) -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(50))
        await pilot.pause()
        app.messages.clear()
        table.sort_by("size", reverse=True)
        assert (table.sort_column, table.sort_reverse) == ("size", True)
        assert "Size ▼" in table.render_line(0).text
        assert table.visible_keys()[0] == "k0"  # the old view until the new one is ready
        assert not app.of_type(FastTable.ViewChanged)
        await table.view_ready()
        await pilot.pause()
        assert table.visible_keys()[0] == "k0"  # sizes count down: reverse keeps k0 first
        table.sort_by("size")
        await table.view_ready()
        await pilot.pause()
        assert table.visible_keys()[0] == "k49"
        changed = app.of_type(FastTable.ViewChanged)
        assert changed and all(m.table is table for m in changed)
        # The cursor stayed on its key (now last) and the view scrolled to keep it visible.
        assert (table.cursor_key, table.cursor_index) == ("k0", 49)
        assert "file00000" in screen_text(table)[-1]


async def test_newer_sort_supersedes_an_older_one(background: None) -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(300))
        table.sort_by("name", reverse=True)
        table.sort_by("size")
        table.set_filter(lambda key, row: row["size"] % 2 == 0)
        await table.view_ready()
        await pilot.pause()
        expected = [f"k{i}" for i in range(299, -1, -1) if (300 - i) % 2 == 0]
        assert table.visible_keys() == expected
        assert (table.sort_column, table.sort_reverse) == ("size", False)
        # A small set_rows (computed on the loop) supersedes a pending big one too.
        table.sort_by("name", reverse=True)
        table.set_rows(make_rows(4))
        assert not table.view_pending
        await table.view_ready()
        await pilot.pause()
        assert table.visible_keys() == ["k2", "k0"]  # sizes 4, 2 pass; names descending


async def test_rows_changed_during_a_background_sort_are_kept(background: None) -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(100))
        table.set_filter(lambda key, row: row.get("size", 0) != -1)
        await table.view_ready()
        table.move_cursor("k42")
        table.sort_by("size")
        assert table.view_pending
        # While the thread sorts: an update, a new row, a removal, a row filtered out.
        table.update_rows([("k10", {"name": "renamed"}), ("extra", {"name": "x", "size": 5})])
        table.update_rows([("k11", {"size": -1})])
        table.remove_rows(["k20"])
        await table.view_ready()
        await pilot.pause()
        keys = table.visible_keys()
        assert keys[-1] == "extra"  # like update_rows after a sort: new rows go last
        assert "k20" not in keys and "k11" not in keys
        assert len(keys) == 99 and table.total_count == 100
        assert keys[:3] == ["k99", "k98", "k97"]
        row = table.get_row("k10")
        assert row is not None and row["name"] == "renamed"
        assert table.cursor_key == "k42"
        assert table.cursor_index == keys.index("k42")


async def test_set_rows_on_a_big_sorted_table_goes_to_the_thread(background: None) -> None:
    app = TableApp()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.table
        table.set_rows(make_rows(30))
        table.sort_by("size")
        await table.view_ready()
        table.move_cursor("k5")
        table.toggle_mark("k5")
        table.toggle_mark("k7")
        # The same codes with new values, minus k7: sorted in the thread.
        fresh = [(k, {**row, "size": i}) for i, (k, row) in enumerate(make_rows(30))]
        table.set_rows(kr for kr in fresh if kr[0] != "k7")
        table.remove_rows([])
        assert table.view_pending
        assert "k7" not in table.visible_keys() and table.marked == {"k5"}
        await table.view_ready()
        await pilot.pause()
        assert table.visible_keys()[:2] == ["k0", "k1"]
        assert table.cursor_key == "k5"
        # An empty view while the first rows are sorted in shows no "nothing here".
        table.clear()
        table.set_rows(make_rows(30))
        assert table.view_pending and table.row_count == 0
        assert not any("Nothing here yet." in line for line in screen_text(table))
        await table.view_ready()
        assert table.row_count == 30


async def test_a_failing_background_filter_reaches_the_app_like_a_failing_loop_filter(
    background: None,
) -> None:
    def broken(key: str, row: Any) -> bool:
        raise ValueError("bad filter")

    app = TableApp()
    seen: list[tuple[bool, int]] = []
    with pytest.raises(WorkerFailed, match="bad filter"):
        async with app.run_test(size=(80, 24)) as pilot:
            table = app.table
            table.set_rows(make_rows(40))
            table.set_filter(broken)
            await table.view_ready()  # returns: no waiter hangs on a failed view
            seen.append((table.view_pending, table.row_count))
            await pilot.pause()
    # Checked out here: the app's failure replaces any assertion error raised inside.
    assert seen == [(False, 40)]  # the old view stays
