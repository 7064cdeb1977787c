"""One exception family for the project. Each error carries an Indonesian ``user_message``
that names the file (when there is one) and says what to do; the CLI and the app show
that message, never a traceback."""

from __future__ import annotations


class KBError(Exception):
    """Base of every error the project raises on purpose."""

    def __init__(self, user_message: str, *, detail: str = "") -> None:
        super().__init__(detail or user_message)
        self.user_message = user_message
        self.detail = detail


class ConfigError(KBError):
    """Settings that cannot work (unknown engine, missing model path, bad values)."""


class DocumentError(KBError):
    """A file that cannot be loaded or parsed. The ingest reports it and goes on."""

    def __init__(self, source: str, reason: str, *, detail: str = "") -> None:
        super().__init__(f"Berkas '{source}' tidak dapat diproses: {reason}", detail=detail)
        self.source = source
        self.reason = reason


class EmbeddingError(KBError):
    """The embedding model cannot be loaded or fails on input."""


class StoreError(KBError):
    """The vector store (Chroma) cannot be opened, read or written."""


class IngestLockedError(KBError):
    """Another ingest holds the lock on the data directory."""


class AdminError(KBError):
    """An admin action (upload, delete) without the right password, or while disabled."""
