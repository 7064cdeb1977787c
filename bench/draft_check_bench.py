"""How `kb periksa-draf` fares on hand-made drafts: the test drafts it was calibrated on
(tests/drafts/) and two held-out ones (bench/drafts/), each with its expected findings.

    .venv/bin/python bench/draft_check_bench.py --data-dir DIR [--shared ../shared]

DIR is an index of the reference corpus with ../shared/corpus-ref/more/ (Permendagri
111/2014, UU 23/2014); it is built there when empty. Prints per set: element decisions
right / total, false "present" (a missing or empty element reported present), false
"missing", and the citation findings (outdated, not in force, absent from the index) right.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ingest.pipeline import ingest  # noqa: E402
from kb.base import KnowledgeBase  # noqa: E402
from kb.draft.service import check_text  # noqa: E402
from kb.settings import Settings  # noqa: E402

REGULATIONS = ("uu-6-2014.txt", "uu-3-2024.txt", "pp-43-2014.txt", "pp-47-2015.txt", "pp-11-2021.txt")


def run(kb: KnowledgeBase, folder: Path) -> None:
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    right = total = false_present = 0
    false_missing: list[str] = []
    citations_right = 0
    for name, exp in expected.items():
        report = check_text(kb, (folder / name).read_text(encoding="utf-8"))
        for e in report.elements:
            truth = (
                "tidak ada"
                if e.letter in exp["missing"]
                else "hanya judul"
                if e.letter in exp["empty"]
                else "ada"
            )
            total += 1
            if e.status == truth:
                right += 1
            elif e.status == "ada":
                false_present += 1
            else:
                false_missing.append(f"{name}:{e.letter} ({e.name})")
        cited = (
            [c.regulation for c in report.outdated_citations] == exp["outdated"]
            and [c.regulation for c in report.not_in_force] == exp["not_in_force"]
            and report.absent_from_index == sorted(exp["absent"])
        )
        citations_right += cited
    print(
        f"| {folder.relative_to(ROOT)} | {len(expected)} | {right}/{total} | {false_present} | "
        f"{len(false_missing)}: {', '.join(false_missing) or '-'} | {citations_right}/{len(expected)} |"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = ap.parse_args()
    settings = Settings(data_dir=args.data_dir, corpus_dir=ROOT / "corpus", _env_file=None)  # type: ignore[call-arg]
    kb = KnowledgeBase(settings)
    if not kb.documents():
        ref = args.shared / "corpus-ref"
        paths = [*(ref / n for n in REGULATIONS), ref / "pdf", ROOT / "corpus", ref / "more"]
        ingest(paths, settings, kb.store, kb.embedder)
    print(
        "| drafts | files | element decisions right | false present | false missing | citation findings right |"
    )
    print("|---|---|---|---|---|---|")
    for folder in (ROOT / "tests" / "drafts", ROOT / "bench" / "drafts"):
        run(kb, folder)


if __name__ == "__main__":
    main()
