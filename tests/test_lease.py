"""The writer lease (kb.lease) over a real embedded store: one holder at a time, a named
holder in the refusal, and an expired lease taken over."""

from __future__ import annotations

import threading
import time

import pytest

from kb.errors import IngestLockedError
from kb.lease import WriterLease
from kb.settings import Settings
from kb.store import Store
from tests.conftest import FakeEmbedder


def _lease(store: Store, owner: str, seconds: float = 60.0) -> WriterLease:
    return WriterLease(store, owner=owner, seconds=seconds, settle=0.05)


def test_a_held_lease_refuses_another_writer_and_names_the_holder(settings: Settings):
    store = Store(settings, FakeEmbedder())
    with _lease(store, "kantor-a (pid 1)").hold():
        with pytest.raises(IngestLockedError) as err, _lease(store, "kantor-b (pid 2)").hold():
            pass
        assert "kantor-a (pid 1)" in err.value.user_message
    with _lease(store, "kantor-b (pid 2)").hold():  # released on exit: free again
        assert _lease(store, "x").holder().owner == "kantor-b (pid 2)"  # type: ignore[union-attr]
    assert _lease(store, "x").holder() is None


def _claim(store: Store, owner: str, start: threading.Barrier, won: list[str]) -> None:
    start.wait()
    try:
        with _lease(store, owner).hold():
            won.append(owner)
            time.sleep(0.2)  # still holding while the other reads back
    except IngestLockedError:
        pass


def test_two_writers_claiming_at_once_end_with_exactly_one_holder(settings: Settings):
    store = Store(settings, FakeEmbedder())
    for _ in range(5):
        won: list[str] = []
        start = threading.Barrier(2)
        threads = [threading.Thread(target=_claim, args=(store, o, start, won)) for o in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(won) == 1, won


def test_an_expired_lease_is_taken_over_and_a_live_one_is_renewed(settings: Settings):
    store = Store(settings, FakeEmbedder())
    stale = _lease(store, "mati")
    stale._write()  # a holder that crashed: it never renews
    assert stale.holder() is not None
    short = _lease(store, "cepat", seconds=0.4)
    short.token = stale.token  # rewrite the crashed holder's record with a 0.4 s expiry
    short._write()
    time.sleep(0.5)
    with _lease(store, "baru", seconds=0.4).hold():  # taken over once expired
        time.sleep(0.6)  # longer than the expiry: the heartbeat (every 0.1 s) keeps it
        assert _lease(store, "x").holder().owner == "baru"  # type: ignore[union-attr]
