#!/usr/bin/env bash
# Every check Safeguard has: what `make test` and CI (.ci/run) run.
#
#   scripts/test.sh            everything: lint, then the tests on SQLite and on PostgreSQL
#   scripts/test.sh lint       ruff, the import contract, mypy, the lock file
#   scripts/test.sh sqlite     the whole pytest suite on SQLite
#   scripts/test.sh postgres   the database tests (-m db, less the long sqlite_only
#                              walks) on a throwaway PostgreSQL server
#
# Each stage runs even when an earlier one failed, so one run shows every problem; the
# exit code is non-zero if any stage failed. Extra pytest options go in PYTEST_ADDOPTS.
#
# Run as root, it installs what is missing from Debian's packages: Chromium (for the
# browser tests) and PostgreSQL's server. Not as root, it says what is missing: without
# Chromium the browser tests skip; without PostgreSQL the PostgreSQL pass is skipped
# (and counts as a failure when CI=true).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
uv="$root/scripts/uv"
what="${1:-all}"
case "$what" in
    all | lint | sqlite | postgres) ;;
    *) echo "usage: scripts/test.sh [all|lint|sqlite|postgres]" >&2; exit 2 ;;
esac

CHROMIUM=/usr/bin/chromium
PYTEST_TIMEOUT="${SAFEGUARD_TEST_TIMEOUT:-30m}"  # a hung test ends the run, not CI's clock
reports="$(mktemp -d "${TMPDIR:-/tmp}/safeguard-test-reports.XXXXXX")"
trap 'rm -rf "$reports"' EXIT

declare -a stage_names=() stage_results=() stage_seconds=()
failed=0

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
heading() { printf '\n==> %s\n' "$*"; }
is_root() { [ "$(id -u)" = 0 ]; }

record() {  # record NAME RESULT START
    stage_names+=("$1")
    stage_results+=("$2")
    stage_seconds+=("$(elapsed "$3")")
    case "$2" in ok | skipped*) ;; *) failed=1 ;; esac
}

run_stage() {  # run_stage NAME COMMAND...: run it, record ok or failed
    local name="$1" start rc
    shift
    heading "$name"
    start="$(now)"
    set +e
    "$@"
    rc=$?
    set -e
    if [ "$rc" = 0 ]; then record "$name" ok "$start"; else record "$name" "failed ($rc)" "$start"; fi
}

apt_updated=0
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    if [ "$apt_updated" = 0 ]; then
        apt-get update -qq
        apt_updated=1
    fi
    apt-get install -y -qq "$@"
}

postgres_installed() {
    command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null
}

# ---- the environment ------------------------------------------------------------------

sync_environment() {
    local start
    heading "uv sync --frozen"
    start="$(now)"
    if ! "$uv" sync --frozen; then
        record "uv sync --frozen" failed "$start"
        return 1
    fi
    record "uv sync --frozen" ok "$start"
}

ensure_chromium() {
    [ -x "$CHROMIUM" ] && return 0
    local start
    start="$(now)"
    if is_root && command -v apt-get >/dev/null 2>&1; then
        heading "apt-get install chromium (for the browser tests)"
        if apt_install chromium; then
            record "install chromium" ok "$start"
        else
            record "install chromium" failed "$start"
        fi
    else
        echo
        echo "NOTE: $CHROMIUM is not installed, so the browser tests will be skipped."
        echo "      To run them: sudo apt-get install chromium"
        record "install chromium" "skipped (not root)" "$start"
    fi
}

