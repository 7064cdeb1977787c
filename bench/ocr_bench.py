"""OCR benchmark: a born-digital reference PDF rasterised (as a scan without text layer),
read back through the loader's OCR, and compared with the parse of the original.

    .venv/bin/python bench/ocr_bench.py [--pdf ../shared/corpus-ref/more/uu-6-2014-salinan.pdf] [--dpi 200]

The scan is made the way the issue describes it: ``pdftoppm`` renders every page to a grey
image, the images are put back into a PDF (Pillow). Prints the pages, the seconds per page
of OCR, the Pasal found in the scan against the original (and which differ), and the
character error rate of the body text (Levenshtein distance over the original's length,
whitespace normalised, per Pasal summed over the Pasal both parses hold).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from ingest.clean import join_pages  # noqa: E402
from ingest.legal import ParsedRegulation, parse_identity, parse_regulation  # noqa: E402
from ingest.loaders import load_file  # noqa: E402
from ingest.structure import check_regulation  # noqa: E402


def parse(path: Path, ocr: bool) -> tuple[ParsedRegulation, float, int, str]:
    t0 = time.perf_counter()
    doc = load_file(path, path.name, max_file_mb=200, ocr_lang="ind" if ocr else None)
    seconds = time.perf_counter() - t0
    text = join_pages(doc.pages)
    identity = parse_identity(text)
    assert identity is not None, f"{path.name}: identity not read"
    reg = parse_regulation(text, identity)
    return reg, seconds, len(doc.ocr_pages), doc.text


def rasterise(pdf: Path, folder: Path, dpi: int) -> Path:
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", str(pdf), str(folder / "p")], check=True)
    images = [Image.open(p) for p in sorted(folder.glob("p-*.pgm"))]
    out = folder / "scan.pdf"
    images[0].save(out, save_all=True, append_images=images[1:], resolution=dpi)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pdf", type=Path, default=ROOT.parent / "shared/corpus-ref/more/uu-6-2014-salinan.pdf")
    ap.add_argument("--dpi", type=int, default=200, help="resolution of the simulated scan")
    args = ap.parse_args()
    original, _, _, _ = parse(args.pdf, ocr=False)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        scan = rasterise(args.pdf, Path(tmp), args.dpi)
        raster_s = time.perf_counter() - t0
        reg, seconds, pages, raw = parse(scan, ocr=True)
    want = {a.number: a for a in original.articles}
    got = {a.number: a for a in reg.articles}
    both = [n for n in want if n in got]
    dist = sum(
        Levenshtein.distance(" ".join(got[n].text.split()), " ".join(want[n].text.split())) for n in both
    )
    length = sum(len(" ".join(want[n].text.split())) for n in both)
    check = check_regulation(reg, raw)
    print(f"document          {args.pdf.name} ({original.identity.regulation}), scan at {args.dpi} dpi")
    print(
        f"pages OCR'd       {pages} in {seconds:.1f} s = {seconds / max(pages, 1):.2f} s/page (rasterising {raster_s:.1f} s)"
    )
    print(
        f"Pasal found       {len(got)} of {len(want)} (missing {[n for n in want if n not in got][:20]}, extra {[n for n in got if n not in want][:20]})"
    )
    print(f"structure check   ok={check.ok} gaps={list(check.gaps)[:20]} expected={check.pasal_expected}")
    print(
        f"CER body text     {dist / max(length, 1):.4f} ({dist} edits over {length} characters, {len(both)} Pasal)"
    )


if __name__ == "__main__":
    main()
