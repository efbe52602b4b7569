#!/usr/bin/env bash
# The whole test suite: unit tests, integration tests against SQLite and PostgreSQL, and the
# browser tests (Playwright in Debian's Chromium) against the release build.
# Sets up what it needs first (scripts/setup.sh --tests), including a running PostgreSQL.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
LOG="$(mktemp -d)/casia-test.log"
started=$(date +%s)

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "setup"
bash scripts/setup.sh --tests

export CASIA_TEST_POSTGRES="${CASIA_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
# Databases left behind by an interrupted run: only those nobody is connected to, so a test
# run going on beside this one (another checkout) keeps its databases.
psql "$CASIA_TEST_POSTGRES/postgres" -Atc "SELECT datname FROM pg_database d WHERE datname LIKE 'casia_test_%'
    AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)" 2>/dev/null \
  | while read -r db; do psql "$CASIA_TEST_POSTGRES/postgres" -qc "DROP DATABASE IF EXISTS \"$db\"" 2>/dev/null || true; done

# Per package: a workspace-wide build would enable `ssr` and `hydrate` together.
step "unit and integration tests (SQLite and PostgreSQL)"
cargo test -p casia-domain 2>&1 | tee -a "$LOG"
cargo test -p casia-services --features bench 2>&1 | tee -a "$LOG"
cargo test -p app --features ssr --lib 2>&1 | tee -a "$LOG"
cargo test -p server 2>&1 | tee -a "$LOG"

step "release build"
bash scripts/build.sh

step "browser tests (Playwright, Chromium)"
(cd end2end && npx playwright test) 2>&1 | tee -a "$LOG"

# One closing line over every runner.
passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$LOG" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$LOG" | awk '{s+=$1} END {print s+0}')
browser=$(grep -Eo '^\s+[0-9]+ passed' "$LOG" | awk '{s+=$1} END {print s+0}')
echo
echo "Finished in $(( $(date +%s) - started ))s."
echo "summary: $((passed + browser)) passed, $failed failed"
