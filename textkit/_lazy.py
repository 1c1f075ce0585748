"""Lazy re-exports for the stage packages, so that importing one stage never pays for another.

`textkit.coding` re-exports `Coder` (spaCy) and `load_coded` (pandas only): a command that
only reads a coding folder must not load spaCy because the package's `__init__` imported
every module in it. Each package lists its public names and the module that defines them;
the module is imported on first use.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable


def lazy_exports(package: str, names: dict[str, str]) -> tuple[Callable, Callable, list[str]]:
    """`__getattr__`, `__dir__` and `__all__` for `package`, given {public name: submodule}."""

    def __getattr__(name: str):
        if name in names:
            return getattr(importlib.import_module(f"{package}.{names[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__, list(names)
