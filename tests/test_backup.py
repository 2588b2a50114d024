"""``trellis backup`` and ``trellis restore``: one archive holding the
database, the uploads and a manifest; a round trip brings back every row and
every file; bad input is one line on stderr, exit 1, and the live database
and uploads exactly as they were.

These tests replace the whole database, so the module has a database of its
own (SQLite, or a new PostgreSQL database on the server of
``TRELLIS_TEST_DATABASE_URL``), migrated once and emptied after each test.
"""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import current_app
from sqlalchemy import text
from werkzeug.datastructures import FileStorage

from core.cli import main
from core.extensions import db
from core.testing.database import _drop_pg_database, _pg_database, _pg_name

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
#: the tables whose rows the round trip must bring back, in id order
TABLES = ("customer", "contact", "contact_point", "audit_entry", "service_dispatch_attachment")


@pytest.fixture(scope="module")
def trellis_database(tmp_path_factory, pytestconfig):
    """This module's own database, migrated once (restores replace it whole)."""
    from core import create_app
    from core.migrate import upgrade
    from core.testing.database import enabled_plugins

    base = os.environ.get("TRELLIS_TEST_DATABASE_URL")
    if base:
        name = _pg_name(base, "_backup")
        url = _pg_database(base, name)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('backup') / 'trellis.db'}"
    app = create_app(
        {
            "TESTING": True,
            "TRELLIS_DATABASE_URL": url,
            "TRELLIS_SECRET_KEY": "t",
            "TRELLIS_JOBS": "immediate",
            "TRELLIS_INSTANCE_PATH": str(tmp_path_factory.mktemp("backup-instance")),
            **enabled_plugins(pytestconfig),
        }
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()
    yield url
    if base:
        _drop_pg_database(base, name)


def trellis(app, *args: str):
    """Run ``trellis ARGS`` on ``app`` as a script would (no terminal)."""
    db.session.remove()  # nothing of the test holds a transaction open
    return CliRunner().invoke(main, list(args), obj=app)


def one_line_error(result, *fragments: str, case: str = "") -> None:
    assert result.exit_code == 1, f"{case}: {result.output}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"{case}: {result.stderr}"
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], f"{case}: {lines[0]}"


def uploads() -> Path:
    return Path(current_app.instance_path) / "uploads"


def state() -> dict:
    """Rows of a few tables and every uploaded file's bytes."""
    db.session.remove()
    rows = {
        table: [tuple(r) for r in db.session.execute(text(f"SELECT * FROM {table} ORDER BY id"))]
        for table in TABLES
    }
    db.session.remove()
    files = {
        str(p.relative_to(uploads())): p.read_bytes() for p in uploads().rglob("*") if p.is_file()
    }
    return {"rows": rows, "files": files}


def leftovers(*folders: Path) -> list[str]:
    """Working folders or partial files a backup or restore left behind."""
    return [p.name for f in folders if f.exists() for p in f.iterdir() if p.name.startswith(".")]


@pytest.fixture
def data(app, make_customer, make_contact):
    """Two customers, a contact, a work order with an uploaded photo."""
    from plugins.service_dispatch.services import attachments, orders

    acme = make_customer(name="Acme 贸易", city="上海")
    make_customer(name="Globex")
    make_contact(customer=acme, name="王芳", phones=["13800138000"], emails=["wf@example.com"])
    order = orders.create_work_order(
        {"title": "AC not cooling", "customer_id": acme.id, "category": "repair"}, None
    )
    attachments.add_attachments(order, [FileStorage(io.BytesIO(PNG), filename="unit.png")], None)
    before = state()
    assert len(before["rows"]["customer"]) == 2 and list(before["files"].values()) == [PNG]
    return before


@pytest.fixture
def archive(app, data, tmp_path) -> Path:
    path = tmp_path / "good.tar.gz"
    result = trellis(app, "backup", str(path))
    assert result.exit_code == 0, result.output
    return path


def change() -> None:
    """Add a row and a file since the backup: a restore takes them away."""
    from core.services.customers import create_customer

    create_customer({"name": "Made after the backup"}, None)
    (uploads() / "stray.txt").write_text("written after the backup")


