"""Human review: the review workbook round trip, reliability between coders and the audit report."""

from textkit._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "export_review": "round_trip",
        "import_review": "round_trip",
        "FINAL_FILE": "round_trip",
        "agree": "reliability",
        "write_report": "audit_report",
    },
)
