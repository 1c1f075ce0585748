"""Reading survey tables and documents; writing outputs atomically."""

from textkit.io.atomic import atomic_path, write_csv, write_json, write_text
from textkit.io.tables import SurveyTable, file_sha256, read_table

__all__ = [
    "SurveyTable",
    "atomic_path",
    "file_sha256",
    "read_table",
    "write_csv",
    "write_json",
    "write_text",
]
