"""Analysis of coded results: Tabell 7/8 and crosstabs, their disclosure control, files and charts,
the merge back into the survey, word clouds, frequencies and keyword in context; themes of the
uncoded residue and rule proposals."""

from textkit._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "tabell7": "tables",
        "tabell8": "tables",
        "crosstab": "tables",
        "write_tables": "table_files",
        "check_folder": "disclosure",
        "merge_codes": "merge",
        "coded_variables": "merge",
        "make_clouds": "clouds",
        "frequency_table": "frequencies",
        "kwic": "kwic",
        "themes": "themes",
        "rule_proposals": "themes",
        "write_themes": "themes",
    },
)
