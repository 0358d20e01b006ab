#!/usr/bin/env bash
# THE test run (`make test` calls it; it expects the venv that `make` prepared):
#
#   1. ruff check, ruff format --check, mypy eagov, bandit
#   2. the whole pytest suite on SQLite (browser group included when Chromium exists)
#   3. the suite again on PostgreSQL: EAGOV_TEST_DATABASE_URL when set, otherwise a
#      throwaway cluster started here when a server is installed
#   4. the soak: two minutes at saturation against gunicorn, no error, flat memory
#
# Groups that cannot run on this machine are skipped with the reason printed, unless
# EAGOV_TEST_STRICT=1 (CI sets it), which turns a skipped group into a failure.
# EAGOV_TEST_SKIP=postgres,browser,soak skips groups on purpose (a quicker local run).
# Extra arguments go to every pytest run, e.g. `make test ARGS="-k audit -x"`.
# When every step passes, the last line printed is pytest's own summary line.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=${VENV:-.venv}
BIN=$VENV/bin
STRICT=${EAGOV_TEST_STRICT:-0}
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# The app's own settings from this shell (EAGOV_DATABASE_URL, ...) must not leak into tests.
for var in $(compgen -e | grep '^EAGOV_' | grep -v '^EAGOV_TEST_' || true); do unset "$var"; done
# pytest-xdist: one worker per core; tests marked xdist_group("x") stay on one worker.
XDIST=(-n auto --dist loadgroup)

if [[ ! -x $BIN/pytest ]]; then
    echo "no $BIN/pytest: run 'make test' (it creates the venv) rather than this script" >&2
    exit 2
fi

failed=()
skipped=()
if [[ -t 1 ]]; then B=$'\033[1m' Y=$'\033[1;33m' R=$'\033[1;31m' N=$'\033[0m'; else B="" Y="" R="" N=""; fi
step() { printf '\n%s==> %s%s  (%d s)\n' "$B" "$*" "$N" "$SECONDS"; }

# --- which groups can run here -------------------------------------------------------------
wanted() { [[ ,${EAGOV_TEST_SKIP:-}, != *,$1,* ]]; }
pg_url_given=${EAGOV_TEST_DATABASE_URL:-}
unset EAGOV_TEST_DATABASE_URL
pg_bin=""
if ! wanted postgres; then
    pg_url_given=""
    skipped+=("postgresql: skipped on request (EAGOV_TEST_SKIP=${EAGOV_TEST_SKIP})")
elif [[ -z $pg_url_given ]]; then
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x $d/initdb && -x $d/pg_ctl ]]; then pg_bin=$d; break; fi
    done
    if [[ -z $pg_bin ]] && command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
        pg_bin=$(dirname "$(command -v initdb)")
    fi
    if [[ -z $pg_bin ]]; then
        skipped+=("postgresql: no PostgreSQL server found (initdb/pg_ctl under /usr/lib/postgresql/*/bin); install it with 'apt-get install postgresql', or set EAGOV_TEST_DATABASE_URL")
    fi
fi

chromium=${EAGOV_TEST_CHROMIUM:-}
no_browser=()
if ! wanted browser; then
    chromium=""
    skipped+=("browser: skipped on request (EAGOV_TEST_SKIP=${EAGOV_TEST_SKIP})")
elif [[ -z $chromium ]]; then
    if [[ -x /usr/bin/chromium ]]; then chromium=/usr/bin/chromium
    else chromium=$(command -v chromium || true); fi
fi
if [[ -n $chromium && -x $chromium ]]; then
    export EAGOV_TEST_CHROMIUM=$chromium
else
    wanted browser && skipped+=("browser: no Chromium at ${chromium:-/usr/bin/chromium or in PATH}; install it with 'apt-get install chromium fonts-noto-cjk'")
    chromium=""
    no_browser=(-m "not browser")
fi

