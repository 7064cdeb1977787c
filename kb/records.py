"""Index-wide records in the store's meta collection (``<name>-meta``), for every process
and replica that shares the index.

The index *generation*: a random token rewritten
after every write (chunks added, deleted or relabelled). Everything a process derives from
the index (its BM25 index, amendment chains) is a cache of one generation, so a replica
that shares a Chroma server with others notices another's write with one read per
question (``kb.retrieve``). A random token, not a counter, so two writers racing never
leave a value a reader has already seen.

The meta collection also names each document's *active* version (``active:<source>`` ->
file hash). A new version is written beside the old one, then made active, then the old one
is deleted; a reader keeps only the active version's chunks, so it sees the old wording or
the new, never both and never neither.

A deletion made on one replica is recorded too (``deleted:<source>``), so that another
replica's copy of the file is not indexed again by that replica's next ingest.

``IndexRecords`` is mixed into ``kb.store.Store``, the one module that talks to Chroma: it
reads and writes through the store's meta collection and its error handling.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

GENERATION_ID = "generation"  # the record of the index generation
ACTIVE_MARK = "active:"  # "active:<source>": the version of a document that readers see
DELETED_MARK = "deleted:"  # "deleted:<source>": versions an admin deleted (shared server)


class IndexRecords:
    """The meta collection's records; ``meta`` and ``_call`` come from the store."""

    meta: Any

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:  # the store's own
        raise NotImplementedError

    def bump(self) -> None:
        """Record that the index changed (a new random generation token)."""
        self.write_record(GENERATION_ID, uuid.uuid4().hex)

    def generation(self) -> str:
        """The index generation: changes with every write ("" before the first)."""
        record = self.read_record(GENERATION_ID)
        return record[0] if record else ""

    def write_record(self, key: str, value: str, fields: dict[str, str | float] | None = None) -> None:
        """Write an index-wide record (the generation, the writer lease) by key."""
        self._call(
            self.meta.upsert,
            ids=[key],
            embeddings=[[1.0]],  # looked up by id, never by vector
            documents=[value],
            metadatas=[dict(fields or {"kind": key})],
        )

    def read_record(self, key: str) -> tuple[str, dict[str, Any]] | None:
        """An index-wide record: its value and fields (None when there is none)."""
        got = self._call(self.meta.get, ids=[key], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        return str(got["documents"][0]), dict(got["metadatas"][0] or {})

    def delete_record(self, key: str) -> None:
        self._call(self.meta.delete, ids=[key])

    def activate(self, source: str, file_hash: str) -> None:
        """Make ``file_hash`` the version of ``source`` that readers see (its chunks and
        units are written)."""
        self.write_record(ACTIVE_MARK + source, file_hash)
        self.bump()

    def active_versions(self) -> dict[str, str]:
        """Each document's active version (source -> file hash); documents written before
        versions were recorded have none, and all their chunks count."""
        return self._records(ACTIVE_MARK)

    def mark_deleted(self, source: str, hashes: Sequence[str]) -> None:
        """Record that an admin deleted these versions of ``source``, so another replica's
        copy of the file is not indexed again by its next ingest."""
        self.write_record(DELETED_MARK + source, ", ".join(sorted(hashes)))

    def clear_deleted(self, source: str) -> None:
        """Forget a deletion (the document is uploaded again on purpose)."""
        self.delete_record(DELETED_MARK + source)

    def deleted_versions(self) -> dict[str, set[str]]:
        """The versions deleted per source (``mark_deleted``)."""
        return {source: set(hashes.split(", ")) for source, hashes in self._records(DELETED_MARK).items()}

    def deactivate(self, source: str) -> None:
        """Forget a deleted document's active version."""
        self.delete_record(ACTIVE_MARK + source)

    def _records(self, mark: str) -> dict[str, str]:
        """The records whose key starts with ``mark``, by the rest of their key."""
        got = self._call(self.meta.get, include=["documents"])
        return {
            key.removeprefix(mark): str(doc)
            for key, doc in zip(got["ids"], got["documents"] or [], strict=True)
            if key.startswith(mark)
        }
