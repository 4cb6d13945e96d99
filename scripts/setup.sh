#!/usr/bin/env bash
# Installs what building Thingdeck needs (and with --test, what testing needs), skipping whatever is already
# there. Everything comes from rustup's own components, the npm registry, PyPI or Debian's packages: nothing
# downloads a binary from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}
say() { echo "setup: $*"; }

# Rust: the browser bundle's target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# wasm-opt from npm's binaryen (Debian's binaryen 108 breaks wasm-bindgen's externref table; DEVELOPERS.md).
if [ ! -x xtask/node_modules/.bin/wasm-opt ]; then
  say "installing binaryen (wasm-opt) from npm"
  npm ci --prefix xtask --no-audit --no-fund --loglevel=error
fi

if [ "$want_test" = 1 ]; then
  for c in clippy rustfmt; do
    rustup component list --installed | grep -q "^$c" || rustup component add "$c"
  done
  if ! command -v chromium >/dev/null; then
    say "installing Debian chromium for the browser tests"
    apt_install chromium
  fi
  if [ ! -d end2end/node_modules/playwright-core ]; then
    say "installing playwright-core (no browser download)"
    npm ci --prefix end2end --no-audit --no-fund --loglevel=error
  fi
  req=server/tests/compat/requirements.txt
  stamp=target/venv/.requirements
  if [ ! -f "$stamp" ] || ! cmp -s "$req" "$stamp"; then
    say "creating target/venv with the official ThingsBoard Python client"
    mkdir -p target
    python3 -m venv target/venv 2>/dev/null || { apt_install python3-venv; python3 -m venv target/venv; }
    target/venv/bin/pip install -q --disable-pip-version-check -r "$req"
    cp "$req" "$stamp"
  fi
fi
say "ready"
