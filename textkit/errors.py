"""Errors a researcher can act on.

Every error raised on bad input is a `TextkitError` whose message names the file, row, column
or field and says what to do. The CLI prints the message as one line and exits non-zero; a
notebook user sees the same message in the traceback.
"""


class TextkitError(Exception):
    """Bad input or a refused operation, explained for a person."""


class InputError(TextkitError):
    """A survey table or document cannot be read as asked."""


class CodebookError(TextkitError):
    """A codebook file is malformed, invalid or edited without a version bump."""


class OutputError(TextkitError):
    """An output would overwrite something it must not."""


class DisclosureError(TextkitError):
    """Published figures would give a suppressed cell away, or no suppression can protect it."""
