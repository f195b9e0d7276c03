"""Compiles the message catalogs whenever the package is built, so no .mo file is committed.

Everything else about the package is in pyproject.toml.
"""

import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE / "lms" / "translations"


def _catalogs():
    # Loaded by path: importing the lms package needs Flask, which the isolated build
    # environment does not have (catalogs.py needs only Babel).
    spec = importlib.util.spec_from_file_location("mafunzo_catalogs", TRANSLATIONS / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


class BuildWithCatalogs(build_py):
    def run(self):
        # Into the source tree, before the files are collected: an editable install reads
        # them there and a wheel copies them as package data.
        compiled = _catalogs().compile_catalogs(TRANSLATIONS)
        print(f"compiled {len(compiled)} message catalogs", file=sys.stderr)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogs})
