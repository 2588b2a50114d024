"""PostgreSQL: ``pg_dump --format=custom`` out, ``pg_restore`` + ``psql`` in.

The tools come from the PostgreSQL client package and are looked up on
``PATH``; the server's version needs a ``pg_dump`` at least as new. They
connect with the settings of ``TRELLIS_DATABASE_URL``; the password goes
through the environment (``PGPASSWORD``), never the command line.

A restore is one transaction: ``pg_restore`` writes the SQL that drops and
recreates every object of the backup, ``psql`` runs it after ``BEGIN``, and
``COMMIT`` is sent only when ``pg_restore`` got to the end. Any error — in
the SQL, in ``pg_restore``, a lost connection — rolls back, leaving the live
database as it was. Owners and privileges are not restored: the objects
belong to the user Trellis connects as. (Trellis keeps no large objects,
whose restore would run transactions of its own.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from core.errors import TrellisError
from core.extensions import db
from core.i18n import _

CHUNK = 1024 * 1024


def tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a one-line error."""
    found = shutil.which(name)
    if found is None:
        raise TrellisError(
            _(
                "%(tool)s not found on PATH: install the PostgreSQL client tools "
                "(e.g. `apt install postgresql-client`) of the server's version or newer",
                tool=name,
            )
        )
    return found


def _connection() -> tuple[str, dict[str, str]]:
    """The database as a libpq URI without the password, and the
    environment that carries the password."""
    url = db.engine.url
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _problem(stderr: str) -> str:
    """The error of a tool's output, on one line (with PostgreSQL's DETAIL)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        for marker in ("ERROR:", "FATAL:", "error:"):
            if marker in line:
                problem = line.split(marker, 1)[1].strip()
                if i + 1 < len(lines) and lines[i + 1].startswith("DETAIL:"):
                    problem += f" ({lines[i + 1].removeprefix('DETAIL:').strip()})"
                return problem
    return lines[0] if lines else _("no message")


def dump(target: Path) -> None:
    """Write the live database to ``target`` in pg_dump's custom format."""
    uri, env = _connection()
    done = subprocess.run(
        [tool("pg_dump"), "--format=custom", f"--file={target}", f"--dbname={uri}"],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise TrellisError(_("pg_dump failed: %(problem)s", problem=_problem(done.stderr)))


def check_dump(path: Path) -> None:
    """Refuse a file ``pg_restore`` cannot read (its table of contents)."""
    done = subprocess.run([tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
    if done.returncode != 0:
        raise TrellisError(
            _(
                "the database in the backup cannot be read: %(problem)s",
                problem=_problem(done.stderr),
            )
        )


def load(path: Path, drop: list[str]) -> None:
    """Replace the live database with the dump at ``path``, in one
    transaction; ``drop`` names Trellis tables the backup does not have
    (a plugin enabled since), dropped in the same transaction."""
    pg_restore, psql = tool("pg_restore"), tool("psql")
    uri, env = _connection()
    db.session.remove()
    db.engine.dispose()  # this process holds no lock the restore would wait for
    quote = db.engine.dialect.identifier_preparer.quote
    prelude = "BEGIN;\nSET client_min_messages = warning;\n" + "".join(
        f"DROP TABLE IF EXISTS {quote(table)} CASCADE;\n" for table in drop
    )
    with tempfile.TemporaryFile() as psql_errors, tempfile.TemporaryFile() as restore_errors:
        writer = subprocess.Popen(
            [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", f"--dbname={uri}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            env=env,
        )
        reader = subprocess.Popen(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--file=-",
                str(path),
            ],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
            env=env,
        )
        assert writer.stdin is not None and reader.stdout is not None
        complete = False
        try:
            writer.stdin.write(prelude.encode())
            shutil.copyfileobj(reader.stdout, writer.stdin, CHUNK)
            complete = reader.wait() == 0
            if complete:
                writer.stdin.write(b"COMMIT;\n")
        except BrokenPipeError:  # psql stopped at an error; nothing was committed
            pass
        finally:
            reader.kill()
            reader.wait()
            reader.stdout.close()
            try:
                writer.stdin.close()
            except BrokenPipeError:
                pass
            writer.wait()
        psql_errors.seek(0)
        restore_errors.seek(0)
        if writer.returncode != 0:
            problem = _problem(psql_errors.read().decode(errors="replace"))
        elif not complete:
            problem = _problem(restore_errors.read().decode(errors="replace"))
        else:
            return
    raise TrellisError(_("the restore failed: %(problem)s", problem=problem))