def destroy() -> None:
    """Lose every row and file, then :func:`change`."""
    from core.testing.database import _empty_tables

    db.session.remove()
    _empty_tables(db.engine.url.render_as_string(hide_password=False))
    for path in sorted(uploads().rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    change()


def test_round_trip_brings_back_every_row_and_file(app, data, archive):
    destroy()
    assert state() != data

    result = trellis(app, "restore", str(archive), "--yes")

    assert result.exit_code == 0, result.output
    assert "Restored" in result.stdout
    assert state() == data
    assert not (uploads() / "stray.txt").exists()
    assert stat.S_IMODE(uploads().stat().st_mode) == 0o700
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in uploads().rglob("*.png"))
    assert leftovers(Path(current_app.instance_path)) == []


def test_the_archive_holds_database_uploads_and_a_manifest(app, archive):
    from core import __version__
    from core.migrate import status

    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert names[0] == "manifest.json"
    assert manifest["trellis_version"] == __version__
    assert manifest["dialect"] == db.engine.dialect.name
    assert manifest["branches"] == status().current
    assert sorted(manifest["revisions"]) == sorted(r for r in status().current.values())
    assert manifest["database"] in names
    [photo] = [n for n in names if n.startswith("uploads/")]
    assert photo.endswith(".png") and set(manifest["files"]) == set(names[1:])
    assert manifest["files"][photo]["size"] == len(PNG)
    assert "customer" in manifest["tables"]


def test_backup_without_a_path_writes_a_private_file_in_the_instance_backups_folder(app, data):
    result = trellis(app, "backup")

    assert result.exit_code == 0, result.output
    folder = Path(current_app.instance_path) / "backups"
    [written] = list(folder.iterdir())
    assert written.name.startswith("trellis-backup-") and written.name.endswith(".tar.gz")
    assert str(written) in result.stdout
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_backup_into_a_folder_names_the_file_there(app, data, tmp_path):
    result = trellis(app, "backup", str(tmp_path))

    assert result.exit_code == 0, result.output
    [written] = [p for p in tmp_path.iterdir() if p.name.startswith("trellis-backup-")]
    assert tarfile.is_tarfile(written)


#: a path that cannot take the backup -> what the one line says
UNWRITABLE = {
    "missing-folder/backup.tar.gz": "No such file or directory",
    "a-file/backup.tar.gz": "Not a directory",
    "/dev/full": "No space left on device",  # a full disk: every write fails with ENOSPC
}


