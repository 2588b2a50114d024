"""Catalogue maintenance for core and the built-in plugins.

    python -m core.i18n_tools extract   # refresh .pot files and merge into the .po files
    python -m core.i18n_tools extract sales   # only these domains (messages = core's)
    python -m core.i18n_tools compile   # build the .mo files (done by `make`)
    python -m core.i18n_tools check     # exit 1 if a catalogue is stale or incomplete

Core's catalogue is the ``messages`` domain in ``core/translations``; each
plugin's is the domain named after it, in ``plugins/<name>/translations``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
#: catalogue folders use Babel's canonical names: the zh_CN locale is
#: "zh_Hans_CN" to Babel, and that is the folder gettext searches.
LOCALES = ("en", "zh_Hans_CN")
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "lazy_pgettext:1c,2"]


def domains() -> dict[str, tuple[Path, Path]]:
    """domain -> (source folder, translations folder)."""
    found = {"messages": (ROOT / "core", ROOT / "core" / "translations")}
    for plugin in sorted((ROOT / "plugins").iterdir()):
        if (plugin / "translations").is_dir():
            found[plugin.name] = (plugin, plugin / "translations")
    return found


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def _pot(domain: str, source: Path, folder: Path) -> Path:
    pot = folder / f"{domain}.pot"
    ignore = ["--ignore-dirs", "tests"]
    if domain == "messages":
        ignore = ["--ignore-dirs", "tests migrations"]
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        *KEYWORDS,
        *ignore,
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(pot),
        str(source),
    )
    return pot


def extract(only: list[str] | None = None) -> None:
    for domain, (source, folder) in domains().items():
        if only and domain not in only:
            continue
        pot = _pot(domain, source, folder)
        for locale in LOCALES:
            po = folder / locale / "LC_MESSAGES" / f"{domain}.po"
            verb = "update" if po.exists() else "init"
            before = po.read_text(encoding="utf-8") if po.exists() else None
            _pybabel(
                verb,
                "-D",
                domain,
                "-i",
                str(pot),
                "-d",
                str(folder),
                "-l",
                locale,
                *(["--no-fuzzy-matching", "--ignore-obsolete"] if verb == "update" else []),
            )
            if before is not None and _undated(before) == _undated(po.read_text(encoding="utf-8")):
                po.write_text(before, encoding="utf-8")  # only the date changed: keep the file


def _undated(text: str) -> str:
    return "\n".join(
        line for line in text.splitlines() if not line.startswith('"POT-Creation-Date:')
    )


def compile_all() -> None:
    for domain, (_source, folder) in domains().items():
        if any(folder.glob(f"*/LC_MESSAGES/{domain}.po")):
            _pybabel("compile", "-D", domain, "-d", str(folder), "--use-fuzzy")


def problems() -> list[str]:
    """Stale catalogues (source has ids the .po lacks, or the reverse) and
    untranslated zh_CN messages."""
    out = []
    for domain, (source, folder) in domains().items():
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / f"{domain}.pot"
            _pybabel(
                "extract",
                "-F",
                str(ROOT / "babel.cfg"),
                *KEYWORDS,
                "--ignore-dirs",
                "tests migrations",
                "--no-location",
                "-o",
                str(fresh),
                str(source),
            )
            wanted = {m.id for m in read_po(fresh.open("rb")) if m.id}
        for locale in LOCALES:
            po = folder / locale / "LC_MESSAGES" / f"{domain}.po"
            if not po.exists():
                if wanted:
                    out.append(f"{po.relative_to(ROOT)}: missing")
                continue
            catalog = read_po(po.open("rb"), locale=locale)
            have = {m.id for m in catalog if m.id}
            for msg in sorted(map(str, wanted - have)):
                out.append(f"{po.relative_to(ROOT)}: stale, lacks {msg!r}")
            for msg in sorted(map(str, have - wanted)):
                out.append(f"{po.relative_to(ROOT)}: stale, has unused {msg!r}")
            # what `pybabel compile` would drop: placeholders that do not match the msgid's
            for message, errors in catalog.check():
                for error in errors:
                    out.append(f"{po.relative_to(ROOT)}: {message.id!r}: {error}")
            if locale == "zh_Hans_CN":
                for m in catalog:
                    if m.id and (
                        not m.string
                        or (isinstance(m.string, tuple) and not all(m.string))
                        or m.fuzzy
                    ):
                        out.append(f"{po.relative_to(ROOT)}: untranslated {m.id!r}")
    return out


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else ""
    if command == "extract":
        extract(argv[2:])
    elif command == "compile":
        compile_all()
    elif command == "check":
        found = problems()
        print("\n".join(found) or "catalogues complete")
        return 1 if found else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
