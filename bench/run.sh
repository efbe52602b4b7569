#!/usr/bin/env bash
# Casia at scale, in one run (issue 7; results in BENCHMARKS.md):
#
#   bench/run.sh                  1 000 000 cases over 24 months, 2 000 authorisations
#   bench/run.sh --cases 100000   a smaller database (quicker to generate)
#   bench/run.sh --regenerate     drop and generate the database again
#   bench/run.sh --no-build       measure the release build already in target/
#
# Measures, against the release server on a PostgreSQL database filled by `casia generate`:
#   (a) Opción 2 searches (one month, Estado + Subestado, the largest authorisation), 32 clients
#   (b) the same SQL straight against PostgreSQL with pgbench (the physical limit)
#   (c) the case detail page rendered by the server
#   (d) opening Trámite cases with one 100 KB document (upload + Finalizar Alta)
#   (e) a 200 MB upload, watching the server's resident memory
#   (f) start-up time until the server answers
#   (g) the browser bundle: wasm + js, raw and brotli
# Every load runs on this machine's loopback only, bounded in time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$ROOT/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

CASES=1000000
AUTHORISATIONS=2000
REGENERATE=0
BUILD=1
CLIENTS=32
DURATION=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cases) CASES="$2"; shift 2 ;;
    --authorisations) AUTHORISATIONS="$2"; shift 2 ;;
    --regenerate) REGENERATE=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --seconds) DURATION="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

PG="${CASIA_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
DB="casia_bench_${CASES}"
DB_URL="$PG/$DB"
DATA="$ROOT/bench/data/$DB"
PORT=3400
BASE="http://127.0.0.1:$PORT"
OUT="$ROOT/bench/results"
WORK="$(mktemp -d)"
mkdir -p "$OUT" "$DATA"
RESULTS="$OUT/latest.md"
OHA_VERSION="1.16.0"

say() { printf '\033[1;34m[bench]\033[0m %s\n' "$*" >&2; }
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- tools ---------------------------------------------------------------------------------
bash scripts/setup.sh --tests >&2
command -v pgbench >/dev/null || { echo "pgbench is missing (Debian package postgresql)" >&2; exit 1; }
if [[ "$(oha --version 2>/dev/null || true)" != "oha $OHA_VERSION" ]]; then
  say "installing oha $OHA_VERSION (HTTP load generator, from crates.io)"
  cargo install oha --version "$OHA_VERSION" --locked >&2
fi
if [[ "$BUILD" == 1 || ! -x target/release/casia ]]; then
  say "building the release server and bundle"
  # `casia generate` lives behind the `bench` feature (with the usual `ssr`).
  bash scripts/build.sh --bin-features ssr --bin-features bench >&2
fi
if ! ./target/release/casia generate --help >/dev/null 2>&1; then
  echo "target/release/casia was built without the bench feature: run bench/run.sh without --no-build" >&2
  exit 1
fi
say "building the opening driver"
cargo build --release --quiet --manifest-path bench/driver/Cargo.toml >&2
DRIVER="$ROOT/bench/driver/target/release/casia-bench-driver"

# --- database --------------------------------------------------------------------------------
exists=$(psql "$PG/postgres" -Atc "SELECT 1 FROM pg_database WHERE datname = '$DB'")
if [[ "$REGENERATE" == 1 || "$exists" != 1 ]]; then
  say "creating $DB and generating $CASES cases"
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  rm -rf "$DATA"; mkdir -p "$DATA"
  started=$(date +%s.%N)
  CASIA_DATABASE_URL="$DB_URL" CASIA_DATA_DIR="$DATA" CASIA_LOG=warn \
    ./target/release/casia generate --cases "$CASES" --authorisations "$AUTHORISATIONS" >&2
  echo "$(echo "$(date +%s.%N) - $started" | bc)" > "$DATA/generate-seconds"
fi
# Pending migrations now, so that the start-up times below measure a start, not a schema change.
CASIA_DATABASE_URL="$DB_URL" CASIA_DATA_DIR="$DATA" CASIA_LOG=warn ./target/release/casia migrate >&2
GENERATE_S=$(cat "$DATA/generate-seconds" 2>/dev/null || echo "?")
LARGEST=1000001
USER1="bench-$LARGEST-1"
PASSWORD="casia-bench"
DB_SIZE=$(psql "$DB_URL" -Atc "SELECT pg_size_pretty(pg_database_size(current_database()))")
N_CASES=$(psql "$DB_URL" -Atc "SELECT count(*) FROM cases")
LARGEST_CASES=$(psql "$DB_URL" -Atc "SELECT count(*) FROM cases c JOIN authorisations a ON a.id = c.authorisation_id WHERE a.number = '$LARGEST'")

