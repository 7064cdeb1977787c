"""The dependency rule: the library (``kb/``) depends on nothing above it. Loading
(``ingest/``), the UI (``gradio``, ``app.py``) and the command line (``cli.py``) use ``kb``,
never the other way round; imports inside functions count too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ABOVE_THE_LIBRARY = ("ingest", "gradio", "app", "cli")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(ROOT.glob("kb/**/*.py")), ids=lambda p: p.name)
def test_the_library_imports_nothing_above_it(module: Path):
    above = {n for n in _imports(module) if n.split(".")[0] in ABOVE_THE_LIBRARY}
    assert not above, f"{module.relative_to(ROOT)} imports {sorted(above)}"


def test_the_rule_would_catch_a_lazy_import(tmp_path: Path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from ingest.console import ingest_with_progress\n", encoding="utf-8")
    assert "ingest.console" in _imports(bad)


def test_loading_does_not_reach_the_ui():
    for module in ROOT.glob("ingest/**/*.py"):
        assert not {n for n in _imports(module) if n.split(".")[0] in ("gradio", "app", "cli")}, module