ensure_postgres() {  # returns 1 if the PostgreSQL pass cannot run
    postgres_installed && return 0
    local start
    start="$(now)"
    if is_root && command -v apt-get >/dev/null 2>&1; then
        heading "apt-get install postgresql (for the PostgreSQL pass)"
        if apt_install postgresql && postgres_installed; then
            record "install postgresql" ok "$start"
            return 0
        fi
        record "install postgresql" failed "$start"
        return 1
    fi
    echo
    echo "NOTE: PostgreSQL's server (initdb, pg_ctl) is not installed, so the tests cannot"
    echo "      run on PostgreSQL. To run them: sudo apt-get install postgresql"
    if [ "${CI:-}" = true ]; then
        record "install postgresql" "failed (missing)" "$start"
    else
        record "install postgresql" "skipped (not root)" "$start"
    fi
    return 1
}

# ---- the stages -----------------------------------------------------------------------

lint() {
    run_stage "ruff check" "$uv" run --no-sync ruff check --output-format concise .
    run_stage "lint-imports (the statutory engine imports no Django)" \
        "$uv" run --no-sync lint-imports
    run_stage "mypy (strict: safeguard.statutory, safeguard.testing)" \
        "$uv" run --no-sync mypy src/safeguard/statutory src/safeguard/testing
    run_stage "uv lock --check (uv.lock matches pyproject.toml)" "$uv" lock --check
    run_stage "makemigrations --check (every model change has its migration)" \
        env SAFEGUARD_VAR="$(mktemp -d)" "$uv" run --no-sync safeguard manage makemigrations \
        --check --dry-run
}

pytest_pass() {  # pytest_pass NAME DATABASE PYTEST-ARGS...
    local name="$1" database="$2" start rc
    shift 2
    heading "$name"
    start="$(now)"
    set +e
    SAFEGUARD_TEST_DATABASE="$database" timeout --signal=INT --kill-after=60 "$PYTEST_TIMEOUT" \
        "$uv" run --no-sync pytest --junitxml="$reports/$database.xml" "$@"
    rc=$?
    set -e
    case "$rc" in
        0) record "$name" ok "$start" ;;
        5) echo "ERROR: pytest collected no tests; this pass must have some."
           record "$name" "failed (no tests)" "$start" ;;
        124) echo "ERROR: pytest was stopped after $PYTEST_TIMEOUT."
           record "$name" "failed (timed out)" "$start" ;;
        *) record "$name" "failed ($rc)" "$start" ;;
    esac
}

sqlite_pass() { pytest_pass "pytest on SQLite (the whole suite)" sqlite; }

postgres_pass() {
    if ensure_postgres; then
        pytest_pass "pytest on PostgreSQL (-m 'db and not sqlite_only')" postgres \
            -m "db and not sqlite_only"
    fi
}

summary() {
    local i
    heading "summary"
    for i in "${!stage_names[@]}"; do
        printf '  %-60s %-20s %7ss\n' "${stage_names[$i]}" "${stage_results[$i]}" \
            "${stage_seconds[$i]}"
    done
    if [ "$failed" != 0 ]; then
        echo "FAILED: see the stages above (all took $(elapsed "$started")s)"
    else
        echo "All checks passed in $(elapsed "$started")s."
    fi
    # The last line: one for all the pytest passes together, from their JUnit reports.
    if python3 - "$reports" <<'PY'
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
reports = sorted(Path(sys.argv[1]).glob("*.xml"))
for report in reports:
    for suite in ET.parse(report).getroot().iter("testsuite"):
        for key in totals:
            totals[key] += int(suite.get(key, 0))
if reports:
    failed = totals["failures"] + totals["errors"]
    passed = totals["tests"] - failed - totals["skipped"]
    print(f"Total: {passed} passed, {failed} failed, {totals['skipped']} skipped")
PY
    then :; else echo "(could not read the pytest reports)"; fi
}

# ---- main -----------------------------------------------------------------------------

started="$(now)"
if ! sync_environment; then
    summary
    exit 1
fi
case "$what" in
    all) lint; ensure_chromium; sqlite_pass; postgres_pass ;;
    lint) lint ;;
    sqlite) ensure_chromium; sqlite_pass ;;
    postgres) postgres_pass ;;
esac
summary
if [ "$failed" != 0 ]; then
    exit 1
fi
