"""Stage 2–3: text before coding — normalise, the Norwegian NLP pipeline, segmentation, redaction."""

from textkit._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(
    __name__,
    {
        "normalise_text": "normalise",
        "normalise_document": "normalise",
        "is_blank": "normalise",
        "load_nlp": "nlp",
        "describe": "nlp",
        "Redactor": "privacy",
        "Redaction": "privacy",
    },
)
