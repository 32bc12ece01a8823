"""Errors the product reports to users: each carries a message meant to be read by a person.

The CLI maps them to exit codes and the API to HTTP statuses, so no caller ever sees a traceback.
"""

from __future__ import annotations


class RagError(Exception):
    """Base class: ``str(error)`` is the user-facing message."""

    exit_code: int = 1
    http_status: int = 400


class InvalidQuestionError(RagError):
    """Empty, whitespace-only or over-long question."""

    exit_code = 2
    http_status = 422


class DocumentError(RagError):
    """A file that cannot be read as a document: unsupported, empty, binary or corrupt."""

    exit_code = 2
    http_status = 415

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason

    def __reduce__(self) -> tuple[type[DocumentError], tuple[str, str]]:
        """Pickled with its name and reason (an exception pickles its message only): a file's error
        comes back from a Ray worker (``rag index --ray``) as it was raised."""
        return type(self), (self.name, self.reason)


class DocumentLimitError(DocumentError):
    """A file whose parsing would exceed a bound (characters, paragraphs, pages, table cells,
    decompressed size): refused while parsing, before it can occupy the server."""

    http_status = 413


class ExtractionError(DocumentError):
    """A well-formed file from which no trustworthy text can be got (encrypted, a blank scan, OCR
    below the confidence threshold): reported by name instead of being indexed empty."""

    http_status = 422


class IndexNotFoundError(RagError):
    """No index has been built at the configured location."""

    exit_code = 3
    http_status = 503


class IndexCorruptError(RagError):
    """The index files exist but cannot be read."""

    exit_code = 3
    http_status = 503


class ModelMismatchError(RagError):
    """The index was built with another embedding model or dimension than the one configured."""

    exit_code = 3
    http_status = 503


class UnknownBackendError(RagError):
    """An answer backend name that is not registered."""

    exit_code = 2
    http_status = 422


class BackendUnavailableError(RagError):
    """A configured backend cannot answer now (server down, timeout, model missing)."""

    exit_code = 4
    http_status = 503
