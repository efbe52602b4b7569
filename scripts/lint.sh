#!/usr/bin/env bash
# The gates that keep the code's style from drifting; each fails on any finding.
#
#   scripts/lint.sh                  all of them, in this order
#   scripts/lint.sh fmt              `cargo fmt --check` (rustfmt.toml): the workspace and bench/driver
#   scripts/lint.sh clippy           `cargo clippy -D warnings`, once per feature set:
#                                      server side: domain, migration, services, app with `ssr`,
#                                        server; every target, so the tests are linted too
#                                      browser: app with `hydrate` and frontend, for wasm32
#   scripts/lint.sh machete          `cargo machete`: no unused dependency in any Cargo.toml
#                                      (false positives: `[package.metadata.cargo-machete]`)
#
# Clippy builds in target/lint: it never waits for the build lock of target/ (scripts/test.sh
# runs it beside the tests) and never invalidates the test or release builds. scripts/test.sh
# runs every gate; cargo-machete is installed by scripts/setup.sh --tests.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1;34m[lint]\033[0m %s\n' "$*"; }
component() {
  rustup component list --installed | grep -q "^$1" || rustup component add "$1"
}

fmt() {
  component rustfmt
  say "cargo fmt --check (workspace)"
  cargo fmt --all --check
  # Its own workspace (it talks HTTP only, outside Casia's).
  say "cargo fmt --check (bench/driver)"
  cargo fmt --all --check --manifest-path bench/driver/Cargo.toml
}

clippy() {
  component clippy
  # One invocation per feature set: the packages of a set share one build of their
  # dependencies. Per package only within a set: `ssr` and `hydrate` together break.
  say "cargo clippy: server side (ssr, all targets)"
  cargo clippy --target-dir target/lint --all-targets \
    -p casia-domain -p casia-migration -p casia-services -p app -p server \
    --features app/ssr,server/bench -- -D warnings
  say "cargo clippy: browser (hydrate, wasm32)"
  cargo clippy --target-dir target/lint --target wasm32-unknown-unknown \
    -p app -p frontend --features app/hydrate,frontend/hydrate -- -D warnings
}

machete() {
  if ! cargo machete --version >/dev/null 2>&1; then
    echo "cargo-machete is missing: run scripts/setup.sh --tests" >&2
    exit 1
  fi
  say "cargo machete"
  cargo machete
}

gates=("$@")
[[ ${#gates[@]} -gt 0 ]] || gates=(fmt clippy machete)
for gate in "${gates[@]}"; do
  case "$gate" in
    fmt | clippy | machete) "$gate" ;;
    # For scripts/test.sh, which lints while it compiles (clippy-driver as the wrapper).
    clippy-component) component clippy ;;
    *) echo "lint.sh: unknown gate $gate (fmt, clippy, machete)" >&2; exit 2 ;;
  esac
done
say "ok: ${gates[*]}"