def test_a_backup_that_cannot_be_written_is_one_line_and_leaves_nothing(app, data, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a-file").write_text("not a folder")
    for target, reason in UNWRITABLE.items():
        result = trellis(app, "backup", str(out / target))

        one_line_error(result, "cannot write the backup", reason, case=target)
        assert [p.name for p in out.iterdir()] == ["a-file"], target
        assert leftovers(Path(current_app.instance_path)) == [], target
    assert state() == data


def repack(source: Path, target: Path, *, manifest=None, member=None, drop=(), resum=False) -> Path:
    """A copy of the archive ``source`` with its manifest changed by
    ``manifest(dict)``, a member's bytes by ``member = (prefix, fn)`` (and its
    checksum in the manifest too, with ``resum``), or members left out."""
    import hashlib

    with tarfile.open(source, "r:gz") as tin:
        infos = [i for i in tin.getmembers() if i.name not in drop]
        contents = {i.name: tin.extractfile(i).read() for i in infos}
    if member:
        for name in contents:
            if name.startswith(member[0]):
                contents[name] = member[1](contents[name])
    listed = json.loads(contents.get("manifest.json", b"{}"))
    if resum:
        for name, data in contents.items():
            if name in listed.get("files", {}):
                listed["files"][name] = {
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                }
    changed = manifest(listed) if manifest else listed
    if "manifest.json" in contents:
        contents["manifest.json"] = (
            changed if isinstance(changed, bytes) else json.dumps(changed).encode()
        )
    with tarfile.open(target, "w:gz") as tout:
        for info in infos:
            info.size = len(contents[info.name])
            tout.addfile(info, io.BytesIO(contents[info.name]))
    return target


def members(path: Path) -> list[str]:
    with tarfile.open(path) as tar:
        return tar.getnames()


def corrupt(good: Path, folder: Path) -> Path:
    raw = bytearray(good.read_bytes())
    middle = len(raw) // 2
    raw[middle : middle + 64] = bytes(b ^ 0x5A for b in raw[middle : middle + 64])
    (folder / "x.tar.gz").write_bytes(bytes(raw))
    return folder / "x.tar.gz"


def truncate(good: Path, folder: Path) -> Path:
    (folder / "x.tar.gz").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    return folder / "x.tar.gz"


def other_dialect(manifest: dict) -> dict:
    return {
        **manifest,
        "dialect": "sqlite" if manifest["dialect"] == "postgresql" else "postgresql",
    }


BAD_ARCHIVES = {
    "corrupt": (corrupt, "damaged"),
    "truncated": (truncate, "damaged"),
    "not-an-archive": (
        lambda good, tmp: (tmp / "notes.tar.gz").write_text("hello") and tmp / "notes.tar.gz",
        "not a Trellis backup",
    ),
    "empty-file": (
        lambda good, tmp: (tmp / "e.tar.gz").write_bytes(b"") or tmp / "e.tar.gz",
        "not a Trellis backup",
    ),
    "missing-file": (lambda good, tmp: tmp / "nothing-here.tar.gz", "no such file"),
    "no-manifest": (
        lambda good, tmp: repack(good, tmp / "x.tar.gz", drop=("manifest.json",)),
        "no manifest.json",
    ),
    "manifest-not-json": (
        lambda good, tmp: repack(good, tmp / "x.tar.gz", manifest=lambda m: b'{"format": '),
        "manifest",
    ),
    "manifest-field-missing": (
        lambda good, tmp: repack(
            good, tmp / "x.tar.gz", manifest=lambda m: {k: v for k, v in m.items() if k != "files"}
        ),
        "files",
    ),
    "file-tampered": (
        lambda good, tmp: repack(good, tmp / "x.tar.gz", member=("uploads/", lambda b: b[::-1])),
        "checksum",
    ),
    "file-missing": (
        lambda good, tmp: repack(
            good, tmp / "x.tar.gz", drop=[n for n in members(good) if n.startswith("uploads/")]
        ),
        "missing",
    ),
    "file-unlisted": (
        lambda good, tmp: repack(
            good,
            tmp / "x.tar.gz",
            manifest=lambda m: {
                **m,
                "files": {k: v for k, v in m["files"].items() if not k.startswith("uploads/")},
            },
        ),
        "not in its manifest",
    ),
    "path-escapes": (
        lambda good, tmp: repack(
            good,
            tmp / "x.tar.gz",
            manifest=lambda m: {**m, "files": {"../../evil": {"sha256": "0" * 64, "size": 1}}},
        ),
        "../../evil",
    ),
    "database-unreadable": (
        lambda good, tmp: repack(
            good, tmp / "x.tar.gz", member=("database.", lambda b: b"garbage" * 99), resum=True
        ),
        "the database in the backup",
    ),
    "wrong-dialect": (
        lambda good, tmp: repack(good, tmp / "x.tar.gz", manifest=other_dialect),
        "database cannot be restored into this",
    ),
    "newer-migration": (
        lambda good, tmp: repack(
            good,
            tmp / "x.tar.gz",
            manifest=lambda m: {**m, "revisions": [*m["revisions"], "fe7e00000099"]},
        ),
        "newer Trellis",
    ),
    "newer-format": (
        lambda good, tmp: repack(
            good, tmp / "x.tar.gz", manifest=lambda m: {**m, "format_version": 2}
        ),
        "newer Trellis",
    ),
}


def test_every_bad_archive_is_refused_in_one_line_and_nothing_changes(app, data, archive, tmp_path):
    """One test, many archives: each case costs a restore, not a new app."""
    change()  # the live state every refusal must leave exactly as it is
    live = state()
    for case, (make, fragment) in BAD_ARCHIVES.items():
        folder = tmp_path / case
        folder.mkdir()

        result = trellis(app, "restore", str(make(archive, folder)), "--yes")

        one_line_error(result, fragment, "nothing was restored", case=case)
        if case == "wrong-dialect":  # both named: the backup's and this instance's
            assert "sqlite" in result.stderr and "postgresql" in result.stderr, case
        assert state() == live, case
        assert leftovers(Path(current_app.instance_path)) == [], case


def test_restore_off_a_terminal_without_yes_refuses(app, data, archive):
    change()
    live = state()

    result = trellis(app, "restore", str(archive))

    one_line_error(result, "--yes")
    assert state() == live


def test_restore_on_a_terminal_asks_first(app, data, archive, trellis_database):
    """A real ``trellis`` process on a terminal (a pty): the question, then
    "n" keeps everything as it is."""
    import pty
    import subprocess
    import sys

    change()
    live = state()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRELLIS_")}
    env.update(
        TRELLIS_DATABASE_URL=trellis_database, TRELLIS_INSTANCE_PATH=current_app.instance_path
    )
    terminal, child_end = pty.openpty()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "trellis"), "restore", str(archive)],
        stdin=child_end,
        stdout=child_end,
        stderr=child_end,
        env=env,
    )
    os.close(child_end)
    os.write(terminal, b"n\n")
    seen = b""
    while True:
        try:
            chunk = os.read(terminal, 4096)
        except OSError:  # EIO: the process closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(terminal)

    assert process.wait(timeout=120) == 1
    assert "Replace the database" in seen.decode() and "[y/N]" in seen.decode()
    assert "nothing was restored" in seen.decode()
    assert state() == live


