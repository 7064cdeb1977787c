"""The running app under load: simulated users asking the eval set's questions through
``gradio_client`` at once, for a fixed time.

    .venv/bin/python bench/load_bench.py --data-dir DIR [--users 20] [--seconds 60] [--shared ../shared]

Starts ``python app.py`` on a free port over DIR (ingesting the shipped corpus if needed,
so point DIR at an index of the reference corpus), warms it with one question per user,
then every user asks questions in a loop (each its own client and session). Prints errors,
answer latency p50/p95 as users see it (queue wait included), throughput, and the app's
resident memory after the warm-up and at the end; the baseline in the same run is one user
alone for the same questions.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _run_users(url: str, questions: list[str], users: int, seconds: float) -> tuple[list[float], list[str]]:
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    clients = [Client(url, verbose=False) for _ in range(users)]
    stop = time.perf_counter() + seconds

    def user(i: int) -> None:
        n = i
        while time.perf_counter() < stop:
            q = questions[n % len(questions)]
            n += users
            t0 = time.perf_counter()
            try:
                result = clients[i].predict(q, api_name="/ask")
                ok = isinstance(result, dict) and "answer" in result
            except Exception as exc:  # every failure counts: the target is zero
                ok, result = False, repr(exc)
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1e3)
                else:
                    errors.append(str(result)[:200])

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def _report(name: str, latencies: list[float], errors: list[str], seconds: float) -> None:
    p50, p95 = np.percentile(latencies, [50, 95]) if latencies else (float("nan"),) * 2
    print(
        f"{name:<22} answers {len(latencies):>5}  errors {len(errors):>3}  p50 {p50:7.0f} ms  "
        f"p95 {p95:7.0f} ms  throughput {len(latencies) / seconds:6.1f}/s"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    lines = (args.shared / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(x)["question"] for x in lines if x.strip()]

    port = _port()
    env = {**os.environ, "KB_DATA_DIR": str(args.data_dir), "KB_PORT": str(port)}
    log = (args.data_dir / "load-bench-app.log").open("w")
    app = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(url + "/gradio_api/info", timeout=2)
                break
            except OSError:
                time.sleep(1)
        single_s = min(args.seconds, 20)
        lat1, err1 = _run_users(url, questions, 1, single_s)  # baseline (also the warm-up)
        _run_users(url, questions, args.users, 5)  # every session and thread warm
        before = _rss_mb(app.pid)
        lat, err = _run_users(url, questions, args.users, args.seconds)
        after = _rss_mb(app.pid)
    finally:
        app.terminate()
        app.wait(timeout=30)
        log.close()
    print(f"{args.users} users for {args.seconds:.0f} s against {url} (2 answers at once, the rest queue)")
    _report("1 user (baseline)", lat1, err1, single_s)
    _report(f"{args.users} users", lat, err, args.seconds)
    print(
        f"app memory: {before:.0f} MB after warm-up, {after:.0f} MB at the end ({(after / before - 1) * 100:+.1f} %)"
    )
    for e in sorted(set(err))[:5]:
        print("error:", e)


if __name__ == "__main__":
    main()
