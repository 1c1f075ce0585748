"""Coding: apply a codebook (`coder`), the coding run and its output folder (`run`, `results`),
the append-only decisions store (`store`), accuracy against gold labels (`evaluation`), and
suggestions from classifiers learned on the codes (`suggest`, scored on planted gaps by `planted`)."""

from textkit._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "Coder": "coder",
        "self_test": "coder",
        "CodingResult": "run",
        "code_table": "run",
        "load_coded": "results",
        "load_codes": "results",
        "suggest": "suggest",
        "Suggester": "suggest",
    },
)
