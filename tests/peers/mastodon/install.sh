#!/usr/bin/env bash
# Installs the Mastodon peer the publish tests talk to (tests/integration/publish_mastodon.rs): PyPI
# mastodon-mock 0.6.1 and its pinned dependencies, in a venv at tests/peers/mastodon/.venv.
# Safe to run again; fails loudly when anything is missing or does not install.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv"

fail() {
  echo "tests/peers/mastodon/install.sh: $*" >&2
  exit 1
}

python="${PYTHON:-python3}"
command -v "$python" >/dev/null 2>&1 || fail "$python is missing: apt-get install -y python3 python3-venv"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' \
  || fail "mastodon-mock needs Python 3.10 or newer; $("$python" --version 2>&1) found"

# A venv left half-made (no pip: python3-venv was missing) is made again.
if [[ -x "$venv/bin/python" ]] && ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  echo "== $venv has no pip: making it again"
  rm -rf "$venv"
fi
if [[ ! -x "$venv/bin/python" ]]; then
  echo "== creating $venv"
  "$python" -m venv "$venv" || fail "could not create the venv: apt-get install -y python3-venv"
fi

echo "== pip install -r tests/peers/mastodon/requirements.txt"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" \
  || fail "pip install failed (see above)"

"$venv/bin/python" -c 'import mastodon_mock.cli' || fail "mastodon_mock does not import after the install"
version="$("$venv/bin/python" -c 'from importlib.metadata import version; print(version("mastodon-mock"))')"
[[ "$version" == "0.6.1" ]] || fail "expected mastodon-mock 0.6.1, found $version"
echo "== mastodon-mock $version ready in $venv"
