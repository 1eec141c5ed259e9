"""The state database shared by processes: modes, migrations racing, WAL left small."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

from illvid_tui.core import logs
from illvid_tui.core.db import Database, statements
from illvid_tui.core.uploads import MIGRATIONS as UPLOAD_MIGRATIONS
from illvid_tui.core.uploads import UploadStore

ACCOUNT = "http://127.0.0.1/api|demo"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_folder_database_wal_and_shm_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = Database(tmp_path / "state" / "state.sqlite3")
        store = UploadStore(db, ACCOUNT)
        store.begin_send("https://e.com/a.mp4", None, 1.0)
    finally:
        os.umask(old)
    path = tmp_path / "state" / "state.sqlite3"
    assert mode(path.parent) == 0o700
    assert mode(path) == 0o600
    assert mode(path.with_name("state.sqlite3-wal")) == 0o600
    assert mode(path.with_name("state.sqlite3-shm")) == 0o600
    db.close()


def test_files_left_world_readable_by_an_older_version_are_tightened(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    path = folder / "state.sqlite3"
    sqlite3.connect(path).close()
    os.chmod(path, 0o644)
    Database(path).close()
    assert (mode(folder), mode(path)) == (0o700, 0o600)


def test_the_log_file_and_its_folder_are_private(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        logs.setup(tmp_path / "log" / "illvid-tui.log")
        logging.getLogger("illvid_tui.test").warning("a line")
    finally:
        os.umask(old)
    assert mode(tmp_path / "log") == 0o700
    assert mode(tmp_path / "log" / "illvid-tui.log") == 0o600
    assert "a line" in (tmp_path / "log" / "illvid-tui.log").read_text()


def test_a_clean_close_truncates_the_wal_while_another_process_keeps_it_open(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.sqlite3"
    db = Database(path)
    store = UploadStore(db, ACCOUNT)
    other = sqlite3.connect(path)  # another process's connection stays open
    other.execute("SELECT count(*) FROM uploads").fetchone()
    for i in range(300):
        store.begin_send(f"https://e.com/{i}.mp4" + "x" * 500, None, float(i))
    wal = path.with_name("state.sqlite3-wal")
    assert wal.stat().st_size > 100_000
    db.close()
    assert wal.stat().st_size == 0
    assert other.execute("SELECT count(*) FROM uploads").fetchone()[0] == 300
    other.close()


def test_statements_keep_trigger_bodies_whole() -> None:
    script = """
    CREATE TABLE t (a);
    CREATE TRIGGER t_ins AFTER INSERT ON t BEGIN
        UPDATE t SET a = 1; UPDATE t SET a = 2;
    END;
    CREATE INDEX t_a ON t (a)
    """
    parts = statements(script)
    assert len(parts) == 3
    assert parts[1].startswith("CREATE TRIGGER") and parts[1].endswith("END;")


def test_a_migration_is_applied_once_and_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    a, b = Database(path), Database(path)
    migrations = ("CREATE TABLE things (x)", "ALTER TABLE things ADD COLUMN y")
    assert a.migrate("things", migrations) == 2
    # b read nothing before: its exclusive transaction reads the version again.
    assert b.migrate("things", migrations) == 2
    assert b.migrate("things", migrations[:2]) == 2
    try:
        b.migrate("things", migrations[:1])
    except RuntimeError as exc:
        assert "newer than this program knows" in str(exc)
    else:
        raise AssertionError("an older program must refuse a newer schema")


OPEN_AND_WRITE = """
import sys, time
from illvid_tui.core.db import Database
from illvid_tui.core.uploads import UploadStore
from illvid_tui.core.filecheck import FileCheckStore
from illvid_tui.core.lease import Presence
start = float(sys.argv[2])
while time.time() < start:
    pass
db = Database(sys.argv[1])
store = UploadStore(db, "acct")
FileCheckStore(db)
Presence(db).beat()
for i in range(20):
    store.begin_send(f"https://e.com/{sys.argv[3]}/{i}", None, 1.0)
db.close()
"""


def test_processes_starting_at_once_on_a_fresh_state_dir_all_start_and_lose_nothing(
    tmp_path: Path,
) -> None:
    import time

    for round_ in range(5):
        path = tmp_path / f"round{round_}" / "state" / "state.sqlite3"
        start = time.time() + 1.5  # every process is imported and spinning by then
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AND_WRITE, str(path), str(start), str(n)],
                stderr=subprocess.PIPE,
            )
            for n in range(4)
        ]
        errors = [p.communicate(timeout=60)[1].decode() for p in procs]
        assert [p.returncode for p in procs] == [0] * 4, errors
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT count(*) FROM uploads").fetchone()[0] == 80
        versions = dict(conn.execute("SELECT part, version FROM schema_versions").fetchall())
        conn.close()
        assert versions["uploads"] == len(UPLOAD_MIGRATIONS) and versions["leases"] == 1


def test_opening_the_database_again_keeps_the_locks_of_connections_already_open(
    tmp_path: Path,
) -> None:
    # Closing any descriptor of the file drops this process's POSIX locks on
    # it: another process then thinks it is the last one, checkpoints the WAL
    # and deletes it under our open connections (writes then go nowhere).
    path = tmp_path / "state.sqlite3"
    first = UploadStore(Database(path), ACCOUNT)
    first.begin_send("https://e.com/a.mp4", None, 1.0)
    second = Database(path)  # e.g. the leases' own connection
    other_process = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
        " c.execute('SELECT count(*) FROM uploads').fetchone(); c.close()"
    )
    subprocess.run([sys.executable, "-c", other_process, str(path)], check=True, timeout=60)
    assert path.with_name("state.sqlite3-wal").exists()
    first.begin_send("https://e.com/b.mp4", None, 2.0)
    reader = sqlite3.connect(path)
    assert reader.execute("SELECT count(*) FROM uploads").fetchone()[0] == 2
    reader.close()
    second.close()
    first.db.close()


def test_profile_files_and_their_folders_are_private(tmp_path: Path) -> None:
    from illvid_tui.core.profiles import ProfileStore

    old = os.umask(0o022)
    try:
        store = ProfileStore(tmp_path / "config", tmp_path / "state")
        store.save({})
        store.set_last_used("default")
    finally:
        os.umask(old)
    assert mode(tmp_path / "config") == 0o700 and mode(store.path) == 0o600
    assert mode(tmp_path / "state") == 0o700 and mode(store.last_used_path) == 0o600
