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
    "Codebook": "textkit.codebook.book",
    "load_codebook": "textkit.codebook.book",
    "lock_codebook": "textkit.codebook.book",
    "Coder": "textkit.coding.coder",
    "self_test": "textkit.coding.coder",
    "CodebookError": "textkit.errors",
    "InputError": "textkit.errors",
    "OutputError": "textkit.errors",
    "TextkitError": "textkit.errors",
    "SurveyTable": "textkit.io",
    "read_table": "textkit.io",
    "load_nlp": "textkit.text.nlp",
    "CodingResult": "textkit.coding.run",
    "code_table": "textkit.coding.run",
    "crosstab": "textkit.analysis.tables",
    "tabell7": "textkit.analysis.tables",
    "tabell8": "textkit.analysis.tables",
    "write_tables": "textkit.analysis.table_files",
    "check_folder": "textkit.analysis.disclosure",
    "merge_codes": "textkit.analysis.merge",
    "coded_variables": "textkit.analysis.merge",
    "load_coded": "textkit.coding.results",
    "make_clouds": "textkit.analysis.clouds",
    "kwic": "textkit.analysis.kwic",
    "frequency_table": "textkit.analysis.frequencies",
    "run_minutes": "textkit.minutes",
    "suggest": "textkit.coding.suggest",
    "Suggester": "textkit.coding.suggest",
    "themes": "textkit.analysis.themes",
    "rule_proposals": "textkit.analysis.themes",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'textkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
