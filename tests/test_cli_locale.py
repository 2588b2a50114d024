"""The ``trellis`` command line speaks the instance's language: every line it
prints is a message of core's catalogue (so ``TRELLIS_LOCALE=zh_CN`` shows it
in Chinese once translated), ``db upgrade`` says what it migrated, and a user
error stays one line with exit 1 in either language."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from babel.messages.extract import extract_from_file
from test_cli import cli, one_line_error  # noqa: F401  (the fixture and its check)

CORE = Path(__file__).resolve().parent.parent / "core"
PASSWORD = "long enough pw"


@functools.cache
def msgids() -> frozenset[str]:
    """Every message core passes through gettext (what ``pybabel extract`` finds)."""
    found = set()
    for path in CORE.rglob("*.py"):
        if "migrations" in path.parts or "testing" in path.parts:
            continue
        for _line, message, _comments, _context in extract_from_file("python", str(path)):
            found.update([message] if isinstance(message, str) else message)
    return frozenset(found)


def _pattern(msgid: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)[sdr]", msgid)
    seen: set[str] = set()
    regex = ""
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex += re.escape(part)
        elif part in seen:  # a placeholder used twice holds the same text twice
            regex += f"(?P={part})"
        else:
            seen.add(part)
            regex += f"(?P<{part}>.+?)"
    return re.compile(regex.replace("%%", "%"), re.S)


def message_of(line: str) -> str | None:
    """The msgid ``line`` was made from (placeholders filled in), if any; an
    ``Error: …`` line's message must itself be one."""
    for msgid in sorted(msgids(), key=len, reverse=True):
        found = _pattern(msgid).fullmatch(line)
        if found is None:
            continue
        if "message" in found.groupdict() and message_of(found["message"]) is None:
            continue
        return msgid
    return None


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def test_db_upgrade_says_what_it_migrated_and_then_that_nothing_was_left(cli):
    first = cli("db", "upgrade")
    assert first.returncode == 0, first.stderr
    migrated = lines(first.stdout)[0]
    assert migrated.startswith("Migrated: core (base → c0de"), first.stdout
    assert re.search(r", sales \(base → \w+\)", migrated)
    assert "Up to date" not in first.stdout
    assert message_of(migrated) == "Migrated: %(branches)s"
    assert "sales: enabled at " in first.stdout
    for line in lines(first.stdout):
        assert message_of(line) is not None, line

    for again in (cli("db", "upgrade"), cli("plugins", "sync")):
        assert again.returncode == 0, again.stderr
        assert again.stdout.strip() == "Database already up to date"
        assert message_of(again.stdout.strip()) == "Database already up to date"


def test_db_upgrade_after_a_downgrade_names_only_the_branch_it_moved(cli):
    cli("db", "upgrade")
    head = re.search(r"^sales\s+(\w+)", cli("db", "current").stdout, re.M)[1]
    assert cli("db", "downgrade", "sales", "base").stdout.strip() == "Downgraded sales to base"
    behind = cli("db", "current").stdout
    assert re.search(rf"^sales\s+\(none\)\s+behind \(code has {head}\)$", behind, re.M), behind
    redone = cli("db", "upgrade")
    assert lines(redone.stdout)[0] == f"Migrated: sales (base → {head})", redone.stdout


def test_every_line_a_session_prints_is_a_catalogue_message(cli):
    init = cli("init", "--admin-email", "a@example.com")
    created = cli("users", "create", "rep@example.com", "--password", PASSWORD, "--role", "sales")
    changed = cli("users", "set-password", "rep@example.com", "--password", PASSWORD)
    queued = cli("jobs", "enqueue", "core.follow_ups")
    # table cells: each word a catalogue message
    listing = cli("users", "list").stdout
    assert "active" in listing and "active" in msgids()
    header = cli("plugins", "list").stdout.splitlines()[0].split()
    assert header and set(header) <= msgids()
    jobs = cli("jobs", "list").stdout
    assert "every 60 min" in jobs and "every %(minutes)s min" in msgids()
    downgraded = cli("db", "downgrade", "sales")  # to the previous revision
    current = cli("db", "current").stdout
    assert "up to date" in current and "behind (code has " in current
    assert {"up to date", "behind (code has %(head)s)"} <= msgids()
    for result in (init, created, changed, queued, downgraded):
        assert result.returncode == 0, result.stderr
        for line in lines(result.stdout):
            assert message_of(line) is not None, line
    assert message_of(lines(init.stdout)[0]) == "Trellis is ready at %(url)s."
    assert created.stdout.strip() == "Created rep@example.com (sales)"


def test_errors_are_one_catalogue_line_and_exit_1(cli):
    cases = [
        (("users", "list"), "the database at %(url)s is not initialised: run `trellis init` "),
        (("run", "--port", "5999"), "the database is not up to date for %(branches)s"),
        (("init",), "--admin-email is required when not running on a terminal"),
    ]
    for args, start in cases:
        result = cli(*args)
        one_line_error(result, "Error: ")
        assert message_of(result.stderr.strip()) == "Error: %(message)s", result.stderr
        assert any(m.startswith(start) for m in msgids()), start
    cli("db", "upgrade")
    for args, fragment in [
        (("db", "downgrade", "nosuch"), "no migration branch 'nosuch' (enabled: core, "),
        (("users", "set-password", "ghost@example.com", "--password", PASSWORD), "ghost@"),
        (("jobs", "enqueue", "nosuch"), "No such job: nosuch"),
    ]:
        result = cli(*args)
        one_line_error(result, fragment)
        assert message_of(result.stderr.strip()) == "Error: %(message)s", result.stderr
        assert "Queued" not in result.stdout


# needs the zh catalogue: fails until the CLI msgids are translated in
# core/translations/zh_Hans_CN/LC_MESSAGES/messages.po
def test_users_list_on_an_uninitialised_database_speaks_chinese(cli):
    result = cli("users", "list", TRELLIS_LOCALE="zh_CN")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    words = re.sub(r"`[^`]*`|\S+://\S+", "", line)
    assert not re.search(r"[A-Za-z]", words), line


def test_tables_line_up_on_screen_in_chinese(cli):
    """A Chinese character takes two cells on a terminal: each column of
    ``plugins list`` (and the other tables) starts at the same cell on every
    line, header included, where counting characters would shift it."""
    from wcwidth import wcswidth

    lines = cli("plugins", "list", TRELLIS_LOCALE="zh_CN").stdout.splitlines()
    assert lines[0].split()[:2] == ["名称", "版本"], lines[0]

    def starts(line: str) -> list[int]:  # the screen cell where each column begins
        return [wcswidth(line[: m.start()]) for m in re.finditer(r"(?<!\S)\S", line)][:5]

    assert len({tuple(starts(line)) for line in lines}) == 1, "\n".join(lines)
