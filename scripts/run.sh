#!/usr/bin/env bash
# Quick start: set up, build (release) and run Casia on the embedded SQLite database under
# ./data, loading the demo accounts into an empty database. Prints the URL and the logins.
# Configuration: README "Configuration" (CASIA_* variables or a casia.toml file).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/setup.sh
bash scripts/build.sh
export CASIA_SITE_ROOT="${CASIA_SITE_ROOT:-$ROOT/target/site}"
# The quick start shows the demo accounts; a production server leaves this off (the default).
export CASIA_DEMO_DATA="${CASIA_DEMO_DATA:-true}"
# The demo lets staff in with the password alone (printed with the logins); production
# keeps the default, `required`: staff must enrol a second factor.
export CASIA_AUTH__STAFF_MFA="${CASIA_AUTH__STAFF_MFA:-optional}"
exec ./target/release/casia serve "$@"
