#!/usr/bin/env bash
# The whole test suite and the gates: formatting, clippy and unused dependencies
# (scripts/lint.sh), unit tests, integration tests against SQLite and PostgreSQL, and the
# browser tests (Playwright in Debian's Chromium) against the release build.
# Sets up what it needs first (scripts/setup.sh --tests), including a running PostgreSQL.
#
# Schedule. The machine has two cores, and a fresh one spends ~12 minutes compiling
# cargo-leptos and wasm-bindgen-cli, which only the release build needs. So:
#
#   1. fmt --check (seconds: a formatting slip fails at once), then the quick half of the setup
#      (packages, npm tools, PostgreSQL).
#   2. Three jobs at once:
#        foreground        the debug tests, package by package, at normal priority;
#        tools  (nice 10)  the `cargo install`s: cargo-machete, wasm-bindgen-cli, cargo-leptos;
#        clippy (nice 19)  both feature sets, in target/lint (no wait on target/'s build lock).
#      The background jobs get the CPU the tests leave idle (link steps, the tests' waits on
#      the databases and timers) and little else; tools is on the way to the release build, so it
#      goes before clippy.
#   3. tools joined → machete → the release build (clippy may still use its idle core: LTO and
#      wasm-opt are single-threaded) → clippy joined → Playwright, alone (it wants both cores).
#
# Each background job writes its own log, printed whole when it is joined. A failing job fails
# the run; when the foreground fails, the background jobs are stopped and their logs printed.
# The closing summary counts every test runner (cargo's and Playwright's).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
LOGS="$(mktemp -d)"
LOG="$LOGS/casia-test.log"
started=$(date +%s)

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

# --- Background jobs: each in its own process group (so it can be stopped whole) and log ----
declare -A JOB_PID=()
start_job() { # name niceness command...
  local name=$1 niceness=$2
  shift 2
  setsid nice -n "$niceness" "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  JOB_PID[$name]=$!
  echo "started in the background: $name (log printed when it ends)"
}
print_log() { # name status
  step "log of $1 ($2)"
  cat "$LOGS/$1.log"
}
join_job() { # name: waits, prints the log, fails the run if the job failed
  local name=$1 rc=0
  wait "${JOB_PID[$name]}" || rc=$?
  unset "JOB_PID[$name]"
  if [[ $rc -eq 0 ]]; then
    print_log "$name" "ok, $(($(date +%s) - started))s into the run"
  else
    print_log "$name" "FAILED with status $rc"
    exit "$rc"
  fi
}
stop_jobs() {
  local rc=$? name
  for name in "${!JOB_PID[@]}"; do
    kill -TERM -- "-${JOB_PID[$name]}" 2>/dev/null || true
    wait "${JOB_PID[$name]}" 2>/dev/null || true
    print_log "$name" "stopped: the run failed"
  done
  exit "$rc"
}
trap stop_jobs EXIT
trap 'exit 130' INT TERM

step "formatting (cargo fmt --check)"
bash scripts/lint.sh fmt

step "setup"
bash scripts/setup.sh --tests --no-cargo-tools
start_job tools 10 bash scripts/setup.sh --tests --cargo-tools-only
start_job clippy 19 bash scripts/lint.sh clippy

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

join_job tools
step "unused dependencies (cargo machete)"
bash scripts/lint.sh machete

step "release build"
bash scripts/build.sh

join_job clippy

step "browser tests (Playwright, Chromium)"
(cd end2end && npx playwright test) 2>&1 | tee -a "$LOG"

# One closing line over every runner.
passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$LOG" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$LOG" | awk '{s+=$1} END {print s+0}')
browser=$(grep -Eo '^\s+[0-9]+ passed' "$LOG" | awk '{s+=$1} END {print s+0}')
echo
echo "Finished in $(($(date +%s) - started))s."
echo "summary: $((passed + browser)) passed, $failed failed"
