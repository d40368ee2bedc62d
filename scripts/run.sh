#!/usr/bin/env bash
# Install BOH into .venv, build the console's front-end files, then start it on SQLite with the demo chain.
# Usage: bash scripts/run.sh [--host 0.0.0.0] [--port 8000]
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
if [ -f frontend/package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm (Node.js 18+) is needed to build the console's front-end files: install nodejs and npm" >&2
    exit 1
  fi
  npm ci --prefix frontend --no-audit --no-fund --loglevel=error
  npm run --prefix frontend --silent build
fi
exec .venv/bin/boh quickstart "$@"
