"""A local HTTP server for the regulation pack: serves a folder laid out as
``{owner}/{repo}/{commit}/{path}`` (the GitHub raw addresses' paths) on 127.0.0.1, with byte
ranges, and with faults a test can switch on per path."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from kb.pustaka import Manifest
from tests.conftest import CORPUS_REF

# the reference copy of each pack file (../shared/corpus-ref), by manifest file stem and format
REFERENCE_FILES = {
    ("uu-6-2014", "txt"): CORPUS_REF / "uu-6-2014.txt",
    ("uu-6-2014", "pdf"): CORPUS_REF / "more" / "uu-6-2014-salinan.pdf",
    ("uu-3-2024", "txt"): CORPUS_REF / "uu-3-2024.txt",
    ("pp-43-2014", "txt"): CORPUS_REF / "pp-43-2014.txt",
    ("pp-47-2015", "txt"): CORPUS_REF / "pp-47-2015.txt",
    ("pp-11-2021", "txt"): CORPUS_REF / "pp-11-2021.txt",
    ("permendagri-111-2014", "pdf"): CORPUS_REF / "more" / "permendagri-111-2014.pdf",
    ("uu-23-2014", "txt"): CORPUS_REF / "more" / "uu-23-2014.txt",
}


def mirror_folder(manifest: Manifest, root: Path) -> Path:
    """Lay the reference files out under the manifest's address paths."""
    for reg in manifest.regulations:
        for source in reg.sources:
            target = root / urlsplit(source.url).path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REFERENCE_FILES[(str(reg.file), source.format)], target)
    return root


class PackServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.faults: dict[
            str, str
        ] = {}  # path suffix -> "truncate-once" | "drop" | "html" | "slow" | "wrong"
        self.requests: list[tuple[str, str]] = []  # (path, Range header)

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (timeout tests) breaks the pipe: expected here

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def fault(self, path: str) -> str:
        return next((mode for suffix, mode in self.faults.items() if path.endswith(suffix)), "")


class _Handler(BaseHTTPRequestHandler):
    server: PackServer

    def log_message(self, *args: object) -> None:  # keep the test output quiet
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self.server.requests.append((path, self.headers.get("Range", "")))
        fault = self.server.fault(path)
        file = self.server.root / path.lstrip("/")
        if fault == "slow":
            time.sleep(5)
        if fault == "html":
            body = b"<!DOCTYPE html><html><body>Halaman tidak ditemukan</body></html>"
            self._send(200, body, "text/html")
            return
        if not file.is_file():
            self._send(404, b"not found", "text/plain")
            return
        data = file.read_bytes()
        if fault == "wrong":
            data = data.replace(b"Desa", b"Kota", 1)
        start = 0
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes=") and fault != "no-range":
            start = int(rng[6:].split("-")[0])
        status = 206 if start else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data) - start))
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        body = data[start:]
        if fault == "drop" or (fault == "truncate-once" and not start):
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serving(root: Path) -> Iterator[PackServer]:
    server = PackServer(root)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
