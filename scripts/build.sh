#!/usr/bin/env bash
# Release build of the server and the browser bundle, then pre-compressed copies of the
# bundle (served with Content-Encoding by the server). Used by run.sh, test.sh and bench/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# --split: each lazily loaded page is its own wasm file (see `lazy_page!` in app/src/lib.rs).
cargo leptos build --release --split "$@"
for f in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/*.css target/site/pkg/*/*.wasm target/site/pkg/*/*.js; do
  [[ -f "$f" ]] || continue
  # Only when the source changed: keeps rebuilds quick.
  if [[ ! -f "$f.br" || "$f" -nt "$f.br" ]]; then
    brotli -f -q 11 -o "$f.br" "$f"
    gzip -f -k -9 "$f"
  fi
done
