#!/usr/bin/env bash
# Installs what Casia needs on a Debian machine that has Rust (rustup). Idempotent and quick
# when everything is already there: each step checks before it installs.
#
#   scripts/setup.sh           build tools (for scripts/run.sh)
#   scripts/setup.sh --tests   also Chromium, pdftotext, Playwright, cargo-machete and a
#                              running PostgreSQL
#
# scripts/test.sh runs it in two halves so that the slow part overlaps the debug tests:
#   --no-cargo-tools     everything but the `cargo install`s (quick: packages, npm, PostgreSQL)
#   --cargo-tools-only   only the `cargo install`s (cargo-machete, s3s-fs, wasm-bindgen-cli,
#                        cargo-leptos: minutes of compiling on a fresh machine)
#
# Nothing is downloaded except from the package registries (Debian, crates.io, npm):
# cargo-leptos runs with its no_downloads feature, so wasm-bindgen and wasm-opt must be here.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"
CARGO_MACHETE_VERSION="0.9.2"
# The S3-compatible server the storage tests start (services/src/testing/s3.rs).
S3S_FS_VERSION="0.14.1"
WITH_TESTS=0
BASE=1
CARGO_TOOLS=1
for arg in "$@"; do
  case "$arg" in
    --tests) WITH_TESTS=1 ;;
    --no-cargo-tools) CARGO_TOOLS=0 ;;
    --cargo-tools-only) BASE=0 ;;
    *) echo "setup.sh: unknown argument $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
sudo_if_needed() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ $APT_UPDATED -eq 0 ]]; then
    say "apt-get update"
    sudo_if_needed apt-get update -qq
    APT_UPDATED=1
  fi
  say "installing Debian packages: ${missing[*]}"
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}


# end2end/node_modules holds what end2end/package-lock.json locks: Playwright starts, and a
# lockfile newer than the install (a pull that added a devDependency) names no package that is
# missing or at another version (npm's own record of the install, node_modules/.package-lock.json).
end2end_installed() {
  local dir="$ROOT/end2end"
  [[ -f "$dir/node_modules/.package-lock.json" ]] || return 1
  (cd "$dir" && npx --no-install playwright --version >/dev/null 2>&1) || return 1
  [[ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]] || return 0
  node -e '
    const fs = require("fs"), path = require("path");
    const read = (f) => JSON.parse(fs.readFileSync(path.join(process.argv[1], f), "utf8")).packages || {};
    const want = read("package-lock.json"), have = read("node_modules/.package-lock.json");
    for (const [name, p] of Object.entries(want)) {
      if (name === "" || (p.optional && !have[name])) continue; // optional: another platform
      if (!have[name] || have[name].version !== p.version) process.exit(1);
    }
    for (const name of Object.keys(have)) if (!(name in want)) process.exit(1);
  ' "$dir" || return 1
  # The same set (a checkout only touched the file): remember it, so the next run is quick.
  touch "$dir/node_modules/.package-lock.json"
}

# --- Packages, the wasm target, npm tools, PostgreSQL: quick when they are there ----------
base_tools() {
  command -v node >/dev/null && command -v npm >/dev/null || apt_install nodejs npm
  command -v brotli >/dev/null || apt_install brotli
  command -v cc >/dev/null || apt_install build-essential
  command -v pkg-config >/dev/null || apt_install pkg-config
  if [[ $WITH_TESTS -eq 1 ]]; then
    command -v chromium >/dev/null || apt_install chromium
    command -v pdftotext >/dev/null || apt_install poppler-utils
  fi

  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  # wasm-opt from npm binaryen (never Debian's binaryen: it breaks hydration). Checked by
  # running it: a copied or half-installed node_modules can hold a wasm-opt that does not start.
  BINARYEN_VERSION="$(awk -F'"' '/"binaryen"/ {print $4}' "$ROOT/tools/package.json" | cut -d. -f1)"
  if [[ "$("$ROOT/tools/node_modules/.bin/wasm-opt" --version 2>/dev/null || true)" != *"version $BINARYEN_VERSION"* ]]; then
    say "installing wasm-opt $BINARYEN_VERSION (npm binaryen)"
    rm -rf "$ROOT/tools/node_modules"
    (cd "$ROOT/tools" && npm ci --no-audit --no-fund --loglevel=error)
  fi

  [[ $WITH_TESTS -eq 1 ]] || return 0
  if ! end2end_installed; then
    say "installing end2end's npm packages (Playwright, which drives Debian's Chromium; the API client's tools)"
    rm -rf "$ROOT/end2end/node_modules"
    (cd "$ROOT/end2end" && npm ci --no-audit --no-fund --loglevel=error)
  fi

  # PostgreSQL: use the one on 127.0.0.1:5432, else install and start Debian's.
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    apt_install postgresql postgresql-client
    CLUSTER_VERSION="$(ls /etc/postgresql | sort -V | tail -n1)"
    HBA="/etc/postgresql/$CLUSTER_VERSION/main/pg_hba.conf"
    # Tests connect as postgres over TCP without a password (local machine only).
    if ! grep -q "casia-tests" "$HBA"; then
      say "allowing local trust connections for the tests"
      sudo_if_needed sed -i '1i host all all 127.0.0.1/32 trust # casia-tests\nhost all all ::1/128 trust # casia-tests' "$HBA"
    fi
    say "starting PostgreSQL $CLUSTER_VERSION"
    sudo_if_needed pg_ctlcluster --skip-systemctl-redirect "$CLUSTER_VERSION" main start 2>/dev/null \
      || sudo_if_needed pg_ctlcluster --skip-systemctl-redirect "$CLUSTER_VERSION" main reload
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    pg_isready -h 127.0.0.1 -p 5432
  fi
}

# --- The `cargo install`s: minutes of compiling each, once per machine --------------------
cargo_tools() {
  # Smallest first: the unused-dependency gate needs it soonest.
  if [[ $WITH_TESTS -eq 1 && "$(cargo machete --version 2>/dev/null || true)" != *"$CARGO_MACHETE_VERSION"* ]]; then
    say "installing cargo-machete $CARGO_MACHETE_VERSION"
    cargo install cargo-machete@"$CARGO_MACHETE_VERSION" --locked
  fi

  if [[ $WITH_TESTS -eq 1 && "$(s3s-fs --version 2>/dev/null || true)" != *"$S3S_FS_VERSION"* ]]; then
    say "installing s3s-fs $S3S_FS_VERSION (the S3 server of the storage tests)"
    cargo install s3s-fs --version "$S3S_FS_VERSION" --features binary --locked
  fi

  # wasm-bindgen's CLI must match the library version in Cargo.lock exactly.
  WB_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")"
  if [[ -z "$WB_VERSION" ]]; then
    (cd "$ROOT" && cargo generate-lockfile)
    WB_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' "$ROOT/Cargo.lock")"
  fi
  if [[ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WB_VERSION" ]]; then
    say "installing wasm-bindgen-cli $WB_VERSION"
    cargo install wasm-bindgen-cli --version "$WB_VERSION"
  fi

  if [[ "$(cargo leptos --version 2>/dev/null || true)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]]; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (takes a while, once)"
    cargo install cargo-leptos@"$CARGO_LEPTOS_VERSION" --locked --features no_downloads
  fi
}

if [[ $BASE -eq 1 ]]; then base_tools; fi
if [[ $CARGO_TOOLS -eq 1 ]]; then cargo_tools; fi
say "ready"
