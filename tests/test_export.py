"""core/export: CSV and plain lists written whole or not at all, with clear errors."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from illvid_tui.core.export import ExportError, check_path, write_csv, write_lines


def test_csv_round_trips_with_quotes_commas_and_none(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    rows = [("abc123def456", "2026-01-31", None), ('a,"b"', "x\ny", 3)]
    written = write_csv(target, ["code", "date", "n"], rows)
    assert written == target
    with target.open(newline="", encoding="utf-8") as handle:
        back = list(csv.reader(handle))
    assert back == [
        ["code", "date", "n"],
        ["abc123def456", "2026-01-31", ""],
        ['a,"b"', "x\ny", "3"],
    ]


def test_lines_one_per_line(tmp_path: Path) -> None:
    target = tmp_path / "codes.txt"
    write_lines(target, (c for c in ["aaa111", "bbb222"]))
    assert target.read_text(encoding="utf-8") == "aaa111\nbbb222\n"


def test_replaces_existing_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "codes.txt"
    target.write_text("old\n")
    write_lines(target, ["new"])
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["codes.txt"]


def test_expands_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    written = write_lines("~/list.txt", ["x"])
    assert written == tmp_path / "list.txt"
    assert (tmp_path / "list.txt").read_text() == "x\n"


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        write_csv(tmp_path / "nope" / "out.csv", ["a"], [])


def test_directory_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a folder"):
        write_lines(tmp_path, ["x"])


def test_empty_path_is_an_error() -> None:
    with pytest.raises(ExportError, match="No file name"):
        write_lines("  ", ["x"])


def test_refused_create_is_a_clear_error_for_root_too(tmp_path: Path) -> None:
    # A real refusal at the same `os.open` that a missing permission hits, which
    # root gets as well: the temporary name beside a 250-character one is too long.
    target = tmp_path / ("n" * 250)
    with pytest.raises(ExportError, match="is too long: pick a shorter one"):
        write_lines(target, ["x"])
    assert list(tmp_path.iterdir()) == []


def test_a_name_too_long_to_look_up_is_a_clear_error(tmp_path: Path) -> None:
    # Over the file system's limit even the first look (is it a folder?) fails.
    with pytest.raises(ExportError, match="is too long"):
        check_path(tmp_path / ("n" * 300))


def test_failure_mid_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")

    def rows() -> list[tuple[str]]:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_csv(target, ["a"], (r for r in rows()))
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_new_file_gets_the_usual_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        target = write_lines(tmp_path / "m.txt", ["x"])
    finally:
        os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o644


def test_permission_error_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs as root too (where modes are ignored): the OS error is simulated.
    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(ExportError, match="No permission to write"):
        write_lines(tmp_path / "x.txt", ["x"])
