"""Package build. Everything declarative is in pyproject.toml; two things need code.

Which packages ship: ``core`` and ``plugins`` with every subpackage (found
here, so a new subpackage ships without anyone listing it) but never a
``tests`` package; and ``themes/``, which holds no Python (a theme is
``theme.toml`` + templates + static), installed as the package
``trellis_themes``. A Trellis-specific name, because a top-level ``themes``
in site-packages could be another distribution's; ``core.themes`` finds the
built-in themes there, or in ``themes/`` of a source checkout.

The translation catalogues are compiled (.po → .mo) into the built package,
so the .mo files are never committed. (``make translations`` does the same
in a source checkout.)
"""

from pathlib import Path

from setuptools import find_namespace_packages, setup
from setuptools.command.build_py import build_py

THEMES_PACKAGE = "trellis_themes"


class BuildWithCatalogues(build_py):
    def run(self):
        super().run()
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po in Path(self.build_lib).rglob("translations/*/LC_MESSAGES/*.po"):
            with po.open("rb") as source:
                catalogue = read_po(source)
            with po.with_suffix(".mo").open("wb") as target:
                write_mo(target, catalogue)


NOT_SHIPPED = ["*.tests", "*.tests.*", "*.__pycache__"]
packages = find_namespace_packages(
    include=["core", "core.*", "plugins", "plugins.*"], exclude=NOT_SHIPPED
)
themes = [
    f"{THEMES_PACKAGE}.{name}" for name in find_namespace_packages("themes", exclude=NOT_SHIPPED)
]

setup(
    packages=[*packages, THEMES_PACKAGE, *themes],
    package_dir={THEMES_PACKAGE: "themes"},
    # The wheel holds exactly the package-data that pyproject.toml lists, not
    # whatever else the sdist carries (the sdist carries the tests).
    include_package_data=False,
    cmdclass={"build_py": BuildWithCatalogues},
)
