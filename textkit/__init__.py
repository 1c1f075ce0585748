"""textkit: qualitative text analysis of Norwegian free-text survey answers and minutes.

The public API, for notebooks:

    import textkit
    result = textkit.code_table("corpora/survey_2025.csv", id_col="id",
                                text_col="evu_fritekst", codebook="codebooks/evu_types.yaml")
    result.codes_wide.head()
"""

__version__ = "0.1.0"

from textkit.codebook import Codebook, load_codebook, lock_codebook  # noqa: E402
from textkit.coding import Coder, self_test  # noqa: E402
from textkit.errors import CodebookError, InputError, OutputError, TextkitError  # noqa: E402
from textkit.io import SurveyTable, read_table  # noqa: E402
from textkit.nlp import load_nlp  # noqa: E402
from textkit.pipeline import CodingResult, code_table  # noqa: E402
from textkit.tables import crosstab, tabell7, tabell8  # noqa: E402

#: Loaded on first use: they pull in matplotlib and openpyxl, which `textkit info` does not need.
_LAZY = {
    "write_tables": "textkit.tablefiles",
    "merge_codes": "textkit.merge",
    "coded_variables": "textkit.merge",
    "load_coded": "textkit.codes",
    "make_clouds": "textkit.clouds",
    "kwic": "textkit.concordance",
    "frequency_table": "textkit.frequencies",
    "run_minutes": "textkit.minutes",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'textkit' has no attribute {name!r}")


__all__ = [
    "Codebook", "CodebookError", "Coder", "CodingResult", "InputError", "OutputError", "SurveyTable",
    "TextkitError", "code_table", "load_codebook", "load_nlp", "lock_codebook", "read_table",
    "self_test", "tabell7", "tabell8", "crosstab", "write_tables", "merge_codes", "coded_variables", "load_coded",
    "make_clouds", "kwic", "frequency_table", "run_minutes",
]
