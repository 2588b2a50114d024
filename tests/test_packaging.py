"""The built-in themes are found in a source checkout and in an installed wheel.

(``.ci/wheel-smoke`` builds the real wheel and sdist, installs the wheel into
a fresh virtualenv and signs in on every theme; these are the fast checks.)
"""

from pathlib import Path

from core.themes import THEMES_DIR, THEMES_PACKAGE, available_themes, builtin_themes_dir

REPO = Path(__file__).resolve().parent.parent


def theme(root: Path, name: str, title: str) -> None:
    (root / name / "static").mkdir(parents=True)
    (root / name / "theme.toml").write_text(f'title = "{title}"\n', encoding="utf-8")


def test_a_source_checkout_uses_its_themes_folder():
    assert THEMES_DIR == REPO / "themes"
    folders = {p.parent.name for p in (REPO / "themes").glob("*/theme.toml")}
    assert set(available_themes()) == folders and {"default", "dark"} <= folders


def test_an_installed_wheel_uses_trellis_themes_beside_core(tmp_path):
    (tmp_path / "core").mkdir()
    theme(tmp_path / THEMES_PACKAGE, "default", "Trellis")
    theme(tmp_path / "themes", "default", "Someone else's")  # another distribution's
    found = builtin_themes_dir(tmp_path / "core")
    assert found == tmp_path / THEMES_PACKAGE
    assert available_themes(found)["default"].title == "Trellis"


def test_themes_installed_elsewhere_are_found_by_import(tmp_path, monkeypatch):
    (tmp_path / "app" / "core").mkdir(parents=True)
    theme(tmp_path / "lib" / THEMES_PACKAGE, "default", "Trellis")
    monkeypatch.syspath_prepend(str(tmp_path / "lib"))
    assert builtin_themes_dir(tmp_path / "app" / "core") == tmp_path / "lib" / THEMES_PACKAGE
