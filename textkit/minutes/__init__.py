"""Batch processing of partnership-meeting minutes: read, split into agenda items, code (SPEC §8)."""

from textkit.minutes.batch import BatchResult, run_minutes
from textkit.minutes.documents import Document, DocumentError, read_document
from textkit.minutes.items import Item, split_items

__all__ = ["BatchResult", "Document", "DocumentError", "Item", "read_document", "run_minutes", "split_items"]
