"""Rules of the architecture, checked rather than hoped for."""

import subprocess
import sys
from pathlib import Path

from core.hookdoc import hook_names, render

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    """core never imports a plugin; plugins import only core.api; core's layers
    import only downwards (pyproject.toml)."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert f"Contracts: {len(contracts)} kept, 0 broken." in result.stdout


def test_core_modules_import_each_other_without_cycles():
    """No two modules of core import each other, directly or by way of others
    (``create_app`` in ``core/__init__.py`` imports ``core.app`` lazily and is
    left out: everything may read ``core.__version__``)."""
    import grimp

    graph = grimp.build_graph("core")
    graph.remove_import(importer="core", imported="core.app")
    cycles = sorted(
        f"{module} -> {imported}"
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if imported != "core" and graph.chain_exists(importer=imported, imported=module)
    )
    assert cycles == []


def test_hook_reference_is_generated_and_current():
    committed = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/hooks.md is stale: run `make docs`"
    for name in hook_names():
        assert f"\n## {name}\n" in committed


def test_every_hookspec_has_a_docstring_saying_when_and_what():
    from core import hookspecs

    for name in hook_names():
        doc = getattr(hookspecs, name).__doc__ or ""
        assert len(doc.strip()) > 40, f"{name} needs a real docstring"


def test_modules_stay_short_enough_to_read_in_one_sitting():
    too_long = [
        str(p.relative_to(ROOT))
        for p in [*ROOT.glob("core/**/*.py"), *ROOT.glob("plugins/**/*.py")]
        if "migrations" not in p.parts and len(p.read_text().splitlines()) > 400
    ]
    assert too_long == []


def test_the_plugin_contract_forbids_every_core_module_but_the_public_ones():
    """The contract is a list of forbidden modules; a new core module must join it."""
    import tomllib

    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"][
        "contracts"
    ]
    (contract,) = [c for c in contracts if c.get("source_modules") == ["plugins"]]
    modules = {f"core.{p.stem}" for p in (ROOT / "core").glob("*.py")} | {
        f"core.{p.name}" for p in (ROOT / "core").iterdir() if (p / "__init__.py").exists()
    }
    public = {"core.__init__", "core.api", "core.testing"}
    assert sorted(modules - public - set(contract["forbidden_modules"])) == []