# --- (f) start-up ----------------------------------------------------------------------------
start_server() {
  CASIA_DATABASE_URL="$DB_URL" CASIA_DATA_DIR="$DATA" CASIA_LISTEN="127.0.0.1:$PORT" \
  CASIA_DEMO_DATA=false CASIA_LOG=warn CASIA_SITE_ROOT="$ROOT/target/site" \
  CASIA_LOGIN__CLIENT_MAX_FAILURES=100000 CASIA_LOGIN__FREE_FAILURES=1000 CASIA_UPLOADS__MAX_BYTES=$((256 * 1024 * 1024)) \
    ./target/release/casia serve >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
}
wait_ready() {
  for _ in $(seq 1 3000); do
    curl -fs "$BASE/healthz" >/dev/null 2>&1 && return 0
    sleep 0.002
  done
  echo "the server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1
}
startups=()
for run in 1 2 3; do
  t0=$(date +%s%N)
  start_server
  wait_ready
  t1=$(date +%s%N)
  startups+=("$(( (t1 - t0) / 1000000 ))")
  if [[ $run -lt 3 ]]; then kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; fi
done
say "start-up to ready: ${startups[*]} ms"

# --- sign in as the largest authorisation's first user ---------------------------------------
curl -fs -c "$WORK/cookies" -o /dev/null -H 'Accept: application/json' \
  --data-urlencode "username=$USER1" --data-urlencode "password=$PASSWORD" "$BASE/api/login"
COOKIE="casia_session=$(awk '$6 == "casia_session" {print $7}' "$WORK/cookies")"
[[ "$COOKIE" != "casia_session=" ]] || { echo "could not sign in as $USER1" >&2; exit 1; }

# The last whole month: the busiest realistic search (a month of the largest agency).
FROM=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-01)
TO=$(date -d "$(date +%Y-%m-01) -1 day" +%Y-%m-%d)
SEARCH_BODY="form[state]=cerrado&form[from]=$FROM&form[to]=$TO&form[substate]=resuelto"
rows=$(curl -fs -H "Cookie: $COOKIE" -H 'Accept: application/json' -d "$SEARCH_BODY" "$BASE/api/search_cases" | jq '.rows | length')
[[ "$rows" -gt 0 ]] || { echo "the search found nothing: check the data" >&2; exit 1; }
say "the search returns $rows rows (a page)"

# oha's JSON → "p50 p99 rps success_rate"
oha_run() {
  oha --no-tui --output-format json -z "${DURATION}s" -c "$CLIENTS" "$@" > "$WORK/oha.json"
  jq -r '[.latencyPercentiles.p50 * 1000, .latencyPercentiles.p99 * 1000, .summary.requestsPerSec, .summary.successRate] | map(. * 100 | round / 100) | @tsv' "$WORK/oha.json"
}

# --- (a) Opción 2 over HTTP ------------------------------------------------------------------
say "(a) search, $CLIENTS clients, ${DURATION}s"
read -r A_P50 A_P99 A_RPS A_OK < <(oha_run -m POST -H "Cookie: $COOKIE" -H 'Accept: application/json' \
  -H 'Content-Type: application/x-www-form-urlencoded' -d "$SEARCH_BODY" "$BASE/api/search_cases")