report_skips() {
    local s
    if ((${#skipped[@]})); then
        printf '\n%sSKIPPED test groups:%s\n' "$Y" "$N"
        for s in "${skipped[@]}"; do printf '  - %s\n' "$s"; done
    else
        printf '\nAll test groups run: lint, types, sqlite, postgresql, browser.\n'
    fi
}
report_skips
if [[ $STRICT == 1 ]] && ((${#skipped[@]})); then
    echo "EAGOV_TEST_STRICT=1: a skipped group is a failure." >&2
    failed+=("skipped groups")
fi

# --- a throwaway PostgreSQL cluster -------------------------------------------------------
pg_dir=""
run_as=()
cleanup() {
    if [[ -n $pg_dir && -d $pg_dir ]]; then
        if [[ -f $pg_dir/data/postmaster.pid ]]; then
            "${run_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop \
                >>"$pg_dir/log" 2>&1 || true
        fi
        rm -rf "$pg_dir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    "$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_postgres() {
    local owner port try
    if [[ $(id -u) == 0 ]]; then
        # initdb and postgres refuse to run as root: hand the cluster to an unprivileged user.
        owner=postgres
        id -u "$owner" >/dev/null 2>&1 || owner=nobody
        pg_dir=$(mktemp -d /tmp/eagov-pg.XXXXXX)
        chown "$owner" "$pg_dir"
        run_as=(runuser -u "$owner" --)
    else
        pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/eagov-pg.XXXXXX")
    fi
    "${run_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U eagov --auth=trust -E UTF8 \
        --no-locale --no-sync >"$pg_dir/initdb.log" 2>&1 || { cat "$pg_dir/initdb.log" >&2; return 1; }
    for try in 1 2 3; do
        port=$(free_port)
        # Durability off: this cluster lives for one test run.
        if "${run_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
            start >/dev/null; then
            "$pg_bin/createdb" -h 127.0.0.1 -p "$port" -U eagov eagov_test
            PG_URL="postgresql+psycopg://eagov@127.0.0.1:$port/eagov_test"
            echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $pg_dir"
            return 0
        fi
        echo "pg_ctl start failed (try $try):" >&2
        tail -5 "$pg_dir/log" >&2 || true
    done
    return 1
}

# --- 1. lint and types ---------------------------------------------------------------------
step "ruff check ."
"$BIN/ruff" check . || failed+=("ruff check")
step "ruff format --check ."
"$BIN/ruff" format --check . || failed+=("ruff format")
step "mypy eagov"
"$BIN/mypy" eagov || failed+=("mypy")
step "bandit (docs/security.md lists the skipped checks and why)"
"$BIN/bandit" -c bandit.yaml -r eagov -q || failed+=("bandit")

# --- 2./3. the suite -----------------------------------------------------------------------
PG_URL=$pg_url_given
if [[ -z $PG_URL && -n $pg_bin ]]; then
    step "starting a throwaway PostgreSQL cluster"
    if ! start_postgres; then
        failed+=("postgresql cluster start")
        PG_URL=""
    fi
fi

step "pytest on SQLite${chromium:+ (with the browser group)}"
[[ -z $PG_URL ]] && report_skips
"$BIN/pytest" "${XDIST[@]}" "${no_browser[@]}" "$@" || failed+=("pytest (sqlite)")

if [[ -n $PG_URL ]]; then
    step "pytest on PostgreSQL (${PG_URL%%://*})"
    report_skips
    # The browser group runs on its own SQLite file; once is enough.
    EAGOV_TEST_DATABASE_URL=$PG_URL "$BIN/pytest" "${XDIST[@]}" -m "not browser" "$@" \
        || failed+=("pytest (postgresql)")
fi

if wanted soak; then
    step "soak: two minutes at saturation against gunicorn (tests/test_soak.py)"
    EAGOV_TEST_SOAK=1 "$BIN/pytest" -p no:xdist tests/test_soak.py "$@" || failed+=("soak")
else
    skipped+=("soak: skipped on request (EAGOV_TEST_SKIP=${EAGOV_TEST_SKIP})")
fi

if ((${#failed[@]})); then
    printf '\n%sFAILED:%s %s\n' "$R" "$N" "$(IFS=,; echo "${failed[*]}" | sed 's/,/, /g')" >&2
    exit 1
fi
