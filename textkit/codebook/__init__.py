"""Codebooks: the YAML format and its schema (`book`), what changed between versions (`diff`),
and exports for appendices and other QDA tools (`export`)."""

from textkit._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "Codebook": "book",
        "Category": "book",
        "Rule": "book",
        "load_codebook": "book",
        "lock_codebook": "book",
        "diff_codebooks": "diff",
        "export_codebook": "export",
    },
)
