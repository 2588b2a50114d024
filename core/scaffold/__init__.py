"""``trellis plugins new NAME``: a new plugin, as a package of its own.

:func:`new_plugin` writes ``trellis-NAME/``, a pip-installable distribution
announced in the entry-point group ``trellis.plugins``. Its package
``trellis_NAME`` has the anatomy every plugin has — the manifest and the
hooks in ``__init__.py``; ``models``, ``schemas``, ``services``, ``api``,
``views``, ``demo``, ``templates/NAME``, ``translations``, ``migrations``
and ``tests`` — and its tests pass as generated (``docs/tutorial.md`` walks
through every file).

The files come from ``templates/plugin/``, a tree shaped like the result:
``{name}``, ``{migration}`` and ``{tests}`` in a path are replaced (a folder
named ``tests`` would be taken for Trellis's own tests and left out of its
wheel), and a file's text is a
:class:`string.Template` (``$name``, ``$Name``, ``$title``, ``$title_zh``,
``$revision``, ``$core_version``). Every template ends in ``.tmpl``, so
none is imported, linted, collected by pytest or read by Trellis's own
catalogue extraction.
"""

from __future__ import annotations

import importlib.util
import re
import secrets
import shutil
from pathlib import Path
from string import Template

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from core import __version__
from core.errors import TrellisError
from core.plugins import NAME_RE, RESERVED_NAMES, find_candidates

TEMPLATES = Path(__file__).parent / "templates" / "plugin"
SUFFIX = ".tmpl"
#: a title goes into Python, TOML, Jinja and .po strings as it is
TITLE_RE = re.compile(r'^[^"\\%${}<>\r\n]{1,60}$')


class ScaffoldError(TrellisError):
    """The plugin cannot be generated; the message says why, in one line."""


def new_plugin(
    name: str, target_dir: Path, *, title: str | None = None, title_zh: str | None = None
) -> Path:
    """Write the plugin ``name`` into ``target_dir/trellis-<name>``; return that folder.

    ``title`` (default: from the name, "Pet care" for ``pet_care``) is what
    the menu, tab and page say in English; ``title_zh`` in Chinese (default:
    the title). Raises :class:`ScaffoldError` — before anything is written —
    for a name that is not a plugin name, is reserved, or is taken by an
    installed plugin or package, and for a folder that already exists. The
    tree is written beside the target and renamed into place at the end, so
    a failure half-way leaves nothing behind.
    """
    check_name(name)
    title = title or name.replace("_", " ").strip().capitalize()
    title_zh = title_zh or title
    for label, value in (("title", title), ("title_zh", title_zh)):
        if not TITLE_RE.match(value):
            raise ScaffoldError(
                f'{label} {value!r}: 1 to 60 characters on one line, without " \\ % $ {{ }} < >'
            )
    parent = Path(target_dir)
    target = parent / f"trellis-{name}"
    if target.exists():
        raise ScaffoldError(f"{target} already exists; nothing was written")
    if parent.exists() and not parent.is_dir():
        raise ScaffoldError(f"{parent} is not a folder; nothing was written")

    revision = secrets.token_hex(6)
    values = {
        "name": name,
        "Name": camel_case(name),
        "title": title,
        "title_zh": title_zh,
        "revision": revision,
        "core_version": __version__,
    }
    created = [p for p in (parent, *parent.parents) if not p.exists()]
    staging = parent / f".trellis-{name}-{secrets.token_hex(4)}.partial"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        write_tree(
            staging,
            values,
            {"{name}": name, "{migration}": f"{revision}_{name}_tables", "{tests}": "tests"},
        )
        compile_catalogues(staging)
        staging.rename(target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in created:  # innermost first: only the folders made here, if still empty
            try:
                folder.rmdir()
            except OSError:
                break
        if isinstance(exc, OSError):
            raise ScaffoldError(
                f"cannot write {target}: {exc.strerror or exc}; nothing was written"
            ) from exc
        raise
    return target


def check_name(name: str) -> None:
    """Raise :class:`ScaffoldError` unless ``name`` can be a new plugin's name."""
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ScaffoldError(
            f"{name!r} is not a plugin name: use 2 to 31 lowercase letters, "
            "digits and _, starting with a letter (e.g. fitness)"
        )
    if name in RESERVED_NAMES:
        raise ScaffoldError(f"{name!r} is reserved by Trellis core; choose another name")
    installed = find_candidates().get(name)
    if installed is not None:
        origin = "a built-in plugin" if installed.builtin else "an installed plugin"
        raise ScaffoldError(f"{name!r} is already the name of {origin}; choose another name")
    if importlib.util.find_spec(f"trellis_{name}") is not None:
        raise ScaffoldError(
            f"a Python package named trellis_{name} is already installed; choose another name"
        )


def camel_case(name: str) -> str:
    """``pet_care`` → ``PetCare``: the prefix of the plugin's schema classes."""
    return "".join(part.capitalize() for part in name.split("_"))


def write_tree(root: Path, values: dict[str, str], path_values: dict[str, str]) -> None:
    """Render every template into ``root`` (which must not exist yet)."""
    root.mkdir()
    for source in sorted(TEMPLATES.rglob(f"*{SUFFIX}")):
        relative = source.relative_to(TEMPLATES).as_posix().removesuffix(SUFFIX)
        for placeholder, value in path_values.items():
            relative = relative.replace(placeholder, value)
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = Template(source.read_text(encoding="utf-8")).substitute(values)
        path.write_text(text, encoding="utf-8")


def compile_catalogues(root: Path) -> None:
    """Write the .mo beside each .po, so an editable install speaks Chinese at
    once (a built wheel compiles its own, through the plugin's setup.py)."""
    for po in sorted(root.rglob("translations/*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalogue = read_po(source)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalogue)


__all__ = ["ScaffoldError", "check_name", "new_plugin"]
