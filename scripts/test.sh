#!/usr/bin/env bash
# Runs every check and test: formatting, clippy (server and browser builds), the import-cycle check, unit and
# integration tests on SQLite and PostgreSQL, the tb-rest-client compatibility tests and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
pg_up() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }

# PostgreSQL for the second store: use THINGDECK_TEST_DATABASE_URL if given, else the local server on
# 127.0.0.1:5432 (trust auth), starting it (and installing it from Debian) if needed.
if [ -z "${THINGDECK_TEST_DATABASE_URL:-}" ]; then
  if ! pg_up; then
    if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
      echo "test: installing PostgreSQL from Debian"
      $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
    fi
    v=$(ls /etc/postgresql | sort -V | tail -n 1)
    hba=/etc/postgresql/$v/main/pg_hba.conf
    if ! $SUDO grep -q "thingdeck-test" "$hba"; then
      $SUDO sed -i '1i host all postgres 127.0.0.1/32 trust # thingdeck-test' "$hba"
    fi
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || $SUDO pg_ctlcluster "$v" main start
    for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  fi
  export THINGDECK_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres
fi
echo "test: PostgreSQL at $THINGDECK_TEST_DATABASE_URL"

# The server side and the browser side are built separately: one build would unify app's ssr and hydrate features.
cargo fmt --all -- --check
cargo clippy -p app -p server -p xtask --features app/ssr --all-targets -- -D warnings
cargo clippy -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
# No import cycles between backend (or api) modules, and a ground floor that imports no domain.
cargo xtask cycles

# The browser bundle first (sizes printed); then one dev-profile build of the server side serves the tests and the
# compatibility and browser tests: `cargo test` builds `target/debug/thingdeck` with the bundle embedded
# (server/build.rs takes target/site). The dev profile (dependencies at opt-level 1, see Cargo.toml) reuses the
# proc macros and build scripts clippy just built, where a release build compiled everything again at opt-level 3.
cargo xtask site
cargo xtask sizes
cargo test -p app -p server -p xtask --features app/ssr
export THINGDECK_BIN="$PWD/target/debug/thingdeck"
(cd server/tests/compat && ../../../target/venv/bin/python -m pytest -q)
npm test --prefix end2end
echo "test: all passed"
