#!/usr/bin/env bash
# Install BOH into .venv, build the console's front-end files, then start it on SQLite with the demo chain.
# Usage: bash scripts/run.sh [--host 0.0.0.0] [--port 8000]
# Re-running it skips what is already installed (it reinstalls only when pyproject.toml or the front-end's
# package-lock.json changed). When the port is taken it says so and how to pick another (--port).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
fi
PY_STAMP=$(stamp pyproject.toml)
if [ "$(cat .venv/.boh-installed 2>/dev/null || true)" != "$PY_STAMP" ]; then
  echo "Installing BOH into .venv ..."
  .venv/bin/python -m pip install --quiet -e .
  echo "$PY_STAMP" > .venv/.boh-installed
fi
if [ -f frontend/package.json ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "npm (Node.js 18+) is needed to build the console's front-end files: install nodejs and npm" >&2
    exit 1
  fi
  JS_STAMP=$(stamp frontend/package-lock.json frontend/build.mjs)
  if [ "$(cat frontend/node_modules/.boh-installed 2>/dev/null || true)" != "$JS_STAMP" ] \
     || [ ! -f src/boh/http/static/vendor/manifest.json ]; then
    echo "Building the console's front-end files ..."
    npm ci --prefix frontend --no-audit --no-fund --loglevel=error
    npm run --prefix frontend --silent build
    echo "$JS_STAMP" > frontend/node_modules/.boh-installed
  fi
fi
exec .venv/bin/boh quickstart "$@"
