#!/usr/bin/env bash
# Set up a fresh machine and run every check: the README's test command, and what .ci/run calls.
#   bash scripts/test.sh
# Steps: virtualenv + package, Chromium for the browser tests, front-end assets, ruff, mypy, import
# contracts, migrations check, pytest. Any failing step fails the run (including "no tests collected").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export BOH_CHROMIUM=/usr/bin/chromium
VENV=.venv
CURRENT_STEP="(start)"

on_exit() {
    local rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAILED: step '${CURRENT_STEP}' (exit ${rc}) after ${SECONDS}s total" >&2
    fi
}
trap on_exit EXIT

step() {
    local name=$1 start=$SECONDS
    shift
    CURRENT_STEP=$name
    echo "==> ${name}"
    "$@"
    echo "<== ${name}: $((SECONDS - start))s"
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

make_venv() {
    if [ ! -x "${VENV}/bin/python" ]; then
        python3 -m venv "${VENV}"
    fi
    "${VENV}/bin/pip" install -e '.[test]'
}

install_chromium() {
    if [ -x /usr/bin/chromium ]; then
        echo "chromium already installed"
        return
    fi
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk
}

build_assets() {
    if [ ! -f frontend/package.json ]; then
        echo "no frontend/package.json: nothing to build"
        return
    fi
    npm ci --prefix frontend
    npm run --prefix frontend build
}

check_migrations() {
    # Upgrade a throwaway SQLite database from empty, then fail if the models and the migrations differ.
    local tmp
    tmp=$(mktemp -d)
    BOH_DATA_DIR="${tmp}" BOH_DATABASE_URL="" "${VENV}/bin/boh" init
    BOH_DATA_DIR="${tmp}" BOH_DATABASE_URL="" "${VENV}/bin/boh" db check
    rm -rf "${tmp}"
}

step "virtualenv and package" make_venv
step "chromium" install_chromium
step "front-end assets" build_assets
step "ruff check" "${VENV}/bin/ruff" check src tests bench scripts
step "ruff format" "${VENV}/bin/ruff" format --check src tests bench scripts
step "mypy" "${VENV}/bin/mypy"
step "import contracts" "${VENV}/bin/lint-imports" --no-cache
step "migrations" check_migrations
# Two xdist workers (one per core): each worker creates and drops its own databases per backend.
# pytest exits 5 when it collects no tests, which fails this step like any other non-zero exit.
step "pytest" "${VENV}/bin/python" -m pytest -q -n 2 --durations=30

CURRENT_STEP="(done)"
echo "all checks passed in ${SECONDS}s"
