"""textkit: qualitative text analysis of Norwegian free-text survey answers and minutes.

The public API, for notebooks:

    import textkit
    result = textkit.code_table("corpora/survey_2025.csv", id_col="id",
                                text_col="evu_fritekst", codebook="codebooks/evu_types.yaml")
    result.codes_wide.head()

Every name is imported on first use: `import textkit` (and so every CLI call, even `--help`)
does not pay for spaCy, matplotlib or openpyxl until a function that needs them is called.
"""

__version__ = "0.1.0"

_EXPORTS = {
    "Codebook": "textkit.codebook", "load_codebook": "textkit.codebook", "lock_codebook": "textkit.codebook",
    "Coder": "textkit.coding", "self_test": "textkit.coding",
    "CodebookError": "textkit.errors", "InputError": "textkit.errors", "OutputError": "textkit.errors",
    "TextkitError": "textkit.errors",
    "SurveyTable": "textkit.io", "read_table": "textkit.io",
    "load_nlp": "textkit.nlp",
    "CodingResult": "textkit.pipeline", "code_table": "textkit.pipeline",
    "crosstab": "textkit.tables", "tabell7": "textkit.tables", "tabell8": "textkit.tables",
    "write_tables": "textkit.tablefiles",
    "merge_codes": "textkit.merge", "coded_variables": "textkit.merge",
    "load_coded": "textkit.codes",
    "make_clouds": "textkit.clouds",
    "kwic": "textkit.concordance",
    "frequency_table": "textkit.frequencies",
    "run_minutes": "textkit.minutes",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'textkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
