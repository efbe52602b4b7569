#!/usr/bin/env bash
# The whole test suite and the gates: formatting, clippy and unused dependencies
# (scripts/lint.sh), unit tests, integration tests against SQLite and PostgreSQL, and the
# browser tests (Playwright in Debian's Chromium) against the shipped browser bundle (release,
# wasm-opt) served by the debug server binary the integration tests were compiled with.
# Sets up what it needs first (scripts/setup.sh --tests), including a running PostgreSQL.
#
# Schedule. The machine has two cores; compiling is most of the run, so nothing is compiled
# twice:
#
#   - Clippy is not a second build. Cargo runs `cargo clippy` by setting
#     RUSTC_WORKSPACE_WRAPPER=clippy-driver; this script sets the same wrapper (and -D warnings)
#     for every build it makes, so the workspace's crates are linted while they are compiled for
#     the tests (server side: every package, lib and test targets, `ssr`) and for the release
#     build (browser side: app + frontend with `hydrate` for wasm32). Any finding fails the
#     build that met it. (`scripts/lint.sh clippy` stays for a developer's quick check.)
#   - One `cargo test` invocation for domain, services, app (ssr) and server: one feature
#     resolution, so services and app are compiled once, not once per package's feature set.
#
#   1. fmt --check (seconds), then the quick half of the setup (packages, npm, PostgreSQL).
#   2. The debug test binaries are compiled (foreground) while the `cargo install`s only the
#      release build needs (cargo-machete, wasm-bindgen-cli, cargo-leptos: ~12 minutes on a
#      fresh machine, nothing on a machine that has them) run beside at nice 10.
#   3. The tools joined → machete → the browser bundle's release build (`--frontend-only`: the
#      wasm with its release profile, wasm-opt, the CSS) starts in the background (nice 10)
#      while the compiled tests run in the foreground: the tests wait on the databases, SMTP
#      and timers much of the time, and the bundle's build takes that idle CPU.
#   4. The bundle joined → Playwright, alone (it wants both cores), against the debug server
#      binary step 2 compiled (target/debug/casia, the same code `casia serve` runs). The
#      server's own release build (opt-level 3, LTO: cargo took 26 of CI's 38 minutes over
#      it, beside the tests) is left to scripts/run.sh and bench/; the bundle the browser
#      runs is exactly the shipped one, which is where a build step can break hydration.
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

export CASIA_TEST_POSTGRES="${CASIA_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
# Databases left behind by an interrupted run: only those nobody is connected to, so a test
# run going on beside this one (another checkout) keeps its databases.
psql "$CASIA_TEST_POSTGRES/postgres" -Atc "SELECT datname FROM pg_database d WHERE datname LIKE 'casia_test_%'
    AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)" 2>/dev/null \
  | while read -r db; do psql "$CASIA_TEST_POSTGRES/postgres" -qc "DROP DATABASE IF EXISTS \"$db\"" 2>/dev/null || true; done

# Clippy as the compiler of the workspace's crates (see "Schedule" above); its arguments are
# joined the way cargo-clippy passes them.
bash scripts/lint.sh clippy-component
# A one-shot build (CI's clean clone): incremental state would only cost time and gigabytes.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
export RUSTC_WORKSPACE_WRAPPER="$HOME/.cargo/bin/clippy-driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

# Never the whole workspace: that would enable `ssr` and `hydrate` together (frontend).
TEST_SET=(-p casia-domain -p casia-migration -p casia-services -p app -p server
  --features casia-services/bench,app/ssr,server/bench)
step "compiling the tests (linted by clippy as they compile)"
cargo test "${TEST_SET[@]}" --no-run 2>&1 | tee -a "$LOG"

join_job tools
step "unused dependencies (cargo machete)"
bash scripts/lint.sh machete

start_job bundle 10 bash scripts/build.sh --frontend-only
step "unit and integration tests (SQLite and PostgreSQL)"
# Eight tests at a time per binary: they mostly wait on the databases, SMTP and timers (the
# integration suite takes 414 s one at a time, 127 s eight at a time). Each test has its own
# single-threaded runtime, as `casia serve` has: with two workers on one runtime, Leptos 0.8
# can deadlock a page render (leptos-rs/leptos#4673), which hung a test now and then.
export RUST_TEST_THREADS="${RUST_TEST_THREADS:-8}"
cargo test "${TEST_SET[@]}" --no-fail-fast 2>&1 | tee -a "$LOG"

join_job bundle
step "browser tests (Playwright, Chromium)"
(cd end2end && CASIA_E2E_BIN="${CASIA_E2E_BIN:-$ROOT/target/debug/casia}" npx playwright test) 2>&1 | tee -a "$LOG"

# One closing line over every runner.
passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$LOG" | awk '{s+=$4} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$LOG" | awk '{s+=$1} END {print s+0}')
browser=$(grep -Eo '^\s+[0-9]+ passed' "$LOG" | awk '{s+=$1} END {print s+0}')
echo
echo "Finished in $(($(date +%s) - started))s."
echo "summary: $((passed + browser)) passed, $failed failed"
