#!/usr/bin/env bash
# The test command of README.md: installs what the tests call (on a fresh Debian machine, as root:
# Chromium and jing from apt, the Node test tools, Python's jsonschema), failing loudly when an
# install fails, then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "tests/run.sh: required tool '$1' is missing: $2" >&2
    exit 1
  fi
}

need cargo "install the Rust toolchain (rustup)"
need git "apt-get install -y git"
need python3 "apt-get install -y python3"
need node "apt-get install -y nodejs"
need npm "apt-get install -y nodejs npm"
need curl "apt-get install -y curl"

# System packages the tests call: Debian's Chromium for the browser tests of the archive site
# (tests/integration/site_browser.rs; Playwright's own browser download does not work on these machines) and
# jing for the Atom feed's RELAX NG grammar, libxml2-utils' xmllint for the CAP 1.2 schema (tests/integration/cap.rs).
# PostgreSQL (with pg_trgm, in Debian's postgresql-contrib) for the Bluesky AppView that
# tests/peers/bluesky/start.mjs --appview runs on its own server; no cluster of Debian's is used.
# CI runs as root on a fresh Debian machine.
APT_PACKAGES=(chromium jing libxml2-utils postgresql postgresql-contrib)
have_postgres() {
  local bin
  for bin in /usr/lib/postgresql/*/bin; do
    [[ -x $bin/postgres && -x $bin/initdb && -x $bin/pg_ctl ]] \
      && compgen -G "/usr/share/postgresql/*/extension/pg_trgm.control" >/dev/null && return 0
  done
  return 1
}
apt_missing=()
command -v chromium >/dev/null 2>&1 && [[ -x /usr/bin/chromium ]] || apt_missing+=(chromium)
command -v jing >/dev/null 2>&1 || apt_missing+=(jing)
command -v xmllint >/dev/null 2>&1 || apt_missing+=(libxml2-utils)
have_postgres || apt_missing+=(postgresql postgresql-contrib)
if ((${#apt_missing[@]} > 0)); then
  echo "== apt-get install ${apt_missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "tests/run.sh: ${apt_missing[*]} missing and not root: run \`sudo apt-get install -y ${APT_PACKAGES[*]}\`" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || { echo "tests/run.sh: apt-get update failed" >&2; exit 1; }
  apt-get install -y -q "${apt_missing[@]}" \
    || { echo "tests/run.sh: apt-get install ${apt_missing[*]} failed" >&2; exit 1; }
fi
[[ -x /usr/bin/chromium ]] || { echo "tests/run.sh: /usr/bin/chromium is missing after the install" >&2; exit 1; }
/usr/bin/chromium --version || { echo "tests/run.sh: /usr/bin/chromium does not start" >&2; exit 1; }
need jing "apt-get install -y jing"
need xmllint "apt-get install -y libxml2-utils"
have_postgres || { echo "tests/run.sh: PostgreSQL's server or pg_trgm is missing after the install: apt-get install -y postgresql postgresql-contrib" >&2; exit 1; }

# Test tools: the SARIF schema, playwright-core and axe-core (npm), a JSON Schema validator (PyPI).
echo "== installing test tools"
npm ci --prefix tests/node --no-audit --no-fund --loglevel=error
if ! python3 -c "import jsonschema" 2>/dev/null; then
  python3 -m pip install --quiet jsonschema
fi
python3 -c "import jsonschema" || { echo "tests/run.sh: python3 jsonschema could not be installed" >&2; exit 1; }
for f in playwright-core/package.json axe-core/axe.min.js; do
  [[ -f tests/node/node_modules/$f ]] || { echo "tests/run.sh: tests/node/node_modules/$f missing after npm ci" >&2; exit 1; }
done

# The platforms' local peers for the publish tests: PyPI mastodon-mock in a venv, and the
# AT Protocol dev network (@atproto/dev-env) under Node 22 from npm. Each script fails loudly.
python3 -m venv --help >/dev/null 2>&1 || {
  echo "tests/run.sh: python3 venv is missing: apt-get install -y python3-venv" >&2
  exit 1
}
echo "== installing the Mastodon peer"
bash tests/peers/mastodon/install.sh
echo "== installing the Bluesky peer"
bash tests/peers/bluesky/install.sh

echo "== cargo test"
cargo test --locked
