#!/usr/bin/env bash
# The long API fuzzing run (the suite runs a bounded one: tests/test_api_fuzz.py).
#
#   scripts/fuzz.sh                 # SQLite, 100 examples per operation, all phases
#   EAGOV_FUZZ_EXAMPLES=500 scripts/fuzz.sh
#   EAGOV_TEST_DATABASE_URL=postgresql+psycopg://eagov@127.0.0.1:5432/eagov_test scripts/fuzz.sh
#
# Schemathesis generates requests for every operation of /api/v1/openapi.json (explicit
# examples, boundary values of every parameter, then random data) and sends them as an
# administrator with a valid token to an app holding the demo data. It fails on any 5xx and on
# any response that breaks the document (status, content type, headers, body schema, 405
# without Allow). Seeds are random unless EAGOV_FUZZ_RANDOM=0: a failure prints the request
# as a curl command to reproduce it. Extra arguments go to pytest (e.g. -k "contracts" -x).
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BIN=${VENV:-.venv}/bin
for var in $(compgen -e | grep '^EAGOV_' | grep -v '^EAGOV_TEST_\|^EAGOV_FUZZ_' || true); do
    unset "$var"
done
export EAGOV_FUZZ_EXAMPLES=${EAGOV_FUZZ_EXAMPLES:-100}
export EAGOV_FUZZ_PHASES=${EAGOV_FUZZ_PHASES:-examples,coverage,fuzzing}
export EAGOV_FUZZ_RANDOM=${EAGOV_FUZZ_RANDOM:-1}
WORKERS=${EAGOV_FUZZ_WORKERS:-2}

echo "fuzzing on ${EAGOV_TEST_DATABASE_URL:+PostgreSQL}${EAGOV_TEST_DATABASE_URL:-SQLite}:" \
    "$EAGOV_FUZZ_EXAMPLES examples per operation, phases $EAGOV_FUZZ_PHASES"
exec "$BIN/pytest" -q -p no:randomly -n "$WORKERS" tests/test_api_fuzz.py \
    -k test_api_conforms_to_its_openapi_document --tb=short "$@"
