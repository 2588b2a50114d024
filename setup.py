"""Package build: the translation catalogues are compiled (.po → .mo) into the
built package, so the .mo files are never committed. (``make translations``
does the same in a source checkout.) Everything else is in pyproject.toml."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


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


setup(cmdclass={"build_py": BuildWithCatalogues})
