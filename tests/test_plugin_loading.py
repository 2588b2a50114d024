"""The plugin manager: discovery, load order, and every way a plugin set can
be wrong — each stops start-up with a message that names the plugin."""

from __future__ import annotations

import sys
import textwrap

import pytest

from core import create_app
from core.errors import PluginError
from core.testing import plugin_module


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """``installed(dist, {entry_name: module}, {module: source})`` puts a real
    distribution with ``trellis.plugins`` entry points on ``sys.path``."""

    def install(dist: str, entry_points: dict[str, str], modules: dict[str, str]):
        info = tmp_path / f"{dist}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n")
        lines = "\n".join(f"{name} = {target}" for name, target in entry_points.items())
        (info / "entry_points.txt").write_text(f"[trellis.plugins]\n{lines}\n")
        for name, source in modules.items():
            (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        monkeypatch.syspath_prepend(str(tmp_path))
        for name in modules:
            sys.modules.pop(name, None)

    return install


GOOD = """
    from core.api import Manifest
    manifest = Manifest(name="{name}", version="2.0", title="T", requires={requires})
"""


def settings(tmp_path, **extra):
    return {
        "TESTING": True,
        "TRELLIS_SECRET_KEY": "x",
        "TRELLIS_INSTANCE_PATH": str(tmp_path),
        "TRELLIS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        **extra,
    }


def test_default_enables_every_builtin_plugin_and_lists_installed_ones_as_disabled(tmp_path):
    reg = create_app(settings(tmp_path)).extensions["trellis"]
    assert reg.enabled_names == ["his", "insurance", "marketing", "sales", "service_dispatch"]
    assert [(p.name, p.builtin) for p in reg.disabled] == [("hello", False)]


def test_all_enables_installed_third_party_plugins(tmp_path):
    reg = create_app(settings(tmp_path, TRELLIS_PLUGINS="all")).extensions["trellis"]
    assert "hello" in reg.enabled_names and "sales" in reg.enabled_names


def test_an_empty_plugin_list_runs_core_alone(tmp_path):
    assert create_app(settings(tmp_path, TRELLIS_PLUGINS="")).extensions["trellis"].plugins == []


def test_unknown_plugin_in_settings_is_named(tmp_path):
    with pytest.raises(PluginError, match="TRELLIS_PLUGINS: unknown plugin 'crm_magic'"):
        create_app(settings(tmp_path, TRELLIS_PLUGINS="sales,crm_magic"))


def test_load_order_follows_requires(tmp_path, installed):
    installed(
        "deps",
        {"zeta": "zeta_mod", "alpha": "alpha_mod"},
        {
            "zeta_mod": GOOD.format(name="zeta", requires=()),
            "alpha_mod": GOOD.format(name="alpha", requires=("zeta",)),
        },
    )
    reg = create_app(settings(tmp_path, TRELLIS_PLUGINS="alpha,zeta")).extensions["trellis"]
    assert reg.enabled_names == ["zeta", "alpha"]


def test_missing_requirement_is_named(tmp_path, installed):
    installed(
        "deps",
        {"alpha": "alpha_mod"},
        {"alpha_mod": GOOD.format(name="alpha", requires=("ghost",))},
    )
    with pytest.raises(PluginError, match="'alpha' requires 'ghost', which is not installed"):
        create_app(settings(tmp_path, TRELLIS_PLUGINS="alpha"))


def test_requirement_installed_but_not_enabled_is_named(tmp_path, installed):
    installed(
        "deps",
        {"alpha": "alpha_mod"},
        {"alpha_mod": GOOD.format(name="alpha", requires=("sales",))},
    )
    with pytest.raises(PluginError, match="requires 'sales', which is not enabled"):
        create_app(settings(tmp_path, TRELLIS_PLUGINS="alpha"))


def test_cyclic_requirements_are_named(tmp_path, installed):
    installed(
        "deps",
        {"alpha": "alpha_mod", "beta": "beta_mod"},
        {
            "alpha_mod": GOOD.format(name="alpha", requires=("beta",)),
            "beta_mod": GOOD.format(name="beta", requires=("alpha",)),
        },
    )
    with pytest.raises(PluginError, match="cyclic requirement: alpha -> beta -> alpha"):
        create_app(settings(tmp_path, TRELLIS_PLUGINS="alpha,beta"))


def test_an_installed_plugin_cannot_take_a_builtin_name(tmp_path, installed):
    installed(
        "impostor", {"sales": "fake_sales"}, {"fake_sales": GOOD.format(name="sales", requires=())}
    )
    with pytest.raises(
        PluginError,
        match="'sales' is announced twice, by 'fake_sales' and by 'plugins.sales'.*unique",
    ):
        create_app(settings(tmp_path))


def test_a_registered_plugin_cannot_reuse_a_name(tmp_path):
    with pytest.raises(PluginError, match="'sales' is registered twice"):
        create_app(settings(tmp_path, TRELLIS_EXTRA_PLUGINS=[plugin_module("sales")]))


def test_a_plugin_whose_import_raises_is_named(tmp_path, installed):
    installed("broken", {"broken": "broken_mod"}, {"broken_mod": "raise ImportError('no numpy')"})
    with pytest.raises(
        PluginError, match="plugin 'broken' failed to import: ImportError: no numpy"
    ):
        create_app(settings(tmp_path, TRELLIS_PLUGINS="broken"))


def test_a_broken_plugin_that_is_not_enabled_is_listed_not_fatal(tmp_path, installed):
    installed("broken", {"broken": "broken_mod"}, {"broken_mod": "1/0"})
    reg = create_app(settings(tmp_path)).extensions["trellis"]
    broken = next(p for p in reg.disabled if p.name == "broken")
    assert broken.manifest is None and "ZeroDivisionError" in broken.error


def test_manifest_name_must_match_the_entry_point(tmp_path, installed):
    installed("odd", {"odd": "odd_mod"}, {"odd_mod": GOOD.format(name="even", requires=())})
    with pytest.raises(PluginError, match="'odd': its manifest says name='even'"):
        create_app(settings(tmp_path, TRELLIS_PLUGINS="odd"))


def test_a_plugin_needing_a_newer_core_is_refused(tmp_path):
    with pytest.raises(PluginError, match="'future' needs Trellis core >= 9.0"):
        create_app(
            settings(tmp_path, TRELLIS_EXTRA_PLUGINS=[plugin_module("future", min_core="9.0")])
        )


def test_a_hook_implementation_with_a_typo_is_named(tmp_path):
    with pytest.raises(PluginError, match="'typo'.*trellis_permisions"):
        create_app(
            settings(
                tmp_path,
                TRELLIS_EXTRA_PLUGINS=[plugin_module("typo", trellis_permisions=lambda: [])],
            )
        )


def test_each_app_has_its_own_plugin_manager(tmp_path):
    with_probe = create_app(settings(tmp_path, TRELLIS_EXTRA_PLUGINS=[plugin_module("probe")]))
    plain = create_app(settings(tmp_path))
    assert with_probe.extensions["trellis"].pm is not plain.extensions["trellis"].pm
    assert "probe" in with_probe.extensions["trellis"].enabled_names
    assert "probe" not in plain.extensions["trellis"].enabled_names


def test_built_in_plugins_are_announced_through_the_same_entry_point_group():
    """As datasette registers its defaults: every package under plugins/ is an
    entry point of trellis-crm, found the way a third-party plugin is."""
    import tomllib
    from pathlib import Path

    from core.plugins import find_candidates

    root = Path(__file__).resolve().parents[1]
    announced = tomllib.loads((root / "pyproject.toml").read_text())["project"]["entry-points"][
        "trellis.plugins"
    ]
    packages = {p.parent.name for p in (root / "plugins").glob("*/__init__.py")}
    assert announced == {name: f"plugins.{name}" for name in packages}
    found = find_candidates()
    assert {name for name, c in found.items() if c.builtin} == packages
    assert found["hello"].builtin is False and found["hello"].origin == "trellis_hello"