# --- (b) the same SQL straight against PostgreSQL --------------------------------------------
# The statements one search request runs (session, user, membership, authorisation, the page
# of cases, then the names of its subjects and users), with the request's values.
TOKEN_HASH=$(printf '%s' "$(awk '$6 == "casia_session" {print $7}' "$WORK/cookies")" | sha256sum | cut -d' ' -f1)
read -r AUTH_ID USER_ID < <(psql "$DB_URL" -Atc "SELECT authorisation_id, user_id FROM sessions WHERE id = '$TOKEN_HASH'" | tr '|' ' ')
PAGE_SQL="SELECT * FROM cases WHERE authorisation_id = $AUTH_ID AND opened_at >= '$FROM 00:00:00 Europe/Madrid' AND opened_at < '$TO 00:00:00 Europe/Madrid'::timestamptz + interval '1 day' AND state = 'cerrado' AND substate = 'resuelto' ORDER BY opened_at DESC, id DESC LIMIT 51"
# The page's subjects and openers: the two look-ups that follow use exactly these ids.
SUBJECTS=$(psql "$DB_URL" -Atc "SELECT string_agg(DISTINCT subject_id::text, ',') FROM ($PAGE_SQL) p")
OPENERS=$(psql "$DB_URL" -Atc "SELECT string_agg(DISTINCT opened_by::text, ',') FROM ($PAGE_SQL) p")
cat > "$WORK/search.sql" <<SQL
SELECT * FROM sessions WHERE id = '$TOKEN_HASH';
SELECT * FROM users WHERE id = $USER_ID;
SELECT * FROM authorisations WHERE id = $AUTH_ID AND active AND EXISTS (SELECT 1 FROM authorisation_members WHERE authorisation_id = $AUTH_ID AND user_id = $USER_ID);
$PAGE_SQL;
SELECT * FROM taxonomy_nodes WHERE id IN ($SUBJECTS);
SELECT * FROM users WHERE id IN ($OPENERS);
SQL
say "(b) the same SQL with pgbench, $CLIENTS clients, ${DURATION}s"
(cd "$WORK" && pgbench -n -M prepared -c "$CLIENTS" -j 2 -T "$DURATION" -f search.sql -l --log-prefix=pgb "$DB_URL" > pgbench.out 2>&1)
B_TPS=$(awk '/^tps = / {print $3}' "$WORK/pgbench.out" | head -1)
# Per-transaction latencies (µs) from the log → p50 / p99 in ms.
cat "$WORK"/pgb.* | awk '{print $3}' | sort -n > "$WORK/pgb.sorted"
n=$(wc -l < "$WORK/pgb.sorted")
B_P50=$(awk -v n="$n" 'NR == int(n * 0.50) + 1 {printf "%.2f", $1 / 1000}' "$WORK/pgb.sorted")
B_P99=$(awk -v n="$n" 'NR == int(n * 0.99) + 1 {printf "%.2f", $1 / 1000}' "$WORK/pgb.sorted")
# And the main query alone, one client: what an index can do.
EXPLAIN=$(psql "$DB_URL" -Atc "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON) $PAGE_SQL" | grep -E 'Index|Execution Time' | head -3 | sed 's/^ *//' | paste -sd ';' -)

# --- (c) the case detail page, rendered by the server ----------------------------------------
NUMBER=$(psql "$DB_URL" -Atc "SELECT number / 10000000 || '-' || lpad((number % 10000000)::text, 7, '0') FROM cases WHERE authorisation_id = $AUTH_ID AND case_type = 'tramite' AND substate = 'resuelto' ORDER BY opened_at DESC LIMIT 1")
say "(c) case page /casia/casos/$NUMBER, $CLIENTS clients"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $COOKIE" "$BASE/casia/casos/$NUMBER")
[[ "$code" == 200 ]] || { echo "the case page answered $code" >&2; exit 1; }
read -r C_P50 C_P99 C_RPS C_OK < <(oha_run -H "Cookie: $COOKIE" "$BASE/casia/casos/$NUMBER")

# --- (d) opening cases with one 100 KB document ----------------------------------------------
USERS=$(psql "$DB_URL" -Atc "SELECT string_agg(username, ',') FROM (SELECT username FROM users WHERE username LIKE 'bench-10000%-1' ORDER BY username LIMIT 16) u")
say "(d) opening Trámite cases with a 100 KB document, 16 workers"
"$DRIVER" open "$BASE" --users "$USERS" --password "$PASSWORD" --workers 16 --seconds "$DURATION" --doc-bytes 102400 > "$WORK/open.json"
read -r D_RATE D_P50 D_P99 D_N D_ERR < <(jq -r '[.per_second, .p50_ms, .p99_ms, .opened, .errors] | map(. * 100 | round / 100) | @tsv' "$WORK/open.json")

# --- (e) a 200 MB upload, watching resident memory -------------------------------------------
say "(e) 200 MB upload"
{ printf '%%PDF-1.4\n'; head -c $((200 * 1024 * 1024 - 9)) /dev/urandom; } > "$WORK/big.pdf"
rss() { awk '/^VmRSS/ {print $2}' "/proc/$SERVER_PID/status"; }
E_BEFORE=$(rss)
( peak=0; while kill -0 "$SERVER_PID" 2>/dev/null && [[ ! -f "$WORK/upload.done" ]]; do
    r=$(rss); (( r > peak )) && peak=$r; echo "$peak" > "$WORK/rss.peak"; sleep 0.02; done ) &
