#!/usr/bin/env bash
# Installs the budkavle this repository is pinned to into .budkavle/bin/, for the workflows in
# .github/ and .gitlab-ci.yml (which cache that folder, so a check takes seconds, not a build).
#
# To update budkavle, change BUDKAVLE_TAG to a newer release tag and merge: the workflows'
# caches are keyed on this file, so the next run installs the new version.
set -euo pipefail

BUDKAVLE_GIT="{{TOOL_GIT}}"
BUDKAVLE_TAG="{{TOOL_TAG}}"

bin="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bin"
want="budkavle ${BUDKAVLE_TAG#v}"
mkdir -p "$bin"

if [ -x "$bin/budkavle" ] && [ "$("$bin/budkavle" --version)" = "$want" ]; then
  echo "$want (cached)"
  exit 0
fi
# A budkavle of this version already on the machine (a self-hosted runner's) is used as it is.
if command -v budkavle >/dev/null 2>&1 && [ "$(budkavle --version)" = "$want" ]; then
  ln -sf "$(command -v budkavle)" "$bin/budkavle"
  echo "$want (from $(command -v budkavle))"
  exit 0
fi

# The release's static Linux binary, checked against the release's SHA256SUMS; else a build
# from the tagged source.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
asset="budkavle-$BUDKAVLE_TAG-$(uname -m)-unknown-linux-musl.tar.gz"
base="$BUDKAVLE_GIT/releases/download/$BUDKAVLE_TAG"
if curl -fsSL -o "$tmp/$asset" "$base/$asset" \
  && curl -fsSL -o "$tmp/SHA256SUMS" "$base/SHA256SUMS" \
  && (cd "$tmp" && grep " $asset\$" SHA256SUMS | sha256sum --check --quiet -); then
  tar -xzf "$tmp/$asset" -C "$bin" budkavle
else
  echo "no verified release binary at $base/$asset: building $BUDKAVLE_TAG from $BUDKAVLE_GIT" >&2
  cargo install --locked --root "$tmp/root" --git "$BUDKAVLE_GIT" --tag "$BUDKAVLE_TAG" budkavle
  mv "$tmp/root/bin/budkavle" "$bin/budkavle"
fi
"$bin/budkavle" --version
