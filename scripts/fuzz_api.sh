#!/usr/bin/env bash
# Fuzz the whole API from its OpenAPI spec with schemathesis against a demo server: any 5xx fails the run.
#   bash scripts/fuzz_api.sh                                   # SQLite, 40 examples per operation (~4 min)
#   BOH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/boh_fuzz bash scripts/fuzz_api.sh   # an EMPTY database
#   EXAMPLES=200 bash scripts/fuzz_api.sh
# It signs in as the demo HQ admin (every permission), so it reaches every operation, and most path ids are
# ids of the demo chain (scripts/fuzz_hooks.py), so it gets past the lookups. Not part of the suite
# (minutes, and random by nature); run it after changing routes or schemas. The server log is kept in the
# temporary folder it prints.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PORT=${PORT:-8199}
EXAMPLES=${EXAMPLES:-40}
WORK=$(mktemp -d -t boh-fuzz-XXXX)
export BOH_DATABASE_URL=${BOH_DATABASE_URL:-sqlite:///${WORK}/boh.sqlite3}

.venv/bin/python -m pip install --quiet schemathesis
.venv/bin/boh quickstart --port "${PORT}" --no-simulate >"${WORK}/server.log" 2>&1 &
SERVER=$!
trap 'kill ${SERVER} 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do
    curl -sf "http://127.0.0.1:${PORT}/healthz" >/dev/null 2>&1 && break
    sleep 2
done
TOKEN=$(curl -sf -d username=demo.admin -d password=boh-demo-2026 "http://127.0.0.1:${PORT}/api/v1/auth/token" |
    .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
echo "server log: ${WORK}/server.log"
# the live stream holds its connection open by design, and logout would end the fuzzer's own session (every
# later request a 401): both left out
export BOH_FUZZ_BASE="http://127.0.0.1:${PORT}" BOH_FUZZ_TOKEN="${TOKEN}" SCHEMATHESIS_HOOKS=fuzz_hooks
PYTHONPATH="scripts${PYTHONPATH:+:${PYTHONPATH}}" .venv/bin/schemathesis run "http://127.0.0.1:${PORT}/openapi.json" -H "Authorization: Bearer ${TOKEN}" \
    -c not_a_server_error -n "${EXAMPLES}" --exclude-path-regex 'stream|/auth/logout' --continue-on-failure --request-timeout 20
if grep -q '"level": "ERROR"' "${WORK}/server.log"; then
    echo "the server logged errors: see ${WORK}/server.log" >&2
    exit 1
fi