WATCH=$!
t0=$(date +%s%N)
E_CODE=$(curl -s -o "$WORK/upload.json" -w '%{http_code}' -H "Cookie: $COOKIE" \
  -H 'Content-Type: application/octet-stream' --data-binary @"$WORK/big.pdf" "$BASE/api/uploads?name=grande.pdf")
t1=$(date +%s%N)
touch "$WORK/upload.done"; wait "$WATCH" || true
E_PEAK=$(cat "$WORK/rss.peak")
E_MS=$(( (t1 - t0) / 1000000 ))
E_GROWTH_MB=$(echo "scale=1; ($E_PEAK - $E_BEFORE) / 1024" | bc)
[[ "$E_CODE" == 200 ]] || { echo "the 200 MB upload answered $E_CODE: $(cat "$WORK/upload.json")" >&2; exit 1; }

# --- (g) the browser bundle ------------------------------------------------------------------
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
PKG="$ROOT/target/site/pkg"
G_WASM=$(size "$PKG/casia.wasm"); G_WASM_BR=$(size "$PKG/casia.wasm.br")
G_JS=$(size "$PKG/casia.js"); G_JS_BR=$(size "$PKG/casia.js.br")
G_SPLIT=$(find "$PKG" -name '*.wasm' ! -name 'casia.wasm' | wc -l)
G_SPLIT_BR=$(find "$PKG" -name '*.wasm.br' ! -name 'casia.wasm.br' -printf '%s\n' | awk '{s+=$1} END {print s+0}')
kb() { echo "scale=1; $1 / 1024" | bc; }

# --- report ----------------------------------------------------------------------------------
ratio_p99=$(echo "scale=2; $A_P99 / $B_P99" | bc)
ratio_p50=$(echo "scale=2; $A_P50 / $B_P50" | bc)
{
  echo "## Run of $(date -u +'%Y-%m-%d %H:%M UTC')"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/Mem:/ {print $2}') GiB;"
  echo "$(psql "$DB_URL" -Atc 'SHOW server_version' | cut -d' ' -f1 | sed 's/^/PostgreSQL /'), database $DB_SIZE;"
  echo "$N_CASES cases ($LARGEST_CASES in the largest authorisation), generated in ${GENERATE_S%.*} s."
  echo "Loads: ${DURATION} s each, $CLIENTS clients unless said, oha $OHA_VERSION and pgbench on loopback."
  echo
  echo "| what | p50 | p99 | throughput | notes |"
  echo "|---|---|---|---|---|"
  echo "| (a) Opción 2 search over HTTP | $A_P50 ms | $A_P99 ms | $A_RPS req/s | $rows rows, Cerrado/Resuelto, $FROM..$TO; success $A_OK |"
  echo "| (b) the same 6 statements in pgbench | $B_P50 ms | $B_P99 ms | $B_TPS tx/s | HTTP/SQL: p50 ×$ratio_p50, p99 ×$ratio_p99 |"
  echo "| (c) case page, server-rendered | $C_P50 ms | $C_P99 ms | $C_RPS req/s | /casia/casos/$NUMBER; success $C_OK |"
  echo "| (d) open a Trámite with a 100 KB document | $D_P50 ms | $D_P99 ms | $D_RATE cases/s | 16 workers, upload + Finalizar Alta + receipt PDF; $D_N opened, $D_ERR errors |"
  echo "| (e) 200 MB upload | | | $E_MS ms | resident memory $(kb "$E_BEFORE") → peak $(kb "$E_PEAK") MiB (+$E_GROWTH_MB MiB) |"
  echo "| (f) start-up to ready | ${startups[1]} ms | | | three starts: ${startups[*]} ms (migrations checked, pool opened) |"
  echo "| (g) initial wasm + js | | | | wasm $(kb "$G_WASM") KiB ($(kb "$G_WASM_BR") br) + js $(kb "$G_JS") KiB ($(kb "$G_JS_BR") br) = $(kb $((G_WASM_BR + G_JS_BR))) KiB brotli; $G_SPLIT lazy chunks, $(kb "$G_SPLIT_BR") KiB br in all |"
  echo
  echo "Main search query alone (EXPLAIN ANALYZE): $EXPLAIN"
} | tee "$RESULTS"
say "written to $RESULTS"
