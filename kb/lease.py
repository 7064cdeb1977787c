"""One writer at a time across replicas that share a Chroma server: a lease in the store.

Chroma has no compare-and-swap, so a claim is written, left to settle and read back: of two
replicas claiming at once the later write wins, and the earlier one sees the other's token
when it reads back and backs off. The holder renews the lease from a heartbeat thread; a
crashed holder blocks the others for at most ``LEASE_SECONDS``.

With an embedded Chroma one data directory is one index, and the ingest's file lock on it
(``ingest.pipeline.ingest_lock``) is enough.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kb.errors import IngestLockedError, KBError
from kb.store import Store

log = logging.getLogger(__name__)

LEASE_ID = "writer-lease"
# How long a lease lasts unless renewed; the holder renews it every quarter of that, so
# three missed heartbeats in a row (a stalled server) still keep it.
LEASE_SECONDS = 60.0
# Between writing a claim and reading it back: a record's upsert on a Chroma server on
# 127.0.0.1 takes a few milliseconds on these machines (bench/replica_bench.py); 0.5 s
# leaves two orders of magnitude for a slower network.
SETTLE_SECONDS = 0.5


@dataclass(frozen=True)
class LeaseHolder:
    owner: str  # "host (pid N)"
    token: str
    expires: float  # seconds since the epoch


def owner_name() -> str:
    return f"{socket.gethostname()} (pid {os.getpid()})"


def busy_message(owner: str) -> str:
    return f"Proses ingest lain sedang berjalan di {owner}. Tunggu sampai selesai, lalu coba lagi."


class WriterLease:
    """The store's writer lease, held by ``with WriterLease(store).hold(): ...``."""

    def __init__(
        self,
        store: Store,
        *,
        seconds: float = LEASE_SECONDS,
        settle: float = SETTLE_SECONDS,
        owner: str | None = None,
    ) -> None:
        self.store = store
        self.seconds = seconds
        self.settle = settle
        self.owner = owner or owner_name()
        self.token = uuid.uuid4().hex

    def holder(self) -> LeaseHolder | None:
        """Who holds the lease now (None when nobody does, or it expired)."""
        record = self.store.read_record(LEASE_ID)
        if record is None:
            return None
        token, fields = record
        held = LeaseHolder(str(fields.get("owner", "")), token, float(fields.get("expires", 0.0)))
        return held if held.expires > time.time() else None

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Take the lease for the block; IngestLockedError names the holder when taken."""
        self._claim()
        stop = threading.Event()
        heartbeat = threading.Thread(target=self._renew, args=(stop,), name="kb-lease", daemon=True)
        heartbeat.start()
        try:
            yield
        finally:
            stop.set()
            heartbeat.join()
            try:
                if (held := self.holder()) and held.token == self.token:
                    self.store.delete_record(LEASE_ID)
            except KBError:  # the server is gone: the lease expires by itself
                log.warning("could not release the writer lease; it expires in %.0f s", self.seconds)

    def _claim(self) -> None:
        held = self.holder()
        if held and held.token != self.token:
            raise IngestLockedError(busy_message(held.owner))
        self._write()
        time.sleep(self.settle)
        held = self.holder()
        if held is None or held.token != self.token:  # another replica claimed it meanwhile
            raise IngestLockedError(busy_message(held.owner if held else "replika lain"))

    def _write(self) -> None:
        fields: dict[str, str | float] = {"owner": self.owner, "expires": time.time() + self.seconds}
        self.store.write_record(LEASE_ID, self.token, fields)

    def _renew(self, stop: threading.Event) -> None:
        while not stop.wait(self.seconds / 4):
            try:
                held = self.holder()
                if held and held.token != self.token:
                    log.error("the writer lease was taken by %s after it expired", held.owner)
                    return
                self._write()
            except KBError:  # the ingest's own next write reports the outage
                log.warning("could not renew the writer lease")
