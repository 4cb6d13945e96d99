#!/usr/bin/env bash
# Builds the release binary (site embedded) and runs it on the embedded SQLite default:
# http://127.0.0.1:8080 shows the login page. Set THINGDECK_SYSADMIN_EMAIL / THINGDECK_SYSADMIN_PASSWORD to create
# the system administrator, or open the one-time set-up link the first start prints.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo xtask dist
exec target/release/thingdeck serve "$@"