def test_an_older_backup_is_restored_and_the_user_told_to_upgrade(app, make_customer, tmp_path):
    """A backup taken before a plugin was enabled: restored as it was (the
    plugin's tables gone again), then ``trellis db upgrade`` brings it up."""
    from sqlalchemy import inspect

    from core import migrate as mig

    make_customer(name="Before the plugin")
    newest = mig.enabled_branches()[-1]
    tables = [t for t, owner in app.extensions["trellis"].table_owners.items() if owner == newest]
    assert tables
    db.session.remove()
    mig.downgrade(newest, "base")
    path = tmp_path / "old.tar.gz"
    assert trellis(app, "backup", str(path)).exit_code == 0
    mig.upgrade()
    make_customer(name="After the backup")

    result = trellis(app, "restore", str(path), "--yes")

    assert result.exit_code == 0, result.output
    assert "trellis db upgrade" in result.stdout
    assert mig.status().current[newest] is None
    assert set(tables) & set(inspect(db.engine).get_table_names()) == set()
    assert trellis(app, "db", "upgrade").exit_code == 0
    assert mig.status().behind == []
    names = db.session.execute(text("SELECT name FROM customer")).scalars().all()
    assert names == ["Before the plugin"]


def test_a_restore_that_fails_midway_leaves_database_and_uploads_as_they_were(
    app, data, archive, monkeypatch
):
    """SQLite: another process holds the write lock past the wait.
    PostgreSQL: a view of the user's depends on a table the restore drops."""
    change()
    live = state()
    if db.engine.dialect.name == "sqlite":
        import sqlite3

        from core.backup import sqlite as backup_sqlite

        monkeypatch.setattr(backup_sqlite, "LOCK_WAIT_SECONDS", 0.1)
        holder = sqlite3.connect(db.engine.url.database)
        holder.execute("BEGIN IMMEDIATE")
        try:
            result = trellis(app, "restore", str(archive), "--yes")
        finally:
            holder.rollback()
            holder.close()
        fragment = "locked"
    else:
        db.session.execute(text("CREATE VIEW report_names AS SELECT name FROM customer"))
        db.session.commit()
        try:
            result = trellis(app, "restore", str(archive), "--yes")
        finally:
            db.session.execute(text("DROP VIEW report_names"))
            db.session.commit()
        fragment = "report_names"

    one_line_error(result, fragment, "the database and uploads are unchanged")
    assert state() == live
    assert leftovers(Path(current_app.instance_path)) == []


@pytest.fixture
def postgresql_only():
    if not os.environ.get("TRELLIS_TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL only")


def test_postgresql_without_its_client_tools_is_one_line(
    postgresql_only, app, archive, monkeypatch
):
    monkeypatch.setenv("PATH", "/nonexistent")

    backup = trellis(app, "backup", str(archive.with_name("again.tar.gz")))
    restore = trellis(app, "restore", str(archive), "--yes")

    one_line_error(backup, "pg_dump", "not found")
    one_line_error(restore, "pg_restore", "not found", "nothing was restored")
    assert not archive.with_name("again.tar.gz").exists()
