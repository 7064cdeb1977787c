"""Faults with the real processes: ``kb ingest`` killed with SIGKILL at random points and
rerun, two ingests at once, and a Chroma server that goes away under the running app."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kb.errors import IngestLockedError
from kb.settings import Settings
from kb.store import UNIT_ID_MARK
from tests.conftest import ROOT, app_corpus, chroma_server, free_port, running_app

pytestmark = pytest.mark.slow


def _corpus(tmp_path: Path) -> Path:
    return app_corpus(tmp_path, ("uu-6-2014.txt", "pp-43-2014.txt"))


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "KB_EMBED_CACHE": str(cache), "KB_MODEL_DIR": str(ROOT / ".cache" / "models")}


def _ingest_cmd(corpus: Path, data: Path) -> list[str]:
    return [sys.executable, "-m", "cli", "ingest", str(corpus), "--data-dir", str(data)]


def _index_state(data: Path, corpus: Path) -> tuple[dict[str, str], dict[str, str], list[str]]:
    """Chroma's chunks and norm units (id -> text) and the ids in the saved BM25 index."""
    from kb.base import KnowledgeBase

    kb = KnowledgeBase(
        Settings(data_dir=data, corpus_dir=corpus, model_dir=ROOT / ".cache" / "models", _env_file=None)
    )  # type: ignore[call-arg]
    chunks = {h.chunk_id: h.text for h in kb.store.all_chunks()}
    got = kb.store.units.get(include=["documents"])
    units = dict(zip(got["ids"], got["documents"], strict=True))
    meta = json.loads((data / "lexical" / kb.store.name / "meta.json").read_text(encoding="utf-8"))
    return chunks, units, list(meta["ids"])


def test_ingest_killed_several_times_then_rerun_equals_a_clean_ingest(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    cache = tmp_path / "cache.sqlite3"  # fresh: every run really embeds, so kills land mid-work
    data = tmp_path / "killed"
    rng = random.Random(20261127)
    for _ in range(4):
        proc = subprocess.Popen(
            _ingest_cmd(corpus, data), env=_env(cache), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(3, 14))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    done = subprocess.run(
        _ingest_cmd(corpus, data), env=_env(cache), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    clean = subprocess.run(
        _ingest_cmd(corpus, tmp_path / "clean"), env=_env(cache), capture_output=True, text=True, timeout=600
    )
    assert clean.returncode == 0, clean.stderr

    killed_chunks, killed_units, killed_bm25 = _index_state(data, corpus)
    clean_chunks, clean_units, clean_bm25 = _index_state(tmp_path / "clean", corpus)
    assert killed_chunks == clean_chunks  # same ids, same texts: nothing missing, duplicated or stale
    assert killed_units == clean_units  # the norm units likewise
    assert sorted(killed_bm25) == sorted(killed_chunks) == sorted(clean_bm25)  # nothing orphaned in BM25
    assert len(killed_bm25) == len(set(killed_bm25))


def test_a_second_ingest_refuses_while_the_first_runs(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    cache = tmp_path / "cache.sqlite3"
    data = tmp_path / "data"
    first = subprocess.Popen(
        _ingest_cmd(corpus, data),
        env=_env(cache),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    lock = data / "ingest.lock"
    deadline = time.time() + 120
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        assert time.time() < deadline and first.poll() is None, "the first ingest never took the lock"
        time.sleep(0.2)
    second = subprocess.run(
        _ingest_cmd(corpus, data), env=_env(cache), capture_output=True, text=True, timeout=300
    )
    assert second.returncode == 2
    assert "Proses ingest lain sedang berjalan" in second.stderr
    assert first.wait(timeout=600) == 0
    chunks, units, bm25 = _index_state(data, corpus)
    assert chunks and sorted(bm25) == sorted(chunks)
    assert units and {i.split(UNIT_ID_MARK)[0] for i in units} <= set(chunks)  # no orphaned units


def test_the_app_reports_a_chroma_outage_stays_up_and_recovers(tmp_path: Path) -> None:
    from gradio_client import Client

    port = free_port()
    server_path = tmp_path / "server"
    with chroma_server(server_path, port) as server:
        env = {"KB_CHROMA_HOST": "127.0.0.1", "KB_CHROMA_PORT": str(port)}
        with running_app(tmp_path, app_corpus(tmp_path), **env) as (url, _):
            client = Client(url, verbose=False)
            assert not client.predict("Apa dasar hukum kerja sama desa?", api_name="/ask")["refused"]

            server.terminate()
            server.wait(timeout=20)
            with pytest.raises(Exception, match="tidak dapat dihubungi"):
                client.predict("Apa dasar hukum kerja sama desa?", api_name="/ask")
            with pytest.raises(Exception, match="tidak dapat dihubungi"):
                client.predict("psl 92 uu desa", 3, "", "", "", api_name="/search")

            with chroma_server(server_path, port):  # the server comes back on the same data
                result = client.predict("Apa dasar hukum kerja sama desa?", api_name="/ask")
                assert ("UU 6/2014", "91") in [(c["regulation"], c["pasal"]) for c in result["citations"]]


def test_an_app_started_before_its_chroma_server_waits_for_it_and_then_serves(tmp_path: Path) -> None:
    import threading
    from contextlib import ExitStack

    from gradio_client import Client

    port = free_port()
    env = {"KB_CHROMA_HOST": "127.0.0.1", "KB_CHROMA_PORT": str(port)}
    with ExitStack() as stack:
        # the server comes up 8 s after the app (a replica restarted before the server)
        later = threading.Timer(8.0, lambda: stack.enter_context(chroma_server(tmp_path / "server", port)))
        later.start()
        stack.callback(later.cancel)
        corpus = app_corpus(tmp_path, regulations=())
        with running_app(tmp_path, corpus, **env) as (url, _):
            assert "tidak dapat dihubungi" in (tmp_path / "app.log").read_text()  # it said why it waited
            hits = Client(url, verbose=False).predict("kerja sama desa", 3, "", "", "", api_name="/search")
            assert hits and all(h["source"].startswith("webinar/") for h in hits)


def test_an_upload_while_another_ingest_runs_is_refused_with_a_message(
    app_server: tuple[str, Settings], tmp_path: Path
) -> None:
    from gradio_client import Client, handle_file

    from ingest.pipeline import ingest_lock
    from tests.conftest import ADMIN_PASSWORD

    url, settings = app_server
    note = tmp_path / "catatan-saat-terkunci.md"
    note.write_text(
        "---\ntitle: Catatan Terkunci\n---\n# Catatan\nIsi catatan rapat desa.\n", encoding="utf-8"
    )
    with ingest_lock(settings):  # as a CLI ingest on the same data directory would hold it
        result = Client(url, verbose=False).predict(
            [handle_file(str(note))], ADMIN_PASSWORD, api_name="/upload"
        )
    assert "Proses ingest lain sedang berjalan" in result
    with pytest.raises(IngestLockedError), ingest_lock(settings), ingest_lock(settings):
        pass
