"""core.api is a curated, documented, typed surface, and docs/api.md is its
reference, generated from the code (``make docs``) and checked here."""

import fnmatch
import inspect
import tomllib
from pathlib import Path

from core import api
from core.apidoc import EXTERNAL, description, groups, render

ROOT = Path(__file__).resolve().parents[1]

#: Exported core functions whose parameters or return are not annotated, by
#: name: what is missing. None are: keep it so (the test fails until the list is exact).
UNANNOTATED: dict[str, list[str]] = {}


def isort_style(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps ``__all__`` in: CONSTANTS, Classes, the rest."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_api_reference_is_generated_and_current():
    committed = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/api.md is stale: run `make docs`"


def test_every_exported_name_has_a_section_that_says_what_it_is():
    committed = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    thin = [name for name in api.__all__ if len(description(name)) <= 20]
    assert thin == [], "give these a docstring (or an EXTERNAL entry in core/apidoc.py)"
    for name in api.__all__:
        assert f"\n### {name}\n" in committed


def test_all_is_sorted_and_is_every_public_name():
    assert api.__all__ == sorted(api.__all__, key=isort_style)
    assert len(set(api.__all__)) == len(api.__all__)
    public = {name for name in vars(api) if not name.startswith("_")}
    assert sorted(public - set(api.__all__)) == [], "export it, or import it as _name"


def test_every_name_is_in_exactly_one_group_and_every_description_is_used():
    grouped = [name for _title, _about, names in groups() for name in names]
    assert sorted(grouped) == sorted(api.__all__)
    assert all(names for _title, _about, names in groups()), "a group comment with no names"
    assert sorted(set(EXTERNAL) - set(api.__all__)) == []


def test_current_user_is_flask_logins_proxy():
    from flask_login import current_user

    assert api.current_user is current_user
    assert "flask-login" in description("current_user")


def test_exported_core_functions_are_annotated():
    missing = {}
    for name in api.__all__:
        obj = getattr(api, name)
        if not inspect.isfunction(obj) or obj.__module__.split(".")[0] != "core":
            continue
        signature = inspect.signature(obj)
        absent = [p.name for p in signature.parameters.values() if p.annotation is p.empty]
        if signature.return_annotation is signature.empty:
            absent.append("return")
        if absent:
            missing[name] = absent
    assert missing == UNANNOTATED


def test_core_is_marked_typed():
    assert (ROOT / "core" / "py.typed").is_file()


def test_the_wheel_ships_py_typed():
    """setup.py turns include_package_data off: only package-data patterns ship."""
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]
    patterns = [*package_data.get("*", []), *package_data.get("core", [])]
    assert any(fnmatch.fnmatch("py.typed", pattern) for pattern in patterns)
