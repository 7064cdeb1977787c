"""What a village laptop pays for each engine: the peak memory of ``kb ingest`` of the
reference corpus, and the serving app's start-up and memory over 100 questions.

    .venv/bin/python bench/footprint_bench.py [--engines e5-onnx e5] [--shared ../shared]

For each engine, in processes of their own, models prepared before any timing:

* ``kb ingest`` of the five reference texts, ``corpus-ref/pdf`` and ``corpus/`` into a fresh
  data dir with no embedding cache (peak RSS from GNU time, wall time);
* ``python app.py`` on that index: launch until the port answers, until the first answer
  (``/ask`` through ``gradio_client``), resident memory after that answer, after the 100
  questions of dev and dev2 one after another, and the peak (``VmHWM``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

REGULATIONS = ("uu-6-2014.txt", "uu-3-2024.txt", "pp-43-2014.txt", "pp-47-2015.txt", "pp-11-2021.txt")


def _status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _ingest(engine: str, data: Path, models: Path, paths: list[Path]) -> tuple[float, float]:
    """Peak RSS (MB) and wall seconds of one ``kb ingest``."""
    env = {**os.environ, "KB_EMBEDDER": engine, "KB_MODEL_DIR": str(models), "KB_DATA_DIR": str(data)}
    env.pop("KB_EMBED_CACHE", None)
    t0 = time.perf_counter()
    out = subprocess.run(
        ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "cli", "ingest", *map(str, paths)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stderr.strip().splitlines()[-1]) / 1024, time.perf_counter() - t0


def _serve(engine: str, data: Path, models: Path, questions: list[str]) -> dict[str, float]:
    import socket

    from gradio_client import Client

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    env = {
        **os.environ,
        "KB_EMBEDDER": engine,
        "KB_MODEL_DIR": str(models),
        "KB_DATA_DIR": str(data),
        "KB_PORT": str(port),
    }
    env.pop("KB_EMBED_CACHE", None)
    url = f"http://127.0.0.1:{port}"
    log = (data / "app.log").open("w")
    t0 = time.perf_counter()
    app = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        while True:
            try:
                urllib.request.urlopen(url + "/gradio_api/info", timeout=2)
                break
            except OSError:
                if app.poll() is not None or time.perf_counter() - t0 > 600:
                    raise RuntimeError(f"app did not start; see {data / 'app.log'}") from None
                time.sleep(0.2)
        serving = time.perf_counter() - t0
        client = Client(url, verbose=False)
        client.predict(questions[0], api_name="/ask")
        first = time.perf_counter() - t0
        after_start = _status_mb(app.pid, "VmRSS")
        t1 = time.perf_counter()
        for q in questions:
            client.predict(q, api_name="/ask")
        per_answer = (time.perf_counter() - t1) / len(questions)
        return {
            "serving_s": serving,
            "first_answer_s": first,
            "rss_start": after_start,
            "rss_100": _status_mb(app.pid, "VmRSS"),
            "peak": _status_mb(app.pid, "VmHWM"),
            "answer_s": per_answer,
        }
    finally:
        app.terminate()
        app.wait(timeout=30)
        log.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--engines", nargs="+", default=["e5-onnx", "e5"])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    from kb.embedder import make_embedder
    from kb.settings import Settings

    ref = args.shared / "corpus-ref"
    paths = [*(ref / n for n in REGULATIONS), ref / "pdf", ROOT / "corpus"]
    questions = [
        json.loads(line)["question"]
        for name in ("dev.jsonl", "dev2.jsonl")
        for line in (args.shared / "eval" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        models = Path(tmp) / "models"
        for engine in args.engines:
            settings = Settings(embedder=engine, model_dir=models, data_dir=Path(tmp), _env_file=None)  # type: ignore[call-arg]
            prepare = getattr(make_embedder(settings, cache=False), "prepare", None)
            if prepare is not None:
                prepare()
            data = Path(tmp) / engine
            peak, seconds = _ingest(engine, data, models, paths)
            rows.append((engine, peak, seconds, _serve(engine, data, models, questions)))
    cpu = next(
        (
            x.split(":", 1)[1].strip()
            for x in Path("/proc/cpuinfo").read_text().splitlines()
            if x.startswith("model name")
        ),
        "?",
    )
    print(f"{cpu}, {len(os.sched_getaffinity(0))} cores; {len(questions)} questions")
    print(
        "engine        ingest peak MB  ingest s  app serving s  first answer s  "
        "RSS after start MB  after 100 MB  peak MB  s/answer"
    )
    for engine, peak, seconds, app in rows:
        print(
            f"{engine:<13} {peak:>14.0f} {seconds:>9.1f} {app['serving_s']:>14.1f} {app['first_answer_s']:>15.1f}"
            f" {app['rss_start']:>19.0f} {app['rss_100']:>13.0f} {app['peak']:>8.0f} {app['answer_s']:>9.2f}"
        )


if __name__ == "__main__":
    main()
